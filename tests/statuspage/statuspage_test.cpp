// Statuspage's requests as its API documents them: opening an incident, updating it, finding it again
// after a lost answer; and how its answers are judged.
#include <doctest/doctest.h>

#include <sstream>

#include "adapters/statuspage/statuspage.hpp"

namespace {
using namespace warroom;
using namespace warroom::statuspage;
using json = nlohmann::json;

settings const page{"https://api.statuspage.io", "kctbh9vrtdwd", "secret-key-1", {{"API", "8kbf7d35c070"}}};

core::statuspage_update update(core::status st, std::optional<core::component_status> cs, int sequence = 1) {
    return {7, sequence, "Checkout is down", st, "We are looking into it.", {"API", "Website"}, cs, "critical"};
}
}  // namespace

TEST_CASE("the first publication opens an incident with its components, marked with the incident's reference") {
    auto const r = open_incident(update(core::status::investigating, core::component_status::major_outage), page);
    CHECK(r.verb == http::method::post);
    CHECK(r.url == "https://api.statuspage.io/v1/pages/kctbh9vrtdwd/incidents");
    CHECK(r.body == json::parse(R"({"incident": {
        "name": "Checkout is down", "status": "investigating", "body": "We are looking into it.",
        "deliver_notifications": true, "component_ids": ["8kbf7d35c070"],
        "components": {"8kbf7d35c070": "major_outage"}, "impact_override": "critical",
        "metadata": {"warroom": {"incident": "INC-7"}}}})"));
    CHECK(authorization(page) == "OAuth secret-key-1");
    std::ostringstream shown;
    shown << r;
    CHECK(shown.str().find("secret-key-1") == std::string::npos);
    CHECK(shown.str().rfind("POST https://api.statuspage.io/v1/pages/kctbh9vrtdwd/incidents {", 0) == 0);
}

TEST_CASE("a later publication PATCHes the incident, and components named without a status are listed only") {
    auto const implementing = update(core::status::implementing_fix, std::nullopt, 2);
    auto const r = update_incident(implementing, "p31zjtct2jer", page);
    CHECK(r.verb == http::method::patch);
    CHECK(r.url == "https://api.statuspage.io/v1/pages/kctbh9vrtdwd/incidents/p31zjtct2jer");
    CHECK(r.body == json::parse(R"({"incident": {
        "name": "Checkout is down", "status": "identified", "body": "We are looking into it.",
        "deliver_notifications": true, "component_ids": ["8kbf7d35c070"], "impact_override": "critical"}})"));

    auto resolved = update(core::status::resolved, core::component_status::operational, 3);
    resolved.text = "Resolved";
    auto const done = update_incident(resolved, "p31zjtct2jer", page);
    CHECK(done.body["incident"]["status"] == "resolved");
    CHECK(done.body["incident"]["components"] == json{{"8kbf7d35c070", "operational"}});
    CHECK_FALSE(done.body["incident"].contains("impact_override"));

    auto none = update(core::status::monitoring, core::component_status::degraded_performance);
    none.components = {"Website"};  // not on the Statuspage page
    auto const bare = update_incident(none, "p31zjtct2jer", page);
    CHECK_FALSE(bare.body["incident"].contains("component_ids"));
    CHECK_FALSE(bare.body["incident"].contains("components"));
}

TEST_CASE("after a lost answer the incident is found by its mark, and an update by its text and status") {
    auto const u = update(core::status::investigating, std::nullopt);
    auto const search = search_incidents(u, page);
    CHECK(search.verb == http::method::get);
    CHECK(search.url == "https://api.statuspage.io/v1/pages/kctbh9vrtdwd/incidents?q=Checkout%20is%20down");
    CHECK(search.body.is_null());
    CHECK(get_incident("p31zjtct2jer", page).url ==
          "https://api.statuspage.io/v1/pages/kctbh9vrtdwd/incidents/p31zjtct2jer");

    auto const listed = json::parse(R"([
        {"id": "old000000001", "name": "Checkout is down", "metadata": {"warroom": {"incident": "INC-3"}}},
        {"id": "p31zjtct2jer", "name": "Checkout is down", "metadata": {"warroom": {"incident": "INC-7"}}}])");
    CHECK(opened_for(listed, u) == "p31zjtct2jer");
    CHECK(opened_for(json::parse(R"([{"id": "old000000001", "name": "Checkout is down", "metadata": {}}])"), u) ==
          std::nullopt);
    CHECK(opened_for(json::parse(R"([{"id": "nometa000001", "name": "Checkout is down"}])"), u) == "nometa000001");
    CHECK(opened_for(json::parse(R"({"error": "nope"})"), u) == std::nullopt);

    auto const incident = json::parse(R"({"id": "p31zjtct2jer", "incident_updates": [
        {"status": "identified", "body": "We are looking into it."},
        {"status": "investigating", "body": "Earlier words."}]})");
    CHECK_FALSE(has_update(incident, u));
    CHECK(has_update(incident, update(core::status::implementing_fix, std::nullopt)));
}

TEST_CASE("a maintenance window opens a scheduled maintenance with its window, and calling it off completes it") {
    using namespace std::chrono_literals;
    core::timestamp const from{core::milliseconds{1'796'695'200'000}};  // 2026-12-08T02:00:00Z
    core::statuspage_maintenance m{3, false, "Database upgrade", from, from + 90min, {"API", "Website"}};
    auto const r = open_incident(m, page);
    CHECK(r.verb == http::method::post);
    CHECK(r.url == "https://api.statuspage.io/v1/pages/kctbh9vrtdwd/incidents");
    CHECK(r.body == json::parse(R"({"incident": {
        "name": "Database upgrade", "status": "scheduled", "body": "Database upgrade",
        "scheduled_for": "2026-12-08T02:00:00.000Z", "scheduled_until": "2026-12-08T03:30:00.000Z",
        "scheduled_auto_in_progress": true, "scheduled_auto_completed": true,
        "component_ids": ["8kbf7d35c070"], "metadata": {"warroom": {"maintenance": "MNT-3"}}}})"));

    m.cancelled = true;
    auto const done = update_incident(m, "mt8xq2", page);
    CHECK(done.verb == http::method::patch);
    CHECK(done.url == "https://api.statuspage.io/v1/pages/kctbh9vrtdwd/incidents/mt8xq2");
    CHECK(done.body == json::parse(R"({"incident": {"status": "completed", "body": "This maintenance was called off."}})"));

    // After a lost answer: found by its mark (not an incident's of the same number), completed or not.
    CHECK(search_incidents(m, page).url == "https://api.statuspage.io/v1/pages/kctbh9vrtdwd/incidents?q=Database%20upgrade");
    auto const listed = json::parse(R"([
        {"id": "inc1", "name": "Database upgrade", "metadata": {"warroom": {"incident": "MNT-3"}}},
        {"id": "mt8xq2", "name": "Database upgrade", "metadata": {"warroom": {"maintenance": "MNT-3"}}}])");
    CHECK(opened_for(listed, m) == "mt8xq2");
    CHECK_FALSE(opened_for(json::parse(R"([{"id": "x", "metadata": {"warroom": {"maintenance": "MNT-4"}}}])"), m));
    auto const scheduled = json::parse(R"({"id": "mt8xq2", "incident_updates": [{"status": "scheduled", "body": "x"}]})");
    CHECK_FALSE(has_update(scheduled, m));
    CHECK(has_update(json::parse(R"({"id": "mt8xq2", "incident_updates": [{"status": "completed", "body": "y"}]})"), m));
    m.cancelled = false;
    CHECK(has_update(scheduled, m));
}

TEST_CASE("answers: 2xx delivered, 420, 429, 5xx and none retried, other refusals given up with Statuspage's words") {
    CHECK(judge(201) == verdict::delivered);
    CHECK(judge(200) == verdict::delivered);
    CHECK(judge(420) == verdict::retry);
    CHECK(judge(429) == verdict::retry);
    CHECK(judge(503) == verdict::retry);
    CHECK(judge(0) == verdict::retry);
    CHECK(judge(401) == verdict::give_up);
    CHECK(judge(422) == verdict::give_up);
    CHECK(failure_reason(422, json::parse(R"({"error": ["Status is not included in the list", "Name can't be blank"]})")) ==
          "HTTP 422: Status is not included in the list; Name can't be blank");
    CHECK(failure_reason(401, json::parse(R"({"error": "Could not authenticate"})")) ==
          "HTTP 401: Could not authenticate");
    CHECK(failure_reason(0, nullptr) == "no answer");
}
