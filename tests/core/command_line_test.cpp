// The `/incident` grammar: every verb of the spec's Slack surface, in and out of a war room, its
// options, Slack's smart quotes and mentions, and bad input with the exact reason and usage verb.
#include <doctest/doctest.h>

#include "core/command_line.hpp"
#include "tests/core/support.hpp"

namespace {

using namespace warroom::core;
using namespace warroom::core::test;

timestamp const december_1 = timestamp{std::chrono::sys_days{std::chrono::year{2026} / 12 / 1}};

struct row {
    std::string text;
    bool in_room;
    parse_result want;
};

request cmd(std::string verb, command c, std::optional<int> n = std::nullopt) {
    return {std::move(verb), n, std::move(c), false};
}
request ask(std::string verb, query::kind k, std::string arg = {}, std::optional<int> n = std::nullopt) {
    return {std::move(verb), n, query{k, std::move(arg)}, false};
}
request decl(declare d) { return {"declare", std::nullopt, std::move(d), false}; }
usage_error bad(std::string reason, std::string verb) { return {std::move(reason), std::move(verb)}; }

std::string show(parse_result const& r) {
    if (auto const* e = std::get_if<usage_error>(&r)) return "usage_error{" + e->reason + " | " + e->verb + "}";
    auto const& q = std::get<request>(r);
    std::string out =
        "request{" + q.verb + " #" + (q.incident ? std::to_string(*q.incident) : "-") + (q.modal ? " modal" : "") + " ";
    if (auto const* d = std::get_if<declare>(&q.what)) {
        out += "declare " + std::string(to_string(d->sev)) + " " + std::string(to_string(d->type)) + " [" + d->title +
               "] [" + d->description + "] " + (d->started_at ? format_time(*d->started_at) : "-") + " detected " +
               (d->detected_at ? format_time(*d->detected_at) : "-");
    } else if (auto const* c = std::get_if<command>(&q.what)) {
        out += std::string(command_name(*c));
    } else {
        auto const& k = std::get<query>(q.what);
        out += "query " + std::to_string(static_cast<int>(k.what)) + " [" + k.arg + "]";
    }
    return out + "}";
}

std::vector<row> const verbs_in_room = {
    {"declare P0 type:security started:-20m impact:\"x y\" title", true,
     decl({severity::p0, incident_type::security, "title", "x y", t0 - 20min})},
    {"declare", true, request{"declare", std::nullopt, declare{}, true}},
    {"declare API down", true, decl({severity::p2, incident_type::outage, "API down", "", std::nullopt})},
    {"DECLARE sev1 type:perf started:2026-03-02T08:30Z Slow checkout", true,
     decl({severity::p1, incident_type::performance, "Slow checkout", "", t0 - 30min})},
    {"declare P1 impact:\xE2\x80\x9C"
     "EU users\xE2\x80\x9D Login broken",
     true, decl({severity::p1, incident_type::outage, "Login broken", "EU users", std::nullopt})},
    {"declare started:\"20m ago\" P3 type:privacy Typo in   the footer ", true,
     decl({severity::p3, incident_type::privacy, "Typo in   the footer", "", t0 - 20min})},
    // Noticed before it was declared: MTTD counts to the detection, not to the declaration.
    {"declare P1 detected:-10m started:-30m Checkout errors", true,
     decl({severity::p1, incident_type::outage, "Checkout errors", "", t0 - 30min, false, t0 - 10min})},
    {"declare detected:2026-03-02T08:55Z started:\"20m ago\" API down", true,
     decl({severity::p2, incident_type::outage, "API down", "", t0 - 20min, false, t0 - 5min})},
    {"declare severity:p0 Payments down", true,
     decl({severity::p0, incident_type::outage, "Payments down", "", std::nullopt})},
    {"update status:identified impact:\"30% of users\" Found the bad config", true,
     cmd("update", post_update{status::identified, "Found the bad config", "30% of users"})},
    {"update", true, request{"update", std::nullopt, command{post_update{}}, true}},
    {"update Still looking", true, cmd("update", post_update{std::nullopt, "Still looking", ""})},
    {"update 42 text", true, cmd("update", post_update{std::nullopt, "42 text", ""})},
    {"update #7 text", true, cmd("update", post_update{std::nullopt, "text", ""}, 7)},
    {"update status:implementing Rolling back", true,
     cmd("update", post_update{status::implementing_fix, "Rolling back", ""})},
    {"status", true, ask("status", query::kind::status)},
    {"status INC-42", true, ask("status", query::kind::status, {}, 42)},
    {"status 42", true, ask("status", query::kind::status, {}, 42)},
    {"update status:monitoring", true,
     request{"update", std::nullopt, command{post_update{status::monitoring, "", ""}}, true}},
    // Resolving goes through `resolve`: no form for it, decide refuses with that advice.
    {"update status:resolved", true, cmd("update", post_update{status::resolved, "", ""})},
    {"severity P0", true, cmd("severity", change_severity{severity::p0})},
    {"sev p1", true, cmd("severity", change_severity{severity::p1})},
    {"phase post-incident", true, cmd("phase", move_phase{phase::post_incident})},
    {"phase Containment", true, cmd("phase", move_phase{phase::containment})},
    {"advance", true, cmd("advance", advance{})},
    {"assign ic @bob", true, cmd("assign", assign_role{role::incident_commander, "bob"})},
    {"assign comms <@U123|bob>", true, cmd("assign", assign_role{role::communications_lead, "U123"})},
    {"assign sme <@U456>", true, cmd("assign", assign_role{role::subject_matter_expert, "U456"})},
    {"role", true, ask("role", query::kind::roles)},
    {"roles", true, ask("role", query::kind::roles)},
    {"note went well: quick ack", true, cmd("note", add_note{"went well: quick ack"})},
    {"action Add a canary stage @bob due:2026-12-01", true,
     cmd("action", add_action{"Add a canary stage", user_id{"bob"}, december_1})},
    {"action Rotate keys due:2026-12-01 <@U123|bob>", true,
     cmd("action", add_action{"Rotate keys", user_id{"U123"}, december_1})},
    {"action Write the runbook", true, cmd("action", add_action{"Write the runbook", std::nullopt, std::nullopt})},
    {"actions", true, ask("actions", query::kind::actions)},
    {"done 2", true, cmd("done", complete_action{2})},
    {"done #7 2", true, cmd("done", complete_action{2}, 7)},
    {"escalate DB team unreachable", true, cmd("escalate", escalate{"DB team unreachable"})},
    {"escalate", true, cmd("escalate", escalate{""})},
    {"resolve Rolled back deploy 1234 root cause: bad config", true,
     cmd("resolve", resolve{"Rolled back deploy 1234", "bad config"})},
    {"resolve text root cause: why", true, cmd("resolve", resolve{"text", "why"})},
    {"resolve Restarted the pool cause: leak", true, cmd("resolve", resolve{"Restarted the pool", "leak"})},
    {"resolve Rolled back", true, cmd("resolve", resolve{"Rolled back", ""})},
    {"resolve Rolled back because: bad deploy", true, cmd("resolve", resolve{"Rolled back because: bad deploy", ""})},
    {"declare pii:yes type:data-loss P1 Orders table truncated", true,
     decl({severity::p1, incident_type::data_loss, "Orders table truncated", "", std::nullopt, true})},
    {"resolve", true, request{"resolve", std::nullopt, command{resolve{}}, true}},
    {"reopen errors are back", true, cmd("reopen", reopen{"errors are back"})},
    {"report", true, cmd("report", generate_report{})},
    {"close", true, cmd("close", close{""})},
    {"close duplicate of INC-7", true, cmd("close", close{"duplicate of INC-7"})},
    {"ack", true, cmd("ack", acknowledge{})},
    {"acknowledge", true, cmd("ack", acknowledge{})},
    {"check 2", true, cmd("check", mark_checklist{std::nullopt, 1, true})},
    {"uncheck 3 investigation", true, cmd("check", mark_checklist{phase::investigation, 2, false})},
    {"list", true, ask("list", query::kind::list, "open")},
    {"list all", true, ask("list", query::kind::list, "all")},
    {"stats", true, ask("stats", query::kind::stats, "30d")},
    {"stats 7d", true, ask("stats", query::kind::stats, "7d")},
    {"help", true, ask("help", query::kind::help, "")},
    {"help Update", true, ask("help", query::kind::help, "update")},
};

std::vector<row> const verbs_outside = {
    {"status 42", false, ask("status", query::kind::status, {}, 42)},
    {"status #42", false, ask("status", query::kind::status, {}, 42)},
    {"status INC-42", false, ask("status", query::kind::status, {}, 42)},
    {"status inc-42", false, ask("status", query::kind::status, {}, 42)},
    {"update 42 text", false, cmd("update", post_update{std::nullopt, "text", ""}, 42)},
    {"update #42 status:monitoring Watching", false,
     cmd("update", post_update{status::monitoring, "Watching", ""}, 42)},
    {"severity 42 P1", false, cmd("severity", change_severity{severity::p1}, 42)},
    {"advance INC-42", false, cmd("advance", advance{}, 42)},
    {"done 42 3", false, cmd("done", complete_action{3}, 42)},
    {"done #42 3", false, cmd("done", complete_action{3}, 42)},
    {"resolve 42 Rolled back", false, cmd("resolve", resolve{"Rolled back", ""}, 42)},
    {"update 42", false, request{"update", 42, command{post_update{}}, true}},
    {"declare P0 API down", false, decl({severity::p0, incident_type::outage, "API down", "", std::nullopt})},
    {"list all", false, ask("list", query::kind::list, "all")},
    {"stats 90d", false, ask("stats", query::kind::stats, "90d")},
    {"help", false, ask("help", query::kind::help, "")},
};

std::vector<row> const bad_input = {
    {"", true, bad("no command given", "")},
    {"   ", false, bad("no command given", "")},
    {"frobnicate now", true,
     bad("unknown command 'frobnicate' (declare, update, publish, status, severity, type, phase, advance, assign, role, note, "
         "action, actions, done, escalate, resolve, reopen, report, close, decline, impact, ack, check, maintenance, list, stats, "
         "oncall, help)",
         "help")},
    {"declare P0", true, bad("an incident needs a title: what is broken", "declare")},
    {"declare P7 title", true, bad("unknown severity 'P7' (P0, P1, P2, P3)", "declare")},
    {"declare sev:P9 title", true, bad("unknown severity 'P9' (P0, P1, P2, P3)", "declare")},
    {"declare type:alien title", true, bad("unknown incident type 'alien' (outage, performance, data-loss, security, integration, privacy)", "declare")},
    {"declare started:yesterday title", true, bad("cannot read the start time 'yesterday'", "declare")},
    {"declare detected:soon title", true, bad("cannot read the detection time 'soon'", "declare")},
    {"update status:fixed it works", true,
     bad("unknown status 'fixed' (investigating, identified, implementing-fix, monitoring)", "update")},
    {"status", false, bad("run this in the incident's war room, or give its number first: `status 42 ...`", "status")},
    {"status abc", false, bad("'abc' is not an incident number", "status")},
    {"update Found it", false,
     bad("run this in the incident's war room, or give its number first: `update 42 ...`", "update")},
    {"escalate", false,
     bad("run this in the incident's war room, or give its number first: `escalate 42 ...`", "escalate")},
    // Outside a war room the first number names the incident, so the action number is missing.
    {"done 3", false, bad("which action item? give its number", "done")},
    {"severity", true, bad("which severity? P0, P1, P2 or P3", "severity")},
    {"severity P7", true, bad("unknown severity 'P7' (P0, P1, P2, P3)", "severity")},
    {"phase", true, bad("which phase?", "phase")},
    {"phase nowhere", true,
     bad("unknown phase 'nowhere' (detection, investigation, containment, resolution, recovery, post-incident, closed)",
         "phase")},
    {"assign", true, bad("which role, and who?", "assign")},
    {"assign boss @bob", true, bad("unknown role 'boss' (ic, on-call, sme, comms, scribe)", "assign")},
    {"assign ic", true, bad("who? mention them: @user", "assign")},
    {"assign ic bob", true, bad("name the person as @user, not 'bob'", "assign")},
    {"assign ic @bob @carol", true, bad("assign one person at a time", "assign")},
    {"note", true, bad("a note needs text", "note")},
    {"reopen", true, bad("say why it is reopened", "reopen")},
    {"action @bob due:2026-12-01", true, bad("an action item needs text: what should be done", "action")},
    {"action", true, bad("an action item needs text: what should be done", "action")},
    {"action Fix it due:2026-13-01", true,
     bad("cannot read the due date '2026-13-01' (use YYYY-MM-DD, +3d, today, tomorrow or a weekday)", "action")},
    {"action Fix it due:someday", true,
     bad("cannot read the due date 'someday' (use YYYY-MM-DD, +3d, today, tomorrow or a weekday)", "action")},
    {"done", true, bad("which action item? give its number", "done")},
    {"done x", true, bad("'x' is not an action item number", "done")},
    {"check", true, bad("which item? give its number", "check")},
    {"check x", true, bad("the item is a number, as shown in the checklist", "check")},
    {"check 1 nowhere", true, bad("unknown phase 'nowhere'", "check")},
    {"resolve root cause: bad config", true, bad("say what fixed it", "resolve")},
    {"declare P0 P1 title", true, bad("give the severity once", "declare")},
    {"declare type:security type:privacy x", true, bad("give the type once", "declare")},
    {"declare pii:maybe x", true, bad("pii takes yes or no", "declare")},
    {"severity P1 now", true, bad("severity takes one value: P0, P1, P2 or P3", "severity")},
    {"phase containment now", true, bad("phase takes one phase", "phase")},
    {"done 1 extra", true, bad("done takes one action item number", "done")},
    {"advance now", true, bad("'now' is not expected here", "advance")},
    {"list all garbage", true, bad("'garbage' is not expected here", "list")},
    {"stats 7d garbage", true, bad("'garbage' is not expected here", "stats")},
    {"help status garbage", true, bad("'garbage' is not expected here", "help")},
    {"status 42 please", true, bad("'please' is not expected here", "status")},
    {"status soon", true, bad("'soon' is not an incident number", "status")},
    {"list some", true, bad("list takes open or all", "list")},
    {"stats forever", true, bad("cannot read the window 'forever'", "stats")},
};

void check_rows(std::vector<row> const& rows) {
    for (auto const& r : rows) {
        CAPTURE(r.text);
        CAPTURE(r.in_room);
        auto const got = parse_command_line(r.text, r.in_room, t0);
        CHECK(show(got) == show(r.want));
        CHECK(got == r.want);
    }
}

}  // namespace

TEST_CASE("every verb parses in a war room with the incident implied") { check_rows(verbs_in_room); }

TEST_CASE("outside a war room the incident number comes first") { check_rows(verbs_outside); }

TEST_CASE("bad input gives the precise reason and the verb whose usage to show") { check_rows(bad_input); }

TEST_CASE("a 5000-character title parses and decide_declare refuses it with its length") {
    std::string const title(5000, 'x');
    auto const got = parse_command_line("declare P1 " + title, false, t0);
    REQUIRE(std::holds_alternative<request>(got));
    auto const& d = std::get<declare>(std::get<request>(got).what);
    CHECK(d.title.size() == 5000);
    CHECK(d.sev == severity::p1);
    auto const dec = decide_declare(1, d, "alice", t0, policy::defaults());
    REQUIRE(std::holds_alternative<refusal>(dec));
    CHECK(std::get<refusal>(dec).reason == "the title is 5000 characters long; the limit is 200");
}

TEST_CASE("mentions are read from @names and from Slack's user references") {
    struct mention_row {
        std::string token;
        std::optional<user_id> want;
    };
    std::vector<mention_row> const rows = {
        {"@bob", user_id{"bob"}},     {"@bob.smith-2_x", user_id{"bob.smith-2_x"}},
        {"<@U123>", user_id{"U123"}}, {"<@U123|bob>", user_id{"U123"}},
        {"@", std::nullopt},          {"bob", std::nullopt},
        {"@bob!", std::nullopt},      {"<@|bob>", std::nullopt},
        {"<@U123", std::nullopt},
    };
    for (auto const& r : rows) {
        CAPTURE(r.token);
        CHECK(parse_mention(r.token) == r.want);
    }
}

TEST_CASE("usage and help mention every verb of the Slack surface") {
    std::vector<std::string> const verbs = {"declare",  "update",  "status", "severity", "phase",   "advance",
                                            "assign",   "role",    "note",   "action",   "actions", "done",
                                            "escalate", "resolve", "reopen", "report",   "close",   "ack",
                                            "check",    "list",    "stats",  "help"};
    auto const help = help_text();
    for (auto const& v : verbs) {
        CAPTURE(v);
        CHECK(help.find("\n  " + v + " ") != std::string::npos);
        auto const u = usage(v);
        CHECK(u.rfind("Usage: /incident " + v, 0) == 0);
    }
    CHECK(usage("update").rfind("Usage: /incident update [status:<status>] [impact:\"<scope>\"] [component:<name>…] <text> — post a "
                                "status update; no text opens the form",
                                0) == 0);
    CHECK(usage("roles") == usage("role"));
    CHECK(usage("acknowledge") == usage("ack"));
    CHECK(usage("frobnicate") == help);
    CHECK(usage("") == help);
    CHECK(usage("severity", "/inc").rfind("Usage: /inc severity P0-P3", 0) == 0);
    CHECK(help.rfind("Commands (/incident <command>):\n", 0) == 0);
    CHECK(help.find("elsewhere give its number: /incident status 42") != std::string::npos);
}

namespace {

// A zone fourteen hours ahead of UTC, all year: far enough that "today" there is tomorrow in UTC.
struct kiribati : time_zone {
    std::string name() const override { return "Pacific/Kiritimati"; }
    seconds offset(timestamp) const override { return std::chrono::hours{14}; }
    std::string abbreviation(timestamp) const override { return "+14"; }
};

add_action action_of(std::string_view text) {
    auto const got = parse_command_line(text, true, t0);
    REQUIRE(std::holds_alternative<request>(got));
    auto const& what = std::get<request>(got).what;
    REQUIRE(std::holds_alternative<command>(what));
    REQUIRE(std::holds_alternative<add_action>(std::get<command>(what)));
    return std::get<add_action>(std::get<command>(what));
}

timestamp day(int y, unsigned m, unsigned d) {
    return timestamp{std::chrono::sys_days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}}};
}

}  // namespace

TEST_CASE("an action item's owner and due date are found anywhere in its text") {
    // t0 is Monday 2026-03-02 09:00 UTC.
    struct action_row {
        std::string text;
        std::string want_text;
        std::optional<user_id> owner;
        std::optional<timestamp> due;
    };
    std::vector<action_row> const rows = {
        {"action Add a canary @bob due:2026-03-10", "Add a canary", user_id{"bob"}, day(2026, 3, 10)},
        {"action due:2026-12-20 @bob owner first", "owner first", user_id{"bob"}, day(2026, 12, 20)},
        {"action @carol Alert on pool exhaustion", "Alert on pool exhaustion", user_id{"carol"}, std::nullopt},
        {"action Fix the runbook due:+3d", "Fix the runbook", std::nullopt, day(2026, 3, 5)},
        {"action Fix the runbook due:today", "Fix the runbook", std::nullopt, day(2026, 3, 2)},
        {"action Fix the runbook due:tomorrow", "Fix the runbook", std::nullopt, day(2026, 3, 3)},
        // A weekday is the next one, never today.
        {"action Review due:friday with @dave", "Review with", user_id{"dave"}, day(2026, 3, 6)},
        {"action Review due:monday", "Review", std::nullopt, day(2026, 3, 9)},
        {"action Review due:+2w", "Review", std::nullopt, day(2026, 3, 16)},
        {"action Email support@example.com about it", "Email support@example.com about it", std::nullopt,
         std::nullopt},
    };
    for (auto const& r : rows) {
        CAPTURE(r.text);
        auto const a = action_of(r.text);
        CHECK(a.text == r.want_text);
        CHECK(a.owner == r.owner);
        CHECK(a.due == r.due);
    }
    CHECK(show(parse_command_line("action Fix @bob @carol", true, t0)) == show(parse_result{bad("more than one person is named; say who owns it with owner:@user", "action")}));
    CHECK(show(parse_command_line("action Fix due:+1d due:+2d", true, t0)) == show(parse_result{bad("give the due date once", "action")}));
}

TEST_CASE("action items are edited and removed by number") {
    auto const edit = parse_command_line("action edit 2 @erin due:+1d Rotate the keys", true, t0);
    CHECK(edit == parse_result{cmd("action", edit_action{2, "Rotate the keys", user_id{"erin"}, day(2026, 3, 3)})});
    CHECK(show(parse_command_line("action Fix owner:@bob with @carol", true, t0)) ==
          show(parse_result{cmd("action", add_action{"Fix with @carol", user_id{"bob"}, std::nullopt})}));
    CHECK(show(parse_command_line("action edit 2 owner:none due:none", true, t0)) == show(parse_result{cmd("action", edit_action{2, std::nullopt, std::nullopt, std::nullopt, true, true})}));
    CHECK(show(parse_command_line("action remove 3", true, t0)) == show(parse_result{cmd("action", remove_action{3})}));
    CHECK(show(parse_command_line("action edit", true, t0)) == show(parse_result{bad("which action item? `action edit <n>`", "action")}));
}

TEST_CASE("a due date is a day in the configured zone") {
    kiribati const zone;
    // 09:00 UTC Monday is 23:00 Monday in +14; 11:00 UTC is already Tuesday there.
    CHECK(parse_due("today", t0, zone) == day(2026, 3, 2));
    CHECK(parse_due("today", t0 + 2h, zone) == day(2026, 3, 3));
    CHECK(parse_due("tomorrow", t0 + 2h, zone) == day(2026, 3, 4));
    CHECK(parse_due("2026-04-01", t0, zone) == day(2026, 4, 1));
    CHECK(parse_due("fri", t0) == day(2026, 3, 6));
    CHECK_FALSE(parse_due("+d", t0));
    CHECK_FALSE(parse_due("yesterday", t0));
}

TEST_CASE("a note may be back-dated to a time of day or by a duration") {
    auto const note_at = [](std::string_view text, timestamp now) {
        auto const got = parse_command_line(text, true, now);
        REQUIRE(std::holds_alternative<request>(got));
        return std::get<add_note>(std::get<command>(std::get<request>(got).what));
    };
    CHECK(note_at("note -5m Rolled back", t0) == add_note{"Rolled back", t0 - 5min});
    CHECK(note_at("note at:08:30 Rolled back", t0) == add_note{"Rolled back", t0 - 30min});
    // A time of day later than now is yesterday's.
    CHECK(note_at("note at:23:30 Rolled back", t0) == add_note{"Rolled back", t0 - 9h - 30min});
    CHECK(note_at("note Rolled back -5m later", t0) == add_note{"Rolled back -5m later", std::nullopt});
    CHECK(show(parse_command_line("note at:25:00 x", true, t0)) == show(parse_result{bad("cannot read the time '25:00' (use at:23:30 or -5m)", "note")}));
}

TEST_CASE("a typo gets a did-you-mean and the valid values, not the whole help") {
    CHECK(show(parse_command_line("delcare P1 API down", false, t0)) == show(parse_result{bad("unknown command 'delcare' — did you mean declare?", "declare")}));
    CHECK(show(parse_command_line("update status:invesitgating still looking", true, t0)) == show(parse_result{bad("unknown status 'invesitgating' — did you mean investigating? (investigating, identified, "
                           "implementing-fix, monitoring)",
                           "update")}));
    CHECK(show(parse_command_line("declare type:secuirty leak", false, t0)) == show(parse_result{bad("unknown incident type 'secuirty' — did you mean security? (outage, performance, "
                           "data-loss, security, integration, privacy)",
                           "declare")}));
    CHECK(did_you_mean("resolv", {"resolve", "reopen"}) == "resolve");
    CHECK_FALSE(did_you_mean("xyz", {"resolve", "reopen"}));
    // Severities are case-insensitive: p0 is P0, not a typo.
    auto const lower = parse_command_line("declare p0 API down", false, t0);
    CHECK(lower == parse_result{decl({severity::p0, incident_type::outage, "API down", "", std::nullopt})});
}

TEST_CASE("impact, decline and the customer notice parse") {
    CHECK(show(parse_command_line("impact users:30% services:api,web financial:\"~$10k\"", true, t0)) == show(parse_result{cmd("impact", record_impact{"30%", "api,web", "~$10k"})}));
    CHECK(show(parse_command_line("impact", true, t0)) == show(parse_result{bad("say what to record: users:, services: or financial:", "impact")}));
    CHECK(show(parse_command_line("decline false alarm: the probe was broken", true, t0)) == show(parse_result{cmd("decline", decline{"false alarm: the probe was broken"})}));
    CHECK(show(parse_command_line("decline", true, t0)) == show(parse_result{bad("say why it is not an incident", "decline")}));
}

TEST_CASE("an action item may start with edit or remove, an empty owner is refused") {
    auto const a = action_of("action remove the stale flag @bob");
    CHECK(a.text == "remove the stale flag");
    CHECK(a.owner == user_id{"bob"});
    CHECK(action_of("action edit the runbook").text == "edit the runbook");
    CHECK(show(parse_command_line("action Fix it owner:", true, t0)) ==
          show(parse_result{bad("name the owner as owner:@user", "action")}));
}
