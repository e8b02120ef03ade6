// Block Kit rendering: every view of a real incident, escaping of user text, the mention rule,
// views over Slack's limits split into valid messages with nothing dropped, modals and their values.
// validate() checks every payload against Slack's limits; every test runs its output through it.
#include "adapters/slack/blocks.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

#include "core/alerts.hpp"
#include "core/metrics.hpp"
#include "core/views.hpp"
#include "tests/core/support.hpp"

namespace {

using namespace warroom::core;
using namespace warroom::core::test;
using warroom::slack::escape_mrkdwn;
using warroom::slack::form_values;
using warroom::slack::link_mentions;
using warroom::slack::link_times;
using warroom::slack::message_payloads;
using warroom::slack::render_context;
using json = nlohmann::json;

// What Slack counts at most: UTF-16 code units.
std::size_t units(std::string const& s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += ((c & 0xC0) != 0x80 ? 1 : 0) + (c >= 0xF0 ? 1 : 0);
    return n;
}

std::string const& str(json const& j) { return j.get_ref<std::string const&>(); }

void check_text(json const& t, std::string const& type, std::size_t max) {
    CAPTURE(t);
    REQUIRE(t.is_object());
    CHECK(t.at("type") == type);
    REQUIRE(t.at("text").is_string());
    CHECK(units(str(t.at("text"))) >= 1);
    CHECK(units(str(t.at("text"))) <= max);
    if (type == "plain_text") return;
    // The only markup in mrkdwn is ours: entities for & < >, and links to users and channels.
    auto const& text = str(t.at("text"));
    for (auto at = text.find('&'); at != std::string::npos; at = text.find('&', at + 1)) {
        CAPTURE(text.substr(at, 6));
        CHECK((text.compare(at, 5, "&amp;") == 0 || text.compare(at, 4, "&lt;") == 0 ||
               text.compare(at, 4, "&gt;") == 0));
    }
    for (auto at = text.find('<'); at != std::string::npos; at = text.find('<', at + 1)) {
        auto const link = text.substr(at, text.find('>', at) - at + 1);
        CAPTURE(link);
        if (link.starts_with("<!date^")) {
            // <!date^<epoch>^{date_short_pretty} {time}|<fallback>>
            auto const caret = link.find('^', 7);
            REQUIRE(caret != std::string::npos);
            CHECK(std::all_of(link.begin() + 7, link.begin() + static_cast<std::ptrdiff_t>(caret),
                              [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }));
            std::string_view const format = "^{date_short_pretty} {time}|";
            CHECK(link.compare(caret, format.size(), format) == 0);
            continue;
        }
        REQUIRE((link.starts_with("<@U") || link.starts_with("<@W") || link.starts_with("<#C") ||
                 link.starts_with("<!subteam^S")));
        auto const id = link.starts_with("<!subteam^") ? link.substr(10) : link.substr(2);
        CHECK(std::all_of(id.begin(), id.end() - 1, [](char c) { return std::isupper(c) || std::isdigit(c); }));
    }
}

std::size_t text_units(json const& j) {
    if (j.is_object() && j.contains("text") && j.at("text").is_string()) return units(str(j.at("text")));
    std::size_t n = 0;
    if (j.is_structured()) {
        for (auto const& e : j) n += text_units(e);
    }
    return n;
}

void check_option(json const& o, std::string const& text_type) {
    check_text(o.at("text"), text_type, 75);
    CHECK(units(str(o.at("value"))) <= 150);
    if (o.contains("description")) check_text(o.at("description"), text_type, 75);
}

// One chat.postMessage payload against every limit of protocol doc §7.
void validate(json const& p) {
    CAPTURE(p);
    REQUIRE(p.is_object());
    CHECK_NOTHROW(p.dump());  // no cut inside a UTF-8 sequence: dump() refuses invalid UTF-8
    CHECK_FALSE(p.contains("channel"));
    REQUIRE(p.at("text").is_string());
    CHECK(units(str(p.at("text"))) >= 1);
    CHECK(units(str(p.at("text"))) <= 3000);
    auto const& blocks = p.at("blocks");
    REQUIRE(blocks.is_array());
    CHECK(blocks.size() >= 1);
    CHECK(blocks.size() <= 50);
    CHECK(text_units(blocks) <= 12000);  // Slack's cumulative cap (msg_blocks_too_long)
    std::set<std::string> action_ids;
    for (auto const& b : blocks) {
        auto const type = str(b.at("type"));
        CAPTURE(b);
        if (type == "header") {
            check_text(b.at("text"), "plain_text", 150);
        } else if (type == "section") {
            CHECK(b.contains("text") != b.contains("fields"));
            if (b.contains("text")) check_text(b.at("text"), "mrkdwn", 3000);
            if (b.contains("fields")) {
                CHECK(b.at("fields").size() >= 1);
                CHECK(b.at("fields").size() <= 10);
                for (auto const& f : b.at("fields")) check_text(f, "mrkdwn", 2000);
            }
        } else if (type == "context") {
            CHECK(b.at("elements").size() >= 1);
            CHECK(b.at("elements").size() <= 10);
            for (auto const& e : b.at("elements")) check_text(e, "mrkdwn", 3000);
        } else if (type == "actions") {
            CHECK(b.at("elements").size() >= 1);
            CHECK(b.at("elements").size() <= 25);
            for (auto const& e : b.at("elements")) {
                auto const& id = str(e.at("action_id"));
                CHECK(units(id) <= 255);
                CHECK(action_ids.insert(id).second);  // unique within the message
                if (e.at("type") == "button") {
                    check_text(e.at("text"), "plain_text", 75);
                    CHECK(units(str(e.at("value"))) <= 2000);
                    if (e.contains("style")) CHECK((e.at("style") == "primary" || e.at("style") == "danger"));
                } else {
                    REQUIRE(e.at("type") == "checkboxes");
                    CHECK(e.at("options").size() >= 1);
                    CHECK(e.at("options").size() <= 10);
                    for (auto const& o : e.at("options")) check_option(o, "mrkdwn");
                    for (auto const& o : e.value("initial_options", json::array())) {
                        CHECK(std::find(e.at("options").begin(), e.at("options").end(), o) != e.at("options").end());
                    }
                }
            }
        } else {
            FAIL("unexpected block type " << type);
        }
    }
}

// A views.open view against the modal limits.
void validate_modal(json const& v) {
    CAPTURE(v);
    CHECK(v.at("type") == "modal");
    check_text(v.at("title"), "plain_text", 24);
    check_text(v.at("submit"), "plain_text", 24);
    check_text(v.at("close"), "plain_text", 24);
    CHECK(units(str(v.at("callback_id"))) <= 255);
    CHECK(units(str(v.at("private_metadata"))) <= 3000);
    CHECK(v.at("blocks").size() >= 1);
    CHECK(v.at("blocks").size() <= 100);
    std::set<std::string> ids;
    for (auto const& b : v.at("blocks")) {
        CHECK(b.at("type") == "input");
        CHECK(ids.insert(str(b.at("block_id"))).second);
        check_text(b.at("label"), "plain_text", 2000);
        CHECK(b.at("optional").is_boolean());
        auto const& e = b.at("element");
        CHECK(e.at("action_id") == b.at("block_id"));
        if (e.at("type") == "static_select") {
            CHECK(e.at("options").size() >= 1);
            CHECK(e.at("options").size() <= 100);
            for (auto const& o : e.at("options")) check_option(o, "plain_text");
            if (e.contains("initial_option")) {
                CHECK(std::find(e.at("options").begin(), e.at("options").end(), e.at("initial_option")) !=
                      e.at("options").end());
            }
        } else {
            CHECK(e.at("type") == "plain_text_input");
            CHECK(e.at("multiline").is_boolean());
            if (e.contains("initial_value")) CHECK(units(str(e.at("initial_value"))) <= 3000);
        }
    }
}

std::vector<json> render(message_view const& v, render_context const& ctx = {}) {
    auto const out = message_payloads(v, ctx);
    for (auto const& p : out) validate(p);
    return out;
}

// Every "text" string of the payloads' blocks, in block order.
void collect(json const& j, std::vector<std::string>& out) {
    if (j.is_object() && j.contains("text") && j.at("text").is_string()) {
        out.push_back(str(j.at("text")));
        return;
    }
    if (j.is_structured()) {
        for (auto const& e : j) collect(e, out);
    }
}
std::vector<std::string> texts(std::vector<json> const& payloads) {
    std::vector<std::string> out;
    for (auto const& p : payloads) collect(p.at("blocks"), out);
    return out;
}
bool has_text(std::vector<json> const& payloads, std::string const& want) {
    auto const all = texts(payloads);
    return std::any_of(all.begin(), all.end(), [&](std::string const& t) { return t.find(want) != std::string::npos; });
}

std::vector<json> blocks_of(std::vector<json> const& payloads, std::string const& type) {
    std::vector<json> out;
    for (auto const& p : payloads) {
        for (auto const& b : p.at("blocks")) {
            if (b.at("type") == type) out.push_back(b);
        }
    }
    return out;
}
std::vector<json> elements_of(std::vector<json> const& payloads, std::string const& type) {
    std::vector<json> out;
    for (auto const& b : blocks_of(payloads, "actions")) {
        for (auto const& e : b.at("elements")) {
            if (e.at("type") == type) out.push_back(e);
        }
    }
    return out;
}

std::string md(std::string const& raw, std::vector<std::string> const& mentions = {},
               std::vector<std::pair<std::string, timestamp>> const& times = {}) {
    return link_times(link_mentions(escape_mrkdwn(raw), mentions), times);
}

// Core's Markdown bold as mrkdwn bold.
std::string single_stars(std::string s) {
    for (auto at = s.find("**"); at != std::string::npos; at = s.find("**", at + 1)) s.erase(at, 1);
    return s;
}

// The same information as render_text: every field, line, checkbox, footer line and button.
void check_carries_view(message_view const& v, std::vector<json> const& payloads) {
    CAPTURE(v.kind);
    if (!v.headline.empty()) {
        auto const header = blocks_of(payloads, "header");
        REQUIRE(header.size() == 1);
        CHECK(payloads.front().at("blocks").front() == header.front());
        if (units(v.headline) <= 150) CHECK(header.front().at("text").at("text") == v.headline);
        CHECK(str(payloads.front().at("text")).starts_with(md(v.headline, v.mentions, v.times)));
    }
    for (auto const& f : v.fields) CHECK(has_text(payloads, "*" + f.label + ":*\n" + md(f.value, v.mentions, v.times)));
    for (auto const& s : v.sections) {
        if (!s.heading.empty()) CHECK(has_text(payloads, "*" + s.heading + "*"));
        for (auto const& line : s.lines) CHECK(has_text(payloads, md(line, v.mentions, v.times)));
    }
    for (auto const& line : v.footer) CHECK(has_text(payloads, single_stars(md(line, v.mentions, v.times))));
    auto const boxes = elements_of(payloads, "checkboxes");
    std::size_t k = 0;
    for (auto const& box : boxes) {
        for (auto const& o : box.at("options")) {
            REQUIRE(k < v.checklist.size());
            auto const& c = v.checklist[k++];
            CHECK(o.at("text").at("text") == md(c.label, v.mentions, v.times));
            CHECK(o.at("value") == c.value);
            if (!c.note.empty()) CHECK(o.at("description").at("text") == md(c.note, v.mentions));
        }
    }
    CHECK(k == v.checklist.size());
    auto const buttons = elements_of(payloads, "button");
    REQUIRE(buttons.size() == v.buttons.size());
    for (std::size_t b = 0; b < buttons.size(); ++b) {
        CHECK(buttons[b].at("text").at("text") == v.buttons[b].label);
        CHECK(buttons[b].at("value") == v.buttons[b].value);
        CHECK(str(buttons[b].at("action_id")).starts_with(ui::id(v.buttons[b].action)));
    }
}

timestamp const march_10 = timestamp{std::chrono::sys_days{std::chrono::year{2026} / 3 / 10}};

// A P0 with Slack user ids: page, ack, IC, checks, updates, resolution, notes, action items.
std::vector<event> realistic() {
    return {
        at(t0, "U0ALICE",
           declared{"API down", "All requests fail with 503", severity::p0, incident_type::outage, t0 - 10min,
                    "inc-1-api-down"}),
        at(t0, bot_user, escalated{"on-call", "On-call engineer paged", false, ""}),
        at(t0 + 2min, "U0CAROL", acknowledged{}),
        at(t0 + 3min, "U0ALICE", role_assigned{role::incident_commander, "U0BOB", std::nullopt}),
        at(t0 + 5min, "U0CAROL", checklist_marked{phase::detection, 0, true}),
        at(t0 + 6min, "U0BOB", phase_changed{phase::detection, phase::investigation}),
        at(t0 + 15min, "U0BOB", update_posted{status::identified, "Config change in deploy 1234", "30% of users"}),
        at(t0 + 25min, "U0BOB", mitigated{}),
        at(t0 + 35min, "U0BOB", resolved{"Rolled back deploy 1234", "A config change removed the DB pool limit"}),
        at(t0 + 40min, "U0CAROL", note_added{"went well: on-call acknowledged within 2 minutes"}),
        at(t0 + 44min, "U0BOB", action_added{1, "Add a canary stage", user_id{"U0CAROL"}, march_10}),
        at(t0 + 45min, "U0BOB", action_added{2, "Alert on pool exhaustion", std::nullopt, std::nullopt}),
        at(t0 + 50min, "U0DAVE", action_completed{2}),
    };
}

incident fresh() { return given({realistic().front()}); }

render_context const rooms{{{"inc-1-api-down", "C0INC1"}}, {}};

}  // namespace

TEST_CASE("escape_mrkdwn turns only the three control characters into entities and ampersand first") {
    struct row {
        std::string in, want;
    };
    for (auto const& r :
         std::vector<row>{{"", ""},
                          {"plain *bold* _it_ `code` #room @U123", "plain *bold* _it_ `code` #room @U123"},
                          {"a & b", "a &amp; b"},
                          {"<!channel>", "&lt;!channel&gt;"},
                          {"&lt;", "&amp;lt;"},
                          {"<http://x|y> & <@U1>", "&lt;http://x|y&gt; &amp; &lt;@U1&gt;"},
                          {"é 🚨 > <", "é 🚨 &gt; &lt;"}}) {
        CAPTURE(r.in);
        CHECK(escape_mrkdwn(r.in) == r.want);
    }
}

TEST_CASE("a mention token becomes a Slack mention only when it stands alone and has a user id") {
    struct row {
        std::string in, want;
    };
    for (auto const& r : std::vector<row>{
             // Linked: start of text, after a space or "(" or a newline, ending at the end, a space or punctuation.
             {"@U123", "<@U123>"},
             {"@W0ABC9", "<@W0ABC9>"},
             {"IC @U0BOB, no update", "IC <@U0BOB>, no update"},
             {"(@U0BOB): note", "(<@U0BOB>): note"},
             {"by @U0BOB.", "by <@U0BOB>."},
             {"@U0A @U0B", "<@U0A> <@U0B>"},
             {"first\n@U0BOB", "first\n<@U0BOB>"},
             {"owner @U0BOB&amp;co", "owner <@U0BOB>&amp;co"},
             // Left as text: inside a word, lowercase, too short, running on, not a user id, already escaped.
             {"paging @S0ONCALL now", "paging <!subteam^S0ONCALL> now"},
             {"mail@U0BOB", "mail@U0BOB"},
             {"@u0bob", "@u0bob"},
             {"@U1", "@U1"},
             {"@U", "@U"},
             {"@", "@"},
             {"@U0BOBby", "@U0BOBby"},
             {"@U0BOBé", "@U0BOBé"},
             {"@C0INC1", "@C0INC1"},
             {"@bob", "@bob"},
             {"@S1", "@S1"},
             {"@security-team", "@security-team"},
             {"@@U0BOB", "@@U0BOB"},
             {"&lt;@U123&gt;", "&lt;@U123&gt;"},
             {"x:@U123", "x:@U123"},
         }) {
        CAPTURE(r.in);
        CHECK(link_mentions(r.in, {"U123", "W0ABC9", "U0BOB", "U0A", "U0B", "S0ONCALL", "U1", "S1", "bob"}) == r.want);
    }
}

TEST_CASE("only the bot's own mentions ping: an id or handle a person typed stays text") {
    render_context ctx;
    ctx.group_ids = {{"security-team", "S0SEC"}};
    // The bot mentions U0IC and the security team; the note's text was typed by a person.
    CHECK(link_mentions("IC @U0IC: note from @U0IC: ask @U0EVE and @S0ALL", {"U0IC"}) ==
          "IC <@U0IC>: note from <@U0IC>: ask @U0EVE and @S0ALL");
    CHECK(link_mentions("notified @security-team.", {"security-team"}, ctx) == "notified <!subteam^S0SEC>.");
    CHECK(link_mentions("notified @security-team", {}, ctx) == "notified @security-team");
    CHECK(link_mentions("notified @legal-team", {"legal-team"}, ctx) == "notified @legal-team");
    message_view v;
    v.kind = "reply";
    v.headline = "📋 Action item #1 added: ping @U0EVE @S0ALL - Owner: @U0BOB";
    v.mentions = {"U0BOB"};
    auto const text = str(message_payloads(v).front().at("text"));
    CHECK(text.find("<@U0BOB>") != std::string::npos);
    CHECK(text.find("<@U0EVE>") == std::string::npos);
    CHECK(text.find("subteam") == std::string::npos);
}

TEST_CASE("the declaration renders header and fields and links and a primary and a danger button") {
    auto const v = declaration_view(fresh(), rules(), t0);
    auto const out = render(v, rooms);
    REQUIRE(out.size() == 1);
    auto const& blocks = out[0].at("blocks");
    CHECK(out[0].at("text") == "🚨 P0 INCIDENT - API down (INC-1)");
    CHECK(blocks[0] ==
          json{{"type", "header"},
               {"text", {{"type", "plain_text"}, {"text", "🚨 P0 INCIDENT - API down (INC-1)"}, {"emoji", true}}}});
    // No mention in the headline and not cut: no repeat of it.
    CHECK(blocks[1].at("fields").size() == 6);
    CHECK(blocks[1].at("fields")[0] == json{{"type", "mrkdwn"}, {"text", "*Impact:*\nAll requests fail with 503"}});
    CHECK(blocks[1].at("fields")[2].at("text") == "*Incident Lead:*\nunassigned");
    CHECK(blocks[2].at("text").at("text") == "*Actions Taken*\n• War room <#C0INC1> opened\n• Declared by <@U0ALICE>");
    CHECK(blocks[3] ==
          json{{"type", "context"},
               {"elements", json::array({{{"type", "mrkdwn"},
                                          {"text", "*Next Update*: <!date^1772443800^{date_short_pretty} {time}|09:30 UTC> "
                                                   "(every 30m)"}}})}});
    auto const buttons = elements_of(out, "button");
    std::vector<std::string> ids, styles;
    for (auto const& b : buttons) {
        ids.push_back(b.at("action_id"));
        styles.push_back(b.value("style", ""));
    }
    CHECK(ids == std::vector<std::string>{"acknowledge", "claim_ic", "post_update", "advance", "resolve"});
    CHECK(styles == std::vector<std::string>{"primary", "", "", "", "danger"});
    CHECK(buttons[0].at("value") == "1");
    check_carries_view(v, render(v));
}

TEST_CASE("every view of a real incident renders valid blocks carrying the same information") {
    auto const all = replay(realistic());
    auto const& inc = all.at(1);
    auto const& p = rules();
    auto const now = t0 + 2h;
    auto const& step = p.of(severity::p0).escalation.back();
    std::vector<message_view> const views = {
        declaration_view(inc, p, now),
        announcement_view(inc, p, now),
        runbook_view(inc, p),
        update_view(inc, p, now),
        resolution_view(inc, p, now),
        status_view(inc, p, now),
        status_view(inc, p, now, true),
        nudge_view(fresh(), p, t0 + 45min),
        escalation_view(inc, step, true, "customer escalation", {"@U0CAROL", "@S0EXECS"}, p, now),
        escalation_view(inc, step, false, "", {}, p, now),
        reminder_view(inc, {"report", reminder_kind::report_due, 1, now}, p, now),
        reminder_view(inc, {"pm", reminder_kind::postmortem_due, 1, now}, p, now),
        reminder_view(inc, {"a1", reminder_kind::action_due, 1, now, 0, 1}, p, now),
        reminder_view(inc, {"a1", reminder_kind::action_overdue, 1, now, 0, 1}, p, now, true),
        reminder_view(inc, {"reg", reminder_kind::regulator_notice, 1, now}, p, now),
        reminder_view(inc, {"ack", reminder_kind::unacknowledged, 1, now}, p, now),
        reminder_view(inc, {"quiet", reminder_kind::nudges_unanswered, 1, now}, p, now, true),
        severity_warning_view(inc, p),
        postmortem_prompt_view(inc, p, now),
        checklist_view(inc, phase::detection, p, now),
        phase_view(inc, phase::investigation, p, now),
        roles_view(inc),
        actions_view(inc, p, now),
        list_view({&inc}, false, p, now),
        stats_view(compute_stats(all, now, std::chrono::days{30}), p),
        note_view("✓ INC-1 acknowledged by @U0CAROL"),
        report_view(inc, p, now),
    };
    for (auto const& v : views) {
        auto const out = render(v);
        CHECK(out.size() == 1);
        check_carries_view(v, out);
    }
}

TEST_CASE("views with a mention in the headline repeat it as text so the mention pings") {
    auto const v = nudge_view(fresh(), rules(), t0 + 45min);
    REQUIRE(v.headline.find("@U0ALICE") != std::string::npos);
    auto const out = render(v);
    auto const& blocks = out[0].at("blocks");
    CHECK(blocks[0].at("text").at("text") == v.headline);
    CHECK(blocks[1].at("text").at("text") == md(v.headline, v.mentions));
    CHECK(str(blocks[1].at("text").at("text")).find("<@U0ALICE>") != std::string::npos);
    CHECK(str(out[0].at("text")).find("<@U0ALICE>") != std::string::npos);
    auto const buttons = elements_of(out, "button");
    REQUIRE(buttons.size() == 2);
    CHECK(buttons[0].at("style") == "primary");
    CHECK(buttons[1].at("action_id") == "snooze");
}

TEST_CASE("the checklist is a checkboxes element with the checked items initially selected") {
    auto const inc = given(realistic());
    auto const v = checklist_view(inc, phase::detection, rules(), t0 + 2h);
    auto const out = render(v);
    auto const boxes = elements_of(out, "checkboxes");
    REQUIRE(boxes.size() == 1);
    CHECK(boxes[0].at("action_id") == "check");
    REQUIRE(boxes[0].at("options").size() == 5);
    auto const first = json{{"text", {{"type", "mrkdwn"}, {"text", "Incident detected"}}},
                            {"value", "1:detection:1"},
                            {"description",
                             {{"type", "mrkdwn"}, {"text", "<@U0CAROL> 09:05 UTC"}}}};
    CHECK(boxes[0].at("options")[0] == first);
    CHECK(boxes[0].at("initial_options") == json::array({first}));
    CHECK_FALSE(boxes[0].at("options")[1].contains("description"));
}

TEST_CASE("the report body becomes sections with Markdown headings and bold turned into mrkdwn") {
    auto const v = report_view(given(realistic()), rules(), t0 + 2h);
    auto const out = render(v);
    CHECK(has_text(out, "*Incident Report - API down*\n\n*Incident*: INC-1\n"));
    // A document pings nobody: the people in it are names.
    CHECK(has_text(out, "\n*Timeline*\n• *2026-03-02 09:00 UTC* (@U0ALICE): Incident declared"));
    CHECK(has_text(out, "• [ ] Add a canary stage - Owner: @U0CAROL - Due: 2026-03-10"));
    CHECK_FALSE(has_text(out, "**"));
    CHECK_FALSE(has_text(out, "## "));
}

TEST_CASE("user text in a title and an update stays inert text") {
    std::string const evil = "<!channel> & <@U1> <http://x|y>";
    std::string const inert = "&lt;!channel&gt; &amp; &lt;@U1&gt; &lt;http://x|y&gt;";
    auto const inc = given({at(t0, "U0ALICE", declared{evil, evil, severity::p1, incident_type::outage, t0, "inc-1"}),
                            at(t0 + 1min, "U0BOB", update_posted{status::identified, evil + "\nnext: " + evil, evil})});
    for (auto const& v : {declaration_view(inc, rules(), t0 + 1min), update_view(inc, rules(), t0 + 1min), report_view(inc, rules(), t0 + 1min)}) {
        CAPTURE(v.kind);
        auto const out = render(v);  // validate() allows no "<" in mrkdwn but our own links
        CHECK(str(out[0].at("text")).find(inert) != std::string::npos);
        CHECK(has_text(out, inert));
        for (auto const& p : out) {
            for (auto const& b : p.at("blocks")) {
                if (b.at("type") == "header") continue;  // plain_text: Slack parses nothing in it
                auto const dump = b.dump();
                CHECK(dump.find("<!channel>") == std::string::npos);
                CHECK(dump.find("<@U1>") == std::string::npos);
                CHECK(dump.find("<http") == std::string::npos);
            }
        }
    }
    auto const out = render(update_view(inc, rules(), t0 + 1min));
    CHECK(out[0].at("blocks")[0].at("text").at("text") == "📊 UPDATE - " + evil + " (INC-1)");
    CHECK(has_text(out, "*Impact:*\n" + inert));
    CHECK(has_text(out, "*Progress*\n• " + inert + "\n• next: " + inert));
}

TEST_CASE("a headline over 150 characters is cut in the header and repeated whole") {
    std::string const title(200, 'x');
    auto const v = declaration_view(
        given({at(t0, "U0ALICE", declared{title, "", severity::p2, incident_type::outage, t0, "inc-1"})}), rules(), t0);
    auto const out = render(v);
    auto const& blocks = out[0].at("blocks");
    auto const& header = str(blocks[0].at("text").at("text"));
    CHECK(units(header) == 150);
    CHECK(header.ends_with("…"));
    CHECK(blocks[1].at("text").at("text") == v.headline);
    CHECK(out[0].at("text") == v.headline);
}

TEST_CASE("a 40000-character update becomes several valid messages holding all of its text") {
    // Entities and multi-byte characters near every cut: no cut may break one.
    std::string text;
    while (units(text) < 40000) text += "rollback <step> & retry é🚨 ";
    auto const v = update_view(
        given({realistic().front(), at(t0 + 1min, "U0BOB", update_posted{status::identified, text, ""})}), rules(),
        t0 + 1min);
    auto const out = render(v);
    CHECK(out.size() > 1);
    std::string all;
    for (auto const& t : texts(out)) all += t;
    CHECK(all.find("*Progress*\n• " + escape_mrkdwn(text)) != std::string::npos);
    for (std::size_t k = 0; k < out.size(); ++k) {
        CAPTURE(k);
        CHECK(out[k].at("text") ==
              "📊 UPDATE - API down (INC-1) (" + std::to_string(k + 1) + "/" + std::to_string(out.size()) + ")");
    }
    CHECK(out.front().at("blocks")[0].at("type") == "header");
    CHECK(blocks_of(out, "header").size() == 1);
    CHECK(blocks_of(out, "context").size() == 1);
    CHECK(out.back().at("blocks").back().at("type") == "context");  // the footer stays last
}

TEST_CASE("a field too long for a section field becomes text sections in its place") {
    std::string const resolution(5000, 'r');
    auto const v = resolution_view(
        given({realistic().front(), at(t0 + 1h, "U0BOB", resolved{resolution, "pool limit"})}), rules(), t0 + 1h);
    auto const out = render(v);
    REQUIRE(out.size() == 1);
    auto const& blocks = out[0].at("blocks");
    // Header, then the Resolution field as two text sections, then the other fields together.
    CHECK(blocks[1].at("text").at("text") == "*Resolution:*\n" + resolution.substr(0, 3000 - 14));
    CHECK(blocks[2].at("text").at("text") == resolution.substr(3000 - 14));
    CHECK(blocks[3].at("fields").size() == 3);
    CHECK(blocks[3].at("fields")[1].at("text") == "*Root Cause:*\npool limit");
}

TEST_CASE("a 30000-character report body is split on line boundaries into valid messages") {
    auto history = realistic();
    for (int n = 0; n < 400; ++n) {
        history.push_back(
            at(t0 + 1h, "U0CAROL", note_added{"observation " + std::to_string(n) + ": pool at 100% & <rising>"}));
    }
    auto const v = report_view(given(history), rules(), t0 + 2h);
    REQUIRE(v.body.size() > 30000);
    auto const out = render(v);
    CHECK(out.size() > 1);
    auto const sections = texts(out);
    for (auto const& line : std::vector<std::string>{"• *2026-03-02 10:00 UTC* (@U0CAROL): Note: observation 0: "
                                                     "pool at 100% &amp; &lt;rising&gt;",
                                                     "• *2026-03-02 10:00 UTC* (@U0CAROL): Note: observation 399: "
                                                     "pool at 100% &amp; &lt;rising&gt;",
                                                     "*Recommendations*", "1. to be discussed at the post-mortem"}) {
        CAPTURE(line);
        CHECK(has_text(out, line));
    }
    // Every line of the body is in one section whole, in order.
    std::size_t section = 0;
    std::istringstream in(v.body);
    for (std::string line; std::getline(in, line);) {
        if (line.find("observation") == std::string::npos) continue;
        auto const want = "(@U0CAROL): Note: " + escape_mrkdwn(line.substr(line.find("observation")));
        while (section < sections.size() && sections[section].find(want) == std::string::npos) ++section;
        CAPTURE(want);
        CHECK(section < sections.size());
    }
}

TEST_CASE("a 120-item checklist becomes twelve checkboxes elements with unique action ids") {
    message_view v;
    v.kind = "checklist";
    v.headline = "☑️ Long checklist";
    for (int n = 1; n <= 120; ++n) {
        v.checklist.push_back({"Item " + std::to_string(n) + " & more", "1:detection:" + std::to_string(n), n % 7 == 0,
                               n % 7 == 0 ? "@U0BOB 09:05 UTC" : ""});
    }
    auto const out = render(v);
    auto const boxes = elements_of(out, "checkboxes");
    REQUIRE(boxes.size() == 12);
    for (std::size_t k = 0; k < boxes.size(); ++k) {
        CHECK(boxes[k].at("action_id") == (k == 0 ? std::string("check") : "check#" + std::to_string(k + 1)));
        CHECK(boxes[k].at("options").size() == 10);
    }
    CHECK(boxes[0].at("initial_options").size() == 1);
    CHECK(boxes[0].at("initial_options")[0].at("value") == "1:detection:7");
    CHECK(boxes[11].at("options")[9].at("text").at("text") == "Item 120 &amp; more");
    check_carries_view(v, out);
}

TEST_CASE("60 buttons become actions blocks of at most 25 with unique action ids") {
    message_view v;
    v.kind = "prompt";
    v.headline = "Many buttons";
    using ui::action;
    std::vector<action> const kinds = {action::advance, action::post_update, action::acknowledge, action::resolve,
                                       action::snooze};
    for (int n = 0; n < 60; ++n) {
        v.buttons.push_back({kinds[n % kinds.size()], "Button " + std::to_string(n), std::to_string(n)});
    }
    auto const out = render(v);
    REQUIRE(out.size() == 1);
    auto const actions = blocks_of(out, "actions");
    REQUIRE(actions.size() == 3);
    CHECK(actions[0].at("elements").size() == 25);
    CHECK(actions[1].at("elements").size() == 25);
    CHECK(actions[2].at("elements").size() == 10);
    auto const buttons = elements_of(out, "button");
    CHECK(buttons[0].at("action_id") == "advance");
    CHECK(buttons[1].at("action_id") == "post_update");
    CHECK(buttons[1].at("style") == "primary");
    CHECK(buttons[5].at("action_id") == "advance#2");
    CHECK(buttons[55].at("action_id") == "advance#12");
    int primary = 0;
    for (auto const& b : buttons) {
        if (b.value("style", "") == "primary") ++primary;
        if (str(b.at("action_id")).starts_with("resolve")) CHECK(b.at("style") == "danger");
    }
    CHECK(primary == 1);
    check_carries_view(v, out);
}

TEST_CASE("the declare modal has one input per field with selects and initial values") {
    auto const v = warroom::slack::modal(declare_modal(), "meta:C0INC1");
    validate_modal(v);
    CHECK(v.at("callback_id") == "declare");
    CHECK(v.at("private_metadata") == "meta:C0INC1");
    CHECK(v.at("title").at("text") == "Declare an incident");
    CHECK(v.at("submit").at("text") == "Declare");
    auto const& blocks = v.at("blocks");
    REQUIRE(blocks.size() == declare_modal().fields.size());
    CHECK(blocks[0] == json{{"type", "input"},
                            {"block_id", "title"},
                            {"label", {{"type", "plain_text"}, {"text", "Title"}, {"emoji", true}}},
                            {"optional", false},
                            {"element", {{"type", "plain_text_input"}, {"action_id", "title"}, {"multiline", false}}}});
    auto const& severity = blocks[1].at("element");
    CHECK(severity.at("type") == "static_select");
    CHECK(severity.at("options").size() == 4);
    CHECK(severity.at("initial_option").at("value") == "P2");
    CHECK(blocks[4].at("optional") == true);
    CHECK(blocks[4].at("element").at("multiline") == true);
}

TEST_CASE("the update and resolve modals carry the incident's current values") {
    auto inc = given({realistic()[0], realistic()[6]});
    auto const update = warroom::slack::modal(update_modal(inc), "1");
    validate_modal(update);
    CHECK(update.at("callback_id") == "update");
    CHECK(update.at("title").at("text") == "Post an update — INC-1");
    CHECK(update.at("blocks")[0].at("element").at("initial_option").at("value") == "identified");
    CHECK(update.at("blocks")[1].at("element").at("initial_value") == "30% of users");
    CHECK(update.at("blocks")[2].at("element").at("multiline") == true);
    CHECK_FALSE(update.at("blocks")[2].at("element").contains("initial_value"));

    inc.root_cause = "pool limit";
    auto const resolve = warroom::slack::modal(resolve_modal(inc), "1");
    validate_modal(resolve);
    CHECK(resolve.at("submit").at("text") == "Resolve");
    CHECK(resolve.at("blocks")[1].at("element").at("initial_value") == "pool limit");
    // Each form's submit button says what it does (the notice form once said "Resolve").
    CHECK(warroom::slack::modal(customer_notice_modal(inc, policy::defaults(), t0), "1").at("submit").at("text") ==
          "Save notice");
    auto const decline = warroom::slack::modal(decline_group_modal(3), "{}");
    validate_modal(decline);
    CHECK(decline.at("submit").at("text") == "Decline");
    CHECK(decline.at("callback_id") == "decline_alert");
    CHECK(warroom::slack::modal(merge_group_modal(3), "{}").at("submit").at("text") == "Merge");

    inc.number = 123456;
    auto const long_title = warroom::slack::modal(update_modal(inc), "");
    validate_modal(long_title);
    CHECK(long_title.at("title").at("text") == "Post an update — INC-12…");
}

TEST_CASE("form_values reads every input shape of a view_submission and skips unknown ones") {
    auto const state = json::parse(R"({
      "title": {"title": {"type": "plain_text_input", "value": "DB <primary> down & out"}},
      "severity": {"severity": {"type": "static_select",
                                "selected_option": {"text": {"type": "plain_text", "text": "P1"}, "value": "P1"}}},
      "description": {"description": {"type": "plain_text_input", "value": null}},
      "type": {"type": {"type": "static_select", "selected_option": null}},
      "owner": {"owner": {"type": "users_select", "selected_user": "U0BOB"}},
      "regions": {"regions": {"type": "checkboxes", "selected_options": [
          {"text": {"type": "plain_text", "text": "EU"}, "value": "eu"},
          {"text": {"type": "plain_text", "text": "US"}, "value": "us"}]}},
      "none": {"none": {"type": "checkboxes", "selected_options": []}},
      "due": {"due": {"type": "datepicker", "selected_date": "2026-03-10"}},
      "when": {"when": {"type": "timepicker", "selected_time": "09:00"}},
      "bad": {"bad": {"type": "plain_text_input", "value": 42}},
      "odd": "not an object"
    })");
    CHECK(form_values(state) == std::map<std::string, std::string>{{"title", "DB <primary> down & out"},
                                                                   {"severity", "P1"},
                                                                   {"description", ""},
                                                                   {"type", ""},
                                                                   {"owner", "U0BOB"},
                                                                   {"regions", "eu,us"},
                                                                   {"none", ""},
                                                                   {"due", "2026-03-10"}});
    CHECK(form_values(json::array()).empty());
    CHECK(form_values(json()).empty());
}

TEST_CASE("a rendered modal filled in by the user reads back as its form field ids") {
    auto const form = declare_modal();
    auto const view = warroom::slack::modal(form, "");
    validate_modal(view);
    // What Slack sends back for it: each block's element with the user's choice (protocol doc §2.2).
    std::map<std::string, std::string> const typed = {{"title", "Checkout fails"}, {"description", "EU only"}};
    json values = json::object();
    for (auto const& b : view.at("blocks")) {
        auto const& e = b.at("element");
        auto const& id = str(b.at("block_id"));
        json value = {{"type", e.at("type")}};
        if (e.at("type") == "static_select") {
            value["selected_option"] = e.value("initial_option", json());
        } else {
            value["value"] = typed.contains(id) ? json(typed.at(id)) : json();
        }
        values[id][str(e.at("action_id"))] = value;
    }
    std::map<std::string, std::string> want;
    for (auto const& f : form.fields) {
        auto const id = std::string(ui::id(f.id));
        want[id] = typed.contains(id) ? typed.at(id) : f.initial;
    }
    CHECK(form_values(values) == want);
}

TEST_CASE("a time the view shows becomes a date token with the text as its fallback, the longest match first") {
    auto const at_0946 = t0 + 46min;
    std::vector<std::pair<std::string, timestamp>> const times = {{"09:46 UTC", at_0946},
                                                                  {"2026-03-03 09:46 UTC", at_0946 + 24h}};
    CHECK(link_times("Next Update: 2026-03-03 09:46 UTC, then 09:46 UTC", times) ==
          "Next Update: <!date^1772531160^{date_short_pretty} {time}|2026-03-03 09:46 UTC>, then "
          "<!date^1772444760^{date_short_pretty} {time}|09:46 UTC>");
    CHECK(link_times("no time here", times) == "no time here");
    CHECK(link_times("09:46 UTC", {}) == "09:46 UTC");
}
