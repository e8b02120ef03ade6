// The `/incident` grammar: text in, a request or a usage error out. Pure: the caller says whether
// the command came from a war room (the incident is then implied) and what time it is.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/decide.hpp"
#include "core/maintenance.hpp"

namespace warroom::core {

struct query {
    enum class kind {
        status,   // one incident, for the asker
        list,     // incidents, newest first
        actions,  // action items of an incident
        roles,    // role holders of an incident
        stats,    // metrics over a window
        help,     // usage
        oncall,   // who is on call now and next
    };
    kind what{};
    std::string arg;  // list: open|all; stats: window; help: command
    bool operator==(query const&) const = default;
};

struct request {
    std::string verb;
    std::optional<int> incident;  // given explicitly; otherwise the war room's
    std::variant<declare, command, query, maintenance_request> what;
    bool modal = false;  // no arguments: open the form instead
    bool operator==(request const&) const = default;
};

struct usage_error {
    std::string reason;
    std::string verb;  // whose usage to show; empty for the overview
    bool operator==(usage_error const&) const = default;
};

using parse_result = std::variant<request, usage_error>;

// `zone` is where "today", "friday" and "at:23:30" are meant.
parse_result parse_command_line(std::string_view text, bool in_war_room, timestamp now,
                                time_zone const& zone = utc_zone());

// A due date as people write it: 2026-12-20, +3d, today, tomorrow, friday (the next one). The day
// is the zone's; the result is that date's midnight UTC, as parse_date gives.
std::optional<timestamp> parse_due(std::string_view text, timestamp now, time_zone const& zone = utc_zone());

// A maintenance window's edge: ISO 8601 in UTC ("2026-12-08T02:00Z"), with an offset
// ("2026-12-08T03:00+01:00"), or local time without either ("2026-12-08T03:00", meant in `zone`);
// seconds may be given; "now" is `now`.
std::optional<timestamp> parse_window_time(std::string_view text, timestamp now, time_zone const& zone);

// The closest known word to `word` (a typo), if any is close enough to be meant.
std::optional<std::string> did_you_mean(std::string_view word, std::vector<std::string_view> const& known);

// "/incident update [status:<status>] [impact:\"<scope>\"] <text>"
std::string usage(std::string_view verb, std::string_view slash = "/incident");
// The overview of every command.
std::string help_text(std::string_view slash = "/incident");

// "@bob" → "bob"; Slack's "<@U123>" and "<@U123|bob>" → "U123".
std::optional<user_id> parse_mention(std::string_view token);
// "42", "#42", "INC-42"; `explicit_only` accepts only the unambiguous "#42" and "INC-42".
std::optional<int> parse_incident_ref(std::string_view token, bool explicit_only = false);

}  // namespace warroom::core
