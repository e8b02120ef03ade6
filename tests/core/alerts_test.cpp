// Alert intake in the core, without a store: grouping by key, deduplication (a repeat decides
// nothing), resolution, flapping within and after the reopen window, routing by label and by route,
// and a critical alert declared through the same decide_declare as a typed declaration.
#include <doctest/doctest.h>

#include <sstream>

#include "core/alerts.hpp"
#include "tests/core/support.hpp"

namespace {

using namespace warroom::core;
using namespace warroom::core::test;

alert firing(std::string fingerprint, std::string severity, timestamp starts, std::string name = "HighErrorRate") {
    alert a;
    a.fingerprint = std::move(fingerprint);
    a.labels = {{"alertname", std::move(name)}, {"severity", std::move(severity)}};
    a.annotations = {{"summary", "Error rate above 5%"}, {"description", "checkout returns 5xx"}};
    a.starts_at = starts;
    return a;
}

alert resolved_one(alert a, timestamp ends) {
    a.status = alert_status::resolved;
    a.ends_at = ends;
    return a;
}

std::string show(std::vector<event> const& events) {
    std::ostringstream os;
    for (auto const& e : events) os << e << "\n";
    return os.str();
}

// Decides and folds: the service's part, done by hand.
struct groups {
    policy rules = policy::defaults();
    alert_group_map all;
    std::map<std::string, int> newest;
    int incidents = 0;

    std::vector<event> receive(std::string const& key, std::vector<alert> const& alerts, timestamp now,
                               std::string const& source = "alertmanager") {
        auto const it = newest.find(alert_group_identity(source, key));
        auto const* current = it == newest.end() ? nullptr : &all.at(it->second);
        alert_numbering const numbers{all.empty() ? 1 : all.rbegin()->first + 1, [this] { return ++incidents; }};
        auto const events = decide_alerts(current, source, key, alerts, now, rules, numbers);
        for (auto const& e : events) {
            apply(all, e);
            if (is_alert_stream(e.incident)) newest[alert_group_identity(source, key)] = -e.incident;
        }
        return events;
    }
};

// Incident `n` as the events about it make it.
incident incident_of(std::vector<event> const& events, int n) {
    std::vector<event> of_incident;
    std::copy_if(events.begin(), events.end(), std::back_inserter(of_incident),
                 [n](event const& e) { return e.incident == n; });
    return given(of_incident);
}

template <class T>
std::size_t count(std::vector<event> const& events) {
    return static_cast<std::size_t>(
        std::count_if(events.begin(), events.end(), [](event const& e) { return std::holds_alternative<T>(e.what); }));
}

}  // namespace

TEST_CASE("the severity label routes by the procedures' table, routes are tried first, in order") {
    alert_policy p;
    struct row {
        std::optional<std::string> label;
        alert_level level;
    };
    for (auto const& r : std::vector<row>{{"critical", alert_level::critical},
                                          {"high", alert_level::high},
                                          {"error", alert_level::high},
                                          {"warning", alert_level::medium},
                                          {"medium", alert_level::medium},
                                          {"info", alert_level::low},
                                          {"low", alert_level::low},
                                          {"page-me", alert_level::medium},
                                          {std::nullopt, alert_level::medium}}) {
        CAPTURE(r.label.value_or("(none)"));
        alert a;
        if (r.label) a.labels["severity"] = *r.label;
        CHECK(route_of(a, p).level == r.level);
        CHECK(route_of(a, p).sev == severity::p0);
    }
    p.routes = {alert_route{{{"service", "payments"}, {"severity", "warning"}},
                            alert_level::critical,
                            severity::p1,
                            incident_type::integration},
                alert_route{{{"service", "payments"}}, alert_level::low}};
    alert a;
    a.labels = {{"service", "payments"}, {"severity", "warning"}};
    CHECK(route_of(a, p) == p.routes[0]);
    a.labels["severity"] = "critical";  // the first route's matchers no longer all hold
    CHECK(route_of(a, p) == p.routes[1]);
    a.labels["service"] = "search";
    CHECK(route_of(a, p).level == alert_level::critical);
}

TEST_CASE("alerts group by the sender's key, by configured labels, else by their own fingerprint") {
    alert_delivery d{
        "alertmanager", "{}:{alertname=\"X\"}", {firing("a", "warning", t0), firing("b", "warning", t0, "Other")}};
    alert_policy p;
    auto by_key = group_alerts(d, p);
    REQUIRE(by_key.size() == 1);
    CHECK(by_key[0].second.size() == 2);

    p.group_by = {"alertname"};
    auto by_label = group_alerts(d, p);
    REQUIRE(by_label.size() == 2);
    CHECK(by_label[0].first == "alertname=HighErrorRate,");
    CHECK(by_label[1].first == "alertname=Other,");

    d.group_key.clear();
    p.group_by.clear();
    auto by_fingerprint = group_alerts(d, p);
    REQUIRE(by_fingerprint.size() == 2);
    CHECK(by_fingerprint[0].first == "a");
}

TEST_CASE("a medium alert opens a group, the same delivery again decides nothing, resolution updates it") {
    groups g;
    auto const a = firing("fp1", "warning", t0 - 2min);
    auto const first = g.receive("k", {a}, t0);
    CAPTURE(show(first));
    REQUIRE(first.size() == 2);
    CHECK(first[0] ==
          event{alert_stream(1), t0, bot_user, alert_group_opened{"alertmanager", "k", "Error rate above 5%"}});
    CHECK(first[1] ==
          event{alert_stream(1), t0, bot_user,
                alert_fired{"fp1", "HighErrorRate", "Error rate above 5%", alert_level::medium, t0 - 2min, ""}});
    CHECK(g.receive("k", {a}, t0 + 1min).empty());  // a repeat (Alertmanager's repeat_interval, HA peers)

    auto const done = g.receive("k", {resolved_one(a, t0 + 5min)}, t0 + 6min);
    CAPTURE(show(done));
    REQUIRE(done.size() == 2);  // nobody answered it: declined automatically as well
    CHECK(done[0].what == payload{alert_resolved{"fp1", t0 + 5min}});
    CHECK(std::holds_alternative<alert_group_declined>(done[1].what));
    CHECK(g.all.at(1).quiet_since == t0 + 6min);
    CHECK(g.receive("k", {resolved_one(a, t0 + 5min)}, t0 + 7min).empty());
    // A late retry of the old firing delivery: its start is not newer, so it is not a new firing.
    CHECK(g.receive("k", {a}, t0 + 8min).empty());
}

TEST_CASE("one delivery may mix firing and resolved alerts of a group") {
    groups g;
    auto const a = firing("fp1", "warning", t0 - 2min);
    auto const b = firing("fp2", "warning", t0 - 1min);
    REQUIRE(g.receive("k", {a, b}, t0).size() == 3);
    auto const mixed = g.receive("k", {resolved_one(a, t0 + 1min), b, firing("fp3", "warning", t0 + 1min)}, t0 + 2min);
    CAPTURE(show(mixed));
    CHECK(count<alert_resolved>(mixed) == 1);
    CHECK(count<alert_fired>(mixed) == 1);
    CHECK(count<alert_group_opened>(mixed) == 0);
    CHECK(g.all.at(1).alerts.size() == 3);
    CHECK(g.all.at(1).firing());
}

TEST_CASE("resolved alerts of a group never seen record nothing") {
    groups g;
    CHECK(g.receive("k", {resolved_one(firing("fp1", "critical", t0 - 5min), t0)}, t0).empty());
    CHECK(g.all.empty());
}

TEST_CASE("a group firing again within the reopen window is the same group, after it, a new one") {
    groups g;
    auto const a = firing("fp1", "warning", t0);
    g.receive("k", {a}, t0);
    g.receive("k", {resolved_one(a, t0 + 1min)}, t0 + 1min);
    auto const again = g.receive("k", {firing("fp1", "warning", t0 + 30min)}, t0 + 30min);
    CAPTURE(show(again));
    REQUIRE(again.size() == 1);
    CHECK(again[0].incident == alert_stream(1));
    CHECK(std::holds_alternative<alert_fired>(again[0].what));

    g.receive("k", {resolved_one(a, t0 + 31min)}, t0 + 31min);
    auto const later = g.receive("k", {firing("fp1", "warning", t0 + 3h)}, t0 + 3h);
    CAPTURE(show(later));
    REQUIRE(later.size() == 2);
    CHECK(later[0].incident == alert_stream(2));
    CHECK(std::holds_alternative<alert_group_opened>(later[0].what));
}

TEST_CASE("a critical alert declares an incident as a typed declaration does, detected when the alert started") {
    groups g;
    auto const a = firing("fp1", "critical", t0 - 3min);
    auto const events = g.receive("k", {a}, t0);
    CAPTURE(show(events));
    // The incident's events first (its deliveries' lane), then the group's.
    REQUIRE(!events.empty());
    CHECK(events.front().incident == 1);
    auto const expected_declare = decide_declare(1,
                                                 declare{severity::p0, incident_type::outage, "Error rate above 5%",
                                                         "checkout returns 5xx", t0 - 3min, false, t0 - 3min,
                                                         "alertmanager: HighErrorRate"},
                                                 bot_user, t0, g.rules);
    auto const& declared_events = std::get<std::vector<event>>(expected_declare);
    CHECK(std::equal(declared_events.begin(), declared_events.end(), events.begin()));
    // Nobody leads yet: warroom is not a person.
    CHECK(count<role_assigned>(events) == 0);
    CHECK(g.all.at(1).incident == 1);
    auto const incident = incident_of(events, 1);
    CHECK(incident.detected_at == t0 - 3min);
    CHECK(incident.declared_by == bot_user);
    CHECK(!incident.holder(role::incident_commander));
    CHECK(incident.timeline.back().text == "Alert firing (alertmanager): HighErrorRate — Error rate above 5%");

    CHECK(g.receive("k", {a}, t0 + 1min).empty());  // delivered twice: still one incident
    auto const done = g.receive("k", {resolved_one(a, t0 + 10min)}, t0 + 10min);
    CAPTURE(show(done));
    REQUIRE(done.size() == 2);
    CHECK(done[0] ==
          event{1, t0 + 10min, bot_user, alert_noted{"alertmanager", "HighErrorRate", "Error rate above 5%", true}});
    CHECK(done[1].what == payload{alert_resolved{"fp1", t0 + 10min}});

    // Flapping: back to its incident, not a second one.
    auto const again = g.receive("k", {firing("fp1", "critical", t0 + 20min)}, t0 + 20min);
    CAPTURE(show(again));
    CHECK(count<declared>(again) == 0);
    REQUIRE(count<alert_noted>(again) == 1);
    CHECK(again[0].incident == 1);
    CHECK(g.incidents == 1);
}

TEST_CASE("a route names the severity and type a critical alert is declared at") {
    groups g;
    g.rules.alerts.routes = {
        alert_route{{{"team", "payments"}}, alert_level::critical, severity::p1, incident_type::integration}};
    auto a = firing("fp1", "warning", t0);
    a.labels["team"] = "payments";
    auto const events = g.receive("k", {a}, t0);
    REQUIRE(!events.empty());
    auto const* d = std::get_if<declared>(&events.front().what);
    REQUIRE(d);
    CHECK(d->sev == severity::p1);
    CHECK(d->type == incident_type::integration);
}

TEST_CASE("a triage group that gets a critical alert is declared then, once") {
    groups g;
    g.receive("k", {firing("fp1", "warning", t0)}, t0);
    auto const raised = g.receive("k", {firing("fp2", "critical", t0 + 5min)}, t0 + 5min);
    CAPTURE(show(raised));
    CHECK(count<declared>(raised) == 1);
    CHECK(count<alert_group_declared>(raised) == 1);
    CHECK(g.all.at(1).incident == 1);
    CHECK(count<declared>(g.receive("k", {firing("fp3", "critical", t0 + 6min)}, t0 + 6min)) == 0);
}

TEST_CASE("triage posts: one per group, kept under its key, low is recorded only, a declared group's post points to it") {
    groups g;
    auto const medium = g.receive("k1", {firing("fp1", "warning", t0)}, t0);
    auto const fx = alert_reactions(medium, g.all, g.rules, {});
    REQUIRE(fx.size() == 1);
    auto const& p = std::get<post>(fx[0]);
    CHECK(p.channel == "incidents");
    CHECK(p.key == triage_key(1));
    CHECK(!p.edit_only);
    CHECK(p.view.kind == "triage");
    CHECK(p.view.headline == "🚨 Alert (medium): Error rate above 5%");

    auto const done = g.receive("k1", {resolved_one(firing("fp1", "warning", t0), t0 + 1min)}, t0 + 1min);
    auto const edited = alert_reactions(done, g.all, g.rules, {});
    REQUIRE(edited.size() == 1);
    CHECK(std::get<post>(edited[0]).key == triage_key(1));
    CHECK(std::get<post>(edited[0]).view.headline == "✅ Alert (medium): Error rate above 5%");

    g.rules.alerts.channel = "#alerts";
    CHECK(alert_reactions(g.receive("k2", {firing("fp2", "info", t0)}, t0), g.all, g.rules, {}).empty());

    g.receive("k3", {firing("fp3", "high", t0)}, t0);
    auto const declared_now = g.receive("k3", {firing("fp4", "critical", t0 + 1min)}, t0 + 1min);
    auto const pointer = alert_reactions(declared_now, g.all, g.rules, {});
    REQUIRE(pointer.size() == 1);
    CHECK(std::get<post>(pointer[0]).channel == "alerts");
    CHECK(std::get<post>(pointer[0]).edit_only);
    CHECK(alert_reactions(g.receive("k3", {firing("fp5", "critical", t0 + 2min)}, t0 + 2min), g.all, g.rules, {})
              .empty());
}

TEST_CASE("with a ticket system a low group opens one ticket, with the labels its alerts share, never again") {
    groups g;
    g.rules.alerts.tickets = true;
    auto disk = firing("fp1", "info", t0, "DiskFilling");
    disk.labels["team"] = "storage";
    disk.labels["instance"] = "db-1";
    disk.url = "http://prometheus:9090/graph";
    auto other = firing("fp2", "info", t0 + 10s, "DiskFilling");
    other.labels["team"] = "storage";
    other.labels["instance"] = "db-2";
    std::vector<alert> const received{disk, other};
    auto const fx = alert_reactions(g.receive("k", received, t0 + 20s), g.all, g.rules, received);
    REQUIRE(fx.size() == 1);
    auto const& t = std::get<open_ticket>(fx[0]);
    CHECK(t.group == 1);
    CHECK(t.title == "Error rate above 5%");
    CHECK(t.level == "low");
    CHECK(t.source == "alertmanager");
    CHECK(t.labels ==
          std::map<std::string, std::string>{{"alertname", "DiskFilling"}, {"severity", "info"}, {"team", "storage"}});
    CHECK(t.alerts ==
          std::vector<ticket_alert>{{"DiskFilling", "Error rate above 5%", "http://prometheus:9090/graph", t0},
                                    {"DiskFilling", "Error rate above 5%", "", t0 + 10s}});
    CHECK(ticket_key(t.group) == "warroom-alert-group-1");

    // A third alert of the group, its resolution, a repeat: the group is open already, no ticket.
    auto const third = firing("fp3", "info", t0 + 1min, "DiskFilling");
    CHECK(alert_reactions(g.receive("k", {third}, t0 + 1min), g.all, g.rules, {third}).empty());
    CHECK(alert_reactions(g.receive("k", received, t0 + 2min), g.all, g.rules, received).empty());
    auto const gone = std::vector<alert>{resolved_one(disk, t0 + 3min), resolved_one(other, t0 + 3min),
                                         resolved_one(third, t0 + 3min)};
    CHECK(alert_reactions(g.receive("k", gone, t0 + 3min), g.all, g.rules, gone).empty());
    // Firing again within the reopen window goes back to its group: still no second ticket.
    auto const again = firing("fp3", "info", t0 + 10min, "DiskFilling");
    auto const reopened = g.receive("k", {again}, t0 + 10min);
    CHECK(count<alert_fired>(reopened) == 1);
    CHECK(alert_reactions(reopened, g.all, g.rules, {again}).empty());

    // A group that opens as medium gets its triage post, not a ticket.
    auto const warn = firing("fp9", "warning", t0);
    auto const medium = alert_reactions(g.receive("k2", {warn}, t0), g.all, g.rules, {warn});
    REQUIRE(medium.size() == 1);
    CHECK(std::holds_alternative<post>(medium[0]));

    // Without a ticket system low groups are recorded only.
    g.rules.alerts.tickets = false;
    auto const quiet = firing("fp10", "low", t0);
    CHECK(alert_reactions(g.receive("k3", {quiet}, t0), g.all, g.rules, {quiet}).empty());
}

namespace {

// Folds a triage decision's events, as the service would; the refusal's reason when it refused.
std::optional<std::string> decided(groups& g, decision const& d, std::vector<event>* out = nullptr) {
    if (auto const* r = std::get_if<refusal>(&d)) return r->reason;
    for (auto const& e : std::get<std::vector<event>>(d)) apply(g.all, e);
    if (out) *out = std::get<std::vector<event>>(d);
    return std::nullopt;
}

std::vector<ui::action> actions_of(message_view const& v) {
    std::vector<ui::action> out;
    for (auto const& b : v.buttons) out.push_back(b.action);
    return out;
}

}  // namespace

TEST_CASE("a group in triage offers Declare, Decline, Merge and Snooze, once answered, none") {
    groups g;
    g.receive("k", {firing("fp1", "high", t0)}, t0);
    auto const open = triage_view(g.all.at(1), g.rules);
    CHECK(actions_of(open) == std::vector{ui::action::declare_alert, ui::action::decline_alert,
                                          ui::action::merge_alert, ui::action::snooze_alert});
    for (auto const& b : open.buttons) CHECK(ui::parse_group_value(b.value) == 1);

    CHECK(!decided(g, decide_snooze_group(g.all.at(1), "U1", t0 + 1min, g.rules)));
    CHECK(g.all.at(1).snoozed_until == t0 + 1min + g.rules.snooze);
    auto const snoozed = triage_view(g.all.at(1), g.rules);
    CHECK(snoozed.buttons.size() == 4);  // put off, still waiting for an answer
    CHECK(render_text(snoozed).find("Snoozed") != std::string::npos);

    CHECK(decided(g, decide_decline_group(g.all.at(1), "  ", "U1", t0 + 2min)) ==
          "a decline needs a reason: why is this not an incident?");
    CHECK(!decided(g, decide_decline_group(g.all.at(1), "a load test", "U1", t0 + 2min)));
    auto const declined = triage_view(g.all.at(1), g.rules);
    CHECK(declined.buttons.empty());
    CHECK(render_text(declined).find("by @U1: a load test") != std::string::npos);
    CHECK(decided(g, decide_snooze_group(g.all.at(1), "U2", t0 + 3min, g.rules)) ==
          "alert group 1 was already declined: a load test");
    auto const edit = alert_reactions({event{alert_stream(1), t0 + 2min, "U1", alert_group_declined{"a load test"}}},
                                      g.all, g.rules, {});
    REQUIRE(edit.size() == 1);
    CHECK(std::get<post>(edit[0]).key == triage_key(1));
}

TEST_CASE("a group whose alerts all resolve before anyone acts is declined automatically, a new firing reopens it") {
    groups g;
    auto const a = firing("fp1", "warning", t0);
    g.receive("k", {a, firing("fp2", "warning", t0)}, t0);
    auto const half = g.receive("k", {resolved_one(a, t0 + 1min)}, t0 + 1min);
    CHECK(count<alert_group_declined>(half) == 0);  // fp2 still fires
    auto const all = g.receive("k", {resolved_one(firing("fp2", "warning", t0), t0 + 2min)}, t0 + 2min);
    CAPTURE(show(all));
    REQUIRE(count<alert_group_declined>(all) == 1);
    CHECK(all.back().what == payload{alert_group_declined{"all alerts resolved before anyone acted", true}});
    CHECK(!g.all.at(1).in_triage());
    CHECK(render_text(triage_view(g.all.at(1), g.rules)).find("automatically: all alerts resolved") !=
          std::string::npos);
    // A repeat of the resolution declines nothing twice.
    CHECK(g.receive("k", {resolved_one(a, t0 + 1min)}, t0 + 3min).empty());

    // Flapping within the reopen window: the same group, back in triage, its post with buttons again.
    auto const back = g.receive("k", {firing("fp1", "warning", t0 + 5min)}, t0 + 5min);
    CHECK(back.front().incident == alert_stream(1));
    CHECK(g.all.at(1).in_triage());
    CHECK(triage_view(g.all.at(1), g.rules).buttons.size() == 4);

    // A declared group is never declined by its alerts resolving: the incident decides.
    groups c;
    c.receive("k", {firing("fp1", "critical", t0)}, t0);
    CHECK(count<alert_group_declined>(c.receive("k", {resolved_one(firing("fp1", "critical", t0), t0 + 1min)},
                                                t0 + 1min)) == 0);
}

TEST_CASE("Declare from triage: the form's incident, detected when the first alert started, its alerts on the timeline") {
    groups g;
    g.receive("k", {firing("fp1", "high", t0 - 10min), firing("fp2", "high", t0 - 4min, "Latency")}, t0);
    auto const form = declare_group_modal(g.all.at(1), g.rules);
    CHECK(form.incident == alert_stream(1));
    CHECK(form.fields[0].initial == "Error rate above 5%");
    CHECK(form.fields[1].initial == "P1");  // a high group

    declare d{severity::p1, incident_type::outage, "Checkout errors", "", std::nullopt};
    std::vector<event> events;
    REQUIRE(!decided(g, decide_declare_group(g.all.at(1), d, 7, "U1", t0, g.rules), &events));
    CAPTURE(show(events));
    auto const i = incident_of(events, 7);
    CHECK(i.started_at == t0 - 10min);
    CHECK(i.detected_at == t0 - 10min);
    CHECK(i.detected_by == "alertmanager: HighErrorRate");
    CHECK(i.declared_by == "U1");
    CHECK(i.holder(role::incident_commander) == "U1");
    CHECK(count<alert_noted>(events) == 2);
    CHECK(events.back() == event{alert_stream(1), t0, "U1", alert_group_declared{7}});
    CHECK(g.all.at(1).incident == 7);
    CHECK(decided(g, decide_declare_group(g.all.at(1), d, 8, "U2", t0, g.rules)) == "alert group 1 is already INC-7");

    // An impact start the person gives later than the alert: detected no earlier than it.
    groups h;
    h.receive("k", {firing("fp1", "high", t0 - 10min)}, t0);
    d.started_at = t0 - 5min;
    std::vector<event> later;
    REQUIRE(!decided(h, decide_declare_group(h.all.at(1), d, 1, "U1", t0, h.rules), &later));
    auto const* declared_event = std::get_if<declared>(&later.front().what);
    REQUIRE(declared_event);
    CHECK(declared_event->detected_at == t0 - 5min);
}

TEST_CASE("Merge puts the group's alerts on the incident's timeline, and its later alerts follow them there") {
    groups g;
    g.receive("k", {firing("fp1", "high", t0)}, t0);
    auto into = given({event{3, t0 - 1h, "U1", declared{"Checkout down", "", severity::p1, incident_type::outage,
                                                        t0 - 1h, "inc-3-checkout-down"}}});
    std::vector<event> events;
    REQUIRE(!decided(g, decide_merge_group(g.all.at(1), into, "U1", t0 + 1min), &events));
    CAPTURE(show(events));
    CHECK(count<alert_noted>(events) == 1);
    CHECK(events.front().incident == 3);
    CHECK(events.back().what == payload{alert_group_merged{3}});
    CHECK(g.all.at(1).merged);
    auto const fx = alert_reactions(events, g.all, g.rules, {});
    REQUIRE(fx.size() == 1);
    CHECK(std::get<post>(fx[0]).edit_only);
    CHECK(render_text(std::get<post>(fx[0]).view).find("Merged into") != std::string::npos);

    auto const later = g.receive("k", {firing("fp2", "high", t0 + 5min)}, t0 + 5min);
    CHECK(later.front().incident == 3);
    CHECK(std::holds_alternative<alert_noted>(later.front().what));
    CHECK(decided(g, decide_merge_group(g.all.at(1), into, "U1", t0)) == "alert group 1 was merged into INC-3");

    groups h;
    h.receive("k", {firing("fp1", "high", t0)}, t0);
    into.ph = phase::closed;
    CHECK(decided(h, decide_merge_group(h.all.at(1), into, "U1", t0)) == "INC-3 is closed");
}

TEST_CASE("a storm's triage post lists the firing alerts first, oldest first, and counts what it leaves out") {
    groups g;
    std::vector<alert> storm;
    for (int k = 0; k < 26; ++k) {
        storm.push_back(firing("fp" + std::to_string(100 + k), "high", t0 + std::chrono::minutes(k),
                               "Alert" + std::to_string(k)));
    }
    g.receive("k", storm, t0 + 41min);
    g.receive("k", {resolved_one(storm[0], t0 + 42min), resolved_one(storm[1], t0 + 42min),
                    resolved_one(storm[2], t0 + 42min)}, t0 + 43min);
    auto const view = triage_view(g.all.at(1), g.rules);
    auto const& lines = view.sections.front().lines;
    REQUIRE(lines.size() == triage_lines + 1);
    CHECK(lines[0].starts_with("🔥 Alert3 — "));  // the oldest firing one; the three resolved come last
    CHECK(lines[triage_lines - 1].starts_with("🔥 Alert22 — "));
    CHECK(lines.back() == "… and 6 more (23 of 26 firing in all)");
}
