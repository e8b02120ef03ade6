// Reminders derived from state: update nudges, the escalation matrix and the post-incident clocks.
// `tick` below is the scheduler in miniature: fire the earliest due reminder, fold its events back
// in, look again, exactly as service::tick does against the store.
#include <doctest/doctest.h>

#include <set>

#include "tests/core/support.hpp"

namespace {

using namespace warroom::core;
using namespace warroom::core::test;

std::string describe(reminder const& r) { return r.key + " @ " + format_time(r.due); }

std::vector<std::string> describe(std::vector<reminder> const& rs) {
    std::vector<std::string> out;
    for (auto const& r : rs) out.push_back(describe(r));
    return out;
}

std::string joined(std::vector<std::string> const& parts) {
    std::string out;
    for (auto const& p : parts) out += (out.empty() ? "" : ", ") + p;
    return out;
}

std::string pending(std::vector<event> const& history) {
    return joined(describe(pending_reminders(given(history), rules())));
}

std::optional<reminder> nudge_of(std::vector<event> const& history) {
    for (auto const& r : pending_reminders(given(history), rules())) {
        if (r.kind == reminder_kind::update_nudge) return r;
    }
    return std::nullopt;
}

std::optional<timestamp> nudge_due(std::vector<event> const& history) {
    auto const n = nudge_of(history);
    return n ? std::optional<timestamp>(n->due) : std::nullopt;
}

std::string nudge_key(std::vector<event> const& history) {
    auto const n = nudge_of(history);
    return n ? n->key : "(no nudge)";
}

// Fires everything due at `now`, earliest first; returns what fired and appends its events.
struct fired {
    std::vector<std::string> keys;
    std::vector<event> events;
};
fired tick(std::vector<event>& history, timestamp now) {
    fired out;
    for (int guard = 0; guard < 100; ++guard) {
        auto const inc = given(history);
        auto const due = pending_reminders(inc, rules());
        if (due.empty() || due.front().due > now) break;
        out.keys.push_back(due.front().key);
        for (auto const& e : fire(inc, due.front(), now, rules())) {
            history.push_back(e);
            out.events.push_back(e);
        }
    }
    return out;
}

event declared_as(severity sev, incident_type type = incident_type::outage) {
    return at(t0, "alice", declared{"Checkout fails", "", sev, type, t0, "inc-1-checkout-fails"});
}

std::string key(std::string kind, timestamp t) { return kind + ":1:" + epoch(t); }
// Acknowledged at declaration: the tests about other clocks leave the response clock out.
event acked() { return at(t0, "carol", acknowledged{}); }
std::string esc(std::string const& target) { return "escalation:1:" + target; }

timestamp const march_10 = timestamp{std::chrono::sys_days{std::chrono::year{2026} / 3 / 10}};

}  // namespace

TEST_CASE("a P0 owes its nudge at 30 minutes and its escalation steps from declaration") {
    std::vector<event> h{declared_as(severity::p0), acked(), acked()};
    auto const all = pending_reminders(given(h), rules());
    std::vector<reminder> const want = {
        {esc("on-call"), reminder_kind::escalation, 1, t0, 0, 0},
        {esc("engineering-manager"), reminder_kind::escalation, 1, t0 + 5min, 1, 0},
        {esc("vp-engineering"), reminder_kind::escalation, 1, t0 + 15min, 2, 0},
        {key("nudge", t0 + 30min), reminder_kind::update_nudge, 1, t0 + 30min, 0, 0},
        {esc("executives"), reminder_kind::escalation, 1, t0 + 30min, 3, 0},
        {esc("customer-communication"), reminder_kind::escalation, 1, t0 + 60min, 4, 0},
    };
    CHECK(joined(describe(all)) == joined(describe(want)));
    CHECK(all == want);
}

TEST_CASE("a P1 nudge is due at 60 minutes and P2 and P3 are never nudged") {
    CHECK(nudge_due({declared_as(severity::p1)}) == t0 + 60min);
    CHECK(
        pending({declared_as(severity::p1), acked()}) ==
        joined({esc("on-call") + " @ 2026-03-02 09:00 UTC", esc("engineering-manager") + " @ 2026-03-02 09:30 UTC",
                key("nudge", t0 + 60min) + " @ 2026-03-02 10:00 UTC", esc("vp-engineering") + " @ 2026-03-02 11:00 UTC",
                esc("customer-communication") + " @ 2026-03-02 13:00 UTC"}));
    CHECK(pending({declared_as(severity::p2), acked()}) == esc("engineering-manager") + " @ 2026-03-02 13:00 UTC");
    CHECK(pending({declared_as(severity::p3), acked()}) == "");
}

TEST_CASE("an update resets the nudge clock") {
    std::vector<event> h{declared_as(severity::p0), acked(),
                         at(t0 + 20min, "bob", update_posted{status::identified, "bad deploy", ""})};
    CHECK(nudge_due(h) == t0 + 50min);
    CHECK(nudge_key(h) == key("nudge", t0 + 50min));
}

TEST_CASE("a nudge is due a cadence after the update to the millisecond, never a rounding earlier") {
    using std::chrono::milliseconds;
    auto const update_at = t0 + 20min + milliseconds{999};
    std::vector<event> h{declared_as(severity::p0), acked(), at(t0, bot_user, escalated{"on-call", "x", false, ""}),
                         at(t0, bot_user, escalated{"engineering-manager", "x", false, ""}),
                         at(t0, bot_user, escalated{"vp-engineering", "x", false, ""}),
                         at(t0, bot_user, escalated{"executives", "x", false, ""}),
                         at(t0, bot_user, escalated{"customer-communication", "x", false, ""}),
                         at(update_at, "bob", update_posted{status::identified, "bad deploy", ""})};
    CHECK(nudge_due(h) == update_at + 30min);
    CHECK(tick(h, update_at + 30min - milliseconds{1}).keys.empty());
    CHECK(joined(tick(h, update_at + 30min).keys) == key("nudge", update_at + 30min));
}

TEST_CASE("the escalations and the nudge due by 30 minutes fire in due order and each once") {
    std::vector<event> h{declared_as(severity::p0), acked(), acked()};
    auto const first = tick(h, t0 + 30min);
    CHECK(joined(first.keys) == joined({esc("on-call"), esc("engineering-manager"), esc("vp-engineering"),
                                        key("nudge", t0 + 30min), esc("executives")}));
    // No rotation and no paging integration: the on-call step says nobody was paged.
    std::vector<payload> const want = {
        escalated{"on-call", "the on-call step is due, but nobody is on call to page", false, "", {}, false},
        escalated{"engineering-manager", "Engineering manager notified", false, "", {}, false},
        escalated{"vp-engineering", "VP Engineering notified", false, "", {}, false},
        nudged{},
        escalated{"executives", "Executive team notified", false, "", {}, false},
    };
    CHECK(describe(payloads(first.events)) == describe(want));
    for (auto const& e : first.events) {
        CHECK(e.at == t0 + 30min);
        CHECK(e.by == bot_user);
        CHECK(e.incident == 1);
    }
    CHECK(tick(h, t0 + 30min).keys.empty());
    CHECK(tick(h, t0 + 59min).keys.empty());
}

TEST_CASE("a nudge re-plans the next one a cadence after it went out") {
    std::vector<event> h{declared_as(severity::p1), acked(), at(t0, bot_user, escalated{"on-call", "x", false, ""}),
                         at(t0 + 30min, bot_user, escalated{"engineering-manager", "x", false, ""})};
    // Fired late (the bot was busy): the next nudge counts from when this one went out.
    auto const late = tick(h, t0 + 70min);
    CHECK(joined(late.keys) == key("nudge", t0 + 60min));
    CHECK(nudge_due(h) == t0 + 130min);
    CHECK(nudge_key(h) == key("nudge", t0 + 130min));
    CHECK(joined(tick(h, t0 + 129min).keys) == esc("vp-engineering"));
    CHECK(joined(tick(h, t0 + 130min).keys) == key("nudge", t0 + 130min));
}

TEST_CASE("snooze moves the nudge to 15 minutes from the press and an update clears it") {
    std::vector<event> h{declared_as(severity::p0), acked(), acked()};
    tick(h, t0 + 30min);
    h.push_back(at(t0 + 31min, "bob", snoozed{t0 + 46min}));
    CHECK(nudge_due(h) == t0 + 46min);
    CHECK(tick(h, t0 + 45min).keys.empty());
    CHECK(joined(tick(h, t0 + 46min).keys) == key("nudge", t0 + 46min));
    CHECK(nudge_due(h) == t0 + 76min);

    h.push_back(at(t0 + 50min, "bob", snoozed{t0 + 65min}));
    h.push_back(at(t0 + 52min, "bob", update_posted{status::identified, "found it", ""}));
    CHECK_FALSE(given(h).snoozed_until.has_value());
    CHECK(nudge_due(h) == t0 + 82min);
}

TEST_CASE("resolution stops nudges and escalation") {
    std::vector<event> h{declared_as(severity::p0), acked(), at(t0 + 10min, "bob", resolved{"rolled back", ""})};
    for (auto const& r : pending_reminders(given(h), rules())) {
        CAPTURE(r.key);
        CHECK(r.kind != reminder_kind::update_nudge);
        CHECK(r.kind != reminder_kind::escalation);
    }
    CHECK(tick(h, t0 + 20h).keys.empty());  // the report reminder comes at 20h 10m
    CHECK(decide(given(h), escalate{}, "bob", t0 + 11min, rules()) ==
          decision{refusal{"INC-1 is resolved; there is nothing to escalate"}});
}

TEST_CASE("raising P1 to P0 at 20 minutes fires the P0 steps already past at once and each target once") {
    std::vector<event> h{declared_as(severity::p1), acked(), acked()};
    CHECK(joined(tick(h, t0).keys) == esc("on-call"));
    h.push_back(at(t0 + 20min, "bob", severity_changed{severity::p1, severity::p0}));
    CHECK(nudge_due(h) == t0 + 30min);
    auto const now = tick(h, t0 + 20min);
    CHECK(joined(now.keys) == joined({esc("engineering-manager"), esc("vp-engineering")}));
    CHECK(describe(payloads(now.events)) ==
          describe(std::vector<payload>{escalated{"engineering-manager", "Engineering manager notified", false, "", {}, false},
                                        escalated{"vp-engineering", "VP Engineering notified", false, "", {}, false}}));
    CHECK(tick(h, t0 + 20min).keys.empty());
    CHECK(joined(tick(h, t0 + 30min).keys) == joined({key("nudge", t0 + 30min), esc("executives")}));
}

TEST_CASE("lowering P0 to P2 does not notify the engineering manager a second time") {
    std::vector<event> h{declared_as(severity::p0), acked(), acked()};
    tick(h, t0 + 5min);
    h.push_back(at(t0 + 6min, "bob", severity_changed{severity::p0, severity::p2}));
    CHECK(pending(h) == "");
    CHECK(tick(h, t0 + 5h).keys.empty());
}

TEST_CASE("manual escalation takes the next step and the timer does not fire it again") {
    std::vector<event> h{declared_as(severity::p0), acked(), acked()};
    tick(h, t0);
    auto const d = decide(given(h), escalate{"DB team unreachable"}, "bob", t0 + 2min, rules());
    REQUIRE(std::holds_alternative<std::vector<event>>(d));
    auto const& manual = std::get<std::vector<event>>(d);
    CHECK(describe(payloads(manual)) ==
          describe(std::vector<payload>{
              escalated{"engineering-manager", "Engineering manager notified", true, "DB team unreachable", {}, false}}));
    h.insert(h.end(), manual.begin(), manual.end());
    CHECK(tick(h, t0 + 6min).keys.empty());
    CHECK(joined(tick(h, t0 + 15min).keys) == esc("vp-engineering"));
}

TEST_CASE("the report, due 24 hours after resolution, is reminded 4 hours ahead unless it exists") {
    auto const tr = t0 + 2h;
    std::vector<event> h{declared_as(severity::p2), acked(), at(tr, "bob", resolved{"fixed", ""})};
    CHECK(pending(h) == key("report-due", tr) + " @ 2026-03-03 07:00 UTC");
    auto without_report = h;
    CHECK(tick(without_report, tr + 20h - 1s).keys.empty());
    auto const fired_now = tick(without_report, tr + 20h);
    CHECK(joined(fired_now.keys) == key("report-due", tr));
    CHECK(describe(payloads(fired_now.events)) == describe(std::vector<payload>{reminder_sent{key("report-due", tr)}}));
    CHECK(pending(without_report) == "");

    h.push_back(at(tr + 3h, "bob", report_generated{}));
    CHECK(pending(h) == "");
}

TEST_CASE("the post-mortem, due 48 hours after resolution for P0 and P1, is reminded 4 hours ahead until held") {
    auto const tr = t0 + 2h;
    for (auto const sev : all_severities) {
        CAPTURE(to_string(sev));
        std::vector<event> h{declared_as(sev), at(tr, "bob", resolved{"fixed", ""}),
                             at(tr + 1h, "bob", report_generated{})};
        bool const major = sev == severity::p0 || sev == severity::p1;
        CHECK(pending(h) == (major ? key("postmortem-due", tr) + " @ 2026-03-04 07:00 UTC" : ""));
    }
    std::vector<event> h{declared_as(severity::p1), acked(), at(tr, "bob", resolved{"fixed", ""}),
                         at(tr + 1h, "bob", report_generated{})};
    auto held = h;
    held.push_back(at(tr + 20h, "bob", checklist_marked{phase::post_incident, 0, true}));
    CHECK(pending(held) == "");
    // Some other post-incident item does not count as the meeting.
    h.push_back(at(tr + 20h, "bob", checklist_marked{phase::post_incident, 1, true}));
    CHECK(tick(h, tr + 44h - 1s).keys.empty());
    CHECK(joined(tick(h, tr + 44h).keys) == key("postmortem-due", tr));
    CHECK(pending(h) == "");
}

TEST_CASE("an action item is reminded at 09:00 on its due date, then once overdue the next day, unless done") {
    std::vector<event> h{declared_as(severity::p3), acked(),
                         at(t0 + 1h, "bob", action_added{1, "Add a canary", user_id{"dave"}, march_10}),
                         at(t0 + 1h, "bob", action_added{2, "Write docs", std::nullopt, std::nullopt}),
                         at(t0 + 1h, "bob", action_added{3, "Fix alert", std::nullopt, march_10})};
    auto const all = pending_reminders(given(h), rules());
    std::vector<reminder> const want = {
        {"action-due:1:1:2026-03-10", reminder_kind::action_due, 1, march_10 + 9h, 0, 1},
        {"action-due:1:3:2026-03-10", reminder_kind::action_due, 1, march_10 + 9h, 0, 3},
    };
    CHECK(joined(describe(all)) == joined(describe(want)));
    CHECK(all == want);
    h.push_back(at(t0 + 2h, "dave", action_completed{3}));
    CHECK(tick(h, march_10 + 9h - 1s).keys.empty());
    auto const due = tick(h, march_10 + 9h);
    CHECK(joined(due.keys) == "action-due:1:1:2026-03-10");
    CHECK(describe(payloads(due.events)) ==
          describe(std::vector<payload>{reminder_sent{"action-due:1:1:2026-03-10"}}));
    CHECK(pending(h) == "action-overdue:1:1:2026-03-10 @ 2026-03-11 09:00 UTC");
    CHECK(joined(tick(h, march_10 + 33h).keys) == "action-overdue:1:1:2026-03-10");
    CHECK(pending(h) == "");
    // A new due date is reminded afresh.
    h.push_back(at(march_10 + 34h, "bob", action_edited{1, std::nullopt, std::nullopt, march_10 + std::chrono::days{4}}));
    CHECK(pending(h) == "action-due:1:1:2026-03-14 @ 2026-03-14 09:00 UTC");
    // A store from before the date was in the key: the reminder it sent is not sent again.
    std::vector<event> old{declared_as(severity::p3), acked(),
                           at(t0 + 1h, "bob", action_added{1, "Add a canary", user_id{"dave"}, march_10}),
                           at(march_10 + 9h, bot_user, reminder_sent{"action-due:1:1"})};
    CHECK(pending(old) == "action-overdue:1:1:2026-03-10 @ 2026-03-11 09:00 UTC");
}

TEST_CASE("action items are reminded at the configured hour in the configured zone") {
    struct berlin_winter : time_zone {
        std::string name() const override { return "Europe/Berlin"; }
        seconds offset(timestamp) const override { return 1h; }
        std::string abbreviation(timestamp) const override { return "CET"; }
    };
    static berlin_winter const berlin;
    auto p = rules();
    p.zone = &berlin;
    p.action_reminder_at = 8h + 30min;
    std::vector<event> h{declared_as(severity::p3), acked(),
                         at(t0 + 1h, "bob", action_added{1, "Add a canary", user_id{"dave"}, march_10})};
    auto const all = pending_reminders(given(h), p);
    REQUIRE(all.size() == 1);
    // 08:30 in Berlin is 07:30 UTC.
    CHECK(format_time(all.front().due) == "2026-03-10 07:30 UTC");
    CHECK(format_time(all.front().due, berlin) == "2026-03-10 08:30 CET");
}

TEST_CASE("the regulator clock reminds 24 hours before the 72-hour deadline, at it, and daily after it, until notified") {
    for (auto const type : all_types) {
        CAPTURE(to_string(type));
        std::vector<event> h{declared_as(severity::p3, type), acked()};
        CHECK(pending(h) == (type == incident_type::privacy ? "regulator:1:72h @ 2026-03-04 09:00 UTC" : ""));
    }
    std::vector<event> h{declared_as(severity::p3, incident_type::privacy), acked()};
    CHECK(tick(h, t0 + 48h - 1s).keys.empty());
    auto const due = tick(h, t0 + 48h);
    CHECK(joined(due.keys) == "regulator:1:72h");
    CHECK(describe(payloads(due.events)) == describe(std::vector<payload>{reminder_sent{"regulator:1:72h"}}));
    CHECK(pending(h) == "regulator:1:deadline @ 2026-03-05 09:00 UTC");
    CHECK(joined(tick(h, t0 + 72h).keys) == "regulator:1:deadline");
    CHECK(pending(h) == "regulator:1:overdue-1 @ 2026-03-06 09:00 UTC");
    CHECK(joined(tick(h, t0 + 96h).keys) == "regulator:1:overdue-1");
    CHECK(pending(h) == "regulator:1:overdue-2 @ 2026-03-07 09:00 UTC");
    h.push_back(at(t0 + 97h, "bob", regulator_notified{}));
    CHECK(pending(h) == "");

    // Data loss runs the same clock when personal data is involved (declared with pii:yes).
    auto with_pii = declared_as(severity::p1, incident_type::data_loss);
    std::get<declared>(with_pii.what).personal_data = true;
    CHECK(pending({with_pii}).find("regulator:1:72h @ 2026-03-04 09:00 UTC") != std::string::npos);

    // Closing does not stop the law's clock.
    std::vector<event> closed_early{declared_as(severity::p3, incident_type::privacy), acked(),
                                    at(t0 + 1h, "bob", phase_changed{phase::detection, phase::closed}),
                                    at(t0 + 1h, "bob", closed{"false alarm"})};
    CHECK(pending(closed_early) == "regulator:1:72h @ 2026-03-04 09:00 UTC");
}

TEST_CASE("an incident found to be a privacy incident runs the regulator clock from then, when the breach became known") {
    std::vector<event> h{declared_as(severity::p3), acked()};
    CHECK(pending(h) == "");
    h.push_back(at(t0 + 10h, "bob", type_changed{incident_type::outage, incident_type::privacy}));
    CHECK(pending(h) == "regulator:1:72h @ 2026-03-04 19:00 UTC");
    CHECK(joined(tick(h, t0 + 58h).keys) == "regulator:1:72h");
    CHECK(pending(h) == "regulator:1:deadline @ 2026-03-05 19:00 UTC");
    // Taken off and found again: the clock still counts from when it was first known.
    h.push_back(at(t0 + 60h, "bob", type_changed{incident_type::privacy, incident_type::outage}));
    CHECK(pending(h) == "");
    h.push_back(at(t0 + 61h, "bob", type_changed{incident_type::outage, incident_type::privacy}));
    CHECK(pending(h) == "regulator:1:deadline @ 2026-03-05 19:00 UTC");
}

TEST_CASE("a response is due within the severity's time: nobody acknowledging is told once in the room") {
    // P2: acknowledge within an hour; P0 and P1 without anyone paged (no rotation, no paging
    // integration): within 5 and 15 minutes.
    CHECK(pending({declared_as(severity::p2)}) ==
          joined({key("unacknowledged", t0) + " @ 2026-03-02 10:00 UTC", esc("engineering-manager") + " @ 2026-03-02 13:00 UTC"}));
    std::vector<event> h{declared_as(severity::p2)};
    CHECK(tick(h, t0 + 1h - 1s).keys.empty());
    CHECK(joined(tick(h, t0 + 1h).keys) == key("unacknowledged", t0));
    CHECK(tick(h, t0 + 2h).keys.empty());
    // Acknowledged in time: nothing.
    CHECK(pending({declared_as(severity::p2), at(t0 + 30min, "carol", acknowledged{})}) ==
          esc("engineering-manager") + " @ 2026-03-02 13:00 UTC");
    // Paged: the unanswered page escalates instead.
    auto paging = rules();
    paging.paging = true;
    std::vector<event> p0{declared_as(severity::p0)};
    for (auto const& e : fire(given(p0), {esc("on-call"), reminder_kind::escalation, 1, t0, 0}, t0, paging)) p0.push_back(e);
    for (auto const& r : pending_reminders(given(p0), paging)) CHECK(r.kind != reminder_kind::unacknowledged);
}

TEST_CASE("a P3 is due a response at the next business day's opening, in the policy's hours") {
    // Monday 2026-03-02 09:00 UTC: the next opening is Tuesday 09:00.
    CHECK(respond_by(t0, severity::p3, rules()) == t0 + 24h);
    // Friday evening: Monday morning.
    auto const friday_evening = t0 + 4 * 24h + 9h;  // 2026-03-06 18:00
    CHECK(format_time(respond_by(friday_evening, severity::p3, rules())) == "2026-03-09 09:00 UTC");
    auto weekends = rules();
    weekends.hours.days = {false, false, false, false, false, true, true};
    weekends.hours.opens = 10h;
    CHECK(format_time(respond_by(t0, severity::p3, weekends)) == "2026-03-07 10:00 UTC");
    CHECK(respond_by(t0, severity::p2, rules()) == t0 + 1h);
}

TEST_CASE("reminder keys are unique per occurrence") {
    std::set<std::string> keys;
    std::vector<event> h{declared_as(severity::p0), acked(), acked()};
    for (auto minute = 30; minute <= 180; minute += 30) {
        for (auto const& k : tick(h, t0 + std::chrono::minutes{minute}).keys) CHECK(keys.insert(k).second);
    }
    // Nudges at 30, 60 and 90 minutes go unanswered, so the admins are told once and the nudges
    // slow down (the next at 150): four nudges, one notice, five escalation steps.
    CHECK(keys.size() == 10);

    auto const first = t0 + 3h;
    h.push_back(at(first, "bob", resolved{"fixed", ""}));
    auto const r1 = tick(h, first + 20h);
    CHECK(joined(r1.keys) == key("report-due", first));
    h.push_back(at(first + 25h, "bob", reopened{"back again"}));
    auto const second = first + 26h;
    h.push_back(at(second, "bob", resolved{"fixed for real", ""}));
    // The second resolution owes its own report reminder, and the post-mortem reminder restarts.
    auto const next = pending_reminders(given(h), rules());
    REQUIRE(next.size() == 2);
    CHECK(describe(next[0]) == key("report-due", second) + " @ 2026-03-04 10:00 UTC");
    CHECK(describe(next[1]) == key("postmortem-due", second) + " @ 2026-03-05 10:00 UTC");
    CHECK(keys.insert(next[0].key).second);
    CHECK(keys.insert(next[1].key).second);
}

TEST_CASE("fire records a nudge and an escalation step as the bot at the firing time") {
    auto const inc = given({declared_as(severity::p1)});
    auto const nudge =
        fire(inc, reminder{key("nudge", t0 + 60min), reminder_kind::update_nudge, 1, t0 + 60min}, t0 + 61min, rules());
    CHECK(nudge == std::vector<event>{event{1, t0 + 61min, bot_user, nudged{}}});
    auto const step =
        fire(inc, reminder{esc("vp-engineering"), reminder_kind::escalation, 1, t0 + 2h, 2}, t0 + 2h, rules());
    CHECK(step == std::vector<event>{
                      event{1, t0 + 2h, bot_user, escalated{"vp-engineering", "VP Engineering notified", false, "", {}, false}}});
}

TEST_CASE("nudges nobody answers back off: the admins are told once, the interval doubles up to the cap") {
    auto p = rules();
    p.access.admins = {"U0ADMIN"};
    std::vector<event> h{declared_as(severity::p0), acked()};
    std::vector<std::pair<std::string, long>> seen;  // kind, minutes after declaration
    for (auto minute = 1; minute <= 14 * 60; ++minute) {
        for (auto const& k : tick(h, t0 + std::chrono::minutes{minute}).keys) {
            if (k.starts_with("escalation")) continue;
            seen.emplace_back(k.substr(0, k.find(':')), minute);
        }
    }
    // Every 30 minutes three times; then the notice, and 60, 120, then the 4 h cap.
    std::vector<std::pair<std::string, long>> const want = {
        {"nudge", 30},  {"nudge", 60},  {"nudge", 90},  {"nudges-unanswered", 90},
        {"nudge", 150}, {"nudge", 270}, {"nudge", 510}, {"nudge", 750},
    };
    CHECK(seen == want);
    auto const told = told_of_unanswered_nudges(given(h), p);
    CHECK(told == std::vector<std::string>{"U0ADMIN"});
    // An update answers them: the cadence is back to 30 minutes, and a later silence is told again.
    h.push_back(at(t0 + 760min, "bob", update_posted{status::identified, "found it", ""}));
    CHECK(nudge_due(h) == t0 + 790min);
    CHECK(given(h).unanswered_nudges == 0);
}
