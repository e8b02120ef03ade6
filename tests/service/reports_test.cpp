// Periodic reports from the scheduler: each period's report is posted once, by whichever replica
// ticks first, not again after a restart; after downtime only the latest period of each kind is
// posted; the report's due time is part of next_due(), so no loop polls for it.
#include "tests/service/support.hpp"

namespace {

using namespace warroom::service_test;

policy reporting() {
    auto p = policy::defaults();
    p.reports.channel = "incident-reports";
    return p;
}

// The periodic reports an outcome posts, by headline.
std::vector<std::string> reports_in(outcome const& out) {
    std::vector<std::string> headlines;
    for (auto const& e : out.effects) {
        if (auto const* p = std::get_if<post>(&e); p && p->view.kind == "periodic report") {
            CHECK(p->channel == "incident-reports");
            CHECK(p->view.charts.size() == 1);
            headlines.push_back(p->view.headline.substr(0, p->view.headline.find(':')));
        }
    }
    return headlines;
}

// Monday 2026-03-02 09:00 UTC: the week of 03-02's report is due on 03-09 at 09:00.
timestamp const week_due = t0 + std::chrono::days{7};

}  // namespace

TEST_CASE("a week's report is posted once by two replicas, and not again after a restart") {
    harness h{reporting()};
    h.run("alice", "incidents", t0 + 1h, "declare P3 Typo on the pricing page");
    auto b = h.another();
    CHECK(h.svc().next_due() <= week_due);
    CHECK(reports_in(h.svc().tick(week_due - 1min)).empty());
    CHECK(reports_in(h.svc().tick(week_due)) == std::vector<std::string>{"📊 Weekly incident summary — week of 2026-03-02"});
    CHECK(reports_in(b.svc().tick(week_due)).empty());
    CHECK(reports_in(h.svc().tick(week_due + 1min)).empty());
    h.restart();
    CHECK(reports_in(h.svc().tick(week_due + 2min)).empty());
    CHECK(h.store().claimed("report:weekly:2026-03-02"));
}

TEST_CASE("after downtime only the latest period of each kind is posted, and none before the first incident") {
    harness h{reporting()};
    h.run("alice", "incidents", t0 + 1h, "declare P3 Typo on the pricing page");
    // Down from then until Wednesday 2026-04-22: three weeks and a month (March) went by unreported.
    auto const back = *parse_time("2026-04-22T12:00Z");
    auto const posted = reports_in(h.svc().tick(back));
    CHECK(posted == std::vector<std::string>{"📊 Weekly incident summary — week of 2026-04-13",
                                             "📊 Monthly incident trends — March 2026",
                                             "📊 Quarterly incident analysis — Q1 2026"});
    CHECK(reports_in(h.svc().tick(back + 1h)).empty());
}

TEST_CASE("the report counts what the indexes give: the period's incidents and open action items of older ones") {
    harness h{reporting()};
    h.run("alice", "incidents", t0 - std::chrono::days{30}, "declare P2 Old search outage");
    h.run("alice", "inc-1-old-search-outage", t0 - std::chrono::days{30}, "action Add a search canary due:2026-02-20");
    h.run("alice", "incidents", t0 + 1h, "declare P3 Typo on the pricing page");
    auto const week = period_containing(period_kind::week, t0, utc_zone());
    auto const r = h.svc().report_of(week, week_due);
    CHECK(r.totals.incidents == 1);
    REQUIRE(r.actions.size() == 1);
    CHECK(r.actions[0].incident == 1);
    CHECK(r.actions[0].overdue);
    auto const d = h.svc().dashboard(week_due);
    CHECK(d.open.size() == 2);
    CHECK(d.actions.size() == 1);
}
