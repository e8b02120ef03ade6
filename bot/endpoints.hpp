// What the daemon serves on [http] listen and sends to the paging vendor: health and metrics, the
// paging vendor's webhook (PagerDuty v3: an acknowledgement there acknowledges the incident here),
// and the delivery of page effects through the vendor's API.
#pragma once

#include <spdlog/logger.h>

#include <functional>
#include <memory>

#include "adapters/http/server.hpp"
#include "adapters/paging/paging.hpp"
#include "adapters/outbox/runner.hpp"
#include "adapters/http/client.hpp"
#include "config/config.hpp"
#include "app/service.hpp"

namespace warroom::bot {

http::handler endpoints(app::service& svc, config::paging_settings const& paging, std::shared_ptr<spdlog::logger> log);

paging::settings paging_of(config::paging_settings const& s);

// What the outbox engine delivers: pages to the paging vendor (each request of the page in turn; a
// vendor dedups by key, so repeating a page is harmless), everything else to `others` (Slack).
class deliverer final : public outbox::deliverer {
public:
    // Without `pager` (no vendor configured) pages are given up.
    deliverer(outbox::deliverer& others, http::client& vendor, std::optional<paging::settings> pager,
              std::shared_ptr<spdlog::logger> log)
        : others_(others), vendor_(vendor), pager_(std::move(pager)), log_(std::move(log)) {}
    outbox::task<outbox::attempt> deliver(app::outbox_entry const& entry, bool in_doubt) override;

private:
    outbox::task<outbox::attempt> page(core::page p);

    outbox::deliverer& others_;
    http::client& vendor_;
    std::optional<paging::settings> pager_;
    std::shared_ptr<spdlog::logger> log_;
};

}  // namespace warroom::bot
