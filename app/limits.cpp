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

std::optional<core::milliseconds> token_buckets::take(std::string const& key, limit const& l, core::timestamp now) {
    if (l.per_minute <= 0) return std::nullopt;
    auto const capacity = static_cast<double>(std::max(l.burst, 1));
    auto const per_ms = l.per_minute / 60'000.0;
    auto [it, fresh] = buckets_.try_emplace(key, bucket{capacity, now});
    auto& b = it->second;
    if (!fresh && now > b.at) {
        b.tokens = std::min(capacity, b.tokens + static_cast<double>((now - b.at).count()) * per_ms);
        b.at = now;
    }
    if (b.tokens >= 1) {
        b.tokens -= 1;
        return std::nullopt;
    }
    return core::milliseconds{static_cast<long long>(std::ceil((1 - b.tokens) / per_ms))};
}

std::optional<core::milliseconds> rate_limiter::take(std::string const& user, request_kind kind, core::timestamp now) {
    return buckets_.take(std::to_string(static_cast<int>(kind)) + ':' + user, of(kind), now);
}

}  // namespace warroom::app
