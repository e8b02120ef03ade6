// The public status page's rules: nothing shows before it is published, who may publish, a private
// incident's title never shows, the resolution only when asked, and the uptime bars.
#include <doctest/doctest.h>

#include <algorithm>

#include "core/authority.hpp"
#include "core/command_line.hpp"
#include "core/status_page.hpp"
#include "core/views.hpp"
#include "tests/core/support.hpp"

namespace {

using namespace warroom::core;
using namespace warroom::core::test;

policy with_components() {
    auto p = rules();
    p.components = {"API", "Website"};
    p.access.admins = {"U0ADMIN"};
    return p;
}

page_settings settings() {
    return {"Example Status", "https://status.example.com", {{"API", "Core", "The public REST API"}, {"Website", "", ""}}};
}

incident declared_as(incident_type type, std::string title = "Database primary lost its disk") {
    auto const room = type == incident_type::security ? "inc-1-security" : "inc-1-db";
    return given({at(t0, "alice", declared{std::move(title), "", severity::p1, type, t0, room}),
                  at(t0, "alice", role_assigned{role::incident_commander, "alice", std::nullopt}),
                  at(t0, "alice", invited{{"alice", "bob"}})});
}

// Decides and applies: the incident after the command, which must be accepted.
incident after(incident i, command const& c, user_id const& by, timestamp now, policy const& p) {
    auto const d = decide(i, c, by, now, p);
    INFO(describe(d));
    REQUIRE(std::holds_alternative<std::vector<event>>(d));
    for (auto const& e : std::get<std::vector<event>>(d)) i = apply(std::move(i), e);
    return i;
}

std::string reason(decision const& d) { return std::holds_alternative<refusal>(d) ? std::get<refusal>(d).reason : "accepted"; }

public_page page_of(std::vector<incident const*> const& incidents, timestamp now, policy const& p = with_components(),
                    std::vector<maintenance const*> const& windows = {}) {
    return status_page(incidents, windows, settings(), p, now);
}

// Every string the page holds, for "this never appears anywhere" checks.
std::string all_text(public_page const& v) {
    std::string out = v.description;
    for (auto const* list : {&v.active, &v.history}) {
        for (auto const& i : *list) {
            out += i.name;
            for (auto const& u : i.updates) out += u.text;
        }
    }
    return out;
}

}  // namespace

TEST_CASE("nothing reaches the page before it is published, updates and affected components stay internal") {
    auto const p = with_components();
    auto i = after(declared_as(incident_type::outage), post_update{status::identified, "disk failed", "", {"API"}},
                   "alice", t0 + 5min, p);
    CHECK(i.components == std::vector<std::string>{"API"});
    auto const v = page_of({&i}, t0 + 10min);
    CHECK(v.active.empty());
    CHECK(v.history.empty());
    CHECK(v.indicator == "none");
    CHECK(v.description == "All Systems Operational");
    CHECK(v.components.at(0).st == component_status::operational);
}

TEST_CASE("a publication shows its public text and sets its components") {
    auto const p = with_components();
    auto i = after(declared_as(incident_type::outage),
                   publish{"We are looking into API errors", {"API"}, component_status::partial_outage}, "alice",
                   t0 + 5min, p);
    auto const v = page_of({&i}, t0 + 10min);
    REQUIRE(v.active.size() == 1);
    CHECK(v.active[0].name == "Database primary lost its disk");
    CHECK(v.active[0].st == status::investigating);
    CHECK(v.active[0].impact == "major");
    REQUIRE(v.active[0].updates.size() == 1);
    CHECK(v.active[0].updates[0].text == "We are looking into API errors");
    CHECK(v.components.at(0).st == component_status::partial_outage);
    CHECK(v.components.at(0).updated_at == t0 + 5min);
    CHECK(v.components.at(1).st == component_status::operational);
    CHECK(v.indicator == "major");
    // A later publication with a status only keeps the components already published.
    i = after(i, publish{"Fully down now", {}, component_status::major_outage}, "alice", t0 + 20min, p);
    CHECK(i.publications.back().components == std::vector<std::string>{"API"});
    CHECK(page_of({&i}, t0 + 21min).components.at(0).st == component_status::major_outage);
}

TEST_CASE("publishing: the Communications Lead, or the IC while there is none, bad input is refused clearly") {
    auto const p = with_components();
    auto i = declared_as(incident_type::outage);
    publish const pub{"We are looking into it"};
    // No Communications Lead: the IC publishes, a responder may not.
    CHECK_FALSE(authorize(i, principal{"alice", {}}, command{pub}, p));
    CHECK(authorize(i, principal{"bob", {}}, command{pub}, p)->reason ==
          "only the Incident Commander (@alice) or an incident admin can publish INC-1 on the status page");
    i = after(i, assign_role{role::communications_lead, "carol"}, "alice", t0 + 1min, p);
    CHECK_FALSE(authorize(i, principal{"carol", {}}, command{pub}, p));
    CHECK(authorize(i, principal{"alice", {}}, command{pub}, p)->reason ==
          "only the Communications Lead (@carol) or an incident admin can publish INC-1 on the status page");
    CHECK_FALSE(authorize(i, principal{"U0ADMIN", {}}, command{publish_resolution{}}, p));

    CHECK(reason(decide(i, publish{"  "}, "carol", t0 + 2min, p)) ==
          "a publication needs its public text: what customers should read");
    CHECK(reason(decide(i, publish{"x", {"Payments"}}, "carol", t0 + 2min, p)) == "unknown component 'Payments' (API, Website)");
    CHECK(reason(decide(i, publish{"x", {}, component_status::major_outage}, "carol", t0 + 2min, p)) ==
          "which components are major-outage? name them: `publish component:<name> status:major-outage <public text>`");
    CHECK(reason(decide_declare(2, declare{severity::p2, incident_type::outage, "x", "", {}, false, {}, {}, {"Nope"}},
                                "alice", t0, p)) == "unknown component 'Nope' (API, Website)");
}

TEST_CASE("the command line reads publish and component:") {
    auto const r = parse_command_line("publish component:API component:Website status:major_outage Down for everyone",
                                      true, t0);
    REQUIRE(std::holds_alternative<request>(r));
    CHECK(std::get<command>(std::get<request>(r).what) ==
          command{publish{"Down for everyone", {"API", "Website"}, component_status::major_outage}});
    auto const bad = parse_command_line("publish status:broken Down", true, t0);
    REQUIRE(std::holds_alternative<usage_error>(bad));
    CHECK(std::get<usage_error>(bad).reason ==
          "unknown component status 'broken' (operational, degraded-performance, partial-outage, major-outage, "
          "under-maintenance)");
    CHECK(std::get<usage_error>(parse_command_line("publish component:API", true, t0)).reason ==
          "a publication needs its public text: what customers should read");
    auto const d = parse_command_line("declare P1 component:API component:Website Checkout down", false, t0);
    REQUIRE(std::holds_alternative<request>(d));
    CHECK(std::get<declare>(std::get<request>(d).what).components == std::vector<std::string>{"API", "Website"});
    auto const u = parse_command_line("update status:identified component:API the disk", true, t0);
    CHECK(std::get<post_update>(std::get<command>(std::get<request>(u).what)).components ==
          std::vector<std::string>{"API"});
}

TEST_CASE("a private incident's title never appears, only its published text does") {
    auto const p = with_components();
    auto i = declared_as(incident_type::security, "Leaked admin token of customer ACME");
    auto const v0 = page_of({&i}, t0 + 1min);
    CHECK(v0.active.empty());
    i = after(i, publish{"Some logins may fail", {"Website"}, component_status::degraded_performance}, "alice",
              t0 + 5min, p);
    auto const v = page_of({&i}, t0 + 6min);
    REQUIRE(v.active.size() == 1);
    CHECK(v.active[0].name == "Incident INC-1");
    CHECK(all_text(v).find("ACME") == std::string::npos);
    CHECK(all_text(v).find("Leaked") == std::string::npos);
    CHECK(all_text(v).find("Some logins may fail") != std::string::npos);
}

TEST_CASE("the approved customer notice is a publication of a public incident, never of a private one") {
    auto const p = with_components();
    for (auto const type : {incident_type::outage, incident_type::privacy}) {
        CAPTURE(to_string(type));
        auto i = given({at(t0, "alice", declared{"Emails of ACME exported", "", severity::p1, type, t0, "inc-1"}),
                        at(t0, "alice", role_assigned{role::incident_commander, "alice", std::nullopt}),
                        at(t0 + 30min, "bot", escalated{"customer-communication", "Customer notice", false, "", {}, true})});
        i = after(i, approve_customer_notice{}, "alice", t0 + 31min, p);
        bool const is_public = type == incident_type::outage;
        CHECK(i.publications.size() == (is_public ? 1u : 0u));
        auto const v = page_of({&i}, t0 + 32min);
        CHECK(v.active.size() == (is_public ? 1u : 0u));
        if (is_public) CHECK(v.active[0].updates[0].text == customer_notice_text(i, p, t0 + 31min));
        CHECK(all_text(v).find("ACME") == (is_public ? all_text(v).find("ACME") : std::string::npos));
    }
}

TEST_CASE("a published incident that resolves stays on the page as it was until its resolution is published") {
    auto const p = with_components();
    auto i = after(declared_as(incident_type::outage),
                   publish{"API errors", {"API"}, component_status::major_outage}, "alice", t0 + 5min, p);
    CHECK(reason(decide(i, publish_resolution{}, "alice", t0 + 6min, p)) ==
          "INC-1 is not resolved yet: `resolve <resolution>` first");
    i = after(i, resolve{"failed over", ""}, "alice", t0 + 60min, p);
    CHECK(resolution_unpublished(i));
    auto const before = page_of({&i}, t0 + 61min);
    REQUIRE(before.active.size() == 1);
    CHECK(before.active[0].st == status::investigating);
    CHECK(before.components.at(0).st == component_status::major_outage);

    i = after(i, publish_resolution{}, "alice", t0 + 70min, p);
    CHECK_FALSE(resolution_unpublished(i));
    CHECK(i.publications.back() ==
          publication{1, 2, t0 + 70min, "Resolved", status::resolved, {"API"}, component_status::operational});
    auto const v = page_of({&i}, t0 + 71min);
    CHECK(v.active.empty());
    REQUIRE(v.history.size() == 1);
    CHECK(v.history[0].resolved_at == t0 + 70min);
    CHECK(v.history[0].updates.front().text == "Resolved");
    CHECK(v.components.at(0).st == component_status::operational);
    CHECK(reason(decide(i, publish_resolution{}, "alice", t0 + 72min, p)) == "the resolution of INC-1 is already published");
    // Never published: nothing to resolve on the page.
    auto quiet = after(declared_as(incident_type::outage), resolve{"fixed", ""}, "alice", t0 + 5min, p);
    CHECK_FALSE(resolution_unpublished(quiet));
    CHECK(reason(decide(quiet, publish_resolution{}, "alice", t0 + 6min, p)) ==
          "INC-1 was never published on the status page");
}

TEST_CASE("the resolution of a published incident is offered as a button in its war room") {
    auto const p = with_components();
    auto const i = after(declared_as(incident_type::outage), publish{"API errors", {"API"}, component_status::major_outage},
                         "alice", t0 + 5min, p);
    auto const v = publish_resolution_view(i);
    REQUIRE(v.buttons.size() == 1);
    CHECK(v.buttons[0].action == ui::action::publish_resolution);
    CHECK(v.buttons[0].label == "Publish resolution");
    CHECK(ui::parse_action(ui::id(ui::action::publish_resolution)) == ui::action::publish_resolution);
}

TEST_CASE("uptime bars: each day shows its worst status, the uptime weighs major outages fully, partial ones 30%") {
    auto const p = with_components();
    auto const now = t0 + std::chrono::days{10};
    auto i = after(declared_as(incident_type::outage),
                   publish{"Slow", {"API"}, component_status::degraded_performance}, "alice", t0 + 1h, p);
    i = after(i, publish{"Down", {}, component_status::major_outage}, "alice", t0 + 2h, p);
    i = after(i, resolve{"fixed", ""}, "alice", t0 + 3h, p);
    i = after(i, publish_resolution{}, "alice", t0 + 3h + 30min, p);
    auto const v = page_of({&i}, now);
    auto const& api = v.components.at(0);
    REQUIRE(api.days.size() == static_cast<std::size_t>(uptime_days));
    CHECK(api.days.back().day == std::chrono::floor<std::chrono::days>(now));
    auto const incident_day = std::find_if(api.days.begin(), api.days.end(), [&](day_bar const& b) {
        return b.day == std::chrono::floor<std::chrono::days>(t0);
    });
    REQUIRE(incident_day != api.days.end());
    CHECK(incident_day->worst == component_status::major_outage);
    CHECK(std::prev(incident_day)->worst == component_status::operational);
    CHECK(std::next(incident_day)->worst == component_status::operational);
    CHECK(api.st == component_status::operational);
    // 90 minutes of major outage over the window from 89 days before today's midnight to now.
    auto const window = std::chrono::duration<double, std::milli>(now - (std::chrono::floor<std::chrono::days>(now) -
                                                                          std::chrono::days{uptime_days - 1}));
    CHECK(api.uptime == doctest::Approx(100.0 * (1.0 - 90.0 * 60'000 / window.count())));
    CHECK(v.components.at(1).uptime == 100.0);
    // Two incidents on one component: the worst holds until both are over.
    auto j = after(given({at(t0, "bob", declared{"Other", "", severity::p2, incident_type::outage, t0, "inc-2"}, 2),
                          at(t0, "bob", role_assigned{role::incident_commander, "bob", std::nullopt}, 2)}),
                   publish{"Partial", {"API"}, component_status::partial_outage}, "bob", t0 + 150min, p);
    CHECK(page_of({&i, &j}, t0 + 160min).components.at(0).st == component_status::major_outage);
    CHECK(page_of({&i, &j}, t0 + 4h).components.at(0).st == component_status::partial_outage);
}

TEST_CASE("history keeps the last 90 days of resolved publications, newest first") {
    auto const p = with_components();
    auto i = after(declared_as(incident_type::outage), publish{"Errors"}, "alice", t0, p);
    i = after(i, resolve{"fixed", ""}, "alice", t0 + 1h, p);
    i = after(i, publish_resolution{}, "alice", t0 + 2h, p);
    CHECK(page_of({&i}, t0 + std::chrono::days{80}).history.size() == 1);
    CHECK(page_of({&i}, t0 + std::chrono::days{91}).history.empty());
}
