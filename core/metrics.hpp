// Response metrics over a window, computed from incident state (itself a fold of the event log):
// MTTD = detected − started, MTTA = acknowledged − detected, MTTR = resolved − detected.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "core/incident.hpp"

namespace warroom::core {

struct duration_summary {
    int count = 0;
    std::optional<milliseconds> mean, median, p90;
    bool operator==(duration_summary const&) const = default;
};

struct stats {
    timestamp from{}, to{};
    int incidents = 0;       // declined ones (not incidents) are left out of everything
    int active = 0;          // not yet resolved
    int awaiting_close = 0;  // resolved, not yet closed
    int declined = 0;        // counted apart
    duration_summary mttd, mtta, mttr;
    std::map<severity, int> by_severity;
    std::map<incident_type, int> by_type;
    bool operator==(stats const&) const = default;
};

// Incidents declared in [now − window, now]. MTTD counts only incidents whose start or detection
// was given (otherwise detection is the declaration, and 0 would be a made-up figure).
stats compute_stats(incident_map const& all, timestamp now, seconds window);
duration_summary summarize(std::vector<milliseconds> samples);

}  // namespace warroom::core
