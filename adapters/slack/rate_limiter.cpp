// Tiers from slack-protocol.md §3.2 and §4 (apps.connections.open as the current docs' Tier 3).
#include "adapters/slack/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace warroom::slack {
namespace {

constexpr rate_limit tier2{20, millis{60'000}};
constexpr rate_limit tier3{50, millis{60'000}};
constexpr rate_limit tier4{100, millis{60'000}};

constexpr std::pair<std::string_view, rate_limit> tiers[] = {
    {"apps.connections.open", tier3},
    {"auth.test", {600, millis{60'000}}},
    {"chat.postEphemeral", tier4},
    {"chat.postMessage", {300, millis{60'000}}},
    {"chat.update", tier3},
    {"conversations.archive", tier2},
    {"conversations.create", tier2},
    {"conversations.history", tier3},
    {"conversations.replies", tier3},
    {"conversations.info", tier3},
    {"conversations.invite", tier3},
    {"conversations.join", tier3},
    {"conversations.list", tier2},
    {"conversations.open", tier3},
    {"conversations.setPurpose", tier2},
    {"conversations.setTopic", tier2},
    {"files.completeUploadExternal", tier4},
    {"files.getUploadURLExternal", tier4},
    {"pins.add", tier2},
    {"pins.remove", tier2},
    {"reactions.add", tier3},
    {"users.info", tier4},
    {"users.lookupByEmail", tier3},
    {"usergroups.list", tier2},
    {"usergroups.users.list", tier2},
    {"views.open", tier4},
    {"views.update", tier4},
};

// Our clock and Slack's are not the same clock, and requests travel: keep 5 % clear of the edge.
millis with_margin(millis window) { return window + window / 20; }

}  // namespace

rate_limit limit_of(std::string_view method) {
    auto const it = std::find_if(std::begin(tiers), std::end(tiers), [&](auto const& t) { return t.first == method; });
    return it == std::end(tiers) ? tier3 : it->second;
}

std::vector<std::string_view> known_methods() {
    std::vector<std::string_view> out;
    for (auto const& t : tiers) out.push_back(t.first);
    return out;
}

rate_limit post_limit() { return {5, millis{5'000}}; }

namespace {

// Posts are limited per channel; Slack's workspace-wide post limit (several hundred a minute)
// is far above what incidents produce, and shaping both would make channels wait for each other.
bool paced_per_channel(std::string_view method, std::string_view channel) {
    return method == "chat.postMessage" && !channel.empty();
}

rate_limit limit_for(std::string_view method, std::string_view channel) {
    return paced_per_channel(method, channel) ? post_limit() : limit_of(method);
}

}  // namespace

std::size_t rate_limiter::calls_in_window(std::string_view method, std::string_view channel) const {
    // A method's budget is the app's, shared by its processes; a channel's pace is each one's own
    // (a war room is posted to by whoever delivers its incident's lane).
    auto const share = paced_per_channel(method, channel) ? 1 : processes_;
    return static_cast<std::size_t>(std::max(1.0, std::floor(limit_for(method, channel).calls * scale_ / share)));
}

steady_time rate_limiter::free_from(std::deque<steady_time> const& slots, std::size_t calls, millis window,
                                    steady_time earliest) const {
    auto start = earliest;
    if (!slots.empty()) start = std::max(start, slots.back());
    // Sliding window: the call `calls` places back must be a whole window old.
    if (slots.size() >= calls) start = std::max(start, slots[slots.size() - calls] + with_margin(window));
    return start;
}

std::deque<steady_time>& rate_limiter::slots_of(std::string_view method, std::string_view channel) {
    bool const per_channel = paced_per_channel(method, channel);
    auto& table = per_channel ? per_channel_ : per_method_;
    auto const key = per_channel ? channel : method;
    auto slots = table.find(key);
    if (slots == table.end()) slots = table.emplace(std::string(key), std::deque<steady_time>{}).first;
    return slots->second;
}

steady_time rate_limiter::earliest(std::string_view method, steady_time now) const {
    auto const p = paused_until_.find(method);
    return p == paused_until_.end() ? now : std::max(now, p->second);
}

steady_time rate_limiter::reserve(std::string_view method, std::string_view channel, steady_time now) {
    auto const calls = calls_in_window(method, channel);
    auto const window = limit_for(method, channel).window;
    auto& slots = slots_of(method, channel);
    auto const start = free_from(slots, calls, window, earliest(method, now));
    slots.push_back(start);
    while (slots.size() > calls && slots.front() + with_margin(window) <= start) slots.pop_front();
    return start;
}

steady_time rate_limiter::next_free(std::string_view method, std::string_view channel, steady_time now) {
    return free_from(slots_of(method, channel), calls_in_window(method, channel), limit_for(method, channel).window,
                     earliest(method, now));
}

void rate_limiter::share_among(int processes) { processes_ = std::max(1, processes); }

void rate_limiter::release(std::string_view method, std::string_view channel, steady_time slot) {
    auto& slots = slots_of(method, channel);
    if (auto const it = std::find(slots.begin(), slots.end(), slot); it != slots.end()) slots.erase(it);
}

void rate_limiter::pause(std::string_view method, steady_time until) {
    auto& at = paused_until_[std::string(method)];
    at = std::max(at, until);
}

}  // namespace warroom::slack
