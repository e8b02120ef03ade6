#include "app/forms.hpp"

#include "core/command_line.hpp"
#include "core/decide.hpp"

namespace warroom::app {

using namespace core;

namespace {

bool blank(std::string_view v) { return v.find_first_not_of(" \t\r\n") == std::string_view::npos; }

std::string quoted(std::string_view v) {
    constexpr std::size_t shown = 40;
    return "'" + std::string(v.substr(0, shown)) + (v.size() > shown ? "…" : "") + "'";
}

}  // namespace

std::optional<timestamp> parse_started(std::string_view text, timestamp now) {
    auto const ago = text.size() > 4 && text.ends_with(" ago") ? text.substr(0, text.size() - 4) : text;
    if (auto const d = parse_duration(ago)) return now - *d;
    return parse_time(text);
}

std::optional<std::string> field_problem(ui::field f, std::string_view value, timestamp now) {
    using ui::field;
    if (!valid_utf8(value)) return "Not valid UTF-8 text";
    switch (f) {
        case field::title:
            if (blank(value)) return "Give the incident a title: what is broken";
            if (value.size() > max_title) return "At most " + std::to_string(max_title) + " characters";
            return std::nullopt;
        case field::severity:
            if (!value.empty() && !parse_severity(value)) return quoted(value) + " is not a severity: pick P0, P1, P2 or P3";
            return std::nullopt;
        case field::type:
            if (!value.empty() && !parse_incident_type(value)) {
                std::string known;
                for (auto const t : all_types) known += (known.empty() ? "" : ", ") + std::string(to_string(t));
                return quoted(value) + " is not an incident type: pick " + known;
            }
            return std::nullopt;
        case field::personal_data:
            if (!value.empty() && value != "no" && value != "yes") return quoted(value) + ": answer yes or no";
            return std::nullopt;
        case field::started_at: {
            if (value.empty()) return std::nullopt;
            auto const started = parse_started(value, now);
            if (!started) {
                return "Cannot read " + quoted(value) + ": use YYYY-MM-DD HH:MM (UTC) or a duration such as 20m ago";
            }
            if (*started > now) return quoted(value) + " is in the future: give when the impact started";
            return std::nullopt;
        }
        case field::status:
            if (!value.empty()) {
                auto const st = parse_status(value);
                if (!st || *st == status::resolved) {
                    return quoted(value) + " is not a status: pick investigating, identified, implementing-fix or monitoring";
                }
            }
            return std::nullopt;
        case field::text:
            if (blank(value)) return "Say what changed";
            return std::nullopt;
        case field::resolution:
            if (blank(value)) return "Say what fixed it";
            return std::nullopt;
        case field::notice_text:
            if (blank(value)) return "Write what customers will read";
            return std::nullopt;
        case field::reason:
            if (blank(value)) return "Say why this is not an incident";
            if (value.size() > max_title) return "At most " + std::to_string(max_title) + " characters";
            return std::nullopt;
        case field::into:
            if (!parse_incident_ref(trim(value))) return quoted(value) + " is not an incident: give its number, e.g. INC-7";
            return std::nullopt;
        case field::description:
        case field::impact:
        case field::root_cause:
        case field::summary:
        case field::services:
            return std::nullopt;
    }
    return std::nullopt;
}

}  // namespace warroom::app
