// The procedures' periodic reports (weekly summary, monthly trends, quarterly analysis, annual
// reliability report) and the dashboard's figures: periods in a time zone, the figures of the
// incidents declared in them, and Markdown. Pure: the caller passes the incidents (a superset is
// fine: each is placed by its declaration time) and the time. Declined incidents are left out of
// every figure; a private incident shows its number, severity and type, never its words.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/incident.hpp"
#include "core/metrics.hpp"
#include "core/policy.hpp"
#include "core/status_page.hpp"
#include "core/views.hpp"

namespace warroom::core {

enum class period_kind {
    week,     // Monday 00:00 to Monday 00:00, local
    month,    // the 1st to the 1st
    quarter,  // January, April, July, October
    year,     // 1 January to 1 January
};
inline constexpr period_kind all_period_kinds[] = {period_kind::week, period_kind::month, period_kind::quarter,
                                                   period_kind::year};
std::string_view to_string(period_kind k);  // "weekly", "monthly", "quarterly", "annual"

struct period {
    period_kind kind{};
    std::chrono::sys_days first{}, end{};  // local calendar days: [first, end)
    timestamp from{}, to{};                // the same as instants: local midnights
    std::string label;                     // "week of 2026-11-30", "November 2026", "Q4 2026", "2026"
    bool operator==(period const&) const = default;
};

// The claim that a period's report was posted: "report:weekly:2026-11-30" (kind and first local day).
std::string report_key(period const& p);
// The instant of local time `local` (a local wall-clock time written as if it were UTC) in zone `z`.
timestamp local_to_utc(timestamp local, time_zone const& z);
period period_containing(period_kind k, timestamp t, time_zone const& z);
period period_before(period const& p, time_zone const& z);
// Reports are posted at 09:00 local on the first day after their period.
inline constexpr std::chrono::hours report_hour{9};
timestamp report_due(period const& p, time_zone const& z);
// The newest period of kind `k` whose report is due at or before `now`: a report missed while warroom
// was down is this one, never an older one.
period latest_due(period_kind k, timestamp now, time_zone const& z);
// The first report due strictly after `now`, of any kind.
timestamp next_report_due(timestamp now, time_zone const& z);

// Figures of the incidents declared in [from, to).
struct bucket_figures {
    std::string label;  // "11-30", "Nov", …
    timestamp from{}, to{};
    int incidents = 0;
    std::map<severity, int> by_severity;
    std::map<incident_type, int> by_type;
    std::map<severity, duration_summary> mtta, mttr;
    duration_summary all_mtta, all_mttr, all_mttd;
    bool operator==(bucket_figures const&) const = default;
};
bucket_figures figures_between(std::vector<incident const*> const& incidents, timestamp from, timestamp to,
                               std::string label);

struct listed_incident {
    int number = 0;
    severity sev{};
    incident_type type{};
    std::string title;  // "private incident" for a private one
    bool is_private = false;
    phase ph{};
    timestamp declared_at{};
    std::optional<timestamp> resolved_at;
    std::optional<user_id> ic;  // none shown for a private one
    bool operator==(listed_incident const&) const = default;
};
listed_incident list_incident(incident const& i, policy const& p);

struct listed_action {
    int incident = 0;
    int number = 0;
    std::string text;  // empty for a private incident's
    std::optional<user_id> owner;
    std::optional<timestamp> due;
    bool overdue = false;  // its due day, in the zone, is past
    bool operator==(listed_action const&) const = default;
};
// Open (not done, not removed) action items of these incidents, overdue first, then by due date.
std::vector<listed_action> open_actions(std::vector<incident const*> const& incidents, timestamp now,
                                        policy const& p);

struct period_report {
    period of;
    timestamp as_of{};
    bucket_figures totals;   // the whole period
    bucket_figures previous;  // the period before, for the trend
    std::vector<bucket_figures> buckets;  // days of a week, weeks of a month, months of a quarter or year
    std::vector<listed_incident> incidents;  // declared in the period, in number order
    int declined = 0;
    int still_open = 0;  // of the period's incidents, not yet resolved at as_of
    milliseconds impact{};  // sum of start of impact to resolution (or as_of) over the period's incidents
    std::vector<listed_action> actions;  // open action items of the incidents given
    // The annual report's: each status-page component over the period up to as_of (availability()).
    std::vector<component_availability> availability = {};
    bool operator==(period_report const&) const = default;
};
// `incidents`: at least those declared in the period and the one before, and those whose open action
// items the report should list.
period_report build_period_report(period const& of, std::vector<incident const*> const& incidents, timestamp now,
                                  policy const& p, time_zone const& z);
std::string render_period_report(period_report const& r, policy const& p, time_zone const& z);
// The report as a post: its Markdown as the body (uploaded as a file) and its chart.
message_view period_report_view(period_report const& r, policy const& p, time_zone const& z);

// Every incident of the map declared in [from, to) or holding an open action item: for a caller
// without an index (the command line). The daemon passes what its indexes give.
std::vector<incident const*> report_candidates(incident_map const& all, timestamp from, timestamp to);

// The dashboard: open incidents, the last `weeks` weeks' figures, the open action items.
struct dashboard_data {
    timestamp as_of{};
    std::vector<listed_incident> open;  // not yet resolved, most severe first
    std::vector<bucket_figures> weeks;  // oldest first, the current week last
    std::vector<listed_action> actions;
    bool operator==(dashboard_data const&) const = default;
};
inline constexpr int dashboard_weeks = 12;
// `open`: the unresolved incidents; `recent`: at least those declared in the weeks shown; `with_actions`:
// those holding open action items.
dashboard_data build_dashboard(std::vector<incident const*> const& open, std::vector<incident const*> const& recent,
                               std::vector<incident const*> const& with_actions, timestamp now, policy const& p,
                               time_zone const& z);

}  // namespace warroom::core
