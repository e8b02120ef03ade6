// Timed behaviour derived from state: which reminders an incident owes and when. The scheduler
// fires a due reminder by claiming its key in the store with the events fire() returns, so a
// reminder fires once even across restarts; a key names one occurrence, never a series.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "core/incident.hpp"
#include "core/oncall.hpp"
#include "core/policy.hpp"

namespace warroom::core {

enum class reminder_kind {
    update_nudge,      // no update for the severity's cadence
    escalation,        // a step of the escalation matrix
    report_due,        // report not written 24 h after resolution
    postmortem_due,    // post-mortem meeting not held 48 h after resolution (P0/P1)
    action_due,        // an open action item reached its due date
    regulator_notice,  // privacy, or data loss with personal data: 24 h left, the deadline, and after it daily
    page_unanswered,   // the primary did not acknowledge within the severity's response time: page the secondary
    unacknowledged,    // nobody acknowledged within the severity's response time (no page to escalate)
    action_overdue,    // an action item still open the day after its due date
    nudges_unanswered, // several update nudges in a row had no answer: the admins and the manager are told
};

struct reminder {
    std::string key;
    reminder_kind kind{};
    int incident = 0;
    timestamp due{};
    int step = 0;    // escalation: index in the severity's matrix; regulator_notice: 0 before the deadline,
                     // 1 at it, n > 1 the (n-1)th day after it
    int action = 0;  // action_due: the item's number
    bool operator==(reminder const&) const = default;
};

inline constexpr char const* bot_user = "warroom";

// Every reminder the incident owes now or later, earliest first.
std::vector<reminder> pending_reminders(incident const& i, policy const& p);
// When a response is due: `respond_within` after `from`, or for "next business day" (a response
// time of a day or more) the next business day's opening in the policy's time zone.
timestamp respond_by(timestamp from, severity s, policy const& p);
// `day` (a date, as midnight UTC) at the local time of day `at` in the policy's time zone.
timestamp local_time_on(timestamp day, seconds at, policy const& p);
// The interval of the next update nudge: the cadence, doubling once nudges go unanswered.
seconds nudge_interval(incident const& i, policy const& p);
// Who is told once when update nudges go unanswered: the incident admins and the engineering
// manager step's user and user-group contacts (ids, without "@").
std::vector<std::string> told_of_unanswered_nudges(incident const& i, policy const& p);
// The events that record a reminder firing.
std::vector<event> fire(incident const& i, reminder const& r, timestamp now, policy const& p);
std::ostream& operator<<(std::ostream& os, reminder const& r);

// A rotation's change of turn, announced once so the outgoing and incoming on-call hand over.
struct handoff {
    std::string key;  // "handoff:<rotation>:<epoch of the change>"
    timestamp at{};
    rotation const* of = nullptr;
};
// The latest change of turn of each rotation at `now`, when it happened less than a day ago (a
// longer outage of warroom skips it: a stale hand-off would only confuse), and each rotation's next.
std::vector<handoff> recent_handoffs(policy const& p, timestamp now);
std::optional<timestamp> next_handoff(policy const& p,
                                        timestamp now);  // "nudge:1:1767604200 @ 2026-01-05 09:30 UTC"

}  // namespace warroom::core
