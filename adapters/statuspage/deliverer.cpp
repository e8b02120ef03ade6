// One try: find the Statuspage incident (the fact, else — in doubt — by searching), check in doubt
// whether the update is there already, then open the incident or update it.
#include "adapters/statuspage/deliverer.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

namespace warroom::statuspage {

namespace {
// A delivery whose first call would wait longer for its turn is handed back to wait in the outbox,
// holding no place among the deliveries in flight; shorter waits are waited out in the call.
constexpr std::chrono::milliseconds hand_back_after{500};
}  // namespace

std::string incident_fact(int incident) { return "statuspage:" + std::to_string(incident); }

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

outbox::attempt deliverer::failed(core::statuspage_update const& u, std::string const& what, answer const& a) const {
    auto const why = "statuspage: " + what + ": " +
                     (a.raw.transport ? a.raw.transport.message() : failure_reason(a.status, a.raw.body));
    log_->warn("{}: {}", core::incident_ref(u.incident), why);
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
    auto const& u = std::get<core::statuspage_update>(entry.what);
    auto const ref = core::incident_ref(u.incident);
    auto id = store_.fact(incident_fact(u.incident));
    if (!id && in_doubt) {
        // Named, not temporaries in the co_await expression: GCC 12 frees such temporaries twice.
        auto search = search_incidents(u, settings_);
        auto const found = co_await call(std::move(search));
        if (judge(found.status) != verdict::delivered) co_return failed(u, "finding the incident", found);
        id = opened_for(found.raw.body, u);
        if (id) store_.put_fact(incident_fact(u.incident), *id);
    }
    if (id && in_doubt) {
        auto get = get_incident(*id, settings_);
        auto const seen = co_await call(std::move(get));
        if (judge(seen.status) != verdict::delivered) co_return failed(u, "reading incident " + *id, seen);
        if (has_update(seen.raw.body, u)) {
            log_->info("{}: update {} was already on Statuspage (incident {})", ref, u.sequence, *id);
            co_return outbox::attempt{outbox::verdict::delivered, "already on Statuspage"};
        }
    }
    if (!id) {
        auto open = open_incident(u, settings_);
        auto const opened = co_await call(std::move(open));
        if (judge(opened.status) != verdict::delivered) co_return failed(u, "opening the incident", opened);
        if (!opened.raw.body.is_object() || !opened.raw.body.contains("id") || !opened.raw.body["id"].is_string()) {
            // It was opened, but without its id no update can follow: reconcile on the next try.
            outbox::attempt out{outbox::verdict::retry, "statuspage: the answer to opening the incident has no id"};
            out.ambiguous = true;
            co_return out;
        }
        auto const made = opened.raw.body["id"].get<std::string>();
        // Now, not with the result: the next publication may go before the result is recorded.
        store_.put_fact(incident_fact(u.incident), made);
        log_->info("{}: opened Statuspage incident {}", ref, made);
        co_return outbox::attempt{outbox::verdict::delivered, "opened Statuspage incident " + made};
    }
    auto update = update_incident(u, *id, settings_);
    auto const updated = co_await call(std::move(update));
    if (judge(updated.status) != verdict::delivered) co_return failed(u, "updating incident " + *id, updated);
    log_->info("{}: update {} sent to Statuspage incident {} ({})", ref, u.sequence, *id, core::api_name(u.st));
    co_return outbox::attempt{outbox::verdict::delivered, "updated Statuspage incident " + *id};
}

}  // namespace warroom::statuspage
