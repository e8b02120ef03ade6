// `warroom run`: the daemon. One io_context: Socket Mode, the outbox, the reminder clock; SIGTERM
// and SIGINT stop taking envelopes, let calls in flight finish (bounded), and return 0.
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string>

#include "config/config.hpp"


namespace warroom::bot {

int run_daemon(config::settings const& settings, std::string const& store_url, std::shared_ptr<spdlog::logger> log);

}  // namespace warroom::bot
