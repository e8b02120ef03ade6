// Alerts through the service over the real store: recorded as events, so a restart (or a second
// replica) knows every group; a delivery sent twice declares one incident; a delivery id is claimed
// (a replayed generic webhook changes nothing); a triage post is one message kept under its key.
#include "tests/service/support.hpp"

namespace {

using namespace warroom::service_test;

alert firing(std::string fingerprint, std::string severity, timestamp starts) {
    alert a;
    a.fingerprint = std::move(fingerprint);
    a.labels = {{"alertname", "HighErrorRate"}, {"severity", std::move(severity)}};
    a.annotations = {{"summary", "Error rate above 5%"}};
    a.starts_at = starts;
    return a;
}

origin from_sender(timestamp now, std::string once = {}) {
    origin o{bot_user, "", now, std::move(once)};
    o.integration = true;
    return o;
}

std::vector<post> posts(outcome const& out) {
    std::vector<post> found;
    for (auto const& e : out.effects) {
        if (auto const* p = std::get_if<post>(&e)) found.push_back(*p);
    }
    return found;
}

}  // namespace

TEST_CASE("a critical alert delivered twice declares one incident with one war room, also after a restart") {
    harness h;
    alert_delivery const d{"alertmanager", "g1", {firing("fp1", "critical", t0 - 2min)}};
    auto const first = h.svc().receive(from_sender(t0), d);
    CHECK(first.changed);
    CHECK(std::count_if(first.effects.begin(), first.effects.end(),
                        [](effect const& e) { return std::holds_alternative<open_war_room>(e); }) == 1);
    CHECK(std::none_of(first.effects.begin(), first.effects.end(),
                       [](effect const& e) { return std::holds_alternative<reply>(e); }));
    REQUIRE(h.svc().incidents().size() == 1);
    CHECK(h.svc().find(1)->detected_at == t0 - 2min);

    CHECK(!h.svc().receive(from_sender(t0 + 1s), d).changed);
    h.restart();
    CHECK(h.svc().alert_groups().size() == 1);
    CHECK(h.svc().alert_groups().at(1).incident == 1);
    CHECK(!h.svc().receive(from_sender(t0 + 2s), d).changed);
    CHECK(h.svc().incidents().size() == 1);

    alert_delivery resolved_d = d;
    resolved_d.alerts[0].status = alert_status::resolved;
    resolved_d.alerts[0].ends_at = t0 + 5min;
    auto const done = h.svc().receive(from_sender(t0 + 5min), resolved_d);
    CHECK(done.changed);
    CHECK(h.svc().find(1)->timeline.back().text ==
          "Alert resolved (alertmanager): HighErrorRate — Error rate above 5%");
    // The room hears it.
    auto const p = posts(done);
    REQUIRE(p.size() == 1);
    CHECK(p[0].room == 1);
}

TEST_CASE("a medium alert is a triage post kept under one key; a replayed delivery id changes nothing") {
    harness h;
    alert_delivery const d{"generic", "disk", {firing("disk", "warning", t0)}};
    auto const first = h.svc().receive(from_sender(t0, "webhook-id:msg_1"), d);
    CHECK(first.changed);
    auto const p = posts(first);
    REQUIRE(p.size() == 1);
    CHECK(p[0].key == triage_key(1));
    CHECK(h.svc().incidents().empty());

    CHECK(h.svc().receive(from_sender(t0 + 1s, "webhook-id:msg_1"), d).duplicate);
    h.restart();
    CHECK(h.svc().receive(from_sender(t0 + 2s, "webhook-id:msg_1"), d).duplicate);

    alert_delivery resolved_d = d;
    resolved_d.alerts[0].status = alert_status::resolved;
    auto const done = h.svc().receive(from_sender(t0 + 3min, "webhook-id:msg_2"), resolved_d);
    auto const edited = posts(done);
    REQUIRE(edited.size() == 1);
    CHECK(edited[0].key == triage_key(1));
    CHECK(edited[0].view.fields.at(1).value == "all resolved");
}

TEST_CASE("a second replica sees the groups the first recorded") {
    harness h;
    alert_delivery const d{"alertmanager", "g1", {firing("fp1", "warning", t0)}};
    REQUIRE(h.svc().receive(from_sender(t0), d).changed);
    auto other = h.another();
    CHECK(!other.svc().receive(from_sender(t0 + 1s), d).changed);
    alert_delivery const next{"alertmanager", "g2", {firing("fp2", "warning", t0)}};
    REQUIRE(other.svc().receive(from_sender(t0 + 1s), next).changed);
    CHECK(other.svc().alert_groups().size() == 2);
    CHECK(!h.svc().receive(from_sender(t0 + 2s), next).changed);  // caught up before deciding
}

TEST_CASE("a delivery of several alert groups names all its writes, so the sender hears of any one lost") {
    harness h;
    alert_delivery const d{"generic", "", {firing("disk", "warning", t0), firing("cpu", "warning", t0)}};
    auto const out = h.svc().receive(from_sender(t0), d);
    REQUIRE(out.changed);
    CHECK(posts(out).size() == 2);  // one triage post per group
    CHECK(out.recorded_from + 1 == out.recorded);
    CHECK_FALSE(h.svc().lost(out.recorded_from));
}
