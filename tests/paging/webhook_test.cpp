// PagerDuty's v3 webhooks coming back: signatures checked against values computed outside this code
// (RFC 4231 and `openssl dgst -sha256 -hmac`), secret rotation, malformed headers, and payloads from
// the real thing to garbage.
#include <doctest/doctest.h>

#include <string>

#include "adapters/paging/pagerduty_webhook.hpp"
#include "adapters/paging/paging.hpp"

namespace {

using namespace warroom::paging;

// printf '%s' "$body" | openssl dgst -sha256 -hmac whsec-test-secret
constexpr std::string_view secret = "whsec-test-secret";
constexpr std::string_view resolved = R"({"event":{"event_type":"incident.resolved"}})";
constexpr std::string_view resolved_sig = "1029ef5578001972c1ede3351bcfea56ab26475d0fe77302b946f07fc332d062";
// The same body signed with the secret being rotated out.
constexpr std::string_view resolved_old_sig = "83f64e93e5f1bde0dbd36871e166dbf97ce1b0023934eaefdbbadafcdad10f85";
constexpr std::string_view unicode =
    R"({"event":{"event_type":"incident.acknowledged","agent":{"summary":"Zoë Ødegård"},"data":{"type":"incident","id":"Q1","incident_key":"warroom-inc-7"}}})";
constexpr std::string_view unicode_sig = "cabc862e8ab6b9375b40d5df3cee3e84fa037fb26e41e37f41b2aede89bf4dc2";

std::string v1(std::string_view hex) { return "v1=" + std::string(hex); }

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(c >= 'a' && c <= 'f' ? c - 'a' + 'A' : c);
    return out;
}

// An incident.acknowledged delivery as PagerDuty sends it (shape from its v3 webhook docs).
constexpr std::string_view acknowledged = R"({"event":{
  "id":"01DEN9JBHLZDSGT39NKZC8ACO3","event_type":"incident.acknowledged","resource_type":"incident",
  "occurred_at":"2026-11-27T09:52:04.211Z",
  "agent":{"html_url":"https://acme.pagerduty.com/users/PLH1HKV","id":"PLH1HKV","self":"https://api.pagerduty.com/users/PLH1HKV","summary":"Ada Lovelace","type":"user_reference"},
  "client":{"name":"PagerDuty"},
  "data":{"id":"Q2F7ZQ1MBXQKLA","type":"incident","self":"https://api.pagerduty.com/incidents/Q2F7ZQ1MBXQKLA",
    "html_url":"https://acme.pagerduty.com/incidents/Q2F7ZQ1MBXQKLA","number":1812,"status":"acknowledged",
    "incident_key":"warroom-inc-7","created_at":"2026-11-27T09:50:31Z","title":"INC-7 P0 outage: Checkout is down",
    "service":{"id":"PF9KMXH","summary":"Checkout","type":"service_reference"},
    "assignees":[{"id":"PLH1HKV","summary":"Ada Lovelace","type":"user_reference"}],
    "escalation_policy":{"id":"PUS0KTE","summary":"Checkout on-call","type":"escalation_policy_reference"},
    "teams":[],"priority":null,"urgency":"high","conference_bridge":null,"resolve_reason":null}}})";

}  // namespace

TEST_CASE("HMAC-SHA256 matches RFC 4231 test case 2") {
    CHECK(verify_signature("what do ya want for nothing?",
                           "v1=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", "Jefe"));
}

TEST_CASE("a body verifies with the signature openssl computed for it and not with any change") {
    CHECK(verify_signature(resolved, v1(resolved_sig), secret));
    CHECK(verify_signature(unicode, v1(unicode_sig), secret));
    CHECK(verify_signature(resolved, v1(upper(resolved_sig)), secret));
    CHECK_FALSE(verify_signature(resolved, v1(resolved_sig), "whsec-test-secreT"));
    CHECK_FALSE(verify_signature(std::string(resolved) + "\n", v1(resolved_sig), secret));
    CHECK_FALSE(verify_signature(unicode, v1(resolved_sig), secret));
    auto flipped = std::string(resolved_sig);
    flipped.back() = '3';
    CHECK_FALSE(verify_signature(resolved, v1(flipped), secret));
}

TEST_CASE("any of several signatures may match while secrets rotate") {
    CHECK(verify_signature(resolved, v1(resolved_old_sig) + "," + v1(resolved_sig), secret));
    CHECK(verify_signature(resolved, v1(resolved_sig) + "," + v1(resolved_old_sig), secret));
    CHECK(verify_signature(resolved, v1(resolved_old_sig) + "," + v1(resolved_sig), "old-secret"));
    CHECK(verify_signature(resolved, v1(resolved_old_sig) + ", " + v1(resolved_sig), secret));
    CHECK(verify_signature(resolved, "v2=abc," + v1(resolved_sig), secret));
    CHECK(verify_signature(resolved, "v1=garbage,," + v1(resolved_sig) + ",", secret));
    CHECK_FALSE(verify_signature(resolved, v1(resolved_old_sig) + "," + v1(unicode_sig), secret));
}

TEST_CASE("missing or malformed signature headers never verify") {
    auto const sig = std::string(resolved_sig);
    for (std::string const& header :
         {std::string{}, std::string(" "), std::string(","), std::string("v1="), std::string("v1"), sig, "v2=" + sig,
          "V1=" + sig, "v1:" + sig, "v1 =" + sig, "v1=" + sig + "0", "v1=" + sig.substr(1),
          "v1=" + sig.substr(0, 63) + "g", "sha256=" + sig, "v1=v1=" + sig,
          "v1=" + sig.substr(0, 32) + " " + sig.substr(32)}) {
        CAPTURE(header);
        CHECK_FALSE(verify_signature(resolved, header, secret));
    }
}

TEST_CASE("an empty secret verifies nothing") {
    // printf '%s' "$resolved" | openssl dgst -sha256 -hmac '': the right HMAC for an empty key, refused
    // all the same, since an empty secret means verification was never set up.
    CHECK_FALSE(verify_signature(resolved, v1("8490de1a5e1b24c6b665a1e39963d8150406c2eab677b606f288ca30caf07687"), ""));
    CHECK_FALSE(verify_signature("", v1(resolved_sig), ""));
}

TEST_CASE("an acknowledgement names the event our dedup key PagerDuty's incident and who acknowledged") {
    auto const e = parse_webhook(acknowledged);
    REQUIRE(e);
    auto const at = *warroom::core::parse_time("2026-11-27T09:52:04Z") + std::chrono::milliseconds{211};
    CHECK(*e == webhook_event{"incident.acknowledged", "warroom-inc-7", "Q2F7ZQ1MBXQKLA", "Ada Lovelace", "PF9KMXH", at});
    CHECK(warroom::core::incident_of_page_key(e->incident_key) == 7);
}

TEST_CASE("an event without an agent or about something else than an incident has those fields empty") {
    auto const resolved_by_pd = parse_webhook(
        R"({"event":{"event_type":"incident.resolved","agent":null,"data":{"id":"Q9","type":"incident","incident_key":"warroom-inc-12"}}})");
    REQUIRE(resolved_by_pd);
    CHECK(*resolved_by_pd == webhook_event{"incident.resolved", "warroom-inc-12", "Q9", "", "", std::nullopt});
    auto const service = parse_webhook(
        R"({"event":{"event_type":"service.updated","agent":null,"data":{"id":"PF9KMXH","type":"service","summary":"x"}}})");
    REQUIRE(service);
    CHECK(*service == webhook_event{"service.updated", "", "", "", "", std::nullopt});
    CHECK(parse_webhook(resolved)->type == "incident.resolved");
    CHECK(parse_webhook(resolved)->incident_key.empty());
}

TEST_CASE("notes and responder events name the incident they refer to") {
    auto const note = parse_webhook(
        R"({"event":{"event_type":"incident.annotated","agent":{"summary":"Ada Lovelace"},"data":{"incident":{"id":"Q2F7ZQ1MBXQKLA","type":"incident_reference"},"id":"P2LA89X","content":"on it","type":"incident_note"}}})");
    REQUIRE(note);
    CHECK(*note == webhook_event{"incident.annotated", "", "Q2F7ZQ1MBXQKLA", "Ada Lovelace", "", std::nullopt});
}

TEST_CASE("the time it happened reads with or without a fraction of a second, and nothing else") {
    auto const at = [](std::string const& when) {
        return parse_webhook(R"({"event":{"event_type":"incident.acknowledged","occurred_at":")" + when + R"("}})")
            ->occurred_at;
    };
    auto const base = *warroom::core::parse_time("2026-11-27T09:52:04Z");
    CHECK(at("2026-11-27T09:52:04Z") == base);
    CHECK(at("2026-11-27T09:52:04.5Z") == base + std::chrono::milliseconds{500});
    CHECK(at("2026-11-27T09:52:04.123456Z") == base + std::chrono::milliseconds{123});
    CHECK_FALSE(at("2026-11-27T09:52:04.Z"));
    CHECK_FALSE(at("yesterday"));
    CHECK_FALSE(at(""));
}

TEST_CASE("fields of the wrong type are left empty") {
    auto const e = parse_webhook(
        R"({"event":{"event_type":"incident.acknowledged","agent":"Ada","data":{"type":"incident","id":5,"incident_key":["warroom-inc-7"],"incident":"Q1"}}})");
    REQUIRE(e);
    CHECK(*e == webhook_event{"incident.acknowledged", "", "", "", "", std::nullopt});
    auto const odd = parse_webhook(
        R"({"event":{"event_type":"incident.annotated","agent":{"summary":{"name":"Ada"}},"data":{"incident":["Q1"]}}})");
    REQUIRE(odd);
    CHECK(*odd == webhook_event{"incident.annotated", "", "", "", "", std::nullopt});
    auto const array_data = parse_webhook(R"({"event":{"event_type":"x","data":[{"incident_key":"warroom-inc-7"}]}})");
    REQUIRE(array_data);
    CHECK(array_data->incident_key.empty());
}

TEST_CASE("anything but an object with a string event type is no webhook") {
    for (std::string_view bad :
         {"", " ", "null", "42", "\"event\"", "[]", "[{\"event\":{\"event_type\":\"x\"}}]", "{}", R"({"event":null})",
          R"({"event":"incident.resolved"})", R"({"event":[]})", R"({"event":{}})", R"({"event":{"event_type":7}})",
          R"({"event":{"event_type":null}})", R"({"event_type":"incident.resolved"})", R"({"event":{"event_type":"x"})",
          "{\"event\":{\"event_type\":\"\xff\"}}", "\xef\xbb\xbf\xff\xfe", "not json at all"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_webhook(bad));
    }
    CHECK_FALSE(parse_webhook(std::string(100000, '[') + std::string(100000, ']')));
}
