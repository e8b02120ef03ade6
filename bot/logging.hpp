// The one logger of the process: UTC timestamps, level, message. Every message passes through a
// formatter that escapes control characters, so text from outside (a slash command's verb, a
// Slack error) can never start a forged log line.
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string>
#include <string_view>

namespace warroom::bot {

std::shared_ptr<spdlog::logger> make_logger(std::string const& level);
// "\n" → "\\n", other control characters → "\\xNN"; everything else as it is.
std::string escape_control(std::string_view text);

}  // namespace warroom::bot
