// The declare, update and resolve forms: a bad field gives that field's error and records
// nothing; a valid submission records the same events the command would.
#include "tests/service/support.hpp"

namespace {

using namespace warroom::service_test;

using values = std::map<std::string, std::string>;

std::string const room = "inc-1-checkout-fails";

// The tests name fields by their wire ids, as Slack sends them.
struct submitted {
    outcome out;
    values field_errors;
    bool changed;
    std::vector<effect> effects;
};
submitted submit(warroom::app::service& svc, origin const& o, modal_view const& form, values const& in) {
    form_values typed;
    for (auto const& [id, text] : in) typed[ui::parse_field(id).value()] = text;
    auto out = svc.submit(o, form.id, form.incident, typed);
    values errors;
    for (auto const& [f, message] : out.field_errors) errors[std::string(ui::id(f))] = message;
    return {out, errors, out.changed, out.effects};
}

submitted submit_checkout(harness& h) {
    return submit(h.svc(), {"alice", "incidents", t0}, declare_modal(),
                          {{"title", "Checkout fails"},
                           {"severity", "P1"},
                           {"type", "integration"},
                           {"description", "Stripe returns 500"},
                           {"started_at", "20m ago"}});
}

std::string shown(values const& v) {
    std::string out;
    for (auto const& [k, m] : v) out += k + ": " + m + "\n";
    return out;
}

// Declared by alice; bob joins the war room to help.
void declare_checkout(harness& h) {
    REQUIRE(submit_checkout(h).changed);
    h.join("bob", room, t0);
}

}  // namespace

TEST_CASE("the declare form reports a bad field and records nothing") {
    struct row {
        values in;
        std::map<std::string, std::string> errors;
    };
    // Each error quotes the bad value and gives the valid ones.
    std::string const p9 = "'P9' is not a severity: pick P0, P1, P2 or P3";
    std::string const alien =
        "'alien' is not an incident type: pick outage, performance, data-loss, security, integration, privacy";
    std::vector<row> const rows = {
        {{}, {{"title", "Give the incident a title: what is broken"}}},
        {{{"title", " \n "}}, {{"title", "Give the incident a title: what is broken"}}},
        {{{"title", std::string(5000, 'x')}}, {{"title", "At most 200 characters"}}},
        {{{"title", "x"}, {"severity", "P9"}}, {{"severity", p9}}},
        {{{"title", "x"}, {"type", "alien"}}, {{"type", alien}}},
        {{{"title", "x"}, {"started_at", "yesterday"}},
         {{"started_at", "Cannot read 'yesterday': use YYYY-MM-DD HH:MM (UTC) or a duration such as 20m ago"}}},
        // A start in the future is no start of impact.
        {{{"title", "x"}, {"started_at", "2026-03-03 09:00"}},
         {{"started_at", "'2026-03-03 09:00' is in the future: give when the impact started"}}},
        {{{"severity", "P9"}, {"type", "alien"}},
         {{"title", "Give the incident a title: what is broken"}, {"severity", p9}, {"type", alien}}},
    };
    harness h;
    for (auto const& r : rows) {
        CAPTURE(r.errors.begin()->first);
        auto const out = submit(h.svc(), {"alice", "incidents", t0}, declare_modal(), r.in);
        CHECK(shown(out.field_errors) == shown(r.errors));
        CHECK(out.effects.empty());
        CHECK_FALSE(out.changed);
    }
    CHECK(h.store().load().empty());
    CHECK(h.svc().incidents().empty());
}

TEST_CASE("a valid declare form declares the incident and opens its war room") {
    harness h;
    auto const out = submit_checkout(h);
    CHECK(out.changed);
    CHECK(out.field_errors.empty());
    CHECK(h.store().load() ==
          std::vector<event>{event{1, t0, "alice",
                                   declared{"Checkout fails", "Stripe returns 500", severity::p1,
                                            incident_type::integration, t0 - 20min, room}},
                             event{1, t0, "alice", role_assigned{role::incident_commander, "alice", std::nullopt}},
                             event{1, t0, "alice", invited{{"alice"}}}});
    REQUIRE_FALSE(out.effects.empty());
    CHECK(std::get<open_war_room>(out.effects.front()) ==
          open_war_room{1, room, false, {"alice"}, "P1 · Investigating · IC @alice"});
    CHECK(joined(view_kinds(out.out)) == "declaration, runbook, checklist, announcement");
}

TEST_CASE("the declare form takes an absolute start time and defaults to P2 outage") {
    harness h;
    auto const out = submit(h.svc(), {"alice", "incidents", t0}, declare_modal(),
                                    {{"title", "Slow search"}, {"started_at", "2026-03-02 08:30"}});
    CHECK(out.changed);
    REQUIRE(h.store().load().size() == 3);
    CHECK(h.store().load()[0].what ==
          payload{declared{"Slow search", "", severity::p2, incident_type::outage, t0 - 30min, "inc-1-slow-search"}});
}

TEST_CASE("the update form needs text and a listed status and then posts the update") {
    harness h;
    declare_checkout(h);
    auto const* inc = h.svc().find(1);
    REQUIRE(inc != nullptr);
    auto const form = update_modal(*inc);
    CHECK(form.id == ui::form::update);
    CHECK(form.incident == 1);
    auto const before = h.store().load().size();

    auto const no_text = submit(h.svc(), {"bob", room, t0 + 5min}, form, {{"status", "identified"}, {"text", "  "}});
    CHECK(no_text.field_errors == std::map<std::string, std::string>{{"text", "Say what changed"}});
    auto const resolved_status =
        submit(h.svc(), {"bob", room, t0 + 5min}, form, {{"status", "resolved"}, {"text", "all good"}});
    CHECK(shown(resolved_status.field_errors) ==
          shown(std::map<std::string, std::string>{
              {"status", "'resolved' is not a status: pick investigating, identified, implementing-fix or monitoring"}}));
    CHECK_FALSE(no_text.changed);
    CHECK_FALSE(resolved_status.changed);
    CHECK(h.store().load().size() == before);

    auto const ok =
        submit(h.svc(), {"bob", room, t0 + 5min}, form,
                       {{"status", "identified"}, {"impact", "EU only"}, {"text", "Stripe outage confirmed"}});
    CHECK(ok.changed);
    CHECK(since(h.store(), before) ==
          std::vector<event>{
              event{1, t0 + 5min, "bob", update_posted{status::identified, "Stripe outage confirmed", "EU only"}}});
    // In the war room, in the announcement's thread, and the announcement kept current.
    CHECK(joined(view_kinds(ok.out)) == "update, update, announcement");
}

TEST_CASE("the resolve form needs a resolution and then resolves") {
    harness h{without_lead()};
    declare_checkout(h);
    auto const form = resolve_modal(*h.svc().find(1));
    // A P1 still needs its IC before it leaves detection, through the form as through the command.
    auto const no_ic = submit(h.svc(), {"bob", room, t0 + 30min}, form, {{"resolution", "Rotated the Stripe key"}});
    CHECK_FALSE(no_ic.changed);
    REQUIRE(no_ic.effects.size() == 1);
    CHECK(render_text(std::get<reply>(no_ic.effects.front()).view)
              == "⚠️ a P1 incident needs an Incident Commander before it leaves Detection: `assign ic @user`\n");
    h.run("alice", room, t0 + 30min, "assign ic @bob");
    auto const before = h.store().load().size();

    auto const empty = submit(h.svc(), {"bob", room, t0 + 30min}, form, {{"root_cause", "expired key"}});
    CHECK(empty.field_errors == std::map<std::string, std::string>{{"resolution", "Say what fixed it"}});
    CHECK_FALSE(empty.changed);
    CHECK(h.store().load().size() == before);

    auto const ok = submit(h.svc(), {"bob", room, t0 + 30min}, form,
                                   {{"resolution", "Rotated the Stripe key"}, {"root_cause", "expired key"}});
    CHECK(ok.changed);
    auto const recorded = since(h.store(), before);
    CHECK(describe(payloads(recorded)) ==
          describe(std::vector<payload>{mitigated{}, phase_changed{phase::detection, phase::resolution},
                                        resolved{"Rotated the Stripe key", "expired key"}}));
    CHECK(h.svc().find(1)->is_resolved());
}

TEST_CASE("a form for an incident that does not exist says so on its first field") {
    harness h;
    declare_checkout(h);
    auto form = update_modal(*h.svc().find(1));
    form.incident = 99;
    auto const out = submit(h.svc(), {"bob", room, t0}, form, {{"text", "hello"}});
    CHECK(out.field_errors == std::map<std::string, std::string>{{"text", "This incident no longer exists"}});
    CHECK_FALSE(out.changed);
}

TEST_CASE("an empty command opens the form and records nothing") {
    harness h;
    auto const declare = h.svc().handle({"alice", "incidents", t0}, "declare");
    REQUIRE(declare.effects.size() == 1);
    CHECK(std::get<open_form>(declare.effects.front()) == open_form{"alice", declare_modal()});
    declare_checkout(h);
    auto const before = h.store().load().size();
    auto const update = h.svc().handle({"bob", room, t0 + 1min}, "update");
    REQUIRE(update.effects.size() == 1);
    CHECK(std::get<open_form>(update.effects.front()) == open_form{"bob", update_modal(*h.svc().find(1))});
    auto const resolve = h.svc().handle({"bob", room, t0 + 1min}, "resolve");
    REQUIRE(resolve.effects.size() == 1);
    CHECK(std::get<open_form>(resolve.effects.front()) == open_form{"bob", resolve_modal(*h.svc().find(1))});
    CHECK_FALSE(update.changed);
    CHECK(h.store().load().size() == before);
}

TEST_CASE("the customer notice can be edited through its form until it is approved") {
    harness h;
    h.run("alice", "incidents", t0, "declare P0 API down");
    std::string const room1 = "inc-1-api-down";
    // The customer-communication step (60 minutes for a P0) drafts the notice.
    h.svc().tick(t0 + 61min);
    auto const* inc = h.svc().find(1);
    REQUIRE(inc != nullptr);
    auto const opened = h.svc().press({"alice", room1, t0 + 62min}, ui::action::edit_notice, "1");
    REQUIRE(opened.effects.size() == 1);
    auto const* form = std::get_if<open_form>(&opened.effects.front());
    REQUIRE(form != nullptr);
    CHECK(form->form.id == ui::form::customer_notice);
    // The draft follows the status and never quotes the internal impact text.
    CHECK(form->form.fields.front().initial.find("We are investigating") != std::string::npos);
    // A bystander may neither open nor submit it.
    auto const outsider = h.svc().press({"mallory", room1, t0 + 62min}, ui::action::edit_notice, "1");
    CHECK_FALSE(outsider.changed);
    CHECK(std::holds_alternative<reply>(outsider.effects.front()));
    auto const before = h.store().load().size();
    auto const denied = submit(h.svc(), {"mallory", room1, t0 + 62min}, form->form,
                               {{"notice_text", "All fine, nothing to see."}});
    CHECK_FALSE(denied.changed);
    CHECK(h.store().load().size() == before);

    auto const edited = submit(h.svc(), {"alice", room1, t0 + 63min}, form->form,
                               {{"notice_text", "Some customers cannot sign in; we are on it."}});
    CHECK(edited.changed);
    CHECK(since(h.store(), before) ==
          std::vector<event>{event{1, t0 + 63min, "alice",
                                   customer_notice_edited{"Some customers cannot sign in; we are on it."}}});
    h.run("alice", room1, t0 + 64min, "update status:identified Bad deploy");
    REQUIRE(h.svc().press({"alice", room1, t0 + 65min}, ui::action::approve_notice, "1").changed);
    auto const late = h.svc().press({"alice", room1, t0 + 66min}, ui::action::edit_notice, "1");
    REQUIRE(late.effects.size() == 1);
    CHECK(render_text(std::get<reply>(late.effects.front()).view) ==
          "⚠️ the customer notice of INC-1 is already approved; it can no longer be edited\n");
}
