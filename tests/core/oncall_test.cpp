// On-call: who holds a rotation's turn when, overrides, hand-offs; paging as escalation events, the
// unacknowledged page going to the secondary, and the buttons that close the customer notice and
// regulator clocks.
#include <doctest/doctest.h>

#include "core/authority.hpp"
#include "core/oncall.hpp"
#include "tests/core/support.hpp"

namespace {

using namespace warroom::core;
using namespace warroom::core::test;

rotation weekly() { return {"platform", {"UA", "UB", "UC"}, t0, std::chrono::days{7}, {}, {}}; }

policy with_rotation(bool paging = false) {
    auto p = policy::defaults();
    p.rotations = {weekly()};
    p.paging = paging;
    return p;
}

event declared_p0(incident_type type = incident_type::outage) {
    return at(t0 + 1h, "alice", declared{"API down", "", severity::p0, type, t0 + 1h, "inc-1-api-down"});
}

std::optional<reminder> find(std::vector<reminder> const& rs, reminder_kind kind) {
    for (auto const& r : rs) {
        if (r.kind == kind) return r;
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("members take turns as primary and the next in line is secondary") {
    auto const r = weekly();
    auto const first = shift_at(r, t0 + 1h);
    REQUIRE(first);
    CHECK(first->primary == "UA");
    CHECK(first->secondary == "UB");
    CHECK(first->from == t0);
    CHECK(first->until == t0 + std::chrono::days{7});
    CHECK(shift_at(r, t0 + std::chrono::days{7})->primary == "UB");
    auto const third = shift_at(r, t0 + std::chrono::days{20});
    CHECK(third->primary == "UC");
    CHECK(third->secondary == "UA");
    CHECK(shift_at(r, t0 + std::chrono::days{21})->primary == "UA");
    CHECK(shift_at(r, t0 - 1h)->primary == "UA");
    CHECK(turn_start(r, t0 + std::chrono::days{9}) == t0 + std::chrono::days{7});
}

TEST_CASE("overrides replace the primary or the secondary for their window only") {
    auto r = weekly();
    r.overrides = {{t0 + 24h, t0 + 48h, "UZ", false}, {t0 + 36h, t0 + 40h, "UY", true}};
    CHECK(shift_at(r, t0 + 12h)->primary == "UA");
    CHECK(shift_at(r, t0 + 30h)->primary == "UZ");
    CHECK(shift_at(r, t0 + 30h)->secondary == "UB");
    CHECK(shift_at(r, t0 + 38h)->secondary == "UY");
    CHECK(shift_at(r, t0 + 48h)->primary == "UA");
}

TEST_CASE("a rotation of one has no secondary and one without members nobody") {
    auto r = weekly();
    r.members = {"UA"};
    CHECK(shift_at(r, t0)->primary == "UA");
    CHECK_FALSE(shift_at(r, t0)->secondary);
    r.members.clear();
    CHECK_FALSE(shift_at(r, t0));
}

TEST_CASE("a change of turn is a hand-off for a day and the next one is planned") {
    auto p = policy::defaults();
    p.rotations = {weekly()};
    CHECK(recent_handoffs(p, t0 + 3h).empty());  // the first turn hands over from nobody
    CHECK(next_handoff(p, t0 + 3h) == t0 + std::chrono::days{7});
    CHECK(next_handoff(p, t0 - 3h) == t0 + std::chrono::days{7});
    auto const h = recent_handoffs(p, t0 + std::chrono::days{7} + 2h);
    REQUIRE(h.size() == 1);
    CHECK(h[0].key == "handoff:platform:" + epoch(t0 + std::chrono::days{7}));
    CHECK(h[0].at == t0 + std::chrono::days{7});
    CHECK(recent_handoffs(p, t0 + std::chrono::days{8} + 1h).empty());
}

TEST_CASE("the paging step pages the rotation's primary and an unacknowledged page goes to the secondary") {
    auto const p = with_rotation();
    auto const d = declared_p0();
    auto i = given({d});
    auto const step = find(pending_reminders(i, p), reminder_kind::escalation);
    REQUIRE(step);
    auto const events = fire(i, *step, t0 + 1h, p);
    // The step, the page, and the paged primary brought into the war room.
    REQUIRE(events.size() == 3);
    CHECK(describe(events[1].what) == describe(paged{"UA", "primary"}));
    CHECK(describe(events[2].what) == describe(invited{{"UA"}}));
    i = given({d, events[0], events[1], events[2]});
    auto const waiting = find(pending_reminders(i, p), reminder_kind::page_unanswered);
    REQUIRE(waiting);
    CHECK(waiting->due == t0 + 1h + 5min);

    auto const second = fire(i, *waiting, t0 + 1h + 5min, p);
    REQUIRE(second.size() == 2);
    CHECK(describe(second[0].what) == describe(paged{"UB", "secondary"}));
    CHECK(describe(second[1].what) == describe(invited{{"UB"}}));
    i = given({d, events[0], events[1], events[2], second[0], second[1]});
    CHECK(i.is_member("UB"));
    CHECK_FALSE(find(pending_reminders(i, p), reminder_kind::page_unanswered));
    CHECK(i.pages.at("secondary").user == "UB");
}

TEST_CASE("an acknowledged or resolved incident does not page the secondary") {
    auto const p = with_rotation();
    auto const d = declared_p0();
    auto const page = at(t0 + 1h, bot_user, paged{"UA", "primary"});
    CHECK_FALSE(find(pending_reminders(given({d, page, at(t0 + 1h + 2min, "UA", acknowledged{})}), p),
                     reminder_kind::page_unanswered));
    CHECK_FALSE(find(pending_reminders(given({d, page, at(t0 + 1h + 2min, "UA", resolved{"fixed", ""})}), p),
                     reminder_kind::page_unanswered));
}

TEST_CASE("without a rotation the step pages through the integration only when one is configured") {
    auto p = policy::defaults();
    auto const i = given({declared_p0()});
    auto const step = *find(pending_reminders(i, p), reminder_kind::escalation);
    CHECK(fire(i, step, t0 + 1h, p).size() == 1);
    p.paging = true;
    auto const events = fire(i, step, t0 + 1h, p);
    REQUIRE(events.size() == 2);
    CHECK(describe(events[1].what) == describe(paged{"", "primary"}));
    CHECK_FALSE(
        find(pending_reminders(given({declared_p0(), events[0], events[1]}), p), reminder_kind::page_unanswered));
}

TEST_CASE("a manual escalate to the paging step pages too") {
    auto const p = with_rotation();
    auto const d = decide(given({declared_p0()}), escalate{"now"}, "alice", t0 + 1h, p);
    auto const* events = std::get_if<std::vector<event>>(&d);
    REQUIRE(events);
    REQUIRE(events->size() == 3);
    CHECK(describe(events->at(1).what) == describe(paged{"UA", "primary"}));
    CHECK(describe(events->at(2).what) == describe(invited{{"UA"}}));
}

TEST_CASE("the customer notice is approved once, by whom the access policy grants it") {
    auto const p = policy::defaults();
    auto const d = declared_p0();
    auto const notice =
        at(t0 + 2h, bot_user, escalated{"customer-communication", "Customer communication required", false, ""});
    auto const refused_with = [&](std::vector<event> const& h, user_id const& by) {
        auto const r = decide(given(h), approve_customer_notice{}, by, t0 + 3h, p);
        return std::holds_alternative<refusal>(r) ? std::get<refusal>(r).reason : std::string{};
    };
    CHECK(refused_with({d}, "alice") == "no customer notice has been drafted for INC-1 yet");
    CHECK(refused_with({d, notice}, "alice").empty());
    auto const comms = at(t0 + 2h, "alice", role_assigned{role::communications_lead, "dave", std::nullopt});
    // Who may approve is authority's one check (the Communications Lead, the IC, the declarer).
    CHECK(refused_with({d, notice, comms}, "dave").empty());
    auto const inc = given({d, notice, comms});
    CHECK_FALSE(authorize(inc, principal{"dave", {}}, approve_customer_notice{}, p));
    CHECK_FALSE(authorize(inc, principal{"alice", {}}, approve_customer_notice{}, p));
    CHECK(authorize(inc, principal{"mallory", {}}, approve_customer_notice{}, p).has_value());
    auto const approved = at(t0 + 3h, "dave", customer_notice_approved{});
    CHECK(refused_with({d, notice, comms, approved}, "dave") ==
          "the customer notice of INC-1 was already approved by @dave at 2026-03-02 12:00 UTC");
    CHECK(given({d, notice, comms, approved}).customer_notice_approved_by == "dave");
}

TEST_CASE("a drafted customer notice stays drafted: lowered afterwards, or drafted by a team's own step") {
    auto p = policy::defaults();
    auto const approvable = [&](std::vector<event> const& h) {
        return !std::holds_alternative<refusal>(decide(given(h), approve_customer_notice{}, "alice", t0 + 3h, p));
    };
    auto const notice =
        at(t0 + 2h, bot_user, escalated{"customer-communication", "Customer communication required", false, "", {}, true});
    // P2 has no step that drafts it, yet the notice the P0 drafted is still there to approve.
    auto const lowered = at(t0 + 150min, "alice", severity_changed{severity::p0, severity::p2});
    CHECK(approvable({declared_p0(), notice, lowered}));
    CHECK(given({declared_p0(), notice, lowered}).customer_notice_drafted_at == t0 + 2h);
    // A step of the team's own naming that drafts it, as the event recorded it.
    auto const own = at(t0 + 2h, bot_user, escalated{"status-page-team", "Status page team", false, "", {}, true});
    CHECK(approvable({declared_p0(), own}));
    auto const other = at(t0 + 2h, bot_user, escalated{"status-page-team", "Status page team", false, "", {}, false});
    CHECK_FALSE(approvable({declared_p0(), other}));
    // Recorded before the event said so: only the built-in customer-communication step drafted it.
    CHECK(approvable({declared_p0(), at(t0 + 2h, bot_user, escalated{"customer-communication", "x", false, ""})}));
    CHECK_FALSE(approvable({declared_p0(), at(t0 + 2h, bot_user, escalated{"executives", "x", false, ""})}));
}

TEST_CASE("the escalation event says whether its step drafts the customer notice") {
    auto const p = policy::defaults();
    std::vector<event> h{declared_p0()};
    std::vector<std::string> drafting;
    // Escalated by hand step after step, to the end of the P0 matrix.
    for (auto const& step : p.of(severity::p0).escalation) {
        auto const r = decide(given(h), escalate{"no answer"}, "alice", t0 + 1min, p);
        REQUIRE(std::holds_alternative<std::vector<event>>(r));
        for (auto const& e : std::get<std::vector<event>>(r)) {
            h.push_back(e);
            auto const* x = std::get_if<escalated>(&e.what);
            if (!x) continue;
            CHECK(x->target == step.target);
            REQUIRE(x->customer_notice.has_value());
            if (*x->customer_notice) drafting.push_back(x->target);
        }
    }
    CHECK(drafting == std::vector<std::string>{"customer-communication"});
}

TEST_CASE("recording the regulator notification stops its reminder") {
    auto const p = policy::defaults();
    auto const d = declared_p0(incident_type::privacy);
    CHECK(find(pending_reminders(given({d}), p), reminder_kind::regulator_notice));
    auto const r = decide(given({d}), confirm_regulator_notice{}, "alice", t0 + 2h, p);
    REQUIRE(std::holds_alternative<std::vector<event>>(r));
    auto const done = given({d, std::get<std::vector<event>>(r)[0]});
    CHECK_FALSE(find(pending_reminders(done, p), reminder_kind::regulator_notice));
    CHECK(std::holds_alternative<refusal>(decide(done, confirm_regulator_notice{}, "alice", t0 + 3h, p)));
    CHECK(std::get<refusal>(decide(given({declared_p0()}), confirm_regulator_notice{}, "alice", t0 + 3h, p)).reason ==
          "INC-1 does not run the regulator notification clock");
}
