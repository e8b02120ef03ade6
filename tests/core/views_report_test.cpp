// The procedures' templates filled from state: declaration, update, resolution, the redacted
// announcement of private incidents, the incident report, and war-room names.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>

#include "core/report.hpp"
#include "core/views.hpp"
#include "tests/core/support.hpp"

namespace {

using namespace warroom::core;
using namespace warroom::core::test;

timestamp const march_10 = timestamp{std::chrono::sys_days{std::chrono::year{2026} / 3 / 10}};

event declared_outage(severity sev = severity::p0, incident_type type = incident_type::outage) {
    return at(t0, "alice", declared{"API down", "All requests fail with 503", sev, type, t0 - 10min, "inc-1-api-down"});
}

// A P0 as it really goes: page, ack, IC, investigation, two updates, mitigation, resolution,
// lessons noted with their tags, two action items (one done).
std::vector<event> realistic() {
    return {
        declared_outage(),
        at(t0, bot_user, escalated{"on-call", "On-call engineer paged", false, ""}),
        at(t0, bot_user, paged{"carol", "primary"}),
        at(t0 + 2min, "carol", acknowledged{}),
        at(t0 + 3min, "alice", role_assigned{role::incident_commander, "bob", std::nullopt}),
        at(t0 + 4min, "bob", phase_changed{phase::detection, phase::investigation}),
        at(t0 + 15min, "bob", update_posted{status::identified, "Config change in deploy 1234", "30% of users"}),
        at(t0 + 20min, "bob", update_posted{status::implementing_fix, "Rolling back deploy 1234", ""}),
        at(t0 + 25min, "bob", mitigated{}),
        at(t0 + 25min, "bob", phase_changed{phase::investigation, phase::containment}),
        at(t0 + 35min, "bob", phase_changed{phase::containment, phase::resolution}),
        at(t0 + 35min, "bob", resolved{"Rolled back deploy 1234", "A config change removed the DB pool limit"}),
        at(t0 + 40min, "carol", note_added{"went well: on-call acknowledged within 2 minutes"}),
        at(t0 + 41min, "carol", note_added{"Improve: the deploy had no canary"}),
        at(t0 + 42min, "carol", note_added{"recommend: add a canary stage for config changes"}),
        at(t0 + 43min, "carol", note_added{"Recommendation: alert on pool exhaustion"}),
        at(t0 + 44min, "bob", action_added{1, "Add a canary stage", user_id{"carol"}, march_10}),
        at(t0 + 45min, "bob", action_added{2, "Alert on pool exhaustion", std::nullopt, std::nullopt}),
        at(t0 + 50min, "dave", action_completed{2}),
    };
}

std::string shown(std::vector<field> const& fields) {
    std::string out;
    for (auto const& f : fields) out += f.label + ": " + f.value + "\n";
    return out;
}

std::vector<std::string> lines(std::string const& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (auto end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
        out.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    if (start < text.size()) out.push_back(text.substr(start));
    return out;
}

// Each expected line appears, in this order.
void check_in_order(std::string const& text, std::vector<std::string> const& want) {
    auto const got = lines(text);
    std::size_t at_line = 0;
    for (auto const& w : want) {
        CAPTURE(w);
        auto const it = std::find(got.begin() + static_cast<std::ptrdiff_t>(at_line), got.end(), w);
        CHECK(it != got.end());
        if (it != got.end()) at_line = static_cast<std::size_t>(it - got.begin()) + 1;
    }
}

}  // namespace

TEST_CASE("the declaration has the initial notification template's fields") {
    auto inc = given(
        {declared_outage(), at(t0 + 3min, "alice", role_assigned{role::incident_commander, "bob", std::nullopt})});
    auto const v = declaration_view(inc, rules(), t0 + 3min);
    CHECK(v.kind == "declaration");
    CHECK(v.headline == "🚨 P0 INCIDENT - API down (INC-1)");
    CHECK(shown(v.fields) == shown(std::vector<field>{{"Impact", "All requests fail with 503"},
                                         {"Started", "08:50 UTC"},
                                         {"Incident Lead", "@bob"},
                                         {"Status", "Investigating"},
                                         {"Type", "Service Outage"},
                                         {"Respond within", "Immediate (within 5 minutes)"}}));
    CHECK(v.sections ==
          std::vector<section>{{"Actions Taken", {"War room #inc-1-api-down opened", "Declared by @alice"}}});
    CHECK(v.footer == std::vector<std::string>{"**Next Update**: 09:30 UTC (every 30m)"});
    auto const text = render_text(v);
    for (auto const* label :
         {"**Impact**: ", "**Started**: ", "**Incident Lead**: ", "**Status**: ", "**Next Update**: "}) {
        CAPTURE(label);
        CHECK(text.find(label) != std::string::npos);
    }
    CHECK(text.find("**Actions Taken**:\n- War room #inc-1-api-down opened\n") != std::string::npos);
}

TEST_CASE("the declaration of a P2 with no lead says so and has no update cadence") {
    auto const inc = given({at(
        t0, "alice", declared{"Slow search", "", severity::p2, incident_type::performance, t0, "inc-1-slow-search"})});
    auto const v = declaration_view(inc, rules(), t0 + 3min);
    CHECK(v.fields[0] == field{"Impact", "Being assessed"});
    CHECK(v.fields[2] == field{"Incident Lead", "unassigned"});
    CHECK(v.footer == std::vector<std::string>{"**Next Update**: as needed (no cadence for P2)"});
    std::vector<ui::action> actions;
    for (auto const& b : v.buttons) actions.push_back(b.action);
    CHECK(actions == std::vector<ui::action>{ui::action::acknowledge, ui::action::claim_ic, ui::action::post_update,
                                             ui::action::advance, ui::action::resolve});
    CHECK(v.buttons[3] == button{ui::action::advance, "Advance to Investigation", "1"});
}

TEST_CASE("the update has the update template's Status and Impact and Progress") {
    auto const inc =
        given({declared_outage(),
               at(t0 + 20min, "bob",
                  update_posted{status::identified, "Found the bad config\nRolling back", "30% of users"})});
    auto const v = update_view(inc, rules(), t0 + 20min);
    CHECK(v.headline == "📊 UPDATE - API down (INC-1)");
    CHECK(shown(v.fields) == shown(std::vector<field>{{"Status", "Identified"}, {"Impact", "30% of users (changed in this update)"}}));
    CHECK(v.sections == std::vector<section>{{"Progress", {"Found the bad config", "Rolling back"}}});
    CHECK(v.footer == std::vector<std::string>{"**Next Update**: 09:50 UTC (every 30m)"});
    CHECK(render_text(v) ==
          "📊 UPDATE - API down (INC-1)\n\n**Status**: Identified\n**Impact**: 30% of users (changed in this update)\n\n**Progress**:\n"
          "- Found the bad config\n- Rolling back\n\n**Next Update**: 09:50 UTC (every 30m)\n");
}

TEST_CASE("the resolution has the resolution template's Resolution and Duration and Root Cause and Follow-up") {
    auto const v = resolution_view(given(realistic()), rules(), t0 + 50min);
    CHECK(v.headline == "✅ RESOLVED - API down (INC-1)");
    CHECK(shown(v.fields) == shown(std::vector<field>{{"Resolution", "Rolled back deploy 1234"},
                                         {"Duration", "2026-03-02 08:50 UTC - 09:35 UTC (45m)"},
                                         {"Root Cause", "A config change removed the DB pool limit"},
                                         {"Follow-up", "1 open action item; post-mortem meeting within 48h"}}));
    CHECK(v.footer == std::vector<std::string>{"Post-mortem will be shared within 24h."});
    CHECK(v.buttons == std::vector<button>{{ui::action::advance, "Advance to Recovery", "1"}});
}

TEST_CASE("a P2 resolution without a root cause says it is under investigation and has no post-mortem") {
    auto const inc = given({declared_outage(severity::p2), at(t0 + 1h, "bob", resolved{"Restarted", ""})});
    auto const v = resolution_view(inc, rules(), t0 + 1h);
    CHECK(v.fields[2] == field{"Root Cause", "Under investigation"});
    CHECK(v.fields[3] == field{"Follow-up", "0 open action items"});
}

// The whole report of a finished P0, as the post-mortem reads it: bookkeeping (roles, action-item
// edits) in an appendix, not in the narrative.
TEST_CASE("the report of a finished incident has every section of the procedures' template") {
    auto const report = render_report(given(realistic()), rules(), t0 + 50min);
    CHECK(report == R"(# Incident Report - API down

**Incident**: INC-1
**Date**: 2026-03-02
**Severity**: P0 (Critical)
**Type**: Service Outage
**Duration**: 2026-03-02 08:50 UTC - 2026-03-02 09:35 UTC (45m)
**Lead**: @bob
**Status**: Resolved

## Summary
All requests fail with 503

Resolved by: Rolled back deploy 1234

## Impact
- **As stated**: 30% of users
- **Users Affected**: not recorded (`impact users:<n|%>`)
- **Services Affected**: not recorded (`impact services:<a,b>`)
- **Duration**: 45m
- **Financial Impact**: not recorded (`impact financial:<text>`)

## Participants
- @bob (Incident Commander)
- @alice
- @carol
- @dave

## Key Times
- **2026-03-02 08:50 UTC**: Impact started
- **2026-03-02 09:00 UTC**: Incident detected
- **2026-03-02 09:00 UTC**: On-call notified
- **2026-03-02 09:04 UTC**: Investigation began
- **2026-03-02 09:15 UTC**: Root cause identified
- **2026-03-02 09:20 UTC**: Fix implemented
- **2026-03-02 09:35 UTC**: Verified resolved

## Response Metrics
- **Time to detect**: 10m
- **Time to acknowledge**: 2m
- **Time to mitigate**: 25m
- **Time to resolve**: 35m
- **Updates posted**: 2

## Communication
- **Customer notice**: none (the escalation step that drafts it was not reached)

## Timeline
- **2026-03-02 09:00 UTC** (@alice): Incident declared: P0 Service Outage — API down
- **2026-03-02 09:00 UTC** (@warroom): Escalation: On-call engineer paged
- **2026-03-02 09:00 UTC** (@warroom): Paged @carol (primary on call)
- **2026-03-02 09:02 UTC** (@carol): Acknowledged by @carol
- **2026-03-02 09:04 UTC** (@bob): Phase Detection → Investigation
- **2026-03-02 09:15 UTC** (@bob): Update (Identified): Config change in deploy 1234
- **2026-03-02 09:20 UTC** (@bob): Update (Implementing Fix): Rolling back deploy 1234
- **2026-03-02 09:25 UTC** (@bob): Impact mitigated
- **2026-03-02 09:25 UTC** (@bob): Phase Investigation → Containment
- **2026-03-02 09:35 UTC** (@bob): Phase Containment → Resolution
- **2026-03-02 09:35 UTC** (@bob): Resolved: Rolled back deploy 1234
- **2026-03-02 09:40 UTC** (@carol): Note: went well: on-call acknowledged within 2 minutes
- **2026-03-02 09:41 UTC** (@carol): Note: Improve: the deploy had no canary
- **2026-03-02 09:42 UTC** (@carol): Note: recommend: add a canary stage for config changes
- **2026-03-02 09:43 UTC** (@carol): Note: Recommendation: alert on pool exhaustion

## Root Cause
A config change removed the DB pool limit

## Resolution
Rolled back deploy 1234

## Action Items
- [ ] Add a canary stage - Owner: @carol - Due: 2026-03-10
- [x] Alert on pool exhaustion - Owner: unassigned - Due: none

## Lessons Learned
**What Went Well**:
- on-call acknowledged within 2 minutes

**What Could Be Improved**:
- the deploy had no canary

## Recommendations
1. add a canary stage for config changes
2. alert on pool exhaustion

## Appendix: Bookkeeping
- **2026-03-02 09:03 UTC** (@alice): Incident Commander: @bob
- **2026-03-02 09:44 UTC** (@bob): Action item #1 added: Add a canary stage
- **2026-03-02 09:45 UTC** (@bob): Action item #2 added: Alert on pool exhaustion
- **2026-03-02 09:50 UTC** (@dave): Action item #2 done
)");
}

TEST_CASE("the report of an ongoing incident says ongoing and shows each gap rather than leaving a section out") {
    auto const report = render_report(given({declared_outage(severity::p1)}), rules(), t0 + 90min);
    CHECK(report == R"(# Incident Report - API down

**Incident**: INC-1
**Date**: 2026-03-02
**Severity**: P1 (High)
**Type**: Service Outage
**Duration**: 2026-03-02 08:50 UTC - ongoing (1h 40m so far, as of 2026-03-02 10:30 UTC)
**Lead**: unassigned
**Status**: Investigating

## Summary
All requests fail with 503

## Impact
- **As stated**: All requests fail with 503
- **Users Affected**: not recorded (`impact users:<n|%>`)
- **Services Affected**: not recorded (`impact services:<a,b>`)
- **Duration**: ongoing (1h 40m so far)
- **Financial Impact**: not recorded (`impact financial:<text>`)

## Participants
- @alice

## Key Times
- **2026-03-02 08:50 UTC**: Impact started
- **2026-03-02 09:00 UTC**: Incident detected
- **not recorded**: On-call notified
- **not recorded**: Investigation began
- **not recorded**: Root cause identified
- **not recorded**: Fix implemented
- **not recorded**: Verified resolved

## Response Metrics
- **Time to detect**: 10m
- **Time to acknowledge**: not recorded
- **Time to mitigate**: not recorded
- **Time to resolve**: ongoing
- **Updates posted**: 0

## Communication
- **Customer notice**: none (the escalation step that drafts it was not reached)

## Timeline
- **2026-03-02 09:00 UTC** (@alice): Incident declared: P1 Service Outage — API down

## Root Cause
Not yet determined.

## Resolution
Not resolved.

## Action Items
- none recorded

## Lessons Learned
**What Went Well**:
- to be discussed at the post-mortem

**What Could Be Improved**:
- to be discussed at the post-mortem

## Recommendations
1. to be discussed at the post-mortem
)");
}

TEST_CASE("the report takes the summary and services given at resolve and the impact recorded") {
    auto history = realistic();
    history.push_back(at(t0 + 30min, "bob", impact_recorded{"30%", "api, checkout", "~$12k in refunds"}));
    history[11] = at(t0 + 35min, "bob",
                     resolved{"Rolled back deploy 1234", "A config change removed the DB pool limit",
                              "Checkout failed for 30% of users for 45 minutes after a config deploy.", "api, checkout"});
    auto const report = render_report(given(history), rules(), t0 + 50min);
    check_in_order(report, {"## Summary", "Checkout failed for 30% of users for 45 minutes after a config deploy.",
                            "## Impact", "- **Users Affected**: 30%", "- **Services Affected**: api, checkout",
                            "- **Financial Impact**: ~$12k in refunds"});
}

TEST_CASE("the report's detection time is the one given, and time to detect runs from the impact's start to it") {
    // Impact from 08:30, noticed at 08:50 (detected:-10m), declared at 09:00, acknowledged at 09:02.
    auto const report = render_report(
        given({at(t0, "alice", declared{"API down", "", severity::p1, incident_type::outage, t0 - 30min,
                                        "inc-1-api-down", false, t0 - 10min}),
               at(t0 + 2min, "carol", acknowledged{})}),
        rules(), t0 + 1h);
    check_in_order(report, {"- **2026-03-02 08:30 UTC**: Impact started", "- **2026-03-02 08:50 UTC**: Incident detected",
                            "- **Time to detect**: 20m", "- **Time to acknowledge**: 12m"});
}

TEST_CASE("a private incident's announcement does not reveal its title or war room") {
    for (auto const type : {incident_type::security, incident_type::privacy}) {
        CAPTURE(to_string(type));
        auto const inc = given({declared_outage(severity::p0, type)});
        auto const v = announcement_view(inc, rules(), t0);
        CHECK(v.headline == "🚨 P0 INCIDENT - " + std::string(display_name(type)) + " (INC-1)");
        CHECK(shown(v.fields) == shown(std::vector<field>{{"Status", "Investigating"},
                                             {"Severity", "P0 Critical"},
                                             {"Phase", "Detection"},
                                             {"War room", "private; ask the Incident Commander for access"}}));
        auto const text = render_text(v);
        CHECK(text.find("API down") == std::string::npos);
        CHECK(text.find("All requests fail") == std::string::npos);
        CHECK(text.find("inc-1-api-down") == std::string::npos);
    }
    auto const open = announcement_view(given({declared_outage()}), rules(), t0);
    CHECK(open.headline == "🚨 P0 INCIDENT - API down (INC-1)");
    CHECK(shown(open.fields) == shown(std::vector<field>{{"Status", "Investigating"},
                                            {"Impact", "All requests fail with 503 (since 09:00 UTC)"},
                                            {"Severity", "P0 Critical"},
                                            {"Phase", "Detection"},
                                            {"Incident Lead", "unassigned"},
                                            {"Audience", "All stakeholders + executives"},
                                            {"War room", "#inc-1-api-down"}}));
    CHECK(open.buttons.empty());
}

TEST_CASE("a reopened incident's announcement gives its impact since the reopening, not since the resolution") {
    auto const inc = given({declared_outage(), at(t0 + 1h, "bob", resolved{"Restarted the pool", ""}),
                            at(t0 + 3h, "bob", reopened{"errors are back"})});
    auto const v = announcement_view(inc, rules(), t0 + 3h);
    auto const impact = std::find_if(v.fields.begin(), v.fields.end(), [](field const& f) { return f.label == "Impact"; });
    REQUIRE(impact != v.fields.end());
    CHECK(impact->value == "All requests fail with 503 (since 12:00 UTC)");
}

TEST_CASE("war-room names are lowercase ASCII slugs: accents transliterated, at most 40 characters of slug") {
    struct row {
        std::string title;
        std::string want;
    };
    std::vector<row> const rows = {
        {"Database down!", "inc-42-database-down"},
        {"API  --  5xx__errors", "inc-42-api-5xx-errors"},
        {"", "inc-42"},
        {"   ", "inc-42"},
        {"---", "inc-42"},
        {"日本語 outage", "inc-42-outage"},
        {"Café down", "inc-42-cafe-down"},
        {"Zahlung für Kunden", "inc-42-zahlung-fur-kunden"},
        {"Ünïcödé fails", "inc-42-unicode-fails"},
        {"Łódź Straße Œuvre", "inc-42-lodz-strasse-oeuvre"},
        // A broken UTF-8 sequence is a separator, never a crash.
        {"bad\xC3 byte", "inc-42-bad-byte"},
        {std::string(200, 'a'), "inc-42-" + std::string(40, 'a')},
        // A long title is cut at a word boundary near 40 characters.
        {"Checkout payments failing for all European customers since deploy", "inc-42-checkout-payments-failing-for-all"},
        {std::string(38, 'a') + " bcdef", "inc-42-" + std::string(38, 'a')},
    };
    for (auto const& r : rows) {
        CAPTURE(r.title);
        auto const name = war_room_name("inc", 42, r.title);
        CHECK(name == r.want);
        CHECK(name.size() <= std::string_view{"inc-42-"}.size() + 40);
        for (unsigned char c : name) CHECK((std::islower(c) || std::isdigit(c) || c == '-'));
    }
    CHECK(war_room_name("sev", 7, "Login broken") == "sev-7-login-broken");
}

TEST_CASE("a private war room is named by the configured template, slugged, and never by its title") {
    auto p = rules();
    p.private_room_name = "sec-{number}";
    CHECK(war_room_name(p, 7, "Payroll leak", incident_type::security) == "sec-7");
    CHECK(war_room_name(p, 7, "Payroll leak", incident_type::outage) == "inc-7-payroll-leak");
    auto const declared_private = decide_declare(7, {severity::p0, incident_type::privacy, "Payroll leak", "", std::nullopt},
                                                 "alice", t0, p);
    REQUIRE(std::holds_alternative<std::vector<event>>(declared_private));
    CHECK(std::get<declared>(std::get<std::vector<event>>(declared_private).front().what).channel == "sec-7");
    // A public incident turned private moves to a room of the template's name.
    auto const moved = decide(given({declared_outage()}), change_type{incident_type::security}, "alice", t0 + 1min, p);
    REQUIRE(std::holds_alternative<std::vector<event>>(moved));
    CHECK(std::get<std::vector<event>>(moved).at(1).what == payload{room_moved{"inc-1-api-down", "sec-1"}});
    p.private_room_name = "{prefix}_{type} {number}!";
    CHECK(war_room_name(p, 7, "Payroll leak", incident_type::data_loss) == "inc-7-payroll-leak");
    CHECK(war_room_name(p, 7, "Payroll leak", incident_type::privacy) == "inc-privacy-7");
}

TEST_CASE("the topic shows severity and status and IC") {
    auto inc = given({declared_outage()});
    CHECK(topic(inc) == "P0 · Investigating · IC unassigned");
    inc = apply(inc, at(t0 + 1min, "alice", role_assigned{role::incident_commander, "bob", std::nullopt}));
    CHECK(topic(inc) == "P0 · Investigating · IC @bob");
}

namespace {

// Four items, each a different case: open and due on March 10, done though due then, open and due
// later, open with no date.
std::vector<event> with_actions() {
    return {declared_outage(severity::p1),
            at(t0 + 1h, "bob", action_added{1, "Add a canary", user_id{"carol"}, march_10}),
            at(t0 + 1h, "bob", action_added{2, "Fix the alert", user_id{"dave"}, march_10}),
            at(t0 + 1h, "bob", action_added{3, "Write the docs", std::nullopt, march_10 + std::chrono::days{5}}),
            at(t0 + 1h, "bob", action_added{4, "Tidy the dashboards", std::nullopt, std::nullopt}),
            at(t0 + 2h, "dave", action_completed{2})};
}

struct new_york_winter : time_zone {
    std::string name() const override { return "America/New_York"; }
    seconds offset(timestamp) const override { return -5h; }
    std::string abbreviation(timestamp) const override { return "EST"; }
};

}  // namespace

TEST_CASE("an open action item past its due date shows overdue in the actions view, and a done or not-yet-due one does not") {
    auto const inc = given(with_actions());
    // All day on the due date it is not yet late.
    CHECK(actions_view(inc, rules(), march_10 + 23h + 59min).sections ==
          std::vector<section>{{"",
                                {"[ ] #1 Add a canary - Owner: @carol - Due: 2026-03-10",
                                 "[x] #2 Fix the alert - Owner: @dave - Due: 2026-03-10",
                                 "[ ] #3 Write the docs - Owner: unassigned - Due: 2026-03-15",
                                 "[ ] #4 Tidy the dashboards - Owner: unassigned - Due: none"}}});
    CHECK(actions_view(inc, rules(), march_10 + 24h).sections ==
          std::vector<section>{{"",
                                {"[ ] #1 Add a canary - Owner: @carol - Due: 2026-03-10 (overdue)",
                                 "[x] #2 Fix the alert - Owner: @dave - Due: 2026-03-10",
                                 "[ ] #3 Write the docs - Owner: unassigned - Due: 2026-03-15",
                                 "[ ] #4 Tidy the dashboards - Owner: unassigned - Due: none"}}});
}

TEST_CASE("an open action item past its due date shows overdue in the report, and a done or not-yet-due one does not") {
    auto const inc = given(with_actions());
    check_in_order(render_report(inc, rules(), march_10 + 23h + 59min),
                   {"## Action Items", "- [ ] Add a canary - Owner: @carol - Due: 2026-03-10",
                    "- [x] Fix the alert - Owner: @dave - Due: 2026-03-10",
                    "- [ ] Write the docs - Owner: unassigned - Due: 2026-03-15",
                    "- [ ] Tidy the dashboards - Owner: unassigned - Due: none", "## Lessons Learned"});
    check_in_order(render_report(inc, rules(), march_10 + 24h), {"## Action Items", "- [ ] Add a canary - Owner: @carol - Due: 2026-03-10 (overdue)",
                          "- [x] Fix the alert - Owner: @dave - Due: 2026-03-10",
                          "- [ ] Write the docs - Owner: unassigned - Due: 2026-03-15",
                          "- [ ] Tidy the dashboards - Owner: unassigned - Due: none", "## Lessons Learned"});
}

TEST_CASE("an action item becomes overdue when the policy zone's day is past its due date, not UTC's") {
    static new_york_winter const ny;
    auto p = rules();
    p.zone = &ny;
    auto const inc = given(with_actions());
    // 04:59 UTC on March 11 is still March 10 in New York; 05:00 UTC is March 11 there.
    auto const line = [&](timestamp now) { return actions_view(inc, p, now).sections.at(0).lines.at(0); };
    CHECK(line(march_10 + 28h + 59min) == "[ ] #1 Add a canary - Owner: @carol - Due: 2026-03-10");
    CHECK(line(march_10 + 29h) == "[ ] #1 Add a canary - Owner: @carol - Due: 2026-03-10 (overdue)");
    CHECK(render_report(inc, p, march_10 + 28h + 59min).find("(overdue)") == std::string::npos);
    CHECK(render_report(inc, p, march_10 + 29h).find("- [ ] Add a canary - Owner: @carol - Due: 2026-03-10 (overdue)\n") !=
          std::string::npos);
}

namespace {

// A P0 privacy incident declared at t0; its 72-hour regulator deadline is 2026-03-05 09:00 UTC.
std::vector<event> privacy_breach() {
    return {at(t0, "alice", declared{"Payroll export leaked", "Salaries of 40 staff on a public bucket", severity::p0,
                                     incident_type::privacy, t0, "inc-1-privacy"})};
}

event notice_drafted(timestamp when) {
    return at(when, bot_user, escalated{"customer-communication", "Customer communication required", false, ""});
}

std::string communication(std::string const& report) {
    auto const from = report.find("## Communication\n");
    auto const to = report.find("\n## Timeline");
    REQUIRE(from != std::string::npos);
    REQUIRE(to != std::string::npos);
    return report.substr(from, to - from);
}

}  // namespace

TEST_CASE("a privacy incident's report says whether the regulator was notified within the 72-hour deadline") {
    struct row {
        std::string what;
        std::optional<timestamp> notified;
        timestamp now;
        std::string want;
    };
    std::vector<row> const rows = {
        {"notified in time", t0 + 48h, t0 + 50h,
         "- **Regulator notification**: recorded at 2026-03-04 09:00 UTC (48h after declaration, within the 72h "
         "deadline)"},
        {"notified at the deadline itself", t0 + 72h, t0 + 73h,
         "- **Regulator notification**: recorded at 2026-03-05 09:00 UTC (72h after declaration, within the 72h "
         "deadline)"},
        {"notified late", t0 + 80h, t0 + 81h,
         "- **Regulator notification**: recorded at 2026-03-05 17:00 UTC (80h after declaration, after the 72h "
         "deadline)"},
        {"not yet notified, deadline ahead", std::nullopt, t0 + 10h,
         "- **Regulator notification**: not recorded; the deadline is 2026-03-05 09:00 UTC"},
        {"never notified, deadline passed", std::nullopt, t0 + 73h,
         "- **Regulator notification**: not recorded; the deadline was 2026-03-05 09:00 UTC"},
    };
    for (auto const& r : rows) {
        CAPTURE(r.what);
        auto h = privacy_breach();
        if (r.notified) h.push_back(at(*r.notified, "bob", regulator_notified{}));
        check_in_order(render_report(given(h), rules(), r.now), {"## Communication", r.want, "## Timeline"});
    }
}

TEST_CASE("a privacy incident's report says whether the customer notice was approved, and by whom") {
    auto h = privacy_breach();
    CHECK(communication(render_report(given(h), rules(), t0 + 30min)) ==
          "## Communication\n"
          "- **Customer notice**: none (the escalation step that drafts it was not reached)\n"
          "- **Regulator notification**: not recorded; the deadline is 2026-03-05 09:00 UTC\n");
    h.push_back(notice_drafted(t0 + 1h));
    CHECK(communication(render_report(given(h), rules(), t0 + 2h)) ==
          "## Communication\n"
          "- **Customer notice**: drafted, never approved\n"
          "- **Regulator notification**: not recorded; the deadline is 2026-03-05 09:00 UTC\n");
    h.push_back(at(t0 + 90min, "erin", customer_notice_approved{}));
    h.push_back(at(t0 + 20h, "bob", regulator_notified{}));
    CHECK(communication(render_report(given(h), rules(), t0 + 21h)) ==
          "## Communication\n"
          "- **Customer notice**: approved by @erin at 2026-03-02 10:30 UTC\n"
          "- **Regulator notification**: recorded at 2026-03-03 05:00 UTC (20h after declaration, within the 72h "
          "deadline)\n");
}

TEST_CASE("the report counts a customer notice drafted before the severity was lowered") {
    auto h = privacy_breach();
    h.push_back(notice_drafted(t0 + 1h));
    h.push_back(at(t0 + 2h, "alice", severity_changed{severity::p0, severity::p3}));
    check_in_order(render_report(given(h), rules(), t0 + 3h), {"- **Customer notice**: drafted, never approved"});
}

TEST_CASE("an incident found to be a privacy incident reports the regulator deadline from the type change") {
    // Declared an outage at t0, known to be a breach a day later: the clock runs from 2026-03-03 09:00.
    std::vector<event> h{declared_outage(), at(t0 + 24h, "bob", type_changed{incident_type::outage, incident_type::privacy})};
    check_in_order(render_report(given(h), rules(), t0 + 90h),
                   {"- **Regulator notification**: not recorded; the deadline is 2026-03-06 09:00 UTC"});
    h.push_back(at(t0 + 90h, "bob", regulator_notified{}));
    check_in_order(render_report(given(h), rules(), t0 + 91h),
                   {"- **Regulator notification**: recorded at 2026-03-06 03:00 UTC (66h after the clock started at "
                    "2026-03-03 09:00 UTC, within the 72h deadline)"});
}

TEST_CASE("only an incident that runs the regulator clock reports on the regulator") {
    for (auto const type : all_types) {
        CAPTURE(to_string(type));
        auto const report = render_report(given({declared_outage(severity::p0, type)}), rules(), t0 + 1h);
        CHECK((report.find("Regulator notification") != std::string::npos) == (type == incident_type::privacy));
    }
    // Data loss runs the clock too when personal data is involved.
    auto const pii = given({at(t0, "alice", declared{"Customer table wiped", "", severity::p0, incident_type::data_loss, t0,
                                                     "inc-1-customer-table-wiped", true})});
    check_in_order(render_report(pii, rules(), t0 + 1h),
                   {"- **Regulator notification**: not recorded; the deadline is 2026-03-05 09:00 UTC"});
}

namespace {

// Words only the war room may read: any of them in the customer notice is a leak.
std::string const secret_title = "Nightjar ledger outage";
std::string const secret_impact = "Ledger shard 7 of ACME-Bank lost 1,204 writes";
std::string const secret_progress = "Rolling back deploy 4711 on db-7";
std::string const secret_description = "Sentry flood from ledger-writer";

event declared_secret() {
    return at(t0, "alice",
              declared{secret_title, secret_description, severity::p0, incident_type::outage, t0 - 10min, "inc-1-nightjar"});
}

void check_no_secret(std::string const& text) {
    for (auto const& secret : {secret_title, secret_impact, secret_progress, secret_description}) {
        CAPTURE(secret);
        CHECK(text.find(secret) == std::string::npos);
    }
}

}  // namespace

TEST_CASE("the customer notice says in customers' words where each status is, and nothing of the impact or title") {
    struct row {
        std::optional<status> st;  // none: resolved
        std::string want;
    };
    auto const next = " It began at 2026-03-02 08:50 UTC. Next update by 2026-03-02 09:50 UTC.";
    std::vector<row> const rows = {
        {status::investigating, "We are investigating an issue affecting checkout." + std::string(next)},
        {status::identified,
         "We have identified the cause of an issue affecting checkout and are working on a fix." + std::string(next)},
        {status::implementing_fix, "A fix for an issue affecting checkout is being rolled out." + std::string(next)},
        {status::monitoring,
         "A fix for an issue affecting checkout has been applied; we are monitoring the results." + std::string(next)},
        // Resolved: no next update is promised.
        {std::nullopt, "The issue affecting checkout has been resolved. It began at 2026-03-02 08:50 UTC."},
    };
    for (auto const& r : rows) {
        CAPTURE(r.want);
        std::vector<event> h{declared_secret(), at(t0 + 5min, "bob", impact_recorded{"", "checkout", ""})};
        if (r.st) {
            h.push_back(at(t0 + 20min, "bob", update_posted{*r.st, secret_progress, secret_impact}));
        } else {
            h.push_back(at(t0 + 20min, "bob", update_posted{status::monitoring, secret_progress, secret_impact}));
            h.push_back(at(t0 + 30min, "bob", resolved{secret_progress, secret_impact}));
        }
        auto const inc = given(h);
        auto const text = customer_notice_text(inc, rules(), t0 + 40min);
        CHECK(text == r.want);
        check_no_secret(text);
        // What leaves the war room when approved: the notice with a headline naming only the reference.
        auto const approved = apply(inc, at(t0 + 40min, "erin", customer_notice_approved{}));
        check_no_secret(render_text(approved_notice_view(approved, rules(), t0 + 40min)));
    }
}

TEST_CASE("a customer notice with no services recorded speaks of some of our services") {
    auto const inc = given({declared_secret()});
    auto const text = customer_notice_text(inc, rules(), t0);
    CHECK(text ==
          "We are investigating an issue affecting some of our services. It began at 2026-03-02 08:50 UTC. "
          "Next update by 2026-03-02 09:30 UTC.");
    check_no_secret(text);
}

TEST_CASE("a team's configured runbook URL is linked as the Team runbook above the built-in steps") {
    auto p = rules();
    p.of(incident_type::integration).runbook_url = "https://wiki.example.org/runbooks/integrations";
    auto const integration = given({declared_outage(severity::p1, incident_type::integration)});
    auto const v = runbook_view(integration, p);
    CHECK(v.headline == "📘 Runbook — Incident: Integration Failure");
    CHECK(v.fields == std::vector<field>{{"Team runbook", "https://wiki.example.org/runbooks/integrations"}});
    REQUIRE(v.sections.size() == 1);
    CHECK(v.sections[0].heading == "Response");
    CHECK(v.sections[0].numbered);
    CHECK(v.sections[0].lines == p.of(incident_type::integration).book.steps);
    CHECK(render_text(v).find("**Team runbook**: https://wiki.example.org/runbooks/integrations\n") != std::string::npos);
    // Another type, or the defaults, have no team runbook to link.
    CHECK(runbook_view(given({declared_outage()}), p).fields.empty());
    CHECK(runbook_view(integration, rules()).fields.empty());
}
