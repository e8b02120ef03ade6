// p90 by nearest rank: with few incidents, an interpolated p90 would report a time no incident
// actually took. The median of an even count is the mean of the two middle values.
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
    auto const n = samples.size();
    out.median = n % 2 == 1 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
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
        if (i.declined) {
            ++s.declined;
            continue;
        }
        ++s.incidents;
        ++s.by_severity[i.sev];
        ++s.by_type[i.type];
        if (i.is_active()) ++s.active;
        if (i.is_awaiting_close()) ++s.awaiting_close;
        if (i.detection_known) detect.push_back(i.detected_at - i.started_at);
        if (i.acknowledged_at) ack.push_back(*i.acknowledged_at - i.detected_at);
        if (i.resolved_at) resolve.push_back(*i.resolved_at - i.detected_at);
    }
    s.mttd = summarize(std::move(detect));
    s.mtta = summarize(std::move(ack));
    s.mttr = summarize(std::move(resolve));
    return s;
}

}  // namespace warroom::core
