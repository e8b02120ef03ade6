// `warroom run`: the daemon. One io_context: Socket Mode, the outbox, the reminder clock; SIGTERM
// and SIGINT stop taking envelopes, let calls in flight finish (bounded), and return 0.
#pragma once

#include <spdlog/logger.h>

#include <memory>

#include "config/config.hpp"
#include "app/store_port.hpp"

namespace warroom::bot {

int run_daemon(config::settings const& settings, app::event_store& store, std::shared_ptr<spdlog::logger> log);

}  // namespace warroom::bot
