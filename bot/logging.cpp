#include "bot/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <cstdio>

namespace warroom::bot {
namespace {

class escaping_formatter final : public spdlog::formatter {
public:
    explicit escaping_formatter(std::unique_ptr<spdlog::formatter> inner) : inner_(std::move(inner)) {}

    void format(spdlog::details::log_msg const& msg, spdlog::memory_buf_t& dest) override {
        auto const escaped = escape_control({msg.payload.data(), msg.payload.size()});
        auto copy = msg;
        copy.payload = spdlog::string_view_t{escaped.data(), escaped.size()};
        inner_->format(copy, dest);
    }
    std::unique_ptr<spdlog::formatter> clone() const override {
        return std::make_unique<escaping_formatter>(inner_->clone());
    }

private:
    std::unique_ptr<spdlog::formatter> inner_;
};

}  // namespace

std::string escape_control(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char const c : text) {
        auto const u = static_cast<unsigned char>(c);
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (u < 0x20 || u == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    return out;
}

std::shared_ptr<spdlog::logger> make_logger(std::string const& level) {
    auto logger = spdlog::stderr_color_mt("warroom");
    logger->set_formatter(std::make_unique<escaping_formatter>(std::make_unique<spdlog::pattern_formatter>(
        "%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc)));
    logger->set_level(spdlog::level::from_str(level));
    return logger;
}

}  // namespace warroom::bot
