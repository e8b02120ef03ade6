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
    auto const v = declaration_view(inc, rules());
    CHECK(v.kind == "declaration");
    CHECK(v.headline == "🚨 P0 INCIDENT - API down (INC-1)");
    CHECK(v.fields == std::vector<field>{{"Impact", "All requests fail with 503"},
                                         {"Started", "2026-03-02 08:50 UTC"},
                                         {"Incident Lead", "@bob"},
                                         {"Status", "Investigating"},
                                         {"Type", "Service Outage"},
                                         {"Respond within", "Immediate (within 5 minutes)"}});
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
    auto const v = declaration_view(inc, rules());
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
    auto const v = update_view(inc, rules());
    CHECK(v.headline == "📊 UPDATE - API down (INC-1)");
    CHECK(v.fields == std::vector<field>{{"Status", "Identified"}, {"Impact", "30% of users"}});
    CHECK(v.sections == std::vector<section>{{"Progress", {"Found the bad config", "Rolling back"}}});
    CHECK(v.footer == std::vector<std::string>{"**Next Update**: 09:50 UTC (every 30m)"});
    CHECK(render_text(v) ==
          "📊 UPDATE - API down (INC-1)\n\n**Status**: Identified\n**Impact**: 30% of users\n\n**Progress**:\n"
          "- Found the bad config\n- Rolling back\n\n**Next Update**: 09:50 UTC (every 30m)\n");
}

TEST_CASE("the resolution has the resolution template's Resolution and Duration and Root Cause and Follow-up") {
    auto const v = resolution_view(given(realistic()), rules());
    CHECK(v.headline == "✅ RESOLVED - API down (INC-1)");
    CHECK(v.fields == std::vector<field>{{"Resolution", "Rolled back deploy 1234"},
                                         {"Duration", "2026-03-02 08:50 UTC - 2026-03-02 09:35 UTC (45m)"},
                                         {"Root Cause", "A config change removed the DB pool limit"},
                                         {"Follow-up", "1 open action item; post-mortem meeting within 48h"}});
    CHECK(v.footer == std::vector<std::string>{"Post-mortem will be shared within 24h."});
    CHECK(v.buttons == std::vector<button>{{ui::action::advance, "Advance to Recovery", "1"}});
}

TEST_CASE("a P2 resolution without a root cause says it is under investigation and has no post-mortem") {
    auto const inc = given({declared_outage(severity::p2), at(t0 + 1h, "bob", resolved{"Restarted", ""})});
    auto const v = resolution_view(inc, rules());
    CHECK(v.fields[2] == field{"Root Cause", "Under investigation"});
    CHECK(v.fields[3] == field{"Follow-up", "0 open action items"});
}

TEST_CASE("the report has every section of the procedures' template filled from the history") {
    auto const report = render_report(given(realistic()), rules());
    check_in_order(report,
                   {
                       "# Incident Report - API down",
                       "**Incident**: INC-1",
                       "**Date**: 2026-03-02",
                       "**Severity**: P0 (Critical)",
                       "**Type**: Service Outage",
                       "**Duration**: 2026-03-02 08:50 UTC - 2026-03-02 09:35 UTC",
                       "**Lead**: @bob",
                       "**Status**: Resolved",
                       "## Summary",
                       "All requests fail with 503",
                       "Resolved by: Rolled back deploy 1234",
                       "## Impact",
                       "- **Users Affected**: 30% of users",
                       "- **Services Affected**: API down",
                       "- **Duration**: 45m",
                       "- **Financial Impact**: not recorded",
                       "## Key Times",
                       "- **2026-03-02 08:50 UTC**: Impact started",
                       "- **2026-03-02 09:00 UTC**: Incident detected",
                       "- **2026-03-02 09:00 UTC**: On-call notified",
                       "- **2026-03-02 09:04 UTC**: Investigation began",
                       "- **2026-03-02 09:15 UTC**: Root cause identified",
                       "- **2026-03-02 09:20 UTC**: Fix implemented",
                       "- **2026-03-02 09:35 UTC**: Verified resolved",
                       "## Response Metrics",
                       "- **Time to detect**: 10m",
                       "- **Time to acknowledge**: 2m",
                       "- **Time to mitigate**: 25m",
                       "- **Time to resolve**: 35m",
                       "- **Updates posted**: 2",
                       "## Timeline",
                       "- **2026-03-02 09:00 UTC** (@alice): Incident declared: P0 Service Outage — API down",
                       "- **2026-03-02 09:00 UTC** (@warroom): Escalation: On-call engineer paged",
                       "- **2026-03-02 09:02 UTC** (@carol): Acknowledged by @carol",
                       "- **2026-03-02 09:03 UTC** (@alice): Incident Commander: @bob",
                       "- **2026-03-02 09:04 UTC** (@bob): Phase Detection → Investigation",
                       "- **2026-03-02 09:15 UTC** (@bob): Update (Identified): Config change in deploy 1234",
                       "- **2026-03-02 09:20 UTC** (@bob): Update (Implementing Fix): Rolling back deploy 1234",
                       "- **2026-03-02 09:25 UTC** (@bob): Impact mitigated",
                       "- **2026-03-02 09:25 UTC** (@bob): Phase Investigation → Containment",
                       "- **2026-03-02 09:35 UTC** (@bob): Phase Containment → Resolution",
                       "- **2026-03-02 09:35 UTC** (@bob): Resolved: Rolled back deploy 1234",
                       "- **2026-03-02 09:40 UTC** (@carol): Note: went well: on-call acknowledged within 2 minutes",
                       "- **2026-03-02 09:44 UTC** (@bob): Action item #1 added: Add a canary stage",
                       "- **2026-03-02 09:50 UTC** (@dave): Action item #2 done",
                       "## Root Cause",
                       "A config change removed the DB pool limit",
                       "## Resolution",
                       "Rolled back deploy 1234",
                       "## Action Items",
                       "- [ ] Add a canary stage - Owner: @carol - Due: 2026-03-10",
                       "- [x] Alert on pool exhaustion - Owner: unassigned - Due: none",
                       "## Lessons Learned",
                       "**What Went Well**:",
                       "- on-call acknowledged within 2 minutes",
                       "**What Could Be Improved**:",
                       "- the deploy had no canary",
                       "## Recommendations",
                       "1. add a canary stage for config changes",
                       "2. alert on pool exhaustion",
                   });
    // One timeline line per event.
    auto const all_lines = lines(report);
    auto const timeline_lines = std::count_if(all_lines.begin(), all_lines.end(), [](std::string const& l) {
        return l.rfind("- **2026-03-02 ", 0) == 0 && l.find("(@") != std::string::npos;
    });
    CHECK(timeline_lines == static_cast<long>(realistic().size()));
}

TEST_CASE("an unresolved incident's report shows each gap rather than leaving a section out") {
    auto const report = render_report(given({declared_outage(severity::p1)}), rules());
    check_in_order(report, {"**Lead**: unassigned",
                            "**Status**: Investigating",
                            "## Summary",
                            "## Impact",
                            "- **Users Affected**: not recorded",
                            "- **not recorded**: On-call notified",
                            "- **Time to acknowledge**: not recorded",
                            "## Timeline",
                            "## Root Cause",
                            "Not yet determined.",
                            "## Resolution",
                            "Not resolved.",
                            "## Action Items",
                            "- none recorded",
                            "## Lessons Learned",
                            "**What Went Well**:",
                            "- to be discussed at the post-mortem",
                            "**What Could Be Improved**:",
                            "- to be discussed at the post-mortem",
                            "## Recommendations",
                            "1. to be discussed at the post-mortem"});
}

TEST_CASE("a private incident's announcement does not reveal its title or war room") {
    for (auto const type : {incident_type::security, incident_type::privacy}) {
        CAPTURE(to_string(type));
        auto const inc = given({declared_outage(severity::p0, type)});
        auto const v = announcement_view(inc, rules());
        CHECK(v.headline == "🚨 P0 INCIDENT - " + std::string(display_name(type)) + " under investigation (INC-1)");
        CHECK(v.fields == std::vector<field>{{"Status", "Investigating"},
                                             {"Severity", "P0 Critical"},
                                             {"Audience", "All stakeholders + executives"},
                                             {"War room", "private; ask the Incident Commander for access"}});
        auto const text = render_text(v);
        CHECK(text.find("API down") == std::string::npos);
        CHECK(text.find("All requests fail") == std::string::npos);
        CHECK(text.find("inc-1-api-down") == std::string::npos);
    }
    auto const open = announcement_view(given({declared_outage()}), rules());
    CHECK(open.headline == "🚨 P0 INCIDENT - API down (INC-1)");
    CHECK(open.fields == std::vector<field>{{"Status", "Investigating"},
                                            {"Impact", "All requests fail with 503"},
                                            {"Severity", "P0 Critical"},
                                            {"Audience", "All stakeholders + executives"},
                                            {"War room", "#inc-1-api-down"},
                                            {"Phase", "Detection"}});
}

TEST_CASE("war-room names are lowercase ASCII slugs of at most 80 characters") {
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
        {"Café down", "inc-42-caf-down"},
        // Letters outside ASCII are dropped, not turned into separators.
        {"Ünïcödé fails", "inc-42-ncd-fails"},
        {std::string(200, 'a'), "inc-42-" + std::string(73, 'a')},
        // Cut at 80 inside a separator: the trailing hyphen goes too.
        {std::string(72, 'a') + " b", "inc-42-" + std::string(72, 'a')},
    };
    for (auto const& r : rows) {
        CAPTURE(r.title);
        auto const name = war_room_name("inc", 42, r.title);
        CHECK(name == r.want);
        CHECK(name.size() <= 80);
        for (unsigned char c : name) CHECK((std::islower(c) || std::isdigit(c) || c == '-'));
    }
    CHECK(war_room_name("sev", 7, "Login broken") == "sev-7-login-broken");
}

TEST_CASE("the topic shows severity and status and IC") {
    auto inc = given({declared_outage()});
    CHECK(topic(inc) == "P0 · Investigating · IC unassigned");
    inc = apply(inc, at(t0 + 1min, "alice", role_assigned{role::incident_commander, "bob", std::nullopt}));
    CHECK(topic(inc) == "P0 · Investigating · IC @bob");
}
