// Nearest-rank percentiles: with few incidents, an interpolated p90 would report a time no
// incident actually took.
#include "core/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace warroom::core {

duration_summary summarize(std::vector<milliseconds> samples) {
    duration_summary out;
    out.count = static_cast<int>(samples.size());
    if (samples.empty()) return out;
    std::sort(samples.begin(), samples.end());
    auto const total = std::accumulate(samples.begin(), samples.end(), milliseconds{0});
    out.mean = total / static_cast<long long>(samples.size());
    auto const rank = [&](double q) {
        auto const r = static_cast<std::size_t>(std::ceil(q * static_cast<double>(samples.size())));
        return samples[std::max<std::size_t>(r, 1) - 1];
    };
    out.median = rank(0.5);
    out.p90 = rank(0.9);
    return out;
}

stats compute_stats(incident_map const& all, timestamp now, seconds window) {
    stats s;
    s.from = now - window;
    s.to = now;
    std::vector<milliseconds> detect, ack, resolve;
    for (auto const& [number, i] : all) {
        if (i.declared_at < s.from || i.declared_at > now) continue;
        ++s.incidents;
        ++s.by_severity[i.sev];
        ++s.by_type[i.type];
        if (!i.is_resolved() && !i.is_closed()) ++s.open;
        detect.push_back(i.detected_at - i.started_at);
        if (i.acknowledged_at) ack.push_back(*i.acknowledged_at - i.detected_at);
        if (i.resolved_at) resolve.push_back(*i.resolved_at - i.detected_at);
    }
    s.mttd = summarize(std::move(detect));
    s.mtta = summarize(std::move(ack));
    s.mttr = summarize(std::move(resolve));
    return s;
}

}  // namespace warroom::core
