// Fairness: a burst from one person (a script declaring in a loop, a reaction storm) or one alert
// sender must not crowd out everyone else. Token buckets by key, refilled continuously; time is an
// argument, so the limiters are tested without waiting.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "core/model.hpp"

namespace warroom::app {

enum class request_kind {
    declare,  // a new incident
    command,  // anything else a person sends: commands, buttons, forms
    mark,     // a timeline reaction or pin
};

struct limit {
    int per_minute = 0;  // 0: unlimited
    int burst = 0;       // how many at once before the rate applies
    bool operator==(limit const&) const = default;
};

struct user_limits {
    limit declares{10, 5};
    limit commands{120, 30};
    limit marks{60, 20};
    bool operator==(user_limits const&) const = default;
};

// How long until `l` allows one more after it was spent at `spent` (oldest first): the bucket below,
// replayed from a history that several processes share (their log), full before the first. Nothing
// when one is left.
std::optional<core::milliseconds> wait_after(std::multiset<core::timestamp> const& spent, limit const& l,
                                             core::timestamp now);
// How far back a history must go for wait_after(): twice the time the bucket takes to fill from empty.
core::milliseconds memory_of(limit const& l);

// One bucket per key, holding up to `burst` tokens and refilled at `per_minute`; a key starts full.
class token_buckets {
public:
    // Takes one token from `key`'s bucket; when none is left, how long until one is.
    std::optional<core::milliseconds> take(std::string const& key, limit const& l, core::timestamp now);

private:
    struct bucket {
        double tokens = 0;
        core::timestamp at{};
    };
    std::map<std::string, bucket> buckets_;
};

// Per user and kind of request.
class rate_limiter {
public:
    explicit rate_limiter(user_limits limits) : limits_(limits) {}

    // Takes one token; when none is left, how long until one is.
    std::optional<core::milliseconds> take(std::string const& user, request_kind kind, core::timestamp now);
    limit const& of(request_kind k) const;

private:

    user_limits limits_;
    token_buckets buckets_;
};

}  // namespace warroom::app
