#include "core/oncall.hpp"

namespace warroom::core {
namespace {

std::int64_t turn_index(rotation const& r, timestamp t) {
    if (t <= r.start || r.length <= seconds{0}) return 0;
    return (t - r.start) / r.length;
}

}  // namespace

timestamp turn_start(rotation const& r, timestamp t) { return r.start + turn_index(r, t) * r.length; }

std::optional<shift> shift_at(rotation const& r, timestamp t) {
    if (r.members.empty()) return std::nullopt;
    auto const n = static_cast<std::int64_t>(r.members.size());
    auto const k = turn_index(r, t);
    shift s;
    s.primary = r.members[static_cast<std::size_t>(k % n)];
    if (n > 1) s.secondary = r.members[static_cast<std::size_t>((k + 1) % n)];
    s.from = r.start + k * r.length;
    s.until = s.from + r.length;
    for (auto const& o : r.overrides) {
        if (o.from > t || t >= o.until) continue;
        if (o.secondary) {
            s.secondary = o.user;
        } else {
            s.primary = o.user;
        }
    }
    return s;
}

}  // namespace warroom::core
