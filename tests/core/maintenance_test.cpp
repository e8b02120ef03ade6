// Scheduled maintenance in the core: the command's grammar and times, the decisions, a window's
// state over time, its place on the status page (ahead of time, in effect, over; never downtime),
// and the availability the annual report shares with the page's uptime.
#include <doctest/doctest.h>

#include "core/authority.hpp"
#include "core/command_line.hpp"
#include "core/maintenance.hpp"
#include "core/status_page.hpp"
#include "support.hpp"

using namespace warroom::core;
using namespace warroom::core::test;

namespace {

// Berlin in winter: an hour ahead of UTC.
struct cet : time_zone {
    std::string name() const override { return "Europe/Berlin"; }
    seconds offset(timestamp) const override { return std::chrono::hours{1}; }
    std::string abbreviation(timestamp) const override { return "CET"; }
};

policy with_components() {
    auto p = policy::defaults();
    p.components = {"API", "Website"};
    return p;
}

page_settings settings() { return {"Example Status", "https://status.example.com", {{"API", "", ""}, {"Website", "", ""}}}; }

std::variant<maintenance_request, usage_error> parsed(std::string_view text, time_zone const& z = utc_zone()) {
    auto const r = parse_command_line(text, false, t0, z);
    if (auto const* e = std::get_if<usage_error>(&r)) return *e;
    auto const& req = std::get<request>(r);
    REQUIRE(std::holds_alternative<maintenance_request>(req.what));
    return std::get<maintenance_request>(req.what);
}

maintenance window_of(decision const& d) {
    INFO((std::holds_alternative<refusal>(d) ? std::get<refusal>(d).reason : ""));
    REQUIRE(std::holds_alternative<std::vector<event>>(d));
    maintenance_map all;
    for (auto const& e : std::get<std::vector<event>>(d)) apply(all, e);
    REQUIRE(all.size() == 1);
    return all.begin()->second;
}

std::string reason(decision const& d) { return std::holds_alternative<refusal>(d) ? std::get<refusal>(d).reason : "accepted"; }

maintenance scheduled(std::string component, timestamp from, timestamp to, int number = 1) {
    return window_of(decide_schedule({std::move(component), from, to, "Database upgrade"}, number, "alice", t0,
                                     with_components()));
}

incident published_outage(timestamp from, timestamp to, component_status st) {
    incident i;
    i.number = 7;
    i.title = "API errors";
    i.publications = {{7, 1, from, "Errors", status::identified, {"API"}, st}, {7, 2, to, "Fixed", status::resolved, {}, {}}};
    return i;
}

}  // namespace

TEST_CASE("the maintenance command reads UTC, an offset, local time in the display zone, and a length") {
    cet const berlin;
    struct row {
        std::string text;
        timestamp from, to;
    };
    auto const dec8 = timestamp{std::chrono::sys_days{std::chrono::year{2026} / 12 / 8}};
    for (auto const& r : std::vector<row>{
             {"maintenance API 2026-12-08T02:00Z 2026-12-08T04:00Z Database upgrade", dec8 + 2h, dec8 + 4h},
             {"maintenance API 2026-12-08T03:00+01:00 2026-12-08T05:30+01:00 Database upgrade", dec8 + 2h, dec8 + 4h + 30min},
             {"maintenance API 2026-12-08T02:00-05:00 +90m Database upgrade", dec8 + 7h, dec8 + 8h + 30min},
             {"maintenance API 2026-12-08T03:00 2026-12-08T05:00:30 Database upgrade", dec8 + 2h, dec8 + 4h + 30s},
             {"maintenance API now +2h Database upgrade", t0, t0 + 2h},
         }) {
        CAPTURE(r.text);
        auto const got = parsed(r.text, berlin);
        REQUIRE(std::holds_alternative<maintenance_request>(got));
        auto const& m = std::get<maintenance_request>(got);
        REQUIRE(std::holds_alternative<schedule_maintenance>(m));
        CHECK(std::get<schedule_maintenance>(m) == schedule_maintenance{"API", r.from, r.to, "Database upgrade"});
    }
    CHECK(std::get<maintenance_request>(parsed("maintenance cancel MNT-3")) == maintenance_request{cancel_maintenance{3}});
    CHECK(std::get<maintenance_request>(parsed("maintenance cancel 3")) == maintenance_request{cancel_maintenance{3}});
    CHECK(std::get<maintenance_request>(parsed("maintenance")) == maintenance_request{list_maintenance{}});
    CHECK(std::get<maintenance_request>(parsed("maintenance list")) == maintenance_request{list_maintenance{}});
}

TEST_CASE("a maintenance command that cannot be read says what is wrong in one line") {
    struct row {
        std::string text, reason;
    };
    for (auto const& r : std::vector<row>{
             {"maintenance API tomorrow +1h x",
              "cannot read the start 'tomorrow' (use 2026-12-08T02:00Z, 2026-12-08T03:00+01:00, or 2026-12-08T03:00 in UTC)"},
             {"maintenance API 2026-12-08T02:00Z 2026-13-08T04:00Z x",
              "cannot read the end '2026-13-08T04:00Z' (use 2026-12-08T02:00Z, 2026-12-08T03:00+01:00, or 2026-12-08T03:00 in UTC)"},
             {"maintenance API 2026-12-08T02:00+25:00 +1h x",
              "cannot read the start '2026-12-08T02:00+25:00' (use 2026-12-08T02:00Z, 2026-12-08T03:00+01:00, or "
              "2026-12-08T03:00 in UTC)"},
             {"maintenance API 2026-12-08T02:00Z +soon x", "cannot read the length '+soon' (use +30m, +2h, +1d)"},
             {"maintenance API 2026-12-08T02:00Z", "when does the maintenance end?"},
             {"maintenance API 2026-12-08T02:00Z +1h", "say what the maintenance is: the public text customers read"},
             {"maintenance cancel", "which maintenance? give its number (MNT-3)"},
             {"maintenance cancel soon", "'soon' is not a maintenance number (MNT-3)"},
             {"maintenance cancel 3 4", "cancel takes one maintenance number"},
             {"maintenance list all", "'all' is not expected here"},
         }) {
        CAPTURE(r.text);
        auto const got = parsed(r.text);
        REQUIRE(std::holds_alternative<usage_error>(got));
        CHECK(std::get<usage_error>(got) == usage_error{r.reason, "maintenance"});
    }
}

TEST_CASE("scheduling refuses an unknown component, an end before the start and a window already over") {
    auto const p = with_components();
    auto const decide_on = [&](std::string component, timestamp from, timestamp to, std::string text = "Upgrade") {
        return reason(decide_schedule({std::move(component), from, to, std::move(text)}, 1, "alice", t0, p));
    };
    CHECK(decide_on("Web", t0 + 1h, t0 + 2h) == "unknown component 'Web' (API, Website)");
    CHECK(decide_on("API", t0 + 2h, t0 + 1h) ==
          "the maintenance ends (2026-03-02 10:00 UTC) before it begins (2026-03-02 11:00 UTC)");
    CHECK(decide_on("API", t0 + 1h, t0 + 1h) ==
          "the maintenance ends (2026-03-02 10:00 UTC) before it begins (2026-03-02 10:00 UTC)");
    CHECK(decide_on("API", t0 - 2h, t0) == "that window is already over: it ended 2026-03-02 09:00 UTC");
    CHECK(decide_on("API", t0 + 1h, t0 + 2h, "   ") ==
          "say what the maintenance is: the public text customers read on the status page");
    auto none = policy::defaults();
    CHECK(reason(decide_schedule({"API", t0 + 1h, t0 + 2h, "x"}, 1, "alice", t0, none)) ==
          "no status page components are configured ([[status_page.components]])");

    // The component by its id, any case; a start already past begins it now.
    auto const m = window_of(decide_schedule({"website", t0 - 1h, t0 + 1h, "  Deploy  "}, 4, "alice", t0, p));
    CHECK(m.number == 4);
    CHECK(m.components == std::vector<std::string>{"Website"});
    CHECK(m.from == t0);
    CHECK(m.text == "Deploy");
    CHECK(m.scheduled_by == "alice");
    CHECK(m.state_at(t0) == maintenance_state::in_progress);
}

TEST_CASE("a window is scheduled, in progress, then completed, and cancelling calls it off or ends it early") {
    auto const m = scheduled("API", t0 + 1h, t0 + 3h);
    CHECK(m.state_at(t0) == maintenance_state::scheduled);
    CHECK(m.state_at(t0 + 1h) == maintenance_state::in_progress);
    CHECK(m.state_at(t0 + 3h - 1ms) == maintenance_state::in_progress);
    CHECK(m.state_at(t0 + 3h) == maintenance_state::completed);
    CHECK(reason(decide_cancel(m, "bob", t0 + 4h)) == "MNT-1 is already over");

    auto const apply_all = [](maintenance m, decision const& d) {
        maintenance_map all{{m.number, m}};
        for (auto const& e : std::get<std::vector<event>>(d)) apply(all, e);
        return all.at(m.number);
    };
    auto const called_off = apply_all(m, decide_cancel(m, "bob", t0 + 30min));
    CHECK(called_off.state_at(t0 + 30min) == maintenance_state::cancelled);
    CHECK(called_off.state_at(t0 + 2h) == maintenance_state::cancelled);
    CHECK(called_off.end() == called_off.from);
    CHECK(reason(decide_cancel(called_off, "bob", t0 + 40min)) == "MNT-1 was already cancelled");

    auto const ended_early = apply_all(m, decide_cancel(m, "bob", t0 + 2h));
    CHECK(ended_early.state_at(t0 + 90min) == maintenance_state::in_progress);
    CHECK(ended_early.state_at(t0 + 2h) == maintenance_state::completed);
    CHECK(ended_early.end() == t0 + 2h);
    CHECK(ended_early.cancelled_by == "bob");
}

TEST_CASE("a window goes to Statuspage when it is configured: scheduled, then completed when called off or ended early") {
    auto const m = scheduled("API", t0 + 1h, t0 + 3h);
    CHECK_FALSE(statuspage_of(m, with_components()).has_value());
    auto p = with_components();
    p.statuspage = true;
    CHECK(statuspage_of(m, p) == statuspage_maintenance{1, false, "Database upgrade", t0 + 1h, t0 + 3h, {"API"}});

    for (auto const at : {t0 + 30min, t0 + 2h}) {  // before it begins, and while it runs
        maintenance_map all{{m.number, m}};
        auto const cancel = decide_cancel(m, "bob", at);
        for (auto const& e : std::get<std::vector<event>>(cancel)) apply(all, e);
        auto const pushed = statuspage_of(all.at(1), p);
        REQUIRE(pushed.has_value());
        CHECK(pushed->cancelled);
        CHECK(pushed->window == 1);
    }
}

TEST_CASE("maintenance is the maintainers' and the incident admins', nobody else's even when none are named") {
    auto p = with_components();
    CHECK(authorize_maintenance({"carol", {}}, p));
    CHECK(authorize_maintenance({"pager", {}, true}, p));
    p.maintainers = {"U0OPS", "S0SRE"};
    p.access.admins = {"U0ADMIN"};
    CHECK_FALSE(authorize_maintenance({"U0OPS", {}}, p));
    CHECK_FALSE(authorize_maintenance({"U0DEV", {"S0SRE"}}, p));
    CHECK_FALSE(authorize_maintenance({"U0ADMIN", {}}, p));
    auto const r = authorize_maintenance({"U0DEV", {}}, p);
    REQUIRE(r);
    CHECK(r->reason == "only the maintainers ([status_page] maintainers) and the incident admins can schedule maintenance");
}

TEST_CASE("the status page shows maintenance ahead of time, the component under maintenance while it lasts, then operational") {
    auto const p = with_components();
    auto const m = scheduled("API", t0 + 1h, t0 + 3h);
    std::vector<maintenance const*> const windows{&m};
    auto const page_at = [&](timestamp now) { return status_page({}, windows, settings(), p, now); };

    auto const before = page_at(t0 + 10min);
    REQUIRE(before.maintenances.size() == 1);
    CHECK(before.maintenances.front() ==
          public_maintenance{1, "API maintenance", "Database upgrade", maintenance_state::scheduled, t0, t0 + 1h, t0 + 3h, {"API"}});
    CHECK(before.components.front().st == component_status::operational);
    CHECK(before.indicator == "none");
    CHECK(before.changes_at == t0 + 1h);
    CHECK(before.updated_at == t0);

    auto const during = page_at(t0 + 2h);
    CHECK(during.maintenances.front().st == maintenance_state::in_progress);
    CHECK(during.components.front().st == component_status::under_maintenance);
    CHECK(during.components.back().st == component_status::operational);
    CHECK(during.indicator == "maintenance");
    CHECK(during.description == "Service Under Maintenance");
    CHECK(during.changes_at == t0 + 3h);
    CHECK(during.updated_at == t0 + 1h);

    auto const after = page_at(t0 + 4h);
    CHECK(after.maintenances.front().st == maintenance_state::completed);
    CHECK(after.components.front().st == component_status::operational);
    CHECK(after.components.front().updated_at == t0 + 3h);
    CHECK(after.changes_at == std::nullopt);
    // Maintenance is not downtime: the day shows it, the uptime does not count it.
    CHECK(after.components.front().days.back().worst == component_status::under_maintenance);
    CHECK(after.components.front().uptime == 100.0);

    // An incident's worse status wins over maintenance while both hold.
    auto const outage = published_outage(t0 + 2h, t0 + 2h + 30min, component_status::major_outage);
    auto const both = status_page({&outage}, windows, settings(), p, t0 + 2h + 10min);
    CHECK(both.components.front().st == component_status::major_outage);
    auto const back = status_page({&outage}, windows, settings(), p, t0 + 2h + 40min);
    CHECK(back.components.front().st == component_status::under_maintenance);

    // Called off before it began: gone from the page.
    auto off = m;
    off.cancelled_at = t0 + 20min;
    CHECK(status_page({}, {&off}, settings(), p, t0 + 30min).maintenances.empty());
    CHECK(status_page({}, {&off}, settings(), p, t0 + 2h).components.front().st == component_status::operational);
}

TEST_CASE("availability counts major outages fully, partial ones 30%, and neither degradation nor maintenance") {
    auto const major = published_outage(t0 + 1h, t0 + 2h, component_status::major_outage);
    auto const partial = published_outage(t0 + 4h, t0 + 6h, component_status::partial_outage);
    auto const m = scheduled("Website", t0 + 1h, t0 + 3h);
    auto const got = availability({&major}, {&m}, {"API", "Website"}, t0, t0 + 10h);
    REQUIRE(got.size() == 2);
    CHECK(got[0].name == "API");
    CHECK(got[0].percent == doctest::Approx(90.0));
    CHECK(got[0].major == 1h);
    CHECK(got[1].percent == 100.0);
    CHECK(got[1].maintenance == 2h);

    auto const mixed = availability({&partial}, {}, {"API"}, t0, t0 + 10h);
    CHECK(mixed[0].percent == doctest::Approx(100.0 - 100.0 * 0.3 * 2.0 / 10.0));
    CHECK(mixed[0].partial == 2h);

    // The page's uptime figure is the same arithmetic over its 90-day window.
    auto const page = status_page({&major}, {}, settings(), with_components(), t0 + 10h);
    auto const window_start = timestamp{std::chrono::floor<std::chrono::days>(t0) - std::chrono::days{uptime_days - 1}};
    CHECK(page.components.front().uptime == availability({&major}, {}, {"API"}, window_start, t0 + 10h)[0].percent);
}
