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
