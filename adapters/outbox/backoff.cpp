#include "adapters/outbox/backoff.hpp"

#include <algorithm>

namespace warroom::outbox {

millis backoff::next(double unit) {
    auto base = first_;
    for (int k = 0; k < failures_ && base < cap_; ++k) base *= 2;
    base = std::min(base, cap_);
    ++failures_;
    unit = std::clamp(unit, 0.0, 1.0);
    return base / 2 + millis{static_cast<millis::rep>(static_cast<double>(base.count()) / 2 * unit)};
}

}  // namespace warroom::outbox
