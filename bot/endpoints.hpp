// What the daemon serves on [http] listen and sends to the paging vendor, the ticket system and the
// mail server: health and metrics, the paging vendor's webhook (PagerDuty v3: an acknowledgement there
// acknowledges the incident here), the alert receivers (/webhooks/alertmanager, /webhooks/grafana,
// /webhooks/generic), and the delivery of page effects through the vendor's API, of tickets to
// [alerts] ticket_url and of e-mails through SMTP.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "adapters/email/smtp.hpp"
#include "adapters/http/client.hpp"
#include "adapters/http/server.hpp"
#include "adapters/metrics/metrics.hpp"
#include "adapters/outbox/runner.hpp"
#include "adapters/paging/paging.hpp"
#include "app/service.hpp"
#include "config/config.hpp"

namespace warroom::bot {

// What /readyz looks at besides the store, each asked on the loop when a probe comes.
struct readiness_sources {
    std::function<int()> socket_connections;  // Socket Mode connections carrying envelopes
    // Since when the outbox entry at the head of its queue longest waits; nothing when none does.
    std::function<std::optional<std::chrono::steady_clock::time_point>()> outbox_oldest;
    std::chrono::seconds outbox_stuck_after{};
};

// Who may read /dashboard: the bearer token (empty: none is configured), and whether the listener
// is bound to loopback (then no token is needed).
struct dashboard_guard {
    std::string token;
    bool loopback = false;
};

// /dashboard and /dashboard.json: the incident dashboard, guarded by `guard` (401 without the token).
// /livez: 200 once the loop runs the handler. /readyz (and /healthz, its old name): 200 when a write
// reaches the store's disk within a bound, Socket Mode is connected and the outbox moves; else 503
// with one line per failing check. /metrics: what `measured` holds, rendered on the loop.
http::handler endpoints(app::service& svc, app::event_store& store, config::paging_settings const& paging,
                        config::alerts_settings const& alerts, readiness_sources ready,
                        metrics::registry const& measured, dashboard_guard guard, std::shared_ptr<spdlog::logger> log);

// Registers the incidents open by severity and those resolved but not closed, read from `svc`'s
// counts at each scrape (never a scan, never a title).
void measure_incidents(metrics::registry& r, app::service const& svc);

paging::settings paging_of(config::paging_settings const& s);

// What the outbox engine delivers: pages to the paging vendor (each request of the page in turn; a
// vendor dedups by key, so repeating a page is harmless), tickets to the ticket system (with the
// group's Idempotency-Key, so a repeat is recognised there), e-mails to the SMTP server (every try of
// one entry carries the same Message-ID, so a receiver can tell a message sent again after a lost
// answer), publications to Statuspage, everything else to `others` (Slack).
class deliverer final : public outbox::deliverer {
public:
    // Without `pager` (no vendor configured) pages are given up; without `alerts.ticket_url`, tickets;
    // without `mailer` (no [email]), e-mails; without `to_statuspage`, publications for Statuspage.
    // `alerts` must outlive the deliverer.
    deliverer(outbox::deliverer& others, http::client& vendor, std::optional<paging::settings> pager,
              config::alerts_settings const& alerts, email::smtp_client* mailer, std::string mail_from,
              outbox::deliverer* to_statuspage, std::shared_ptr<spdlog::logger> log)
        : others_(others),
          vendor_(vendor),
          pager_(std::move(pager)),
          alerts_(alerts),
          mailer_(mailer),
          mail_from_(std::move(mail_from)),
          statuspage_(to_statuspage),
          log_(std::move(log)) {}
    outbox::task<outbox::attempt> deliver(app::outbox_entry const& entry, bool in_doubt) override;

private:
    outbox::task<outbox::attempt> page(core::page p);
    outbox::task<outbox::attempt> ticket(core::open_ticket t);
    outbox::task<outbox::attempt> mail(std::int64_t entry, core::email m);

    outbox::deliverer& others_;
    http::client& vendor_;
    std::optional<paging::settings> pager_;
    config::alerts_settings const& alerts_;
    email::smtp_client* mailer_;
    std::string mail_from_;
    outbox::deliverer* statuspage_;
    std::shared_ptr<spdlog::logger> log_;
};

}  // namespace warroom::bot
