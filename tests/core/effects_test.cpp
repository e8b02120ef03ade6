// The effects' shared vocabulary (the paging dedup key, the page actions' names), and what reactions()
// owes the world for a batch: invitations, posts where the policy says, DMs for what the clock fired.
#include <doctest/doctest.h>

#include <algorithm>

#include "core/effects.hpp"
#include "core/reactions.hpp"
#include "core/views.hpp"
#include "tests/core/support.hpp"

namespace {
using namespace warroom::core;
using namespace warroom::core::test;

timestamp const march_10 = timestamp{std::chrono::sys_days{std::chrono::year{2026} / 3 / 10}};

// The effects of the clock firing `r`: its reminder_sent batch, as service::tick records it.
std::vector<effect> fired(incident_map& all, reminder const& r, timestamp now, policy const& p) {
    std::vector<event> const batch = {at(now, bot_user, reminder_sent{r.key}, r.incident)};
    for (auto const& e : batch) warroom::core::apply(all, e);
    return reactions(batch, all, reaction_context{p, bot_user, "", r});
}

std::vector<direct_message> dms(std::vector<effect> const& effects) {
    std::vector<direct_message> out;
    for (auto const& f : effects) {
        if (auto const* dm = std::get_if<direct_message>(&f)) out.push_back(*dm);
    }
    return out;
}
}  // namespace

TEST_CASE("dedup keys name the incident and only the canonical form reads back") {
    CHECK(page_dedup_key(7) == "warroom-inc-7");
    CHECK(page_dedup_key(120345) == "warroom-inc-120345");
    for (int n : {1, 7, 42, 120345, 2147483647}) {
        CAPTURE(n);
        CHECK(incident_of_page_key(page_dedup_key(n)) == n);
    }
    for (std::string_view bad :
         {"", "warroom-inc-", "warroom-inc-0", "warroom-inc-07", "warroom-inc--7", "warroom-inc-+7", "warroom-inc-7x",
          "warroom-inc-7 ", " warroom-inc-7", "warroom-inc-2147483648", "warroom-inc-99999999999999999999",
          "WARROOM-INC-7", "warroom-7", "d3640fbd41094207a1c11e58e46b1662"}) {
        CAPTURE(bad);
        CHECK_FALSE(incident_of_page_key(bad));
    }
}

TEST_CASE("page actions have the names the vendors' APIs use") {
    CHECK(to_string(page_action::trigger) == "trigger");
    CHECK(to_string(page_action::acknowledge) == "acknowledge");
    CHECK(to_string(page_action::resolve) == "resolve");
}

TEST_CASE("declining a paged incident resolves its page at the vendor") {
    auto p = rules();
    p.paging = true;
    incident_map all;
    std::vector<event> const history = {
        at(t0, "alice", declared{"API down", "", severity::p0, incident_type::outage, t0, "inc-1-api-down"}),
        at(t0, bot_user, paged{{}, "primary"})};
    for (auto const& e : history) apply(all, e);
    std::vector<event> const batch = {at(t0 + 5min, "alice", phase_changed{phase::detection, phase::closed}),
                                      at(t0 + 5min, "alice", declined{"false alarm"})};
    for (auto const& e : batch) apply(all, e);
    auto const effects = reactions(batch, all, reaction_context{p, "alice", "inc-1-api-down"});
    auto const resolves = std::count_if(effects.begin(), effects.end(), [](effect const& f) {
        auto const* pg = std::get_if<page>(&f);
        return pg && pg->action == page_action::resolve && pg->dedup_key == page_dedup_key(1);
    });
    CHECK(resolves == 1);
}

TEST_CASE("an incident turned private edits the updates the announcement channel heard, and posts none") {
    incident_map all;
    std::vector<event> const history = {
        at(t0, "alice", declared{"Payroll export", "", severity::p1, incident_type::outage, t0, "inc-1-payroll-export"}),
        at(t0 + 1min, "alice", update_posted{status::identified, "Export job leaks rows", ""}),
        at(t0 + 2min, "alice", update_posted{status::implementing_fix, "Stopping the job", ""})};
    for (auto const& e : history) apply(all, e);
    std::vector<event> const batch = {at(t0 + 3min, "alice", type_changed{incident_type::outage, incident_type::security}),
                                      at(t0 + 3min, "alice", room_moved{"inc-1-payroll-export", "inc-1-security"})};
    for (auto const& e : batch) apply(all, e);
    auto const effects = reactions(batch, all, reaction_context{rules(), "alice", "inc-1-payroll-export"});
    std::vector<std::string> keys;
    for (auto const& f : effects) {
        auto const* p = std::get_if<post>(&f);
        if (!p || !p->edit_only) continue;
        keys.push_back(p->key);
        CHECK(p->channel == rules().announce_channel);
        auto const text = render_text(p->view);
        CHECK(text.find("Payroll") == std::string::npos);
        CHECK(text.find("Export job") == std::string::npos);
    }
    CHECK(keys == std::vector<std::string>{announced_update_key(1, 1), announced_update_key(1, 2)});
}

TEST_CASE("a channel named as an escalation contact is told there, without a private incident's words") {
    auto p = rules();
    p.of(severity::p1).escalation = {{{}, "security-leads", "Security leads told", {"#sec-leads"}, true, false, false}};
    for (auto const type : {incident_type::outage, incident_type::security}) {
        CAPTURE(to_string(type));
        incident_map all;
        warroom::core::apply(all, at(t0, "alice", declared{"Payroll export", "", severity::p1, type, t0, "inc-1-x"}));
        std::vector<event> const batch = {
            at(t0 + 1min, "alice", escalated{"security-leads", "Security leads told", true, "payroll rows leaked", {"#sec-leads"}})};
        for (auto const& e : batch) apply(all, e);
        auto const effects = reactions(batch, all, reaction_context{p, "alice", "inc-1-x"});
        auto const told = std::find_if(effects.begin(), effects.end(), [](effect const& f) {
            auto const* x = std::get_if<post>(&f);
            return x && x->channel == "sec-leads";
        });
        REQUIRE(told != effects.end());
        auto const text = render_text(std::get<post>(*told).view);
        CHECK(text.find("Security leads told") != std::string::npos);
        CHECK((text.find("payroll rows leaked") == std::string::npos) == (type == incident_type::security));
    }
}

TEST_CASE("a contact given by e-mail is invited: the type's at declaration, an escalation step's when it fires") {
    auto p = rules();
    p.of(incident_type::privacy).contacts = {"dpo@example.com", "@U0LEGAL"};
    p.of(severity::p1).escalation = {{{}, "engineering-manager", "Engineering manager notified", {"em@example.com"}, true, false, false}};
    auto const declaration = decide_declare(1, {severity::p1, incident_type::privacy, "Payroll export", "", std::nullopt},
                                            "alice", t0, p);
    REQUIRE(std::holds_alternative<std::vector<event>>(declaration));
    auto const& declared_batch = std::get<std::vector<event>>(declaration);
    incident_map all;
    for (auto const& e : declared_batch) apply(all, e);
    auto const opened = reactions(declared_batch, all, reaction_context{p, "alice", "incidents"});
    auto const room = std::find_if(opened.begin(), opened.end(), [](effect const& f) { return std::holds_alternative<open_war_room>(f); });
    REQUIRE(room != opened.end());
    CHECK(std::get<open_war_room>(*room).invite == std::vector<std::string>{"alice", "dpo@example.com", "U0LEGAL"});

    auto const step = escalation_events(all.at(1), p.of(severity::p1).escalation[0], false, {}, bot_user, t0 + 1min, p);
    for (auto const& e : step) apply(all, e);
    auto const told = reactions(step, all, reaction_context{p, bot_user, ""});
    auto const added = std::find_if(told.begin(), told.end(), [](effect const& f) { return std::holds_alternative<invite>(f); });
    REQUIRE(added != told.end());
    CHECK(std::get<invite>(*added).who == std::vector<std::string>{"em@example.com"});
    // Once in, the step's contact is not invited again.
    CHECK(escalation_events(all.at(1), p.of(severity::p1).escalation[0], true, {}, "alice", t0 + 2min, p).size() == 1);
}

TEST_CASE("a type change applies the new type's protocol: its contacts, its runbook, and the warning below its typical severity") {
    auto p = rules();
    p.of(incident_type::privacy).contacts = {"@U0DPO", "@S0LEGAL"};
    for (auto const sev : {severity::p1, severity::p0}) {
        CAPTURE(to_string(sev));
        incident_map all;
        warroom::core::apply(all, at(t0, "alice", declared{"Payroll export", "", sev, incident_type::outage, t0, "inc-1-payroll-export"}));
        warroom::core::apply(all, at(t0, "alice", invited{{"alice"}}));
        auto const d = decide(all.at(1), change_type{incident_type::privacy}, "alice", t0 + 1h, p);
        REQUIRE(std::holds_alternative<std::vector<event>>(d));
        auto const& batch = std::get<std::vector<event>>(d);
        CHECK(payloads(batch) == std::vector<payload>{type_changed{incident_type::outage, incident_type::privacy},
                                                      room_moved{"inc-1-payroll-export", "inc-1-privacy"},
                                                      invited{{"U0DPO"}, {"S0LEGAL"}}});
        for (auto const& e : batch) apply(all, e);
        auto const effects = reactions(batch, all, reaction_context{p, "alice", "inc-1-payroll-export"});
        CHECK(std::count(effects.begin(), effects.end(), effect{invite{1, "inc-1-privacy", {"U0DPO", "S0LEGAL"}}}) == 1);
        std::vector<message_view> in_room;
        for (auto const& f : effects) {
            if (auto const* x = std::get_if<post>(&f); x && x->channel == "inc-1-privacy") in_room.push_back(x->view);
        }
        auto const kind = [&](std::string const& k) {
            return std::find_if(in_room.begin(), in_room.end(), [&](message_view const& v) { return v.kind == k; });
        };
        REQUIRE(kind("runbook") != in_room.end());
        CHECK(kind("runbook")->headline == "📘 Runbook — Incident: Data Privacy (GDPR)");
        // A privacy incident is typically P0: a P1 is warned, with the one-click upgrade; a P0 is not.
        REQUIRE((kind("severity_warning") != in_room.end()) == (sev == severity::p1));
        if (sev == severity::p1) {
            CHECK(kind("severity_warning")->buttons ==
                  std::vector<button>{{ui::action::upgrade_severity, "Raise to P0", ui::severity_value(1, severity::p0)}});
        }
    }
}

TEST_CASE("an action item still open the day after its due date is followed up by a DM to its owner") {
    incident_map all;
    for (auto const& e : std::vector<event>{
             at(t0, "alice", declared{"API down", "", severity::p3, incident_type::outage, t0, "inc-1-api-down"}),
             at(t0 + 1h, "bob", action_added{1, "Add a canary", user_id{"dave"}, march_10}),
             at(t0 + 1h, "bob", action_added{2, "Write docs", std::nullopt, march_10})}) {
        warroom::core::apply(all, e);
    }
    auto const late = march_10 + 33h;
    auto const owned = fired(all, {"action-overdue:1:1:2026-03-10", reminder_kind::action_overdue, 1, late, 0, 1}, late, rules());
    auto const told = dms(owned);
    REQUIRE(told.size() == 1);
    CHECK(told[0].user == "dave");
    CHECK(told[0].view.headline == "⏳ Action item #1 of INC-1 is overdue (due 2026-03-10), @dave: Add a canary");
    CHECK(told[0].view.buttons == std::vector<button>{{ui::action::done, "Mark done", ui::action_item_value(1, 1)}});
    // Nobody owns the second: the room is reminded, nobody is sent a DM.
    auto const unowned = fired(all, {"action-overdue:1:2:2026-03-10", reminder_kind::action_overdue, 1, late, 0, 2}, late, rules());
    CHECK(dms(unowned).empty());
    CHECK(std::any_of(unowned.begin(), unowned.end(), [](effect const& f) {
        auto const* x = std::get_if<post>(&f);
        return x && x->channel == "inc-1-api-down" && x->view.kind == "action_due";
    }));
}

TEST_CASE("unanswered nudges are told by DM to the incident admins and the engineering manager step's people") {
    auto p = rules();
    p.access.admins = {"U0ADMIN", "S0SRE"};
    p.of(severity::p1).escalation[1].notify = {"@U0EM", "@S0MGRS", "#eng"};
    REQUIRE(p.of(severity::p1).escalation[1].target == "engineering-manager");
    incident_map all;
    warroom::core::apply(all, at(t0, "alice", declared{"API down", "", severity::p1, incident_type::outage, t0, "inc-1-api-down"}));
    for (auto const minutes : {60, 120, 180}) warroom::core::apply(all, at(t0 + std::chrono::minutes{minutes}, bot_user, nudged{}));
    auto const now = t0 + 3h;
    auto const effects = fired(all, {"nudges-unanswered:1:" + epoch(t0), reminder_kind::nudges_unanswered, 1, now}, now, p);
    std::vector<std::string> told;
    for (auto const& dm : dms(effects)) {
        told.push_back(dm.user);
        CHECK(dm.view.headline.find("3 reminders went unanswered") != std::string::npos);
    }
    // A user group cannot be sent a DM: it is mentioned in the room's notice with the others.
    CHECK(told == std::vector<std::string>{"U0ADMIN", "U0EM"});
    auto const notice = std::find_if(effects.begin(), effects.end(), [](effect const& f) {
        auto const* x = std::get_if<post>(&f);
        return x && x->channel == "inc-1-api-down";
    });
    REQUIRE(notice != effects.end());
    CHECK(std::get<post>(*notice).view.mentions ==
          std::vector<std::string>{"U0ADMIN", "S0SRE", "U0EM", "S0MGRS", "alice"});
}

TEST_CASE("an update reaches the announcement channel as configured: in its thread, as a post, or only in the announcement") {
    struct row {
        policy::update_posts mode;
        bool posted;
        std::string thread;
    };
    for (auto const& r : std::vector<row>{{policy::update_posts::thread, true, announcement_key(1)},
                                          {policy::update_posts::channel, true, ""},
                                          {policy::update_posts::edit, false, ""}}) {
        CAPTURE(static_cast<int>(r.mode));
        auto p = rules();
        p.announce_updates = r.mode;
        incident_map all;
        warroom::core::apply(all, at(t0, "alice", declared{"API down", "", severity::p1, incident_type::outage, t0, "inc-1-api-down"}));
        std::vector<event> const batch = {at(t0 + 10min, "bob", update_posted{status::identified, "Bad deploy", ""})};
        for (auto const& e : batch) warroom::core::apply(all, e);
        std::vector<post> in_channel;
        for (auto const& f : reactions(batch, all, reaction_context{p, "bob", "inc-1-api-down"})) {
            if (auto const* x = std::get_if<post>(&f); x && x->channel == p.announce_channel) in_channel.push_back(*x);
        }
        auto const update = std::find_if(in_channel.begin(), in_channel.end(), [](post const& x) { return x.view.kind == "update"; });
        CHECK((update != in_channel.end()) == r.posted);
        if (update != in_channel.end()) {
            CHECK(update->key == announced_update_key(1, 1));
            CHECK(update->thread == r.thread);
        }
        // The announcement is kept current whatever the mode.
        auto const announcement = std::find_if(in_channel.begin(), in_channel.end(),
                                               [](post const& x) { return x.key == announcement_key(1); });
        REQUIRE(announcement != in_channel.end());
        CHECK(announcement->view.kind == "announcement");
        CHECK(in_channel.size() == (r.posted ? 2u : 1u));
    }
}

TEST_CASE("each publication goes to Statuspage when it is configured, a private incident under its reference only") {
    auto p = rules();
    std::vector<statuspage_update> sent;
    auto const publish = [&](incident_type type, std::vector<event> const& batch) {
        incident_map all;
        std::vector<event> const history = {
            at(t0, "alice", declared{"Checkout DB lost its disk", "", severity::p1, type, t0, "inc-1-checkout"})};
        for (auto const& e : history) apply(all, e);
        for (auto const& e : batch) apply(all, e);
        sent.clear();
        for (auto const& f : reactions(batch, all, reaction_context{p, "alice", "inc-1-checkout"})) {
            if (auto const* u = std::get_if<statuspage_update>(&f)) sent.push_back(*u);
        }
    };
    std::vector<event> const batch = {
        at(t0 + 5min, "alice",
           published{"Checkout is failing.", status::identified, {"API"}, component_status::major_outage}),
        at(t0 + 5min, "alice", published{"Notice: checkout is down.", status::identified})};
    publish(incident_type::outage, batch);
    CHECK(sent.empty());

    p.statuspage = true;
    publish(incident_type::outage, batch);
    REQUIRE(sent.size() == 2);
    CHECK(sent[0] == statuspage_update{1, 1, "Checkout DB lost its disk", status::identified, "Checkout is failing.",
                                       {"API"}, component_status::major_outage, "critical"});
    CHECK(sent[1].sequence == 2);
    CHECK(sent[1].text == "Notice: checkout is down.");
    CHECK(sent[1].component_st == std::nullopt);

    publish(incident_type::security, batch);
    REQUIRE(sent.size() == 2);
    CHECK(sent[0].name == "Incident INC-1");
    CHECK(sent[0].text == "Checkout is failing.");
}
