#include "app/limits.hpp"

#include <algorithm>
#include <cmath>

namespace warroom::app {

limit const& rate_limiter::of(request_kind k) const {
    switch (k) {
        case request_kind::declare: return limits_.declares;
        case request_kind::command: return limits_.commands;
        case request_kind::mark: return limits_.marks;
    }
    return limits_.commands;
}

namespace {

double capacity_of(limit const& l) { return static_cast<double>(std::max(l.burst, 1)); }
double per_ms_of(limit const& l) { return l.per_minute / 60'000.0; }

// `tokens` at `from`, refilled until `to`.
double refilled(double tokens, limit const& l, core::timestamp from, core::timestamp to) {
    if (to <= from) return tokens;
    return std::min(capacity_of(l), tokens + static_cast<double>((to - from).count()) * per_ms_of(l));
}

std::optional<core::milliseconds> wait_for(double tokens, limit const& l) {
    if (tokens >= 1) return std::nullopt;
    return core::milliseconds{static_cast<long long>(std::ceil((1 - tokens) / per_ms_of(l)))};
}

}  // namespace

core::milliseconds memory_of(limit const& l) {
    if (l.per_minute <= 0) return core::milliseconds{0};
    return core::milliseconds{static_cast<long long>(std::ceil(2 * capacity_of(l) / per_ms_of(l)))};
}

std::optional<core::milliseconds> wait_after(std::multiset<core::timestamp> const& spent, limit const& l,
                                             core::timestamp now) {
    if (l.per_minute <= 0) return std::nullopt;
    double tokens = capacity_of(l);
    std::optional<core::timestamp> at;
    for (auto const t : spent) {
        if (t > now) break;
        // Processes that decided at the same moment may both have spent the last token: below zero.
        tokens = (at ? refilled(tokens, l, *at, t) : tokens) - 1;
        at = t;
    }
    return wait_for(at ? refilled(tokens, l, *at, now) : tokens, l);
}

std::optional<core::milliseconds> token_buckets::take(std::string const& key, limit const& l, core::timestamp now) {
    if (l.per_minute <= 0) return std::nullopt;
    auto [it, fresh] = buckets_.try_emplace(key, bucket{capacity_of(l), now});
    auto& b = it->second;
    if (!fresh && now > b.at) {
        b.tokens = refilled(b.tokens, l, b.at, now);
        b.at = now;
    }
    if (b.tokens >= 1) {
        b.tokens -= 1;
        return std::nullopt;
    }
    return wait_for(b.tokens, l);
}

std::optional<core::milliseconds> rate_limiter::take(std::string const& user, request_kind kind, core::timestamp now) {
    return buckets_.take(std::to_string(static_cast<int>(kind)) + ':' + user, of(kind), now);
}

}  // namespace warroom::app
