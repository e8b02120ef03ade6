// Rate shaping by Slack's tiers: the sliding window never holds more calls than the tier allows
// (with a 5 % margin), channels are shaped apart, and a 429 pauses the method.
#include <doctest/doctest.h>

#include <vector>

#include "adapters/slack/rate_limiter.hpp"

namespace {

using namespace warroom::slack;
using namespace std::chrono_literals;

steady_time const t0{std::chrono::hours{1000}};

// At most `calls` start times in any half-open window of `window`.
bool within(std::vector<steady_time> const& starts, int calls, millis window) {
    for (std::size_t k = 0; k + calls < starts.size(); ++k) {
        if (starts[k + calls] - starts[k] < window) return false;
    }
    return true;
}

}  // namespace

TEST_CASE("tiers match Slack's published limits") {
    CHECK(limit_of("conversations.create").calls == 20);
    CHECK(limit_of("conversations.invite").calls == 50);
    CHECK(limit_of("views.open").calls == 100);
    CHECK(limit_of("usergroups.list").calls == 20);
    CHECK(limit_of("some.new.method").calls == 50);
    CHECK(post_limit().calls == 5);
}

TEST_CASE("a tier 2 method gets its burst at once and then one call per window share") {
    rate_limiter r;
    std::vector<steady_time> starts;
    for (int k = 0; k < 45; ++k) starts.push_back(r.reserve("conversations.create", "", t0));
    for (int k = 0; k < 20; ++k) CHECK(starts[k] == t0);
    CHECK(starts[20] >= t0 + 60s);
    CHECK(within(starts, 20, 60s));
    for (std::size_t k = 1; k < starts.size(); ++k) CHECK(starts[k] >= starts[k - 1]);
}

TEST_CASE("posts are shaped per channel and channels do not wait for each other") {
    rate_limiter r;
    std::vector<steady_time> room, other;
    for (int k = 0; k < 12; ++k) room.push_back(r.reserve("chat.postMessage", "C1", t0));
    for (int k = 0; k < 5; ++k) other.push_back(r.reserve("chat.postMessage", "C2", t0));
    CHECK(room[4] == t0);
    CHECK(room[5] >= t0 + 5s);
    CHECK(within(room, 5, 5s));
    for (auto const t : other) CHECK(t == t0);
}

TEST_CASE("asking when the next call could start books nothing") {
    rate_limiter r;
    for (int k = 0; k < 20; ++k) r.reserve("conversations.create", "", t0);
    auto const next = r.next_free("conversations.create", "", t0);
    CHECK(next >= t0 + 60s);
    CHECK(r.next_free("conversations.create", "", t0) == next);
    CHECK(r.reserve("conversations.create", "", t0) == next);
    CHECK(r.next_free("chat.postMessage", "C1", t0) == t0);
    r.pause("chat.update", t0 + 30s);
    CHECK(r.next_free("chat.update", "", t0) == t0 + 30s);
}

TEST_CASE("time passing frees the window") {
    rate_limiter r;
    for (int k = 0; k < 20; ++k) r.reserve("pins.add", "", t0);
    CHECK(r.reserve("pins.add", "", t0 + 2min) == t0 + 2min);
}

TEST_CASE("a 429 pauses the method until Retry-After and not the others") {
    rate_limiter r;
    r.pause("chat.update", t0 + 30s);
    CHECK(r.reserve("chat.update", "", t0) == t0 + 30s);
    CHECK(r.reserve("chat.postEphemeral", "", t0) == t0);
    r.pause("chat.update", t0 + 10s);  // an earlier pause never shortens a later one
    CHECK(r.reserve("chat.update", "", t0 + 31s) == t0 + 31s);
}

TEST_CASE("scale multiplies the limits") {
    rate_limiter r{10.0};
    std::vector<steady_time> starts;
    for (int k = 0; k < 200; ++k) starts.push_back(r.reserve("conversations.create", "", t0));
    CHECK(starts[199] == t0);
    CHECK(r.reserve("conversations.create", "", t0) > t0);
}

TEST_CASE("a released slot is free again") {
    rate_limiter r;
    std::vector<steady_time> starts;
    for (int k = 0; k < 20; ++k) starts.push_back(r.reserve("conversations.create", "", t0));
    for (auto const t : starts) r.release("conversations.create", "", t);
    CHECK(r.reserve("conversations.create", "", t0 + 1s) == t0 + 1s);
    auto const post = r.reserve("chat.postMessage", "C1", t0);
    r.release("chat.postMessage", "C1", post);
    for (int k = 0; k < 5; ++k) CHECK(r.reserve("chat.postMessage", "C1", t0) == t0);
}

TEST_CASE("processes sharing the app keep each to its share of a method's limit, and each to a channel's pace") {
    rate_limiter r;
    r.share_among(3);
    std::vector<steady_time> creates, posts;
    for (int k = 0; k < 6; ++k) creates.push_back(r.reserve("conversations.create", "", t0));
    for (auto const start : creates) CHECK(start == t0);  // 20 a minute for three: 6 each
    CHECK(r.next_free("conversations.create", "", t0) >= t0 + 60s);
    for (int k = 0; k < 5; ++k) posts.push_back(r.reserve("chat.postMessage", "C1", t0));
    CHECK(posts[4] == t0);
    // One left of three: the whole limit again, the window's calls so far counted.
    r.share_among(1);
    CHECK(r.next_free("conversations.create", "", t0) == t0);
    for (int k = 0; k < 14; ++k) CHECK(r.reserve("conversations.create", "", t0) == t0);
    CHECK(r.next_free("conversations.create", "", t0) >= t0 + 60s);
}
