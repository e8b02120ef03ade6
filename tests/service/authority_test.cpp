// Every path through the service meets the same check: commands, buttons, forms (opening and
// submitting), queries, timeline marks and membership; a refusal records nothing, is answered to
// the asker alone and comes back as a denial for the log. Then per-user rate limits.
#include "tests/service/support.hpp"

namespace {

using namespace warroom::service_test;

std::string const pub = "inc-1-api-down";
std::string const priv = "inc-2-security";
std::string const pub_room = "inc-1-reports-slow";

// INC-1 public and INC-2 private, both declared by alice; nobody else is in either room.
void prepare(harness& h) {
    h.run("alice", "incidents", t0, "declare P1 API down");
    h.run("alice", "incidents", t0, "declare P1 type:security Tokens in a public gist");
}

std::string reply_text(outcome const& out) {
    REQUIRE(out.effects.size() == 1);
    auto const* r = std::get_if<reply>(&out.effects.front());
    REQUIRE(r != nullptr);
    return render_text(r->view);
}

void check_refused(harness& h, outcome const& out, std::string const& reason, std::size_t events_before) {
    CHECK_FALSE(out.changed);
    REQUIRE(out.denied);
    CHECK(out.denied->reason == reason);
    CHECK(out.denied->user == "mallory");
    CHECK(reply_text(out) == "⚠️ " + reason + "\n");
    CHECK(h.store().load().size() == events_before);
}

std::string const not_in_room = "only the people in INC-1's war room can change it: join #inc-1-api-down first";
std::string const closed_to = "INC-2 is private: only its war room's members and the incident admins can see or change it";

}  // namespace

TEST_CASE("a bystander's commands, buttons and forms on a public incident are refused and logged") {
    harness h;
    prepare(h);
    auto const before = h.store().load().size();
    origin const mallory{"mallory", "incidents", t0 + 1min};
    check_refused(h, h.svc().handle(mallory, "ack 1"), not_in_room, before);
    check_refused(h, h.svc().handle(mallory, "update 1 all fine"), not_in_room, before);
    check_refused(h, h.svc().handle(mallory, "update 1"), not_in_room, before);  // the form
    check_refused(h, h.svc().handle(mallory, "close 1 whatever"),
                  "only the Incident Commander (@alice), the declarer (@alice) or an incident admin can close INC-1",
                  before);
    check_refused(h, h.svc().press(mallory, ui::action::acknowledge, "1"), not_in_room, before);
    check_refused(h, h.svc().press(mallory, ui::action::resolve, "1"), not_in_room, before);
    check_refused(h, h.svc().submit(mallory, ui::form::update, 1, {{ui::field::text, "all fine"}}), not_in_room,
                  before);
    auto const outside = h.svc().invite({"mallory", "incidents", t0}, "mallory");
    CHECK(reply_text(outside) == "⚠️ invite people from inside a war room\n");
    CHECK_FALSE(outside.changed);
    // A timeline reaction by an outsider changes nothing and answers nobody.
    auto const marked = h.svc().mark({"mallory", pub, t0 + 1min}, "C1/1.2", "bob", t0, "look");
    CHECK_FALSE(marked.changed);
    CHECK(marked.effects.empty());
    REQUIRE(marked.denied);  // for the log
    CHECK(marked.denied->user == "mallory");
    // Reading a public incident is for anyone.
    CHECK(h.svc().handle(mallory, "status 1").effects.size() == 1);
    CHECK_FALSE(h.svc().handle(mallory, "status 1").denied);
}

TEST_CASE("once in the room a person helps, but closing and taking the lead stay with the IC and declarer") {
    harness h;
    prepare(h);
    h.join("mallory", pub, t0 + 1min);
    origin const in_room{"mallory", pub, t0 + 2min};
    CHECK(h.svc().handle(in_room, "ack").changed);
    CHECK(h.svc().handle(in_room, "update status:identified Found it").changed);
    CHECK(h.svc().handle(in_room, "severity P0").changed);  // raising is help
    auto const before = h.store().load().size();
    check_refused(h, h.svc().handle(in_room, "severity P3"),
                  "only the Incident Commander (@alice), the declarer (@alice) or an incident admin can lower the "
                  "severity of INC-1",
                  before);
    check_refused(h, h.svc().handle(in_room, "assign ic @mallory"),
                  "only the Incident Commander (@alice), the declarer (@alice) or an incident admin can hand the "
                  "Incident Commander role of INC-1 to someone else",
                  before);
    // The IC hands the lead over; then the new IC may close.
    CHECK(h.svc().handle({"alice", pub, t0 + 3min}, "assign ic @mallory").changed);
    CHECK(h.svc().handle({"mallory", pub, t0 + 4min}, "close duplicate of INC-7").changed);
}

TEST_CASE("a private incident is closed to outsiders on every path, and open to whom its people invite") {
    harness h;
    prepare(h);
    auto const before = h.store().load().size();
    origin const mallory{"mallory", "incidents", t0 + 1min};
    for (auto const* text : {"status 2", "actions 2", "role 2", "update 2", "resolve 2", "note 2 seen it", "ack 2"}) {
        CAPTURE(text);
        check_refused(h, h.svc().handle(mallory, text), closed_to, before);
    }
    check_refused(h, h.svc().press(mallory, ui::action::post_update, "2"), closed_to, before);
    check_refused(h, h.svc().submit(mallory, ui::form::resolve, 2, {{ui::field::resolution, "x"}}), closed_to, before);
    outcome entered;
    CHECK(h.svc().enter(mallory, priv, entered) == closed_to);
    CHECK(entered.denied);
    // alice brings bob in; bob may then act, from the room.
    CHECK(h.svc().invite({"alice", priv, t0 + 2min}, "bob").changed);
    outcome bob_in;
    CHECK_FALSE(h.svc().enter({"bob", "incidents", t0 + 3min}, priv, bob_in));
    CHECK(h.svc().handle({"bob", priv, t0 + 3min}, "ack").changed);
    // A non-member cannot invite anyone into a private room.
    check_refused(h, h.svc().invite({"mallory", priv, t0 + 4min}, "mallory"), closed_to, h.store().load().size());
}

TEST_CASE("an incident admin may enter, see and do everything, also reopen a closed incident") {
    auto rules = policy::defaults();
    rules.access.admins = {"U0ADMIN"};
    harness h{rules};
    prepare(h);
    origin const admin{"U0ADMIN", "incidents", t0 + 1min};
    CHECK(h.svc().handle(admin, "status 2").effects.size() == 1);
    CHECK_FALSE(h.svc().handle(admin, "status 2").denied);
    CHECK(h.svc().handle(admin, "close 2 duplicate of INC-1").changed);
    CHECK(h.svc().find(2)->is_closed());
    auto const reopened = h.svc().handle(admin, "reopen 2 it was real after all");
    CHECK(reopened.changed);
    CHECK_FALSE(h.svc().find(2)->is_closed());
    CHECK(h.svc().find(2)->ph == phase::investigation);
    CHECK(h.svc().find(2)->timeline.back().text == "Reopened after closing (back to Investigation): it was real after all");
}

TEST_CASE("Slack's membership events are facts: recorded without a check, once") {
    harness h;
    prepare(h);
    auto const joined = h.svc().joined({"alice", priv, t0 + 1min, "event:Ev1"}, "erin");
    CHECK(joined.changed);
    CHECK(joined.effects.empty());
    CHECK(h.svc().find(2)->is_member("erin"));
    // Delivered again: erin is in already, so nothing is recorded, and no claim need be looked up.
    auto const events = h.store().load().size();
    CHECK_FALSE(h.svc().joined({"alice", priv, t0 + 1min, "event:Ev1"}, "erin").changed);
    CHECK(h.store().load().size() == events);
    // Slack also reports the people the bot itself invited: already members, nothing to record.
    CHECK_FALSE(h.svc().joined({"alice", priv, t0 + 1min, "event:Ev2"}, "alice").changed);
    CHECK(h.svc().left({"erin", priv, t0 + 2min, "event:Ev3"}, "erin").changed);
    CHECK_FALSE(h.svc().find(2)->is_member("erin"));
    // Not a war room: nothing happens.
    CHECK_FALSE(h.svc().joined({"erin", "random", t0 + 2min}, "erin").changed);
}

TEST_CASE("a paging vendor acknowledges only what warroom paged") {
    auto rules = policy::defaults();
    rules.paging = true;
    harness h{rules};
    prepare(h);
    origin vendor{"Ada (PagerDuty)", "", t0 + 1min, "pagerduty:Q1:acknowledged"};
    vendor.integration = true;
    // INC-1 has not been paged yet (the clock has not ticked): refused.
    auto const early = h.svc().press(vendor, ui::action::acknowledge, "1");
    CHECK_FALSE(early.changed);
    REQUIRE(early.denied);
    CHECK(h.svc().tick(t0).changed);  // the 0-minute page
    CHECK(h.svc().press(vendor, ui::action::acknowledge, "1").changed);
    CHECK(h.svc().find(1)->acknowledged_by == user_id{"Ada (PagerDuty)"});
}

TEST_CASE("a burst from one person is slowed down with a clear reply, others are not held back") {
    warroom::store::test::temp_dir dir;
    auto store = warroom::store::open_store("sqlite://" + (dir / "w.db").string());
    warroom::app::service svc{*store, policy::defaults(), "/incident", false,
                              warroom::app::user_limits{{2, 2}, {6, 3}, {6, 2}}};
    CHECK(svc.handle({"bot-script", "incidents", t0}, "declare P3 One").changed);
    CHECK(svc.handle({"bot-script", "incidents", t0}, "declare P3 Two").changed);
    auto const third = svc.handle({"bot-script", "incidents", t0}, "declare P3 Three");
    CHECK_FALSE(third.changed);
    REQUIRE(third.denied);
    CHECK(third.denied->reason == "rate limit: incidents declared");
    auto const said = render_text(std::get<reply>(third.effects.front()).view);
    CHECK(said == "⚠️ slow down: too many incidents declared from you in the last minute; nothing was done. Try "
                  "again in 30s.\n");
    // Someone else is not affected; the script may declare again once its budget refilled.
    CHECK(svc.handle({"alice", "incidents", t0}, "declare P3 Four").changed);
    CHECK(svc.handle({"bot-script", "incidents", t0 + 30s}, "declare P3 Five").changed);
    // Bad declarations do not use the budget.
    for (int k = 0; k < 2; ++k) CHECK_FALSE(svc.handle({"carol", "incidents", t0}, "declare P3").denied);
    CHECK(svc.handle({"carol", "incidents", t0}, "declare P3 Six").changed);
}

TEST_CASE("one person's declare budget is read from the log: shared by processes on one store, kept over a restart") {
    warroom::store::test::temp_dir dir;
    auto const url = "sqlite://" + (dir / "w.db").string();
    warroom::app::user_limits const limits{{2, 2}, {0, 0}, {0, 0}};
    auto one_store = warroom::store::open_store(url);
    auto two_store = warroom::store::open_store(url);
    warroom::app::service one{*one_store, policy::defaults(), "/incident", false, limits};
    warroom::app::service two{*two_store, policy::defaults(), "/incident", false, limits};
    CHECK(one.handle({"bot-script", "incidents", t0}, "declare P3 One").changed);
    CHECK(two.handle({"bot-script", "incidents", t0 + 1s}, "declare P3 Two").changed);
    auto const third = one.handle({"bot-script", "incidents", t0 + 2s}, "declare P3 Three");
    CHECK_FALSE(third.changed);
    REQUIRE(third.denied);
    CHECK(third.denied->reason == "rate limit: incidents declared");
    // Two tokens spent a second apart, refilled at one every 30 s: the next one in 28 s.
    CHECK(render_text(std::get<reply>(third.effects.front()).view) ==
          "⚠️ slow down: too many incidents declared from you in the last minute; nothing was done. Try again in "
          "28s.\n");
    CHECK(two.handle({"alice", "incidents", t0 + 2s}, "declare P3 Four").changed);
    {
        warroom::app::service restarted{*one_store, policy::defaults(), "/incident", false, limits};
        CHECK(restarted.handle({"bot-script", "incidents", t0 + 3s}, "declare P3 Five").denied);
    }
    CHECK(two.handle({"bot-script", "incidents", t0 + 30s}, "declare P3 Six").changed);
    CHECK(one.handle({"bot-script", "incidents", t0 + 31s}, "declare P3 Seven").denied);
}

TEST_CASE("commands and timeline marks from one person are limited too, each kind on its own budget") {
    warroom::store::test::temp_dir dir;
    auto store = warroom::store::open_store("sqlite://" + (dir / "w.db").string());
    warroom::app::service svc{*store, policy::defaults(), "/incident", false,
                              warroom::app::user_limits{{0, 0}, {6, 3}, {6, 2}}};
    // The declaration is a request too: two more are left.
    REQUIRE(svc.handle({"alice", "incidents", t0}, "declare P2 Reports slow").changed);
    CHECK(svc.handle({"alice", pub_room, t0}, "note first").changed);
    CHECK(svc.handle({"alice", pub_room, t0}, "status").effects.size() == 1);
    auto const limited = svc.handle({"alice", pub_room, t0}, "note third");
    CHECK_FALSE(limited.changed);
    REQUIRE(limited.denied);
    CHECK(limited.denied->reason == "rate limit: requests");
    CHECK(render_text(std::get<reply>(limited.effects.front()).view) ==
          "⚠️ slow down: too many requests from you in the last minute; nothing was done. Try again in 10s.\n");
    // A button press takes from the same budget; someone else's is untouched.
    CHECK(svc.press({"alice", pub_room, t0}, ui::action::acknowledge, "1").denied);
    REQUIRE(svc.joined({"bob", pub_room, t0}, "bob").changed);
    CHECK(svc.press({"bob", pub_room, t0}, ui::action::acknowledge, "1").changed);

    // Pins and reactions have their own budget, and a limited one is answered to nobody.
    CHECK(svc.mark({"alice", pub_room, t0}, "C1/1.1", "bob", t0, "one").changed);
    CHECK(svc.mark({"alice", pub_room, t0}, "C1/1.2", "bob", t0, "two").changed);
    auto const third = svc.mark({"alice", pub_room, t0}, "C1/1.3", "bob", t0, "three");
    CHECK_FALSE(third.changed);
    CHECK(third.effects.empty());
    REQUIRE(third.denied);
    CHECK(third.denied->reason == "rate limit: timeline marks");
    CHECK(svc.mark({"alice", pub_room, t0 + 10s}, "C1/1.3", "bob", t0, "three").changed);
}

TEST_CASE("the limiter refills continuously and tells how long to wait") {
    warroom::app::rate_limiter limiter{warroom::app::user_limits{{60, 2}, {0, 0}, {0, 0}}};
    CHECK_FALSE(limiter.take("a", warroom::app::request_kind::declare, t0));
    CHECK_FALSE(limiter.take("a", warroom::app::request_kind::declare, t0));
    CHECK(limiter.take("a", warroom::app::request_kind::declare, t0) == std::chrono::milliseconds{1000});
    CHECK(limiter.take("a", warroom::app::request_kind::declare, t0 + 500ms) == std::chrono::milliseconds{500});
    CHECK_FALSE(limiter.take("a", warroom::app::request_kind::declare, t0 + 1s));
    // 0 per minute: unlimited.
    for (int k = 0; k < 1000; ++k) CHECK_FALSE(limiter.take("a", warroom::app::request_kind::command, t0));
}

TEST_CASE("token buckets are per key: one alert sender over its rate leaves the others alone") {
    warroom::app::token_buckets buckets;
    warroom::app::limit const two_a_second{120, 3};
    for (int k = 0; k < 3; ++k) CHECK_FALSE(buckets.take("alertmanager", two_a_second, t0));
    CHECK(buckets.take("alertmanager", two_a_second, t0) == std::chrono::milliseconds{500});
    CHECK_FALSE(buckets.take("grafana", two_a_second, t0));
    CHECK_FALSE(buckets.take("alertmanager", two_a_second, t0 + 500ms));
    CHECK(buckets.take("alertmanager", two_a_second, t0 + 500ms) == std::chrono::milliseconds{500});
    // Refilled up to the burst, never beyond it.
    for (int k = 0; k < 3; ++k) CHECK_FALSE(buckets.take("alertmanager", two_a_second, t0 + 1h));
    CHECK(buckets.take("alertmanager", two_a_second, t0 + 1h));
}
