// Replay: a realistic incident driven through the service, then the service and the store are
// destroyed; new objects on the same file rebuild exactly the same incidents from the log.
#include <algorithm>

#include "tests/service/support.hpp"

namespace {

using namespace warroom::service_test;

std::string const room = "inc-1-api-down";

void drive(harness& h) {
    h.run("alice", "incidents", t0, "declare P0 type:outage started:-10m impact:\"All API requests fail\" API down");
    CHECK(h.svc().tick(t0).changed);  // the 0-minute page
    h.join("carol", room, t0 + 1min);
    h.run("carol", room, t0 + 1min, "ack");
    h.run("alice", room, t0 + 2min, "assign ic @bob");
    h.run("alice", room, t0 + 2min, "assign sme <@U123|dave>");
    h.run("bob", room, t0 + 3min, "advance");
    h.run("bob", room, t0 + 4min, "check 1");
    h.run("bob", room, t0 + 10min, "update status:identified impact:\"30% of users\" Config change in deploy 1234");
    h.run("bob", room, t0 + 12min, "severity P1");
    h.run("bob", room, t0 + 15min, "escalate DB team unreachable");
    h.run("bob", room, t0 + 20min, "advance");
    h.run("bob", room, t0 + 25min, "update status:monitoring Rolled back deploy 1234");
    h.run("bob", room, t0 + 30min,
          "resolve Rolled back deploy 1234 root cause: config change removed the DB pool limit");
    h.run("carol", room, t0 + 31min, "note went well: fast rollback");
    h.run("bob", room, t0 + 32min, "action Add a canary stage @carol due:2026-03-10");
    h.run("bob", room, t0 + 33min, "action Alert on pool exhaustion");
    h.join("dave", room, t0 + 34min);
    h.run("dave", room, t0 + 34min, "done 2");
    h.run("bob", room, t0 + 35min, "phase post-incident");
    CHECK(h.svc().press({"bob", room, t0 + 40min}, ui::action::check, "1:post-incident:1").changed);
    h.run("bob", room, t0 + 1h, "report");
    h.run("erin", "incidents", t0 + 2h, "declare P2 type:privacy Customer emails in a public bucket");
    h.run("erin", "inc-2-privacy", t0 + 2h, "note bucket made private");
    CHECK(h.svc().tick(t0 + 3 * std::chrono::days{1}).changed);  // INC-2's response and regulator reminders
}

}  // namespace

TEST_CASE("a new store and service on the same file rebuild exactly the same incidents") {
    harness h;
    drive(h);
    auto const before = h.svc().incidents();
    auto const log = h.store().load();

    // What the drive produced, so equality below compares something substantial.
    REQUIRE(before.size() == 2);
    auto const& inc = before.at(1);
    CHECK(inc.ph == phase::post_incident);
    CHECK(inc.sev == severity::p1);
    CHECK(inc.started_at == t0 - 10min);
    CHECK(inc.acknowledged_by == user_id{"carol"});
    CHECK(inc.holder(role::incident_commander) == user_id{"bob"});
    CHECK(inc.roles.at(role::subject_matter_expert) == std::vector<user_id>{"U123"});
    CHECK(inc.mitigated_at == t0 + 20min);
    CHECK(inc.resolved_at == t0 + 30min);
    CHECK(inc.root_cause == "config change removed the DB pool limit");
    CHECK(inc.report_at == t0 + 1h);
    REQUIRE(inc.actions.size() == 2);
    CHECK(inc.actions[0].due == parse_date("2026-03-10"));
    CHECK(inc.actions[1].done_by == user_id{"dave"});
    CHECK(inc.escalated_targets ==
          std::map<std::string, timestamp>{{"on-call", t0}, {"engineering-manager", t0 + 15min}});
    CHECK(inc.checks.size() == 2);
    CHECK(before.at(2).reminders_sent ==
          std::set<std::string>{"regulator:2:72h", "unacknowledged:2:" + epoch(t0 + 2h)});
    CHECK(inc.version ==
          static_cast<int>(std::count_if(log.begin(), log.end(), [](event const& e) { return e.incident == 1; })));

    h.restart();
    CHECK(h.store().load() == log);
    CHECK(h.svc().incidents() == before);
    CHECK(h.svc().by_channel(room) == h.svc().find(1));
    // INC-2's regulator deadline is the next thing due.
    CHECK(h.svc().next_due() == replay(log).at(2).declared_at + 72h);

    // And the next incident number continues from the log.
    h.run("alice", "incidents", t0 + 4 * std::chrono::days{1}, "declare P3 Misaligned logo");
    CHECK(h.svc().find(3) != nullptr);
    CHECK(h.svc().find(3)->channel == "inc-3-misaligned-logo");
}
