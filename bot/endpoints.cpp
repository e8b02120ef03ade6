#include "bot/endpoints.hpp"

#include "adapters/alerts/receivers.hpp"
#include "adapters/alerts/tickets.hpp"
#include "adapters/dashboard/page.hpp"
#include "adapters/email/message.hpp"
#include "adapters/paging/pagerduty_webhook.hpp"
#include "app/limits.hpp"

#include <boost/asio/this_coro.hpp>
#include <map>

namespace warroom::bot {
namespace {

http::response text(int status, std::string body) { return {status, "text/plain; charset=utf-8", body + "\n"}; }

}  // namespace

paging::settings paging_of(config::paging_settings const& s) {
    paging::settings out;
    out.kind = s.vendor == "opsgenie" ? paging::vendor::opsgenie : paging::vendor::pagerduty;
    out.base_url = s.url;
    out.key = s.key;
    out.users = s.users;
    return out;
}

namespace {

http::response pagerduty_webhook(app::service& svc, config::paging_settings const& paging, spdlog::logger& log,
                                 http::request const& r, app::ticket& recorded) {
    if (r.method != "POST") return text(405, "POST only");
    if (paging.vendor != "pagerduty" || paging.webhook_secret.empty())
        return text(404, "PagerDuty webhooks are not configured");
    auto const sig = r.headers.find("x-pagerduty-signature");
    if (sig == r.headers.end() || !paging::verify_signature(r.body, sig->second, paging.webhook_secret)) {
        log.warn("http: PagerDuty webhook with a bad or missing signature from {}", r.remote);
        return text(401, "bad signature");
    }
    auto const event = paging::parse_webhook(r.body);
    if (!event) return text(400, "not a PagerDuty v3 webhook");
    auto const number = core::incident_of_page_key(event->incident_key);
    // Other events (triggered, resolved, annotated) and other services' incidents need nothing here;
    // answering 200 keeps PagerDuty from retrying them.
    if (event->type != "incident.acknowledged" || !number) return text(200, "ignored");
    if (!paging.service_id.empty() && event->service_id != paging.service_id) {
        log.warn("http: PagerDuty webhook for service {} (warroom pages {}): ignored", event->service_id,
                 paging.service_id);
        return text(200, "ignored: not warroom's service");
    }
    auto const now = std::chrono::floor<core::milliseconds>(std::chrono::system_clock::now());
    // A signed webhook can be recorded and sent again later: one from outside the window is a replay.
    if (!event->occurred_at || *event->occurred_at < now - paging.webhook_max_age ||
        *event->occurred_at > now + paging.webhook_max_age) {
        log.warn("http: PagerDuty webhook for INC-{} happened {}: refused as a replay", *number,
                 event->occurred_at ? core::format_time(*event->occurred_at) : std::string("at no stated time"));
        return text(400, "stale webhook: occurred_at is missing or outside " +
                             core::format_duration(paging.webhook_max_age) + " of now");
    }
    auto const who = (event->agent.empty() ? std::string("someone") : event->agent) + " (PagerDuty)";
    app::origin o{who, "", now, "pagerduty:" + event->pd_incident_id + ":acknowledged"};
    o.integration = true;
    auto const out = svc.press(o, core::ui::action::acknowledge, core::ui::value(*number));
    if (out.denied) {
        log.warn("http: PagerDuty acknowledgement of INC-{} refused: {}", *number, out.denied->reason);
        return text(200, "ignored: " + out.denied->reason);
    }
    log.info("http: PagerDuty acknowledged INC-{} ({})", *number, out.changed ? "recorded" : "nothing to do");
    recorded = out.recorded;
    return text(200, "ok");
}

std::string header(http::request const& r, std::string const& name) {
    auto const it = r.headers.find(name);
    return it == r.headers.end() ? std::string{} : it->second;
}

// Each receiver's token bucket, and how many of its deliveries were refused since it last took one:
// a sender over its limit is logged when the refusals start and when they end, not at each one.
struct intake_limits {
    app::limit per_receiver;
    app::token_buckets buckets;
    std::map<std::string, int> refused;
};

// Nothing when `receiver` may deliver now; else the 429 that says when it may.
std::optional<http::response> over_limit(intake_limits& limits, spdlog::logger& log, std::string_view receiver,
                                         core::timestamp now) {
    auto& refused = limits.refused[std::string(receiver)];
    auto const wait = limits.buckets.take(std::string(receiver), limits.per_receiver, now);
    if (!wait) {
        if (refused > 0) log.info("http: alerts: {} deliveries taken again ({} refused with 429)", receiver, refused);
        refused = 0;
        return std::nullopt;
    }
    auto const seconds = std::max<long long>(1, std::chrono::ceil<std::chrono::seconds>(*wait).count());
    if (refused++ == 0) {
        log.warn("http: alerts: {} sends more than {} deliveries a second (bursts of {}): refused with 429", receiver,
                 limits.per_receiver.per_minute / 60, limits.per_receiver.burst);
    }
    auto answer = text(429, "too many deliveries to /webhooks/" + std::string(receiver) + " (at most " +
                                std::to_string(limits.per_receiver.per_minute / 60) + " a second); retry in " +
                                std::to_string(seconds) + " s");
    answer.headers.emplace_back("Retry-After", std::to_string(seconds));
    return answer;
}

// The alert receivers: authenticated, held to their rate, parsed, recorded. Answers 2xx (once the
// caller has waited for the write to settle) or the status and reason of a refusal.
http::response alert_webhook(app::service& svc, config::alerts_settings const& alerts, intake_limits& limits,
                             spdlog::logger& log, http::request const& r, std::string_view receiver,
                             app::ticket& recorded_from, app::ticket& recorded) {
    if (r.method != "POST") return text(405, "POST only");
    auto const now = std::chrono::floor<core::milliseconds>(std::chrono::system_clock::now());
    app::origin o{core::bot_user, "", now};
    o.integration = true;
    alerts::parsed delivery;
    if (receiver == "generic") {
        if (alerts.webhook_secrets.empty()) return text(404, "the generic alert receiver is not configured");
        auto const id = header(r, "webhook-id");
        if (auto const why =
                alerts::verify_standard_webhook(id, header(r, "webhook-timestamp"), header(r, "webhook-signature"),
                                                r.body, alerts.webhook_secrets, now)) {
            log.warn("http: alerts: generic delivery from {} refused: {}", r.remote, *why);
            return text(401, *why);
        }
        // Its id is claimed with what it records: the same delivery sent again (a retry, a replay)
        // changes nothing.
        o.once = "webhook-id:" + id;
    } else {
        if (alerts.token.empty())
            return text(404, "the " + std::string(receiver) + " alert receiver is not configured");
        if (!alerts::bearer_matches(header(r, "authorization"), alerts.token)) {
            log.warn("http: alerts: {} delivery from {} without the bearer token", receiver, r.remote);
            return text(401, "a bearer token is required (Authorization: Bearer …)");
        }
    }
    // Counted once authenticated: a stranger's flood is refused with 401 and cannot use up the
    // sender's budget.
    if (auto refusal = over_limit(limits, log, receiver, now)) return std::move(*refusal);
    if (receiver == "generic") {
        delivery = alerts::parse_generic(r.body, now);
    } else {
        delivery = alerts::parse_alertmanager(r.body, std::string(receiver));
    }
    if (auto const* bad = std::get_if<alerts::bad_delivery>(&delivery)) {
        log.warn("http: alerts: {} delivery from {} refused: {}", receiver, r.remote, bad->reason);
        return text(400, bad->reason);
    }
    auto const& d = std::get<core::alert_delivery>(delivery);
    auto const out = svc.receive(o, d);
    recorded_from = out.recorded_from;
    recorded = out.recorded;
    log.info("http: alerts: {} delivery of {} alerts: {}", receiver, d.alerts.size(),
             out.duplicate ? "already recorded"
             : out.changed ? "recorded"
                           : "nothing new");
    return text(200, out.duplicate ? "already recorded" : out.changed ? "recorded" : "nothing new");
}

// A probe's write may wait for the transaction before it; past this the store is taken as unreachable
// (a probe's own timeout is a few seconds: Kubernetes' default is one).
constexpr std::chrono::milliseconds store_probe_deadline{2000};

// Why the store cannot be used now, or nothing: a read on the loop's connection, then a write through
// the writer (one row, overwritten, so a probe leaves nothing behind) that must reach the disk in time.
http::task<std::optional<std::string>> store_problem(app::event_store& store) {
    try {
        store.head();
    } catch (app::store_error const& err) {
        co_return std::string("cannot read: ") + err.what();
    }
    auto const now = std::chrono::floor<core::milliseconds>(std::chrono::system_clock::now());
    // Named, not a temporary in the co_await expression: GCC 12 frees such temporaries twice.
    app::write_op probe{app::set_fact{"readyz", core::format_time(now)}};
    auto const ex = co_await boost::asio::this_coro::executor;
    auto const r = co_await outbox::durably(ex, store, std::move(probe), store_probe_deadline);
    if (!r) co_return "a write did not reach the disk within " + core::format_duration(store_probe_deadline);
    if (r->failure) co_return "cannot write: " + *r->failure;
    co_return std::nullopt;
}

http::task<http::response> readiness(app::event_store& store, readiness_sources const& ready) {
    std::string failing;
    if (auto const why = co_await store_problem(store)) failing += "store: " + *why + "\n";
    if (ready.socket_connections() == 0) failing += "slack: no Socket Mode connection\n";
    if (auto const since = ready.outbox_oldest()) {
        auto const waited = std::chrono::duration_cast<core::milliseconds>(std::chrono::steady_clock::now() - *since);
        if (waited > ready.outbox_stuck_after) {
            failing += "outbox: the entry at the head of its queue has waited " + core::format_duration(waited) +
                       " (http.outbox_stuck_after is " + core::format_duration(ready.outbox_stuck_after) + ")\n";
        }
    }
    if (failing.empty()) co_return text(200, "ready");
    co_return http::response{503, "text/plain; charset=utf-8", failing};
}

constexpr std::string_view alert_receivers[] = {"alertmanager", "grafana", "generic"};

// Read on the loop from the service's indexes: the open incidents and the last weeks' ones, not all.
http::response dashboard_page(app::service const& svc, dashboard_guard const& guard, http::request const& r,
                              bool as_json) {
    if (r.method != "GET" && r.method != "HEAD") return text(405, "GET only");
    auto const header = r.headers.find("authorization");
    auto const given =
        header == r.headers.end() ? std::nullopt : std::optional<std::string_view>{header->second};
    switch (dashboard::check_access(given, guard.token, guard.loopback)) {
        case dashboard::access::allowed: break;
        case dashboard::access::unauthorized: {
            auto answer = text(401, "the dashboard needs its bearer token (Authorization: Bearer …)");
            answer.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"warroom dashboard\"");
            return answer;
        }
        case dashboard::access::off:
            return text(404, "the dashboard is off: http listen is not a loopback address and no token is set "
                             "(WARROOM_DASHBOARD_TOKEN or dashboard.token_file)");
    }
    auto const now = std::chrono::floor<core::milliseconds>(std::chrono::system_clock::now());
    auto const data = svc.dashboard(now);
    http::response answer = as_json ? http::response{200, "application/json", dashboard::render_json(data, svc.rules())}
                                    : http::response{200, "text/html; charset=utf-8",
                                                     dashboard::render_html(data, svc.rules(), svc.rules().report_zone())};
    answer.headers.emplace_back("Cache-Control", "no-store");
    return answer;
}

http::task<http::response> answer(app::service& svc, app::event_store& store, config::paging_settings const& paging,
                                  config::alerts_settings const& alerts, intake_limits& limits,
                                  readiness_sources const& ready, metrics::registry const& measured,
                                  dashboard_guard const& guard, std::shared_ptr<spdlog::logger> log, http::request r) {
    auto const path = r.target.substr(0, r.target.find('?'));
    // Answered on the loop: that this runs at all is the proof that the loop turns.
    if (path == "/livez") co_return text(200, "alive");
    if (path == "/readyz" || path == "/healthz") co_return co_await readiness(store, ready);
    if (path == "/metrics" && r.method == "GET") {
        co_return http::response{200, std::string(metrics::content_type), measured.render()};
    }
    if (path == "/dashboard" || path == "/dashboard.json") co_return dashboard_page(svc, guard, r, path == "/dashboard.json");
    constexpr std::string_view webhooks = "/webhooks/";
    auto const receiver = path.starts_with(webhooks) ? path.substr(webhooks.size()) : std::string{};
    bool const alert =
        std::find(std::begin(alert_receivers), std::end(alert_receivers), receiver) != std::end(alert_receivers);
    if (!alert && receiver != "pagerduty") co_return text(404, "not found");
    app::ticket recorded = 0;
    app::ticket recorded_from = 0;  // an alert delivery writes once per alert group
    http::response response;
    if (!alert) {
        response = pagerduty_webhook(svc, paging, *log, r, recorded);
    } else {
        try {
            response = alert_webhook(svc, alerts, limits, *log, r, receiver, recorded_from, recorded);
        } catch (app::store_error const& err) {
            log->error("http: alerts: {} delivery not recorded: {}", receiver, err.what());
            co_return text(503, "warroom could not record this (its store failed); send it again");
        }
    }
    // Answered once what it reports is on disk: a 200 stops the sender from sending it again.
    if (auto const tail = svc.unsettled_tail(); tail != 0) {
        auto const ex = co_await boost::asio::this_coro::executor;
        bool const on_disk = co_await coro::called_back(
            ex, app::commit_deadline, [&](std::function<void()> done) { svc.when_settled(tail, std::move(done)); });
        if (!on_disk) co_return text(503, "the store did not commit in time; send it again");
    }
    for (auto t = recorded_from == 0 ? recorded : recorded_from; t != 0 && t <= recorded; ++t) {
        if (auto const why = svc.lost(t)) {
            log->warn("http: {} webhook: not all recorded: {}", receiver, *why);
            co_return text(503, *why + "; send it again");
        }
    }
    co_return response;
}

}  // namespace

http::handler endpoints(app::service& svc, app::event_store& store, config::paging_settings const& paging,
                        config::alerts_settings const& alerts, readiness_sources ready,
                        metrics::registry const& measured, dashboard_guard guard, std::shared_ptr<spdlog::logger> log) {
    auto limits = std::make_shared<intake_limits>();
    limits->per_receiver = {alerts.rate_per_second * 60, alerts.burst};
    return [&svc, &store, &paging, &alerts, limits, ready = std::make_shared<readiness_sources>(std::move(ready)),
            &measured, guard = std::make_shared<dashboard_guard>(std::move(guard)), log](http::request r) {
        return answer(svc, store, paging, alerts, *limits, *ready, measured, *guard, log, std::move(r));
    };
}

void measure_incidents(metrics::registry& r, app::service const& svc) {
    std::vector<std::string_view> names;
    for (auto const sev : core::all_severities) names.push_back(core::to_string(sev));
    r.read_each("warroom_incidents_open", "Incidents not yet resolved, by severity.",
                metrics::label{"severity", std::move(names)},
                [&svc](std::size_t i) { return svc.active(core::all_severities[i]); });
    r.read("warroom_incidents_resolved", "Resolved incidents not yet closed.", metrics::kind::gauge,
           [&svc] { return svc.awaiting_close(); });
}

outbox::task<outbox::attempt> deliverer::deliver(app::outbox_entry const& entry, bool in_doubt) {
    if (auto const* t = std::get_if<core::open_ticket>(&entry.what)) {
        if (alerts_.ticket_url.empty())
            co_return outbox::attempt{outbox::verdict::failed, "no ticket system is configured"};
        co_return co_await ticket(*t);
    }
    if (auto const* m = std::get_if<core::email>(&entry.what)) {
        if (!mailer_) co_return outbox::attempt{outbox::verdict::failed, "no e-mail ([email] smtp_url) is configured"};
        co_return co_await mail(entry.id, *m);
    }
    if (std::holds_alternative<core::statuspage_update>(entry.what) ||
        std::holds_alternative<core::statuspage_maintenance>(entry.what)) {
        if (!statuspage_)
            co_return outbox::attempt{outbox::verdict::failed, "no Statuspage ([status_page.statuspage]) is configured"};
        co_return co_await statuspage_->deliver(entry, in_doubt);
    }
    auto const* p = std::get_if<core::page>(&entry.what);
    if (!p) co_return co_await others_.deliver(entry, in_doubt);
    if (!pager_) co_return outbox::attempt{outbox::verdict::failed, "no paging integration is configured"};
    co_return co_await page(*p);
}

outbox::task<outbox::attempt> deliverer::mail(std::int64_t entry, core::email m) {
    email::message const message{mail_from_,
                                 m.to,
                                 m.subject,
                                 m.text,
                                 email::message_id(entry, m.subject + "\n" + m.text, mail_from_),
                                 std::chrono::system_clock::now()};
    auto sending = mailer_->send(mail_from_, m.to, email::render(message));  // no temporaries in co_await (GCC 12)
    auto const sent = co_await std::move(sending);
    auto const verdict = email::judge(sent);
    auto const about = m.incident > 0 ? core::incident_ref(m.incident) : std::string("alerts");
    std::string to;
    for (auto const& address : m.to) to += (to.empty() ? "" : ", ") + address;
    if (verdict == email::verdict::delivered) {
        log_->info("{}: e-mailed {}", about, to);
        co_return outbox::attempt{outbox::verdict::delivered, "e-mailed"};
    }
    auto const why = email::reason(sent);
    log_->warn("{}: e-mail to {}: {}", about, to, why);
    co_return outbox::attempt{verdict == email::verdict::retry ? outbox::verdict::retry : outbox::verdict::failed, why};
}

outbox::task<outbox::attempt> deliverer::page(core::page p) {
    for (auto const& r : paging::requests_for(p, *pager_)) {
        std::string authorization;
        for (auto const& [name, value] : r.headers) {
            if (name == "Authorization") authorization = value;
        }
        auto const answer = co_await vendor_.post_json(r.url, r.body, authorization);
        auto const status = answer.transport ? 0 : answer.status;
        auto const verdict = paging::judge(status);
        if (verdict == paging::verdict::delivered) continue;
        auto const why = answer.transport ? "paging: " + answer.transport.message()
                                          : "paging: " + paging::failure_reason(status, answer.body.dump());
        log_->warn("INC-{}: {}", p.incident, why);
        co_return outbox::attempt{verdict == paging::verdict::retry ? outbox::verdict::retry : outbox::verdict::failed,
                                  why};
    }
    co_return outbox::attempt{outbox::verdict::delivered, "paged"};
}

// A ticket system's answers are judged as a paging vendor's: 2xx delivered; 429, 5xx and no answer
// retried (after its Retry-After); any other refusal given up, since sending it again cannot help.
outbox::task<outbox::attempt> deliverer::ticket(core::open_ticket t) {
    // Named, not temporaries in the co_await expression: GCC 12 frees such temporaries twice.
    auto const body = alerts::ticket_body(t);
    auto const authorization = "Bearer " + alerts_.ticket_token;
    http::header_list const idempotency{{"Idempotency-Key", core::ticket_key(t.group)}};
    auto const answer = co_await vendor_.post_json(alerts_.ticket_url, body, authorization, idempotency);
    auto const status = answer.transport ? 0 : answer.status;
    auto const verdict = paging::judge(status);
    if (verdict == paging::verdict::delivered) co_return outbox::attempt{outbox::verdict::delivered, "ticket opened"};
    auto const why = answer.transport ? "ticket: " + answer.transport.message()
                                      : "ticket: " + paging::failure_reason(status, answer.body.dump());
    // The runner logs the give-up with this reason, in one line.
    outbox::attempt out{verdict == paging::verdict::retry ? outbox::verdict::retry : outbox::verdict::failed, why,
                        answer.sent};
    if (answer.retry_after) out.retry_after = *answer.retry_after;
    co_return out;
}

}  // namespace warroom::bot
