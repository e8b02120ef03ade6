// Response metrics over a window, checked against a fixture computed by hand:
// MTTD = detected − started, MTTA = acknowledged − detected, MTTR = resolved − detected;
// the median is the middle value (the mean of the two middle ones for an even count), p90 by nearest rank.
#include <doctest/doctest.h>

#include "core/metrics.hpp"
#include "tests/core/support.hpp"

namespace {

using namespace warroom::core;
using namespace warroom::core::test;

struct fixture_incident {
    int number;
    timestamp declared_at;
    seconds detect;                  // declared − started
    std::optional<seconds> ack;      // after declaration
    std::optional<seconds> resolve;  // after declaration
    bool closed = false;
    severity sev;
    incident_type type;
};

incident_map fixture(std::vector<fixture_incident> const& rows) {
    incident_map all;
    for (auto const& r : rows) {
        auto const d = r.declared_at;
        warroom::core::apply(all, event{r.number, d, "alice", declared{"x", "", r.sev, r.type, d - r.detect, "inc-x"}});
        if (r.ack) warroom::core::apply(all, event{r.number, d + *r.ack, "bob", acknowledged{}});
        if (r.resolve) warroom::core::apply(all, event{r.number, d + *r.resolve, "bob", resolved{"fixed", ""}});
        if (r.closed) {
            warroom::core::apply(
                all, event{r.number, d + 2 * *r.resolve, "bob", phase_changed{phase::resolution, phase::closed}});
            warroom::core::apply(all, event{r.number, d + 2 * *r.resolve, "bob", closed{"done"}});
        }
    }
    return all;
}

timestamp const now = t0 + std::chrono::days{10};

}  // namespace

TEST_CASE("MTTD MTTA and MTTR are mean and median and p90 over the incidents declared in the window") {
    auto const day = [](int n) { return t0 + std::chrono::days{n}; };
    auto const all = fixture({
        {1, day(4), 10min, 2min, 60min, false, severity::p0, incident_type::outage},
        {2, day(5), 0min, 5min, 30min, false, severity::p1, incident_type::outage},
        {3, day(6), 30min, 1min, 240min, false, severity::p1, incident_type::security},
        {4, day(8), 5min, 10min, std::nullopt, false, severity::p2, incident_type::performance},
        {5, day(9), 2min, std::nullopt, 15min, true, severity::p3, incident_type::integration},
        // Declared exactly at the window's start: inside.
        {6, day(3), 20min, 3min, 120min, false, severity::p0, incident_type::data_loss},
        // Outside the window: before it, and (a clock skew) after now.
        {7, day(1), 60min, 1min, 600min, false, severity::p0, incident_type::outage},
        {8, now + 1h, 60min, 1min, 600min, false, severity::p0, incident_type::privacy},
    });
    auto const s = compute_stats(all, now, std::chrono::days{7});
    CHECK(s.from == day(3));
    CHECK(s.to == now);
    CHECK(s.incidents == 6);
    CHECK(s.active == 1);
    CHECK(s.awaiting_close == 4);
    CHECK(s.declined == 0);
    // MTTD samples 10, 30, 5, 2, 20 min (incident 2 gave no start of impact: no sample) → sorted
    // 2 5 10 20 30: mean 67/5 min = 804 s, median 10 min, p90 rank ⌈4.5⌉ = 30 min.
    CHECK(s.mttd == duration_summary{5, seconds{804}, seconds{10min}, seconds{30min}});
    // MTTA samples 2, 5, 1, 10, 3 min → 1 2 3 5 10: mean 21/5 min = 252 s, median 3, p90 10.
    CHECK(s.mtta == duration_summary{5, seconds{252}, seconds{3min}, seconds{10min}});
    // MTTR samples 60, 30, 240, 15, 120 min → 15 30 60 120 240: mean 93 min, median 60, p90 240.
    CHECK(s.mttr == duration_summary{5, seconds{93min}, seconds{60min}, seconds{240min}});
    CHECK(s.by_severity ==
          std::map<severity, int>{{severity::p0, 2}, {severity::p1, 2}, {severity::p2, 1}, {severity::p3, 1}});
    CHECK(s.by_type == std::map<incident_type, int>{{incident_type::outage, 2},
                                                    {incident_type::performance, 1},
                                                    {incident_type::data_loss, 1},
                                                    {incident_type::security, 1},
                                                    {incident_type::integration, 1}});
}

TEST_CASE("a window with no incidents has no data") {
    auto const s = compute_stats({}, now, std::chrono::days{30});
    CHECK(s.incidents == 0);
    CHECK(s.active == 0);
    CHECK(s.awaiting_close == 0);
    CHECK(s.mttd == duration_summary{});
    CHECK(s.by_severity.empty());
    CHECK(s.by_type.empty());
}

TEST_CASE("summaries: the median of an even count is the mean of the two middle values, p90 is nearest rank") {
    CHECK(summarize({}) == duration_summary{0, std::nullopt, std::nullopt, std::nullopt});
    CHECK(summarize({seconds{42}}) == duration_summary{1, seconds{42}, seconds{42}, seconds{42}});
    std::vector<milliseconds> ten;
    for (int k = 10; k >= 1; --k) ten.push_back(seconds{k * 60});
    // 1..10 minutes: mean 5.5 min, median (5 + 6) / 2 = 5.5 min, p90 rank 9.
    CHECK(summarize(ten) == duration_summary{10, seconds{330}, seconds{330}, seconds{9min}});
    // The case: MTTA 2 min and 0 s → median 1 min.
    CHECK(summarize({seconds{2min}, seconds{0}}).median == seconds{1min});
    std::vector<milliseconds> eleven = ten;
    eleven.push_back(seconds{11min});
    // 1..11 minutes: median the 6th, p90 rank ⌈9.9⌉ = 10.
    CHECK(summarize(eleven) == duration_summary{11, seconds{6min}, seconds{6min}, seconds{10min}});
}

TEST_CASE("a declined incident is counted apart and in no figure") {
    auto all = fixture({{1, t0 + std::chrono::days{9}, 10min, 2min, 60min, false, severity::p0, incident_type::outage},
                        {2, t0 + std::chrono::days{9}, 5min, 1min, std::nullopt, false, severity::p0,
                         incident_type::outage}});
    warroom::core::apply(all, event{2, t0 + std::chrono::days{9} + 3min, "bob", declined{"false alarm"}});
    auto const s = compute_stats(all, now, std::chrono::days{7});
    CHECK(s.incidents == 1);
    CHECK(s.declined == 1);
    CHECK(s.active == 0);
    CHECK(s.awaiting_close == 1);
    CHECK(s.mtta.count == 1);
    CHECK(s.by_severity == std::map<severity, int>{{severity::p0, 1}});
}

TEST_CASE("MTTD MTTA and MTTR count from the detection time given, not from the declaration") {
    // Impact from 08:30, noticed at 08:50 (detected:-10m), declared at 09:00; acknowledged at 09:02,
    // resolved at 10:00.
    incident_map all;
    warroom::core::apply(all, event{1, t0, "alice",
                                    declared{"x", "", severity::p1, incident_type::outage, t0 - 30min, "inc-x", false,
                                             t0 - 10min}});
    warroom::core::apply(all, event{1, t0 + 2min, "bob", acknowledged{}});
    warroom::core::apply(all, event{1, t0 + 1h, "bob", resolved{"fixed", ""}});
    auto const s = compute_stats(all, now, std::chrono::days{30});
    CHECK(s.mttd == duration_summary{1, seconds{20min}, seconds{20min}, seconds{20min}});
    CHECK(s.mtta == duration_summary{1, seconds{12min}, seconds{12min}, seconds{12min}});
    CHECK(s.mttr == duration_summary{1, seconds{70min}, seconds{70min}, seconds{70min}});
}
