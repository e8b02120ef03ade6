// One try: find the Statuspage incident (the fact, else — in doubt — by searching), check in doubt
// whether the update is there already, then open the incident or update it.
#include "adapters/statuspage/deliverer.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include "core/maintenance.hpp"

namespace warroom::statuspage {

namespace {
// A delivery whose first call would wait longer for its turn is handed back to wait in the outbox,
// holding no place among the deliveries in flight; shorter waits are waited out in the call.
constexpr std::chrono::milliseconds hand_back_after{500};
}  // namespace

std::string incident_fact(int incident) { return "statuspage:" + std::to_string(incident); }
std::string maintenance_fact(int window) { return "statuspage:" + core::maintenance_ref(window); }

outbox::task<deliverer::answer> deliverer::call(request r) {
    auto const now = std::chrono::steady_clock::now();
    auto const slot = std::max(now, next_call_);
    next_call_ = slot + min_interval;
    if (slot > now) {
        boost::asio::steady_timer timer{co_await boost::asio::this_coro::executor, slot};
        // Cancelled (shutting down): operation_aborted ends the try unsent, as Slack's calls do.
        co_await timer.async_wait(boost::asio::use_awaitable);
    }
    auto const auth = authorization(settings_);
    auto raw = co_await client_.send_json(r.verb, r.url, r.body, auth);
    answer out;
    out.status = raw.transport ? 0 : raw.status;
    if ((out.status == 420 || out.status == 429) && raw.retry_after) {
        next_call_ = std::max(next_call_, std::chrono::steady_clock::now() + *raw.retry_after);
    }
    out.raw = std::move(raw);
    co_return out;
}

outbox::attempt deliverer::failed(std::string const& ref, std::string const& what, answer const& a) const {
    auto const why = "statuspage: " + what + ": " +
                     (a.raw.transport ? a.raw.transport.message() : failure_reason(a.status, a.raw.body));
    log_->warn("{}: {}", ref, why);
    auto const v = judge(a.status);
    outbox::attempt out{v == verdict::retry ? outbox::verdict::retry : outbox::verdict::failed, why};
    // A refused or rate-limited call changed nothing; one without an answer, or a 5xx, may have.
    out.ambiguous = a.raw.sent && (a.status == 0 || a.status >= 500);
    if (a.raw.retry_after) out.retry_after = *a.raw.retry_after;
    return out;
}

outbox::task<outbox::attempt> deliverer::deliver(app::outbox_entry const& entry, bool in_doubt) {
    auto const wait =
        std::chrono::ceil<std::chrono::milliseconds>(next_call_ - std::chrono::steady_clock::now());
    if (wait > hand_back_after) {
        co_return outbox::attempt{outbox::verdict::not_yet, "statuspage: one call a second", false, {}, wait};
    }
    if (auto const* m = std::get_if<core::statuspage_maintenance>(&entry.what)) {
        co_return co_await push(*m, core::maintenance_ref(m->window), maintenance_fact(m->window), in_doubt);
    }
    auto const& u = std::get<core::statuspage_update>(entry.what);
    co_return co_await push(u, core::incident_ref(u.incident), incident_fact(u.incident), in_doubt);
}

template <class Pushed>
outbox::task<outbox::attempt> deliverer::push(Pushed const& u, std::string const& ref, std::string const& fact,
                                              bool in_doubt) {
    auto id = store_.fact(fact);
    if (!id && in_doubt) {
        // Named, not temporaries in the co_await expression: GCC 12 frees such temporaries twice.
        request search = search_incidents(u, settings_);
        answer const found = co_await call(std::move(search));
        if (judge(found.status) != verdict::delivered) co_return failed(ref, "finding the incident", found);
        id = opened_for(found.raw.body, u);
        if (id) store_.put_fact(fact, *id);
    }
    if (id && in_doubt) {
        request get = get_incident(*id, settings_);
        answer const seen = co_await call(std::move(get));
        if (judge(seen.status) != verdict::delivered) co_return failed(ref, "reading incident " + *id, seen);
        if (has_update(seen.raw.body, u)) {
            log_->info("{}: already on Statuspage (incident {})", ref, *id);
            co_return outbox::attempt{outbox::verdict::delivered, "already on Statuspage"};
        }
    }
    if (!id) {
        if constexpr (std::is_same_v<Pushed, core::statuspage_maintenance>) {
            // Its scheduling never reached Statuspage (refused there): there is nothing to complete.
            if (u.cancelled)
                co_return outbox::attempt{outbox::verdict::failed, "statuspage: " + ref + " is not on Statuspage"};
        }
        request open = open_incident(u, settings_);
        answer const opened = co_await call(std::move(open));
        if (judge(opened.status) != verdict::delivered) co_return failed(ref, "opening the incident", opened);
        if (!opened.raw.body.is_object() || !opened.raw.body.contains("id") || !opened.raw.body["id"].is_string()) {
            // It was opened, but without its id no update can follow: reconcile on the next try.
            outbox::attempt out{outbox::verdict::retry, "statuspage: the answer to opening the incident has no id"};
            out.ambiguous = true;
            co_return out;
        }
        auto const made = opened.raw.body["id"].get<std::string>();
        // Now, not with the result: the next publication may go before the result is recorded.
        store_.put_fact(fact, made);
        log_->info("{}: opened Statuspage incident {}", ref, made);
        co_return outbox::attempt{outbox::verdict::delivered, "opened Statuspage incident " + made};
    }
    request update = update_incident(u, *id, settings_);
    answer const updated = co_await call(std::move(update));
    if (judge(updated.status) != verdict::delivered) co_return failed(ref, "updating incident " + *id, updated);
    log_->info("{}: sent to Statuspage incident {}", ref, *id);
    co_return outbox::attempt{outbox::verdict::delivered, "updated Statuspage incident " + *id};
}

}  // namespace warroom::statuspage
