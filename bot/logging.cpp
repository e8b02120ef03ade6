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

// One log line per record, whatever the text holds: line breaks (also U+2028, U+2029 and NEL),
// other C0 and C1 controls become escapes, and a backslash is doubled so an escape in the text
// cannot pass for one of ours.
std::string escape_control(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    char buf[8];
    for (std::size_t k = 0; k < text.size(); ++k) {
        auto const c = text[k];
        auto const u = static_cast<unsigned char>(c);
        auto const next = k + 1 < text.size() ? static_cast<unsigned char>(text[k + 1]) : 0;
        auto const third = k + 2 < text.size() ? static_cast<unsigned char>(text[k + 2]) : 0;
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (u < 0x20 || u == 0x7f) {
            std::snprintf(buf, sizeof buf, "\\x%02x", u);
            out += buf;
        } else if (u == 0xC2 && next >= 0x80 && next <= 0x9F) {  // U+0080…U+009F
            std::snprintf(buf, sizeof buf, "\\u%04x", next);
            out += buf;
            ++k;
        } else if (u == 0xE2 && next == 0x80 && (third == 0xA8 || third == 0xA9)) {  // U+2028, U+2029
            out += third == 0xA8 ? "\\u2028" : "\\u2029";
            k += 2;
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
