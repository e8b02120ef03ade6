// What the daemon serves on [http] listen and sends to the paging vendor: health and metrics, the
// paging vendor's webhook (PagerDuty v3: an acknowledgement there acknowledges the incident here),
// and the delivery of page effects through the vendor's API.
#pragma once

#include <spdlog/logger.h>

#include <functional>
#include <memory>

#include "adapters/http/server.hpp"
#include "adapters/paging/paging.hpp"
#include "adapters/slack/outbox.hpp"
#include "config/config.hpp"
#include "app/service.hpp"

namespace warroom::bot {

// `changed`: the service recorded events (the outbox and the scheduler should look now).
http::handler endpoints(app::service& svc, config::paging_settings const& paging, std::function<void()> changed,
                        std::shared_ptr<spdlog::logger> log);

paging::settings paging_of(config::paging_settings const& s);

// Sends each request of the page in turn; a vendor dedups by key, so repeating a page is harmless.
slack::task<slack::delivery_attempt> send_page(slack::web_api& api, paging::settings const& s, core::page p,
                                               std::shared_ptr<spdlog::logger> log);

}  // namespace warroom::bot
