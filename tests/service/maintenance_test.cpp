// Scheduled maintenance through the service and the real SQLite store: its own stream, kept across a
// restart, once per redelivered request, numbered apart by two replicas, checked by the one authority
// rule, and counted in the annual report's availability (not as downtime).
#include "tests/service/support.hpp"

namespace {

using namespace warroom::service_test;

policy with_components() {
    auto p = policy::defaults();
    p.components = {"API", "Website"};
    p.maintainers = {"U0OPS"};
    p.reports.channel = "reports";
    return p;
}

std::string const schedule = "maintenance API 2026-03-03T02:00Z +2h Database upgrade";

std::string reply_text(outcome const& out) {
    for (auto const& e : out.effects) {
        if (auto const* r = std::get_if<reply>(&e)) return r->view.headline;
    }
    return {};
}

}  // namespace

TEST_CASE("a maintenance window is a stream of its own, kept across a restart, and the page's generation moves") {
    harness h{with_components()};
    auto const seen = h.svc().publications_seen();
    auto const out = h.svc().handle({"U0OPS", "incidents", t0}, schedule);
    REQUIRE(out.changed);
    CHECK(reply_text(out).find("MNT-1 scheduled: API under maintenance 2026-03-03 02:00 UTC to 2026-03-03 04:00 UTC") !=
          std::string::npos);
    CHECK(h.svc().publications_seen() > seen);
    CHECK(h.svc().incidents().empty());
    auto const events = h.store().load();
    REQUIRE(events.size() == 1);
    CHECK(events.front().incident == maintenance_stream(1));
    CHECK(event_name(events.front().what) == "maintenance_scheduled");

    h.restart();
    REQUIRE(h.svc().maintenances().size() == 1);
    auto const& m = h.svc().maintenances().at(1);
    CHECK(m.components == std::vector<std::string>{"API"});
    CHECK(m.text == "Database upgrade");
    CHECK(m.scheduled_by == "U0OPS");
    CHECK(h.svc().incidents().empty());

    // The next one takes the next number; an incident declared meanwhile keeps its own.
    REQUIRE(h.svc().handle({"U0OPS", "incidents", t0}, "declare P2 Search slow").changed);
    REQUIRE(h.svc().handle({"U0OPS", "incidents", t0}, "maintenance Website now +1h CDN move").changed);
    CHECK(h.svc().maintenances().contains(2));
    CHECK(h.svc().find(1) != nullptr);
    auto const cancel = h.svc().handle({"U0OPS", "incidents", t0 + 10min}, "maintenance cancel MNT-2");
    REQUIRE(cancel.changed);
    CHECK(reply_text(cancel) == "🛠️ MNT-2 ended early at 2026-03-02 09:10 UTC.");
    h.restart();
    CHECK(h.svc().maintenances().at(2).end() == t0 + 10min);
}

TEST_CASE("a redelivered maintenance request is recorded once") {
    harness h{with_components()};
    origin const o{"U0OPS", "incidents", t0, "envelope:e1"};
    REQUIRE(h.svc().handle(o, schedule).changed);
    auto const again = h.svc().handle(o, schedule);
    CHECK(again.duplicate);
    CHECK_FALSE(again.changed);
    CHECK(h.svc().maintenances().size() == 1);
    CHECK(h.store().load().size() == 1);
}

TEST_CASE("two replicas scheduling at the same moment get two windows, numbered apart") {
    harness h{with_components()};
    auto other = h.another();
    REQUIRE(h.svc().handle({"U0OPS", "incidents", t0}, schedule).changed);
    // The second replica opened before the first wrote: it catches up before deciding, so takes number 2.
    REQUIRE(other.svc().handle({"U0OPS", "incidents", t0}, "maintenance Website now +1h CDN move").changed);
    CHECK(other.svc().maintenances().size() == 2);
    CHECK(other.svc().maintenances().at(2).components == std::vector<std::string>{"Website"});
}

TEST_CASE("only the maintainers and the incident admins schedule or cancel, and bad input changes nothing") {
    auto rules = with_components();
    rules.access.admins = {"U0ADMIN"};
    harness h{rules};
    auto const denied = h.svc().handle({"U0DEV", "incidents", t0}, schedule);
    CHECK_FALSE(denied.changed);
    REQUIRE(denied.denied);
    CHECK(denied.denied->what == "maintenance");
    CHECK(reply_text(denied) ==
          "⚠️ only the maintainers ([status_page] maintainers) and the incident admins can schedule maintenance");
    REQUIRE(h.svc().handle({"U0ADMIN", "incidents", t0}, schedule).changed);
    CHECK_FALSE(h.svc().handle({"U0DEV", "incidents", t0}, "maintenance cancel 1").changed);
    CHECK(h.svc().handle({"U0DEV", "incidents", t0}, "maintenance").effects.size() == 1);  // anyone may list

    for (auto const* bad : {"maintenance Web now +1h x", "maintenance API 2026-03-01T00:00Z +1h x",
                            "maintenance API later +1h x", "maintenance cancel 9"}) {
        CAPTURE(bad);
        auto const out = h.svc().handle({"U0OPS", "incidents", t0}, bad);
        CHECK_FALSE(out.changed);
        CHECK(reply_text(out).rfind("⚠️ ", 0) == 0);
    }
    CHECK(h.store().load().size() == 1);
}

TEST_CASE("the annual report gives each component's availability from the status page's history") {
    harness h{with_components()};
    auto const year_start = timestamp{std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}};
    auto const& svc = h.svc();
    h.run("alice", "incidents", t0, "declare P1 API errors");
    auto const room = svc.find(1)->channel;
    h.run("alice", room, t0, "publish component:API status:major-outage Errors for all customers");
    h.run("alice", room, t0 + 3h, "resolve fixed");
    h.run("alice", room, t0 + 3h, "publish Fixed");  // published as resolved: operational again
    REQUIRE(h.svc().handle({"U0OPS", "incidents", t0 + 4h}, "maintenance Website now +5h Moving the CDN").changed);

    auto const as_of = timestamp{std::chrono::sys_days{std::chrono::year{2027} / 1 / 1}};
    auto const year = period_containing(period_kind::year, year_start, utc_zone());
    auto const r = svc.report_of(year, as_of);
    REQUIRE(r.availability.size() == 2);
    CHECK(r.availability[0].name == "API");
    CHECK(r.availability[0].major == 3h);
    CHECK(r.availability[0].percent == doctest::Approx(100.0 * (1.0 - 3.0 / (365.0 * 24.0))));
    CHECK(r.availability[1].maintenance == 5h);
    CHECK(r.availability[1].percent == 100.0);
    auto const md = render_period_report(r, svc.rules(), utc_zone());
    CHECK(md.find("## Availability per component") != std::string::npos);
    CHECK(md.find("| API | 99.966% | 3h | – | – | – |") != std::string::npos);
    CHECK(md.find("| Website | 100.000% | – | – | – | 5h |") != std::string::npos);
    CHECK(period_report_view(r, svc.rules(), utc_zone()).headline.find("lowest availability API 99.966%") !=
          std::string::npos);
    // The other reports have none.
    CHECK(svc.report_of(period_containing(period_kind::month, t0, utc_zone()), as_of).availability.empty());
}
