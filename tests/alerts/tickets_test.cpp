// A ticket's JSON: every field the ticket system is promised, start times in RFC 3339 as the
// receivers read them, so a ticket's alert can be traced back to its sender.
#include <doctest/doctest.h>

#include "adapters/alerts/receivers.hpp"
#include "adapters/alerts/tickets.hpp"

using namespace warroom;
using namespace std::chrono_literals;

TEST_CASE("a ticket's JSON: title, level and severity, source, group, shared labels, its alerts") {
    auto const started =
        core::timestamp{std::chrono::sys_days{std::chrono::year{2026} / 3 / 2}} + 9h + 5min + 7s + 42ms;
    core::open_ticket const t{4,
                              "Disk filling on db-1",
                              "low",
                              "alertmanager",
                              {{"team", "storage"}},
                              {{"DiskFilling", "db-1 is 91% full", "http://prometheus:9090/graph", started}}};
    CHECK(alerts::ticket_body(t) == nlohmann::json::parse(R"({
        "title": "Disk filling on db-1", "level": "low", "severity": "low", "source": "alertmanager", "group": 4,
        "labels": {"team": "storage"},
        "alerts": [{"name": "DiskFilling", "summary": "db-1 is 91% full", "startsAt": "2026-03-02T09:05:07.042Z",
                    "url": "http://prometheus:9090/graph"}]})"));

    // The receivers read the start time back as it was.
    auto const echoed =
        alerts::parse_alertmanager(R"({"version":"4","alerts":[{"status":"firing","labels":{},"startsAt":")" +
                                       alerts::ticket_body(t)["alerts"][0]["startsAt"].get<std::string>() + R"("}]})",
                                   "alertmanager");
    REQUIRE(std::holds_alternative<core::alert_delivery>(echoed));
    CHECK(std::get<core::alert_delivery>(echoed).alerts.at(0).starts_at == started);
}
