// The calls that deliver a page, field by field, as PagerDuty's Events API v2 and Opsgenie's Alert
// API v2 document them; how an answer is judged; our dedup key and its way back.
#include "adapters/paging/paging.hpp"

#include <doctest/doctest.h>

#include <sstream>

#include "core/model.hpp"

namespace {

using namespace warroom;
using namespace warroom::paging;
using json = nlohmann::json;
using namespace std::chrono_literals;

core::page trigger(std::string position = "primary", core::user_id responder = "U01ALICE") {
    core::page p;
    p.incident = 7;
    p.action = core::page_action::trigger;
    p.dedup_key = "warroom-inc-7";
    p.summary = "INC-7 P0 outage: Checkout is down";
    p.sev = core::severity::p0;
    p.responder = std::move(responder);
    p.position = std::move(position);
    p.room = "inc-7-checkout-down";
    return p;
}

core::page closing(core::page_action action, core::user_id by = "U02BOB") {
    core::page p;
    p.incident = 7;
    p.action = action;
    p.dedup_key = "warroom-inc-7";
    p.summary = "INC-7 P0 outage: Checkout is down";
    p.sev = core::severity::p0;
    p.room = "inc-7-checkout-down";
    p.by = std::move(by);
    return p;
}

settings pagerduty() {
    settings s;
    s.kind = vendor::pagerduty;
    s.key = "R0UT1NGK3Y00000000000000000000AB";
    s.users = {{"U01ALICE", "alice@example.com"}, {"U02BOB", "bob@example.com"}};
    return s;
}

settings opsgenie() {
    settings s;
    s.kind = vendor::opsgenie;
    s.key = "eb243592-faa2-4ba2-a551q-1afdf565c889";
    s.users = {{"U01ALICE", "alice@example.com"}, {"U02BOB", "bob@example.com"}};
    return s;
}

request only(std::vector<request> const& r) {
    REQUIRE(r.size() == 1);
    return r.front();
}

using header_list = std::vector<std::pair<std::string, std::string>>;
header_list const genie_key{{"Authorization", "GenieKey eb243592-faa2-4ba2-a551q-1afdf565c889"}};

// Strings that end with a multi-byte character straddling the limit, one per sequence length.
std::vector<std::string> straddling(std::size_t limit) {
    std::vector<std::string> out;
    for (std::string_view c : {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x94\xA5"}) {  // é € 🔥
        for (std::size_t before = limit - c.size() + 1; before < limit; ++before) {
            out.push_back(std::string(before, 'a') + std::string(c) + "tail");
        }
    }
    return out;
}

}  // namespace

TEST_CASE("a PagerDuty trigger is one enqueue with the routing key the dedup key and the whole payload") {
    auto const r = only(requests_for(trigger(), pagerduty()));
    CHECK(r.url == "https://events.pagerduty.com/v2/enqueue");
    CHECK(r.headers.empty());
    CHECK(r.body == json::parse(R"({
        "routing_key": "R0UT1NGK3Y00000000000000000000AB",
        "event_action": "trigger",
        "dedup_key": "warroom-inc-7",
        "client": "warroom",
        "payload": {
            "summary": "INC-7 P0 outage: Checkout is down",
            "source": "warroom",
            "severity": "critical",
            "component": "warroom",
            "group": "inc-7-checkout-down",
            "class": "incident",
            "custom_details": {
                "incident": "INC-7",
                "severity": "P0",
                "position": "primary",
                "responder": "U01ALICE",
                "responder_email": "alice@example.com",
                "room": "inc-7-checkout-down"
            }
        }
    })"));
}

TEST_CASE("PagerDuty severities run from critical for P0 to info for P3") {
    std::pair<core::severity, std::string_view> const rows[] = {{core::severity::p0, "critical"},
                                                                {core::severity::p1, "error"},
                                                                {core::severity::p2, "warning"},
                                                                {core::severity::p3, "info"}};
    for (auto const& [sev, expected] : rows) {
        // CAPTURE takes its argument into a lambda, and clang 14 cannot capture a structured binding.
        auto const severity = core::to_string(sev);
        CAPTURE(severity);
        auto p = trigger();
        p.sev = sev;
        auto const body = only(requests_for(p, pagerduty())).body;
        CHECK(body.at("payload").at("severity") == expected);
        CHECK(body.at("payload").at("custom_details").at("severity") == core::to_string(sev));
    }
}

TEST_CASE("a PagerDuty secondary trigger keeps the incident's dedup key and says secondary") {
    auto const body = only(requests_for(trigger("secondary", "U02BOB"), pagerduty())).body;
    CHECK(body.at("event_action") == "trigger");
    CHECK(body.at("dedup_key") == "warroom-inc-7");
    auto const& details = body.at("payload").at("custom_details");
    CHECK(details.at("position") == "secondary");
    CHECK(details.at("responder") == "U02BOB");
    CHECK(details.at("responder_email") == "bob@example.com");
}

TEST_CASE("a PagerDuty responder without a mapped name shows only the Slack id and no responder shows neither") {
    auto const unmapped = only(requests_for(trigger("primary", "U09CAROL"), pagerduty())).body;
    CHECK(unmapped.at("payload").at("custom_details").at("responder") == "U09CAROL");
    CHECK_FALSE(unmapped.at("payload").at("custom_details").contains("responder_email"));
    auto const routed = only(requests_for(trigger("primary", ""), pagerduty())).body;
    CHECK_FALSE(routed.at("payload").at("custom_details").contains("responder"));
    CHECK_FALSE(routed.at("payload").at("custom_details").contains("responder_email"));
}

TEST_CASE("a PagerDuty trigger has no timestamp and no links since the effect has neither") {
    auto const body = only(requests_for(trigger(), pagerduty())).body;
    CHECK_FALSE(body.at("payload").contains("timestamp"));
    CHECK_FALSE(body.contains("links"));
    CHECK_FALSE(body.contains("images"));
    CHECK_FALSE(body.contains("client_url"));
}

TEST_CASE("PagerDuty acknowledge and resolve carry only the routing key the action and the dedup key") {
    std::pair<core::page_action, std::string_view> const rows[] = {{core::page_action::acknowledge, "acknowledge"},
                                                                   {core::page_action::resolve, "resolve"}};
    for (auto const& [action, name] : rows) {
        auto const action_name = name;
        CAPTURE(action_name);
        auto const r = only(requests_for(closing(action), pagerduty()));
        CHECK(r.url == "https://events.pagerduty.com/v2/enqueue");
        CHECK(r.headers.empty());
        CHECK(r.body == json{{"routing_key", "R0UT1NGK3Y00000000000000000000AB"},
                             {"event_action", name},
                             {"dedup_key", "warroom-inc-7"}});
    }
}

TEST_CASE("the PagerDuty summary is cut to 1024 bytes and never inside a UTF-8 sequence") {
    auto p = trigger();
    p.summary = std::string(1024, 'x');
    CHECK(only(requests_for(p, pagerduty())).body.at("payload").at("summary") == p.summary);
    for (auto const& summary : straddling(1024)) {
        CAPTURE(summary.size());
        p.summary = summary;
        auto const cut = only(requests_for(p, pagerduty())).body.at("payload").at("summary").get<std::string>();
        CHECK(cut.size() <= 1024);
        CHECK(cut.size() > 1020);
        CHECK(core::valid_utf8(cut));
        CHECK(summary.starts_with(cut));
    }
}

TEST_CASE("an Opsgenie primary trigger creates the alert under our alias with the responder mapped") {
    auto const r = only(requests_for(trigger(), opsgenie()));
    CHECK(r.url == "https://api.opsgenie.com/v2/alerts");
    CHECK(r.headers == genie_key);
    CHECK(r.body == json::parse(R"({
        "message": "INC-7 P0 outage: Checkout is down",
        "alias": "warroom-inc-7",
        "description": "INC-7 P0 outage: Checkout is down",
        "responders": [{"type": "user", "username": "alice@example.com"}],
        "tags": ["warroom", "P0"],
        "details": {"incident": "INC-7", "severity": "P0", "room": "inc-7-checkout-down", "position": "primary"},
        "entity": "INC-7",
        "source": "warroom",
        "priority": "P1"
    })"));
}

TEST_CASE("Opsgenie priorities run from P1 for P0 to P4 for P3 and the tags name the severity") {
    std::pair<core::severity, std::string_view> const rows[] = {
        {core::severity::p0, "P1"}, {core::severity::p1, "P2"}, {core::severity::p2, "P3"}, {core::severity::p3, "P4"}};
    for (auto const& [sev, expected] : rows) {
        auto const severity = core::to_string(sev);
        CAPTURE(severity);
        auto p = trigger();
        p.sev = sev;
        auto const body = only(requests_for(p, opsgenie())).body;
        CHECK(body.at("priority") == expected);
        CHECK(body.at("tags") == json::array({"warroom", core::to_string(sev)}));
        CHECK(body.at("details").at("severity") == core::to_string(sev));
    }
}

TEST_CASE("an Opsgenie primary whose responder has no username leaves the routing to Opsgenie") {
    for (core::user_id const who : {"U09CAROL", ""}) {
        CAPTURE(who);
        auto const body = only(requests_for(trigger("primary", who), opsgenie())).body;
        CHECK_FALSE(body.contains("responders"));
        CHECK(body.at("alias") == "warroom-inc-7");
    }
    auto s = opsgenie();
    s.users["U09CAROL"] = "";
    CHECK_FALSE(only(requests_for(trigger("primary", "U09CAROL"), s)).body.contains("responders"));
}

TEST_CASE("the Opsgenie message is cut to 130 bytes at a UTF-8 boundary while the description keeps it all") {
    auto p = trigger();
    p.summary = std::string(130, 'x');
    CHECK(only(requests_for(p, opsgenie())).body.at("message") == p.summary);
    for (auto const& summary : straddling(130)) {
        CAPTURE(summary.size());
        p.summary = summary;
        auto const body = only(requests_for(p, opsgenie())).body;
        auto const message = body.at("message").get<std::string>();
        CHECK(message.size() <= 130);
        CHECK(message.size() > 126);
        CHECK(core::valid_utf8(message));
        CHECK(summary.starts_with(message));
        CHECK(body.at("description") == summary);
    }
    p.summary = std::string(14999, 'd') + "\xC3\xA9";
    auto const description = only(requests_for(p, opsgenie())).body.at("description").get<std::string>();
    CHECK(description == std::string(14999, 'd'));
}

TEST_CASE("an Opsgenie secondary with a username is added as a responder to the alert by alias") {
    auto const r = only(requests_for(trigger("secondary", "U02BOB"), opsgenie()));
    CHECK(r.url == "https://api.opsgenie.com/v2/alerts/warroom-inc-7/responders?identifierType=alias");
    CHECK(r.headers == genie_key);
    CHECK(r.body == json{{"responder", {{"type", "user"}, {"username", "bob@example.com"}}},
                         {"source", "warroom"},
                         {"note", "unacknowledged: paging the secondary"}});
}

TEST_CASE("an Opsgenie secondary without a username becomes a note on the alert naming who was meant") {
    auto const r = only(requests_for(trigger("secondary", "U09CAROL"), opsgenie()));
    CHECK(r.url == "https://api.opsgenie.com/v2/alerts/warroom-inc-7/notes?identifierType=alias");
    CHECK(r.headers == genie_key);
    CHECK(r.body == json{{"user", "warroom"},
                         {"source", "warroom"},
                         {"note", "unacknowledged: paging the secondary, Slack user U09CAROL (no Opsgenie username)"}});
    auto const nobody = only(requests_for(trigger("secondary", ""), opsgenie()));
    CHECK(nobody.body.at("note") == "unacknowledged: paging the secondary");
}

TEST_CASE("Opsgenie acknowledge and close name the alert by alias and who did it") {
    auto const ack = only(requests_for(closing(core::page_action::acknowledge), opsgenie()));
    CHECK(ack.url == "https://api.opsgenie.com/v2/alerts/warroom-inc-7/acknowledge?identifierType=alias");
    CHECK(ack.headers == genie_key);
    CHECK(ack.body == json{{"user", "bob@example.com"},
                           {"source", "warroom"},
                           {"note", "acknowledged in Slack (#inc-7-checkout-down)"}});
    auto const close = only(requests_for(closing(core::page_action::resolve, "U09CAROL"), opsgenie()));
    CHECK(close.url == "https://api.opsgenie.com/v2/alerts/warroom-inc-7/close?identifierType=alias");
    CHECK(close.headers == genie_key);
    CHECK(close.body ==
          json{{"user", "U09CAROL"}, {"source", "warroom"}, {"note", "resolved in Slack (#inc-7-checkout-down)"}});
    auto anonymous = closing(core::page_action::resolve, "");
    anonymous.room.clear();
    CHECK(only(requests_for(anonymous, opsgenie())).body ==
          json{{"user", "warroom"}, {"source", "warroom"}, {"note", "resolved in Slack"}});
}

TEST_CASE("the Opsgenie alias is percent-encoded in the path and sent as is in bodies") {
    auto p = trigger("secondary", "U02BOB");
    p.dedup_key = "warroom inc/7?x=1&y#z%\xC3\xA9~._-";
    auto const r = only(requests_for(p, opsgenie()));
    CHECK(r.url ==
          "https://api.opsgenie.com/v2/alerts/warroom%20inc%2F7%3Fx%3D1%26y%23z%25%C3%A9~._-/responders"
          "?identifierType=alias");
    p.position = "primary";
    CHECK(only(requests_for(p, opsgenie())).body.at("alias") == p.dedup_key);
}

TEST_CASE("base URLs default per vendor and get their trailing slash") {
    auto s = opsgenie();
    s.base_url = "https://api.eu.opsgenie.com";
    CHECK(only(requests_for(trigger(), s)).url == "https://api.eu.opsgenie.com/v2/alerts");
    s.base_url = "http://127.0.0.1:8080/opsgenie/";
    CHECK(only(requests_for(closing(core::page_action::resolve), s)).url ==
          "http://127.0.0.1:8080/opsgenie/v2/alerts/warroom-inc-7/close?identifierType=alias");
    auto pd = pagerduty();
    pd.base_url = "http://127.0.0.1:8081/";
    CHECK(only(requests_for(trigger(), pd)).url == "http://127.0.0.1:8081/v2/enqueue");
}

TEST_CASE("the source setting is what both vendors show as the source") {
    auto pd = pagerduty();
    pd.source = "warroom-prod";
    CHECK(only(requests_for(trigger(), pd)).body.at("payload").at("source") == "warroom-prod");
    CHECK(only(requests_for(trigger(), pd)).body.at("client") == "warroom");
    auto og = opsgenie();
    og.source = "warroom-prod";
    CHECK(only(requests_for(trigger(), og)).body.at("source") == "warroom-prod");
    CHECK(only(requests_for(closing(core::page_action::acknowledge, ""), og)).body.at("user") == "warroom-prod");
}

TEST_CASE("a printed request hides the API key and the routing key") {
    std::ostringstream og;
    og << only(requests_for(trigger(), opsgenie()));
    CHECK(og.str().starts_with("POST https://api.opsgenie.com/v2/alerts [Authorization: <redacted>] {"));
    CHECK(og.str().find("eb243592") == std::string::npos);
    std::ostringstream pd;
    pd << only(requests_for(trigger(), pagerduty()));
    CHECK(pd.str().find("R0UT1NGK3Y") == std::string::npos);
    CHECK(pd.str().find("\"routing_key\":\"<redacted>\"") != std::string::npos);
}

TEST_CASE("judge delivers on 2xx retries on 429 5xx and no answer and gives up on the rest") {
    std::pair<int, verdict> const rows[] = {
        {200, verdict::delivered}, {202, verdict::delivered}, {204, verdict::delivered}, {299, verdict::delivered},
        {0, verdict::retry},       {429, verdict::retry},     {500, verdict::retry},     {502, verdict::retry},
        {503, verdict::retry},     {504, verdict::retry},     {599, verdict::retry},     {400, verdict::give_up},
        {401, verdict::give_up},   {402, verdict::give_up},   {403, verdict::give_up},   {404, verdict::give_up},
        {408, verdict::give_up},   {409, verdict::give_up},   {413, verdict::give_up},   {422, verdict::give_up},
        {100, verdict::give_up},   {301, verdict::give_up},   {304, verdict::give_up},   {600, verdict::give_up},
        {-1, verdict::give_up},
    };
    for (auto const& [status, expected] : rows) {
        auto const code = status;
        CAPTURE(code);
        CHECK(judge(status) == expected);
    }
}

TEST_CASE("Retry-After is read in seconds and anything else leaves the delay to the sender") {
    CHECK(retry_after("30") == 30s);
    CHECK(retry_after(" 7\t") == 7s);
    CHECK(retry_after("0") == 0s);
    for (std::string_view bad :
         {"", " ", "soon", "-5", "+5", "1.5", "5s", "Wed, 21 Oct 2015 07:28:00 GMT", "99999999999999999999999"}) {
        CAPTURE(bad);
        CHECK_FALSE(retry_after(bad));
    }
}

TEST_CASE("a failure reason is one line with the status and the vendor's own words") {
    CHECK(
        failure_reason(
            400,
            R"({"status":"invalid event","message":"Event object is invalid","errors":["'routing_key' is invalid"]})") ==
        "HTTP 400: Event object is invalid ('routing_key' is invalid)");
    CHECK(
        failure_reason(
            422,
            R"({"message":"Request body is not processable. Please check the errors.","errors":{"message":"Message can not be empty."},"took":0.002,"requestId":"a1"})") ==
        "HTTP 422: Request body is not processable. Please check the errors. (Message can not be empty.)");
    CHECK(failure_reason(401, R"({"message":"Key format is not valid!","took":0.0,"requestId":"b2"})") ==
          "HTTP 401: Key format is not valid!");
    CHECK(failure_reason(403, R"({"errors":["first","second"]})") == "HTTP 403: (first; second)");
    CHECK(failure_reason(404, "") == "HTTP 404");
    CHECK(failure_reason(404, R"({"took":0.1})") == "HTTP 404");
    CHECK(failure_reason(0, "") == "no answer");
    CHECK(failure_reason(502, "<html>\r\n<body>Bad Gateway</body>\n</html>\n") ==
          "HTTP 502: <html>  <body>Bad Gateway</body> </html>");
    auto const long_page = failure_reason(413, std::string(5000, 'x'));
    CHECK(long_page.size() < 320);
}

