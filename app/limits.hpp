// Per-user fairness: a burst from one person (a script declaring in a loop, a reaction storm) must
// not crowd out everyone else. Token buckets per user and kind, refilled continuously; time is an
// argument, so the limiter is tested without waiting.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>

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

class rate_limiter {
public:
    explicit rate_limiter(user_limits limits) : limits_(limits) {}

    // Takes one token; when none is left, how long until one is.
    std::optional<core::milliseconds> take(std::string const& user, request_kind kind, core::timestamp now);

private:
    struct bucket {
        double tokens = 0;
        core::timestamp at{};
    };
    limit const& of(request_kind k) const;

    user_limits limits_;
    std::map<std::pair<std::string, request_kind>, bucket> buckets_;
};

}  // namespace warroom::app
