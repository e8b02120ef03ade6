// Exponential delays with equal jitter, for every retry loop (deliveries, reconnects, auth.test).
#pragma once

#include <chrono>

namespace warroom::outbox {

using millis = std::chrono::milliseconds;

// The first retry comes in first/2 .. first, later ones double up to the cap. `unit` is a random
// number in [0, 1), passed in so tests choose it.
class backoff {
public:
    explicit backoff(millis first = millis{200}, millis cap = millis{30'000}) : first_(first), cap_(cap) {}
    millis next(double unit);
    void reset() { failures_ = 0; }

private:
    millis first_;
    millis cap_;
    int failures_ = 0;
};

}  // namespace warroom::outbox
