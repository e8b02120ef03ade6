// Event names and printing, so failing checks show values.
#include "core/events.hpp"

namespace warroom::core {

std::string_view event_name(payload const& p) {
    constexpr std::string_view names[] = {"declared",      "update_posted",    "severity_changed", "phase_changed",
                                          "role_assigned", "note_added",       "acknowledged",     "mitigated",
                                          "action_added",  "action_completed", "escalated",        "nudged",
                                          "snoozed",       "resolved",         "reopened",         "report_generated",
                                          "closed",        "checklist_marked", "reminder_sent"};
    static_assert(std::size(names) == std::variant_size_v<payload>);
    return names[p.index()];
}

std::ostream& operator<<(std::ostream& os, event const& e) {
    return os << incident_ref(e.incident) << ' ' << event_name(e.what) << " by " << e.by << " at " << format_time(e.at);
}

}  // namespace warroom::core
