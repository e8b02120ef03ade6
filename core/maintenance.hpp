// Scheduled maintenance: windows in which status-page components are under maintenance. Not an
// incident: each window is a stream of its own (maintenance_stream()), scheduled and cancelled by
// commands, and its state at any moment follows from its window and the time alone, so nothing
// has to fire when it begins or ends.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/decide.hpp"
#include "core/effects.hpp"
#include "core/events.hpp"
#include "core/policy.hpp"
#include "core/views.hpp"

namespace warroom::core {

enum class maintenance_state {
    scheduled,    // announced, not begun
    in_progress,  // its components are under maintenance
    completed,    // over: its window ended, or it was ended early
    cancelled,    // called off before it began: not shown
};
std::string_view to_string(maintenance_state s);  // Statuspage's words: "scheduled", "in_progress", …

struct maintenance {
    int number = 0;
    int version = 0;  // events applied, as incident::version
    std::vector<std::string> components;
    timestamp from{}, to{};
    std::string text;
    user_id scheduled_by;
    timestamp scheduled_at{};
    std::optional<timestamp> cancelled_at;
    user_id cancelled_by;
    maintenance_state state_at(timestamp now) const;
    // When its components are under maintenance: [from, end()). Empty when it was called off before it began.
    timestamp end() const;
    bool operator==(maintenance const&) const = default;
};
using maintenance_map = std::map<int, maintenance>;

// Folds a maintenance window's event into its window; other streams' events are left alone.
void apply(maintenance_map& all, event const& e);

// `/incident maintenance …`, as parsed.
struct schedule_maintenance {
    std::string component;  // as typed: a configured name, or its id ("api-gateway")
    timestamp from{}, to{};
    std::string text;
    bool operator==(schedule_maintenance const&) const = default;
};
struct cancel_maintenance {
    int number = 0;
    bool operator==(cancel_maintenance const&) const = default;
};
struct list_maintenance {
    bool operator==(list_maintenance const&) const = default;
};
using maintenance_request = std::variant<schedule_maintenance, cancel_maintenance, list_maintenance>;

// "MNT-3"
std::string maintenance_ref(int number);
// "3", "#3", "MNT-3".
std::optional<int> parse_maintenance_ref(std::string_view token);

// The configured component `typed` names (exactly, or by its id), or a refusal listing them.
std::variant<std::string, refusal> configured_component(std::string_view typed, policy const& p);

// Window `number`: refused for an unknown component, an end not after its start, a window already
// over at `now`, or a public text empty or too long. A start in the past begins it at once.
decision decide_schedule(schedule_maintenance const& m, int number, user_id const& by, timestamp now,
                         policy const& p);
// Calls off a window not begun, or ends one in progress; refused for one already over or cancelled.
decision decide_cancel(maintenance const& m, user_id const& by, timestamp now);

// What Statuspage is sent of window `m` as it now is; nothing when no Statuspage is configured.
std::optional<statuspage_maintenance> statuspage_of(maintenance const& m, policy const& p);

// What the scheduler hears back, and what `/incident maintenance` lists (windows not over, soonest first).
message_view maintenance_scheduled_view(maintenance const& m, std::string_view slash, time_zone const& z);
message_view maintenance_cancelled_view(maintenance const& m, timestamp now, time_zone const& z);
message_view maintenance_list_view(std::vector<maintenance const*> const& windows, timestamp now, time_zone const& z);

}  // namespace warroom::core
