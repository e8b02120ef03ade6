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
    int incidents = 0;
    int open = 0;
    duration_summary mttd, mtta, mttr;
    std::map<severity, int> by_severity;
    std::map<incident_type, int> by_type;
    bool operator==(stats const&) const = default;
};

// Incidents declared in [now − window, now].
stats compute_stats(incident_map const& all, timestamp now, seconds window);
duration_summary summarize(std::vector<milliseconds> samples);

}  // namespace warroom::core
