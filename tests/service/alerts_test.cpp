// Alerts through the service over the real store: recorded as events, so a restart (or a second
// replica) knows every group; a delivery sent twice declares one incident; a delivery id is claimed
// (a replayed generic webhook changes nothing); a triage post is one message kept under its key.
#include "core/report.hpp"
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

TEST_CASE("a medium alert is a triage post kept under one key, a replayed delivery id changes nothing") {
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

namespace {

open_form const& form_in(outcome const& out) {
    REQUIRE(out.effects.size() == 1);
    auto const* f = std::get_if<open_form>(&out.effects.front());
    REQUIRE(f != nullptr);
    return *f;
}

std::string reply_in(outcome const& out) {
    REQUIRE(out.effects.size() == 1);
    auto const* r = std::get_if<reply>(&out.effects.front());
    REQUIRE(r != nullptr);
    return render_text(r->view);
}

}  // namespace

TEST_CASE("triage through the service: Declare opens the form from the group, its submission declares the incident") {
    harness h;
    REQUIRE(h.svc().receive(from_sender(t0), {"alertmanager", "g1", {firing("fp1", "high", t0 - 5min)}}).changed);
    origin const alice{"alice", "incidents", t0 + 1min, "envelope:1"};
    auto const pressed = h.svc().press(alice, ui::action::declare_alert, ui::group_value(1));
    auto const form = form_in(pressed).form;
    CHECK(form.id == ui::form::declare);
    CHECK(form.incident == alert_stream(1));

    auto const out = h.svc().submit(alice, ui::form::declare, form.incident,
                                    {{ui::field::title, "Checkout errors"}, {ui::field::severity, "P1"}});
    REQUIRE(out.changed);
    auto const* i = h.svc().find(1);
    REQUIRE(i);
    CHECK(i->detected_at == t0 - 5min);
    CHECK(i->detected_by == "alertmanager: HighErrorRate");
    CHECK(i->timeline.back().text == "Alert firing (alertmanager): HighErrorRate — Error rate above 5%");
    auto const report = render_report(*i, h.svc().rules(), t0 + 1min);
    CHECK(report.find("Incident detected by alertmanager: HighErrorRate") != std::string::npos);
    CHECK(report.find("**Time to detect**: 0s") != std::string::npos);
    // The triage post now points to the incident, without buttons.
    auto const p = posts(out);
    auto const triage = std::find_if(p.begin(), p.end(), [](post const& x) { return x.key == triage_key(1); });
    REQUIRE(triage != p.end());
    CHECK(triage->view.buttons.empty());

    h.restart();
    CHECK(h.svc().alert_groups().at(1).incident == 1);
    CHECK(reply_in(h.svc().press({"bob", "incidents", t0 + 2min}, ui::action::decline_alert, ui::group_value(1))) ==
          "⚠️ alert group 1 is already INC-1\n");
    CHECK(reply_in(h.svc().press({"bob", "incidents", t0 + 2min}, ui::action::snooze_alert, ui::group_value(9))) ==
          "⚠️ there is no alert group 9\n");
}

TEST_CASE("triage: Decline records the reason once, Merge needs the right to change the incident") {
    harness h;
    h.run("alice", "incidents", t0, "declare P1 type:security Tokens in a public gist");  // private INC-1
    h.run("alice", "incidents", t0, "declare P2 Reports slow");                            // public INC-2
    REQUIRE(h.svc().receive(from_sender(t0), {"alertmanager", "g1", {firing("fp1", "warning", t0)}}).changed);
    REQUIRE(h.svc().receive(from_sender(t0), {"alertmanager", "g2", {firing("fp2", "warning", t0)}}).changed);

    origin const bob{"bob", "incidents", t0 + 1min, "view:1"};
    auto const empty = h.svc().submit(bob, ui::form::decline_alert, alert_stream(1), {{ui::field::reason, " "}});
    CHECK(empty.field_errors.at(ui::field::reason) == "Say why this is not an incident");
    auto const declined =
        h.svc().submit(bob, ui::form::decline_alert, alert_stream(1), {{ui::field::reason, "planned load test"}});
    REQUIRE(declined.changed);
    CHECK(h.svc().alert_groups().at(1).declined == "planned load test");
    CHECK(h.svc().submit(bob, ui::form::decline_alert, alert_stream(1), {{ui::field::reason, "again"}}).duplicate);

    // Bob is in neither room: the private incident is closed to him, the public one too (he may not change it).
    auto const into_private =
        h.svc().submit({"bob", "incidents", t0 + 2min}, ui::form::merge_alert, alert_stream(2), {{ui::field::into, "INC-1"}});
    REQUIRE(into_private.denied);
    CHECK(!into_private.changed);
    auto const into_public =
        h.svc().submit({"bob", "incidents", t0 + 2min}, ui::form::merge_alert, alert_stream(2), {{ui::field::into, "2"}});
    REQUIRE(into_public.denied);
    CHECK(h.svc().submit({"bob", "incidents", t0 + 2min}, ui::form::merge_alert, alert_stream(2),
                         {{ui::field::into, "INC-9"}})
              .field_errors.at(ui::field::into) == "There is no INC-9");
    CHECK(h.svc().submit({"bob", "incidents", t0 + 2min}, ui::form::merge_alert, alert_stream(2),
                         {{ui::field::into, "the big one"}})
              .field_errors.contains(ui::field::into));

    auto const merged =
        h.svc().submit({"alice", "incidents", t0 + 3min}, ui::form::merge_alert, alert_stream(2), {{ui::field::into, "INC-2"}});
    REQUIRE(merged.changed);
    CHECK(h.svc().alert_groups().at(2).incident == 2);
    CHECK(h.svc().find(2)->timeline.back().text == "Alert firing (alertmanager): HighErrorRate — Error rate above 5%");
}

TEST_CASE("triage: with [alerts] triagers named, only they and the incident admins answer") {
    auto rules = policy::defaults();
    rules.alerts.triagers = {"U_TRIAGE", "S_SRE"};
    rules.access.admins = {"U_ADMIN"};
    harness h{rules};
    REQUIRE(h.svc().receive(from_sender(t0), {"alertmanager", "g1", {firing("fp1", "warning", t0)}}).changed);
    auto const refused = h.svc().press({"mallory", "incidents", t0}, ui::action::snooze_alert, ui::group_value(1));
    REQUIRE(refused.denied);
    CHECK(refused.denied->reason == "only the alert triagers ([alerts] triagers) and the incident admins can answer alerts");
    CHECK(!refused.changed);
    auto const by_form = h.svc().submit({"mallory", "incidents", t0}, ui::form::decline_alert, alert_stream(1),
                                        {{ui::field::reason, "noise"}});
    CHECK(by_form.denied);
    CHECK(h.svc().alert_groups().at(1).in_triage());
    CHECK(h.svc().press({"U_TRIAGE", "incidents", t0}, ui::action::snooze_alert, ui::group_value(1)).changed);
    CHECK(form_in(h.svc().press({"U_ADMIN", "incidents", t0}, ui::action::merge_alert, ui::group_value(1))).form.id ==
          ui::form::merge_alert);
}

TEST_CASE("triage: a snoozed group still firing is brought back once when the snooze ends, also after a restart") {
    harness h;
    REQUIRE(h.svc().receive(from_sender(t0), {"alertmanager", "g1", {firing("fp1", "warning", t0)}}).changed);
    REQUIRE(h.svc().receive(from_sender(t0), {"alertmanager", "g2", {firing("fp2", "warning", t0)}}).changed);
    auto const snooze = h.svc().rules().snooze;
    REQUIRE(h.svc().press({"alice", "incidents", t0}, ui::action::snooze_alert, ui::group_value(1)).changed);
    REQUIRE(h.svc().press({"alice", "incidents", t0}, ui::action::snooze_alert, ui::group_value(2)).changed);
    CHECK(h.svc().next_due() == t0 + snooze);
    // Group 2 is declined during its snooze: nothing to bring back.
    REQUIRE(h.svc().submit({"bob", "incidents", t0 + 1min}, ui::form::decline_alert, alert_stream(2),
                           {{ui::field::reason, "known issue"}})
                .changed);
    CHECK(posts(h.svc().tick(t0 + snooze - 1s)).empty());

    h.restart();
    auto const back = posts(h.svc().tick(t0 + snooze));
    REQUIRE(back.size() == 1);
    CHECK(back[0].thread == triage_key(1));
    CHECK(render_text(back[0].view) ==
          "⏰ Snooze over: Error rate above 5% still fires, and nobody has answered it — @alice\n");
    CHECK(back[0].view.mentions == std::vector<std::string>{"alice"});
    CHECK(posts(h.svc().tick(t0 + snooze + 1min)).empty());
    h.restart();
    CHECK(posts(h.svc().tick(t0 + snooze + 2min)).empty());  // claimed: once, also after a restart
}
