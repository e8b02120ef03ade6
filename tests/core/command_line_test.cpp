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
               "] [" + d->description + "] " + (d->started_at ? format_time(*d->started_at) : "-");
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
    {"frobnicate now", true, bad("unknown command 'frobnicate'", "")},
    {"declare P0", true, bad("an incident needs a title: what is broken", "declare")},
    {"declare P7 title", true, bad("unknown severity 'P7' (use P0, P1, P2 or P3)", "declare")},
    {"declare sev:P9 title", true, bad("unknown severity 'P9' (use P0, P1, P2 or P3)", "declare")},
    {"declare type:alien title", true, bad("unknown incident type 'alien'", "declare")},
    {"declare started:yesterday title", true, bad("cannot read the start time 'yesterday'", "declare")},
    {"update status:fixed it works", true,
     bad("unknown status 'fixed' (use investigating, identified, implementing-fix or monitoring)", "update")},
    {"status", false, bad("run this in the incident's war room, or give its number first: `status 42 ...`", "status")},
    {"status abc", false, bad("'abc' is not an incident number", "status")},
    {"update Found it", false,
     bad("run this in the incident's war room, or give its number first: `update 42 ...`", "update")},
    {"escalate", false,
     bad("run this in the incident's war room, or give its number first: `escalate 42 ...`", "escalate")},
    // Outside a war room the first number names the incident, so the action number is missing.
    {"done 3", false, bad("which action item? give its number", "done")},
    {"severity", true, bad("which severity? P0, P1, P2 or P3", "severity")},
    {"severity P7", true, bad("unknown severity 'P7' (use P0, P1, P2 or P3)", "severity")},
    {"phase", true, bad("which phase?", "phase")},
    {"phase nowhere", true, bad("unknown phase 'nowhere'", "phase")},
    {"assign", true, bad("which role, and who?", "assign")},
    {"assign boss @bob", true, bad("unknown role 'boss'", "assign")},
    {"assign ic", true, bad("who? mention them: @user", "assign")},
    {"assign ic bob", true, bad("name the person as @user, not 'bob'", "assign")},
    {"assign ic @bob @carol", true, bad("assign one person at a time", "assign")},
    {"note", true, bad("a note needs text", "note")},
    {"reopen", true, bad("say why it is reopened", "reopen")},
    {"action @bob due:2026-12-01", true, bad("an action item needs text: what should be done", "action")},
    {"action", true, bad("an action item needs text: what should be done", "action")},
    {"action Fix it due:2026-13-01", true, bad("cannot read the due date '2026-13-01' (use YYYY-MM-DD)", "action")},
    {"action Fix it due:tomorrow", true, bad("cannot read the due date 'tomorrow' (use YYYY-MM-DD)", "action")},
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
    CHECK(usage("update").rfind("Usage: /incident update [status:<status>] [impact:\"<scope>\"] <text> — post a "
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
