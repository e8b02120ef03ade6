// The alert receivers' parsers and authentication: Alertmanager v4 with firing and resolved alerts and
// fields it does not know, Grafana's shape, the generic alert, bad bodies refused with their reason,
// bearer tokens, and Standard Webhooks signatures (the specification's reference vector, a wrong or
// stale one, a rotated key, a missing header).
#include <doctest/doctest.h>

#include "adapters/alerts/receivers.hpp"

namespace {

using namespace warroom;
using namespace std::chrono_literals;

core::timestamp const t0 = core::timestamp{std::chrono::sys_days{std::chrono::year{2026} / 3 / 2}} + 9h;

std::string reason(alerts::parsed const& p) {
    auto const* bad = std::get_if<alerts::bad_delivery>(&p);
    return bad ? bad->reason : "(parsed)";
}

constexpr char const* v4 = R"({
  "version": "4", "groupKey": "{}:{alertname=\"HighErrorRate\"}", "truncatedAlerts": 0, "status": "firing",
  "receiver": "warroom", "groupLabels": {"alertname": "HighErrorRate"}, "commonLabels": {}, "commonAnnotations": {},
  "externalURL": "http://alertmanager:9093", "somethingNew": {"nested": [1, 2]},
  "alerts": [
    {"status": "firing", "labels": {"alertname": "HighErrorRate", "severity": "critical", "count": 3},
     "annotations": {"summary": "Error rate above 5%\u0007"}, "startsAt": "2026-03-02T08:58:00.123456789Z",
     "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prometheus:9090/graph", "fingerprint": "a1b2"},
    {"status": "resolved", "labels": {"alertname": "HighErrorRate", "instance": "b"}, "annotations": {},
     "startsAt": "2026-03-02T10:50:00+02:00", "endsAt": "2026-03-02T08:59:30Z", "generatorURL": "",
     "fingerprint": ""}
  ]
})";

}  // namespace

TEST_CASE("an Alertmanager v4 payload with firing and resolved alerts and fields it does not know") {
    auto const p = alerts::parse_alertmanager(v4, "alertmanager");
    CAPTURE(reason(p));
    REQUIRE(std::holds_alternative<core::alert_delivery>(p));
    auto const& d = std::get<core::alert_delivery>(p);
    CHECK(d.source == "alertmanager");
    CHECK(d.group_key == "{}:{alertname=\"HighErrorRate\"}");
    REQUIRE(d.alerts.size() == 2);
    auto const& a = d.alerts[0];
    CHECK(a.status == core::alert_status::firing);
    CHECK(a.fingerprint == "a1b2");
    CHECK(a.starts_at == t0 - 2min + 123ms);
    CHECK(!a.ends_at);  // Go's zero time: not ended
    CHECK(a.labels == std::map<std::string, std::string>{{"alertname", "HighErrorRate"}, {"severity", "critical"}});
    CHECK(a.annotations.at("summary") == "Error rate above 5% ");  // the bell became a space
    CHECK(a.url == "http://prometheus:9090/graph");
    auto const& b = d.alerts[1];
    CHECK(b.status == core::alert_status::resolved);
    CHECK(b.starts_at == t0 - 10min);  // +02:00
    CHECK(b.ends_at == t0 - 30s);
    CHECK(b.fingerprint == "alertname=HighErrorRate,instance=b,");  // made from the labels
}

TEST_CASE("Grafana's payload is read the same way, whatever its version") {
    auto const p = alerts::parse_alertmanager(
        R"({"version":"1","orgId":1,"title":"[FIRING:1]","groupKey":"g","alerts":[{"status":"firing","labels":{"alertname":"DiskFull"},
            "annotations":{},"startsAt":"2026-03-02T09:00:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"f",
            "silenceURL":"x","dashboardURL":"y","values":{"A":1}}]})",
        "grafana");
    CAPTURE(reason(p));
    REQUIRE(std::holds_alternative<core::alert_delivery>(p));
    CHECK(std::get<core::alert_delivery>(p).alerts.at(0).starts_at == t0);
}

TEST_CASE("bad Alertmanager bodies are refused with the reason") {
    struct row {
        std::string body, why;
    };
    for (auto const& r : std::vector<row>{
             {"{not json", "the body is not JSON"},
             {"[1,2]", "the body is not a JSON object"},
             {"\"\xff\"", "the body is not JSON"},
             {R"({"version":"3","alerts":[]})", "version \"3\" is not supported (Alertmanager's webhook version 4)"},
             {R"({"version":4,"alerts":[]})", "version 4 is not supported (Alertmanager's webhook version 4)"},
             {R"({"version":"4"})", "\"alerts\" is missing or not a list"},
             {R"({"alerts":{}})", "\"alerts\" is missing or not a list"},
             {R"({"alerts":[7]})", "alerts[0] is not an object"},
             {R"({"alerts":[{"status":"pending","startsAt":"2026-03-02T09:00:00Z"}]})",
              "alerts[0].status must be \"firing\" or \"resolved\""},
             {R"({"alerts":[{"status":"firing","startsAt":"yesterday"}]})",
              "alerts[0].startsAt is missing or not an RFC 3339 time"},
             {R"({"alerts":[{"status":"firing","startsAt":"2026-02-30T09:00:00Z"}]})",
              "alerts[0].startsAt is missing or not an RFC 3339 time"},
             {R"({"alerts":[{"status":"firing"}]})", "alerts[0].startsAt is missing or not an RFC 3339 time"},
         }) {
        CAPTURE(r.body);
        CHECK(reason(alerts::parse_alertmanager(r.body, "alertmanager")) == r.why);
    }
}

TEST_CASE("the generic alert: title and dedup key required, status firing or resolved") {
    auto const p = alerts::parse_generic(
        R"({"title":"Checkout slow","severity":"high","dedup_key":"checkout-latency","description":"p99 4s",
            "source":"pingdom","url":"https://status","labels":{"team":"payments"},"extra":true})",
        t0);
    CAPTURE(reason(p));
    REQUIRE(std::holds_alternative<core::alert_delivery>(p));
    auto const& d = std::get<core::alert_delivery>(p);
    CHECK(d.source == "generic");
    CHECK(d.group_key == "checkout-latency");
    auto const& a = d.alerts.at(0);
    CHECK(a.fingerprint == "checkout-latency");
    CHECK(a.status == core::alert_status::firing);
    CHECK(a.starts_at == t0);
    CHECK(a.labels ==
          std::map<std::string, std::string>{
              {"alertname", "Checkout slow"}, {"severity", "high"}, {"source", "pingdom"}, {"team", "payments"}});
    CHECK(a.annotations.at("description") == "p99 4s");
    CHECK(a.url == "https://status");

    auto const done = alerts::parse_generic(R"({"title":"Checkout slow","dedup_key":"k","status":"resolved"})", t0);
    REQUIRE(std::holds_alternative<core::alert_delivery>(done));
    CHECK(std::get<core::alert_delivery>(done).alerts.at(0).ends_at == t0);

    CHECK(reason(alerts::parse_generic(R"({"dedup_key":"k"})", t0)) == "\"title\" is missing or empty");
    CHECK(reason(alerts::parse_generic(R"({"title":"x"})", t0)) == "\"dedup_key\" is missing or empty");
    CHECK(reason(alerts::parse_generic(R"({"title":"x","dedup_key":"k","status":"ok"})", t0)) ==
          "\"status\" must be \"firing\" or \"resolved\"");
    CHECK(reason(alerts::parse_generic("nope", t0)) == "the body is not JSON");
}

TEST_CASE("a bearer token matches only exactly") {
    CHECK(alerts::bearer_matches("Bearer s3cret", "s3cret"));
    CHECK(alerts::bearer_matches("bearer s3cret", "s3cret"));
    CHECK(!alerts::bearer_matches("Bearer s3cre", "s3cret"));
    CHECK(!alerts::bearer_matches("Bearer s3cret2", "s3cret"));
    CHECK(!alerts::bearer_matches("Basic s3cret", "s3cret"));
    CHECK(!alerts::bearer_matches("", "s3cret"));
    CHECK(!alerts::bearer_matches("Bearer ", ""));
}

TEST_CASE("Standard Webhooks signatures: the reference vector, wrong, stale, rotated, missing") {
    // From the Standard Webhooks specification's test vectors.
    std::string const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    std::string const id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    std::string const ts = "1614265330";
    std::string const body = R"({"test": 2432232314})";
    std::string const good = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    auto const then = core::timestamp{core::seconds{1614265330}};
    CHECK(alerts::sign_standard_webhook(id, ts, body, secret) == good);
    CHECK(alerts::verify_standard_webhook(id, ts, good, body, {secret}, then) == std::nullopt);
    CHECK(alerts::verify_standard_webhook(id, ts, good, body, {secret}, then + 4min) == std::nullopt);

    CHECK(alerts::verify_standard_webhook(id, ts, good, body + " ", {secret}, then) == "no webhook-signature matches");
    CHECK(alerts::verify_standard_webhook("msg_other", ts, good, body, {secret}, then) ==
          "no webhook-signature matches");
    CHECK(alerts::verify_standard_webhook(id, ts, "v1,AAAA", body, {secret}, then) == "no webhook-signature matches");
    CHECK(alerts::verify_standard_webhook(id, ts, "v2," + good.substr(3), body, {secret}, then) ==
          "no webhook-signature matches");
    CHECK(alerts::verify_standard_webhook(id, ts, good, body, {"whsec_b3RoZXIga2V5"}, then) ==
          "no webhook-signature matches");
    CHECK(alerts::verify_standard_webhook(id, ts, good, body, {secret}, then + 6min) ==
          "webhook-timestamp is more than 5 minutes from now");
    CHECK(alerts::verify_standard_webhook(id, ts, good, body, {secret}, then - 6min) ==
          "webhook-timestamp is more than 5 minutes from now");
    CHECK(alerts::verify_standard_webhook(id, "16142653x0", good, body, {secret}, then) ==
          "webhook-timestamp is not a Unix time in seconds");
    for (auto const& [i, t, s] :
         std::vector<std::tuple<std::string, std::string, std::string>>{{"", ts, good}, {id, "", good}, {id, ts, ""}}) {
        CHECK(alerts::verify_standard_webhook(i, t, s, body, {secret}, then) ==
              "webhook-id, webhook-timestamp and webhook-signature are required");
    }

    // A sender rotating its key signs with both; the receiver, rotating, holds both.
    std::string const next = "whsec_bmV4dCBrZXkgZm9yIHJvdGF0aW9u";
    auto const both = alerts::sign_standard_webhook(id, ts, body, next) + " " + good;
    CHECK(alerts::verify_standard_webhook(id, ts, both, body, {next}, then) == std::nullopt);
    CHECK(alerts::verify_standard_webhook(id, ts, good, body, {next, secret}, then) == std::nullopt);
    CHECK(alerts::verify_standard_webhook(id, ts, "v1,garbage!! " + good, body, {secret}, then) == std::nullopt);
}
