// The status page's HTTP answers: the bodies, their weight, the cache and its validators.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "adapters/status_page/status_page.hpp"

namespace {

using namespace warroom;
using namespace std::chrono_literals;

core::timestamp const t0 = core::timestamp{std::chrono::sys_days{std::chrono::year{2026} / 3 / 2}} + 9h;

core::page_settings settings(int components) {
    core::page_settings s{"Example Status", "https://status.example.com", {}};
    for (int k = 0; k < components; ++k) {
        s.components.push_back({"component-" + std::to_string(k), k % 2 ? "Platform" : "",
                                "What component " + std::to_string(k) + " does for customers"});
    }
    return s;
}

core::incident published(int number, core::incident_type type, std::string title,
                         std::vector<core::publication> pubs) {
    core::incident i;
    i.number = number;
    i.type = type;
    i.title = std::move(title);
    for (auto& p : pubs) p.incident = number;
    i.publications = std::move(pubs);
    return i;
}

struct world {
    core::policy rules = core::policy::defaults();
    std::vector<core::incident> incidents;
    std::vector<core::maintenance> windows;
    std::uint64_t generation = 1;
    status_page::site site;

    explicit world(core::page_settings s)
        : site(std::move(s), rules,
               status_page::source{[this] {
                                       std::vector<core::incident const*> out;
                                       for (auto const& i : incidents) out.push_back(&i);
                                       return out;
                                   },
                                   [this] {
                                       std::vector<core::maintenance const*> out;
                                       for (auto const& m : windows) out.push_back(&m);
                                       return out;
                                   },
                                   [this] { return generation; }}) {}

    http::response get(std::string target, std::map<std::string, std::string> headers = {},
                       core::timestamp now = t0 + 1h) {
        return site.answer(http::request{"GET", std::move(target), std::move(headers), "", "127.0.0.1:1"}, now);
    }
};

std::string header(http::response const& r, std::string const& name) {
    for (auto const& [k, v] : r.headers) {
        if (k == name) return v;
    }
    return {};
}

char const* const paths[] = {"/",
                             "/history.atom",
                             "/api/v2/summary.json",
                             "/api/v2/status.json",
                             "/api/v2/incidents.json",
                             "/api/v2/scheduled-maintenances.json",
                             "/api/v2/scheduled-maintenances/upcoming.json",
                             "/api/v2/scheduled-maintenances/active.json"};

// Window `number` of component-0, scheduled at t0.
core::maintenance window(int number, core::timestamp from, core::timestamp to) {
    core::maintenance m;
    m.number = number;
    m.components = {"component-0"};
    m.from = from;
    m.to = to;
    m.text = "Database upgrade; writes pause for a minute";
    m.scheduled_by = "alice";
    m.scheduled_at = t0;
    return m;
}

nlohmann::json json_at(world& w, std::string path, core::timestamp now) {
    return nlohmann::json::parse(w.get(std::move(path), {}, now).body);
}

}  // namespace

TEST_CASE("every resource carries an ETag and Cache-Control, a matching If-None-Match gets 304") {
    world w{settings(3)};
    for (auto const* path : paths) {
        CAPTURE(path);
        auto const r = w.get(path);
        CHECK(r.status == 200);
        CHECK(header(r, "Cache-Control") == "public, max-age=30");
        auto const tag = header(r, "ETag");
        REQUIRE(tag.size() == 18);
        auto const again = w.get(path, {{"if-none-match", "\"other\", W/" + tag}});
        CHECK(again.status == 304);
        CHECK(again.body.empty());
        CHECK(header(again, "ETag") == tag);
        CHECK(w.get(path, {{"if-none-match", "\"other\""}}).status == 200);
    }
    CHECK(w.get("/nothing").status == 404);
    CHECK(w.site.answer(http::request{"POST", "/", {}, "", ""}, t0).status == 405);
}

TEST_CASE("the bodies are built once and again only when something is published or the day turns") {
    world w{settings(2)};
    auto const before = w.get("/");
    for (int k = 0; k < 8; ++k) w.get(paths[k]);
    CHECK(w.site.builds() == 1);
    w.incidents.push_back(published(1, core::incident_type::outage, "DB down",
                                    {{0, 1, t0 + 2h, "Errors on checkout", core::status::investigating,
                                      {"component-0"}, core::component_status::major_outage}}));
    ++w.generation;
    auto const after = w.get("/", {}, t0 + 2h + 1s);
    CHECK(w.site.builds() == 2);
    CHECK(header(after, "ETag") != header(before, "ETag"));
    CHECK(after.body.find("Errors on checkout") != std::string::npos);
    // An outage's uptime moves every minute; without one, only midnight rebuilds.
    w.get("/", {}, t0 + 2h + 2min);
    CHECK(w.site.builds() == 3);
}

TEST_CASE("a private incident shows its published text under its reference, never its title") {
    world w{settings(2)};
    w.incidents.push_back(published(7, core::incident_type::security, "Token of ACME leaked",
                                    {{0, 1, t0, "Some logins fail", core::status::identified, {"component-1"},
                                      core::component_status::degraded_performance}}));
    for (auto const* path : paths) {
        CAPTURE(path);
        auto const body = w.get(path).body;
        CHECK(body.find("ACME") == std::string::npos);
        CHECK(body.find("leaked") == std::string::npos);
    }
    CHECK(w.get("/").body.find("Some logins fail") != std::string::npos);
    CHECK(w.get("/").body.find("Incident INC-7") != std::string::npos);
}

TEST_CASE("the JSON follows Statuspage's shape") {
    world w{settings(2)};
    w.incidents.push_back(published(3, core::incident_type::outage, "Checkout errors",
                                    {{0, 1, t0, "Looking into it", core::status::implementing_fix, {"component-1"},
                                      core::component_status::partial_outage}}));
    auto const summary = nlohmann::json::parse(w.get("/api/v2/summary.json").body);
    CHECK(summary["page"]["name"] == "Example Status");
    CHECK(summary["page"]["time_zone"] == "Etc/UTC");
    CHECK(summary["status"]["indicator"] == "major");
    CHECK(summary["status"]["description"] == "Partial System Outage");
    REQUIRE(summary["components"].size() == 3);  // two components and their group
    CHECK(summary["components"][1]["status"] == "partial_outage");
    CHECK(summary["components"][1]["group_id"] == "group-platform");
    CHECK(summary["components"][2]["group"] == true);
    auto const& incident = summary["incidents"][0];
    CHECK(incident["id"] == "inc-3");
    CHECK(incident["status"] == "identified");
    CHECK(incident["impact"] == "major");
    CHECK(incident["shortlink"] == "https://status.example.com/#inc-3");
    CHECK(incident["incident_updates"][0]["body"] == "Looking into it");
    CHECK(incident["incident_updates"][0]["created_at"] == "2026-03-02T09:00:00.000Z");
    CHECK(incident["components"][0]["name"] == "component-1");
    auto const incidents = nlohmann::json::parse(w.get("/api/v2/incidents.json").body);
    CHECK(incidents["incidents"].size() == 1);
    auto const status = nlohmann::json::parse(w.get("/api/v2/status.json").body);
    CHECK(status["status"]["indicator"] == "major");
}

TEST_CASE("the page weighs under 50 KB with 20 components, active incidents and a full history") {
    world w{settings(20)};
    for (int n = 1; n <= 12; ++n) {
        std::vector<core::publication> pubs;
        for (int k = 1; k <= 4; ++k) {
            pubs.push_back({0, k, t0 - std::chrono::days{n * 7} + k * 10min,
                            "We are working on elevated error rates for some customers; next update soon.",
                            k == 4 && n > 2 ? core::status::resolved : core::status::investigating,
                            {"component-" + std::to_string(n)}, core::component_status::partial_outage});
        }
        w.incidents.push_back(published(n, core::incident_type::outage, "Elevated error rates", pubs));
    }
    auto const page = w.get("/");
    CAPTURE(page.body.size());
    CHECK(page.body.size() < 50 * 1024);
    CHECK(page.body.find("<html lang=\"en\">") != std::string::npos);
    CHECK(page.body.find("<main>") != std::string::npos);
    CHECK(page.body.find("Partial Outage") != std::string::npos);
}

TEST_CASE("maintenance is announced ahead of time, in progress while it lasts, then completed, each a new ETag at its time") {
    world w{settings(2)};
    w.windows.push_back(window(3, t0 + 2h, t0 + 4h));
    ++w.generation;

    auto const before = w.get("/", {}, t0 + 1h);
    CHECK(before.body.find("<h2 id=\"maintenance\">Scheduled maintenance</h2>") != std::string::npos);
    CHECK(before.body.find("Database upgrade; writes pause for a minute") != std::string::npos);
    // The page is due to change at the window's start: no cache holds it past then.
    CHECK(header(w.get("/", {}, t0 + 2h - 10s), "Cache-Control") == "public, max-age=10");
    auto const upcoming = json_at(w, "/api/v2/scheduled-maintenances/upcoming.json", t0 + 1h);
    REQUIRE(upcoming["scheduled_maintenances"].size() == 1);
    auto const& m = upcoming["scheduled_maintenances"][0];
    CHECK(m["id"] == "mnt-3");
    CHECK(m["name"] == "component-0 maintenance");
    CHECK(m["status"] == "scheduled");
    CHECK(m["impact"] == "maintenance");
    CHECK(m["scheduled_for"] == "2026-03-02T11:00:00.000Z");
    CHECK(m["scheduled_until"] == "2026-03-02T13:00:00.000Z");
    CHECK(m["incident_updates"].size() == 1);
    CHECK(m["incident_updates"][0]["status"] == "scheduled");
    CHECK(m["components"][0]["id"] == "component-0");
    CHECK(json_at(w, "/api/v2/scheduled-maintenances/active.json", t0 + 1h)["scheduled_maintenances"].empty());
    CHECK(json_at(w, "/api/v2/summary.json", t0 + 1h)["scheduled_maintenances"].size() == 1);
    CHECK(json_at(w, "/api/v2/summary.json", t0 + 1h)["components"][0]["status"] == "operational");

    auto const builds = w.site.builds();
    auto const during = w.get("/", {}, t0 + 2h);
    CHECK(w.site.builds() == builds + 1);
    CHECK(header(during, "ETag") != header(before, "ETag"));
    CHECK(during.body.find("<strong>In progress</strong>") != std::string::npos);
    auto const summary = json_at(w, "/api/v2/summary.json", t0 + 2h);
    CHECK(summary["components"][0]["status"] == "under_maintenance");
    CHECK(summary["status"]["indicator"] == "maintenance");
    auto const active = json_at(w, "/api/v2/scheduled-maintenances/active.json", t0 + 2h);
    REQUIRE(active["scheduled_maintenances"].size() == 1);
    CHECK(active["scheduled_maintenances"][0]["status"] == "in_progress");
    CHECK(active["scheduled_maintenances"][0]["incident_updates"][0]["status"] == "in_progress");
    CHECK(json_at(w, "/api/v2/scheduled-maintenances/upcoming.json", t0 + 2h)["scheduled_maintenances"].empty());

    auto const after = w.get("/", {}, t0 + 4h);
    CHECK(header(after, "ETag") != header(during, "ETag"));
    CHECK(after.body.find("Scheduled maintenance") == std::string::npos);
    auto const all = json_at(w, "/api/v2/scheduled-maintenances.json", t0 + 4h);
    REQUIRE(all["scheduled_maintenances"].size() == 1);
    CHECK(all["scheduled_maintenances"][0]["status"] == "completed");
    CHECK(all["scheduled_maintenances"][0]["resolved_at"] == "2026-03-02T13:00:00.000Z");
    CHECK(json_at(w, "/api/v2/summary.json", t0 + 4h)["components"][0]["status"] == "operational");
    CHECK(json_at(w, "/api/v2/summary.json", t0 + 4h)["scheduled_maintenances"].empty());
    // Three states, three feed entries' ids over time: readers see it again as it begins and ends.
    CHECK(w.get("/history.atom", {}, t0 + 4h).body.find(":maintenance-3-completed</id>") != std::string::npos);
    // Maintenance is no downtime: the uptime figure stays whole.
    auto const row = after.body.find("id=\"component-0\"");
    REQUIRE(row != std::string::npos);
    auto const component = after.body.substr(row, after.body.find("</li>", row) - row);
    CHECK(component.find("class=\"u\"") != std::string::npos);  // the day's bar says maintenance
    CHECK(component.find("100.00% uptime, no incidents") != std::string::npos);
}
