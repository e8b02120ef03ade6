// Proactive rate shaping for the Web API, so a busy incident never meets a 429: per method, Slack's
// tiers as sliding one-minute windows (Tier 1-4 = 1/20/50/100 calls), and chat.postMessage at
// about one message a second per channel with a burst of five. A 429's Retry-After pauses the method.
// Pure: time is an argument; reserve() says when the call may start.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/slack/socket_mode.hpp"

namespace warroom::slack {

struct rate_limit {
    int calls = 50;
    millis window{60'000};
};

// Slack's published limit for a method (tier 3 for methods not in the table).
rate_limit limit_of(std::string_view method);
// The methods the table names: every method warroom calls.
std::vector<std::string_view> known_methods();
// chat.postMessage, per channel.
rate_limit post_limit();

class rate_limiter {
public:
    // `scale` multiplies every limit (a private Slack-compatible server may allow more).
    explicit rate_limiter(double scale = 1.0) : scale_(scale) {}

    // Books the next free slot for a call of `method` (to `channel`, for chat.postMessage) and
    // returns its start time: `now` when there is room, later otherwise.
    steady_time reserve(std::string_view method, std::string_view channel, steady_time now);
    // When a call reserved now would start, booking nothing.
    steady_time next_free(std::string_view method, std::string_view channel, steady_time now);
    // The call booked at `slot` never counted with Slack (no answer, or a 5xx): give the slot back,
    // so retries after an outage are not held back by the failures.
    void release(std::string_view method, std::string_view channel, steady_time slot);
    // Slack answered 429: no call of `method` before `until`.
    void pause(std::string_view method, steady_time until);
    // `processes` replicas call Slack for the one app: each keeps to its share of every method's limit.
    void share_among(int processes);

private:
    std::size_t calls_in_window(std::string_view method, std::string_view channel) const;
    // The first start at or after `earliest` that `slots` leave free, `calls` to a `window`.
    steady_time free_from(std::deque<steady_time> const& slots, std::size_t calls, millis window,
                          steady_time earliest) const;
    steady_time earliest(std::string_view method, steady_time now) const;
    std::deque<steady_time>& slots_of(std::string_view method, std::string_view channel);

    double scale_;
    int processes_ = 1;
    std::map<std::string, std::deque<steady_time>, std::less<>> per_method_;
    std::map<std::string, std::deque<steady_time>, std::less<>> per_channel_;
    std::map<std::string, steady_time, std::less<>> paused_until_;
};

}  // namespace warroom::slack
