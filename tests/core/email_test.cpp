// Who is e-mailed, and what the e-mail says: escalation and type contacts that are addresses, the
// approved customer notice, a high alert route's addresses once per group, when its first high alert fires. A private incident's e-mail
// carries its number, severity and war room only. One e-mail per recipient list per event.
#include <doctest/doctest.h>

#include <algorithm>

#include "core/alerts.hpp"
#include "core/reactions.hpp"
#include "core/views.hpp"
#include "tests/core/support.hpp"

namespace {
using namespace warroom::core;
using namespace warroom::core::test;

std::vector<email> emails(std::vector<effect> const& effects) {
    std::vector<email> out;
    for (auto const& f : effects) {
        if (auto const* m = std::get_if<email>(&f)) out.push_back(*m);
    }
    return out;
}

policy mailing() {
    auto p = rules();
    p.mail.enabled = true;
    p.of(severity::p1).escalation = {{{}, "security-team", "Security team notified",
                                      {"security@example.com", "@U0SEC", "legal@example.com", "security@example.com"},
                                      false, false, false}};
    return p;
}

// Incident 1, declared with `type`, then escalated by hand: the escalation batch's effects.
std::vector<effect> escalated_effects(incident_type type, policy const& p) {
    incident_map all;
    warroom::core::apply(all, at(t0, "alice", declared{"Payroll export leaks salaries", "rows of every employee", severity::p1, type, t0,
                                        "inc-1-x"}));
    auto const batch =
        escalation_events(all.at(1), p.of(severity::p1).escalation[0], true, "salaries on a public bucket", "alice",
                          t0 + 1min, p);
    for (auto const& e : batch) warroom::core::apply(all, e);
    return reactions(batch, all, reaction_context{p, "alice", "inc-1-x"});
}

}  // namespace

TEST_CASE("an escalation step's addresses get one e-mail together, with the incident's words") {
    auto const sent = emails(escalated_effects(incident_type::outage, mailing()));
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].incident == 1);
    CHECK(sent[0].to == std::vector<std::string>{"security@example.com", "legal@example.com"});
    CHECK(sent[0].subject == "[INC-1 P1] Payroll export leaks salaries: Security team notified (salaries on a public bucket)");
    CAPTURE(sent[0].text);
    CHECK(sent[0].text.starts_with("INC-1 (P1, Service Outage): Payroll export leaks salaries\n"));
    CHECK(sent[0].text.find("Description: rows of every employee\n") != std::string::npos);
    CHECK(sent[0].text.find("Join #inc-1-x in Slack to take part.\n") != std::string::npos);
    CHECK(sent[0].text.find("escalation step \"security-team\"") != std::string::npos);

    auto off = mailing();
    off.mail.enabled = false;
    CHECK(emails(escalated_effects(incident_type::outage, off)).empty());
}

TEST_CASE("a private incident's e-mail says its number, severity and room, nothing it says in its room") {
    auto const sent = emails(escalated_effects(incident_type::security, mailing()));
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].to == std::vector<std::string>{"security@example.com", "legal@example.com"});
    CHECK(sent[0].subject == "[INC-1 P1] private incident: join its war room in Slack");
    CHECK(sent[0].text ==
          "INC-1 (severity P1) is a private incident: its details stay in its war room.\n"
          "Join #inc-1-x in Slack to take part.\n");
    for (std::string_view secret : {"Payroll", "salaries", "rows of every employee", "public bucket"}) {
        CAPTURE(secret);
        CHECK(sent[0].subject.find(secret) == std::string::npos);
        CHECK(sent[0].text.find(secret) == std::string::npos);
    }
}

TEST_CASE("a type's addresses are e-mailed when it is declared, and when an incident becomes of that type") {
    auto p = rules();
    p.mail.enabled = true;
    p.of(incident_type::privacy).contacts = {"dpo@example.com", "@U0LEGAL"};
    p.of(incident_type::outage).contacts = {"@U0OPS"};
    auto const declaration =
        decide_declare(1, {severity::p1, incident_type::privacy, "Payroll export", "", std::nullopt}, "alice", t0, p);
    REQUIRE(std::holds_alternative<std::vector<event>>(declaration));
    incident_map all;
    for (auto const& e : std::get<std::vector<event>>(declaration)) warroom::core::apply(all, e);
    auto const at_declaration =
        emails(reactions(std::get<std::vector<event>>(declaration), all, reaction_context{p, "alice", "incidents"}));
    REQUIRE(at_declaration.size() == 1);
    CHECK(at_declaration[0].to == std::vector<std::string>{"dpo@example.com"});
    // Privacy incidents are private: the title stays in the room.
    CHECK(at_declaration[0].text.find("Payroll") == std::string::npos);

    incident_map outage;
    std::vector<event> const declared_outage = {
        at(t0, "alice", declared{"Checkout down", "", severity::p1, incident_type::outage, t0, "inc-2-checkout"}, 2)};
    for (auto const& e : declared_outage) warroom::core::apply(outage, e);
    // The outage type has no address.
    CHECK(emails(reactions(declared_outage, outage, reaction_context{p, "alice", "incidents"})).empty());
    p.of(incident_type::integration).contacts = {"vendor-desk@example.com"};
    auto const d = decide(outage.at(2), change_type{incident_type::integration}, "alice", t0 + 1h, p);
    REQUIRE(std::holds_alternative<std::vector<event>>(d));
    for (auto const& e : std::get<std::vector<event>>(d)) warroom::core::apply(outage, e);
    auto const changed = emails(reactions(std::get<std::vector<event>>(d), outage, reaction_context{p, "alice", "x"}));
    REQUIRE(changed.size() == 1);
    CHECK(changed[0].to == std::vector<std::string>{"vendor-desk@example.com"});
    CHECK(changed[0].subject == "[INC-2 P1] Checkout down: type changed to Integration Failure (was Service Outage)");
}

TEST_CASE("the approved customer notice goes to the customer list, a private incident's to nobody") {
    auto p = rules();
    p.mail.enabled = true;
    p.mail.customer_list = {"customers@example.com", "status@example.org"};
    for (auto const type : {incident_type::outage, incident_type::security}) {
        CAPTURE(to_string(type));
        incident_map all;
        warroom::core::apply(all, at(t0, "alice", declared{"Checkout down", "", severity::p1, type, t0, "inc-1-x"}));
        std::vector<event> const batch = {at(t0 + 5min, "alice", customer_notice_approved{})};
        for (auto const& e : batch) warroom::core::apply(all, e);
        auto const sent = emails(reactions(batch, all, reaction_context{p, "alice", "inc-1-x"}));
        if (type == incident_type::security) {
            CHECK(sent.empty());
            continue;
        }
        REQUIRE(sent.size() == 1);
        CHECK(sent[0].to == p.mail.customer_list);
        CHECK(sent[0].subject == "Service notice (INC-1)");
        CHECK(sent[0].text == customer_notice_text(all.at(1), p, t0 + 5min) + "\n");
        CHECK(sent[0].text.find("Checkout down") == std::string::npos);  // the customers' words, not the title
    }
    p.mail.customer_list.clear();
    incident_map all;
    warroom::core::apply(all, at(t0, "alice", declared{"Checkout down", "", severity::p1, incident_type::outage, t0, "inc-1-x"}));
    std::vector<event> const batch = {at(t0 + 5min, "alice", customer_notice_approved{})};
    for (auto const& e : batch) warroom::core::apply(all, e);
    CHECK(emails(reactions(batch, all, reaction_context{p, "alice", "inc-1-x"})).empty());
}

TEST_CASE("a high route's addresses are e-mailed once per group, when its first high alert fires") {
    auto p = policy::defaults();
    p.mail.enabled = true;
    alert_route high{{{"team", "payments"}}, alert_level::high};
    high.email = {"payments-oncall@example.com", "payments-lead@example.com"};
    p.alerts.routes = {high, alert_route{{{"team", "search"}}, alert_level::medium}};
    alert_group_map groups;
    int next = 1;
    auto const receive = [&](std::string const& key, std::string const& fingerprint, std::string const& team,
                             timestamp now) {
        alert a;
        a.fingerprint = fingerprint;
        a.labels = {{"alertname", "ErrorRate"}, {"team", team}};
        a.annotations = {{"summary", "Error rate above 5%"}};
        a.starts_at = now;
        alert_group const* current = nullptr;
        for (auto const& [n, g] : groups) {
            if (g.key == key) current = &g;
        }
        auto const events = decide_alerts(current, "alertmanager", key, {a}, now, p,
                                          {groups.empty() ? 1 : groups.rbegin()->first + 1, [&] { return next++; }});
        for (auto const& e : events) warroom::core::apply(groups, e);
        return emails(alert_reactions(events, groups, p, {}));
    };
    auto const opened = receive("k1", "fp1", "payments", t0);
    REQUIRE(opened.size() == 1);
    CHECK(opened[0].incident == 0);
    CHECK(opened[0].to == high.email);
    CHECK(opened[0].subject == "[alert high] Error rate above 5%");
    CAPTURE(opened[0].text);
    CHECK(opened[0].text.starts_with("🚨 Alert (high): Error rate above 5%\n\n- 🔥 ErrorRate — Error rate above 5%"));
    CHECK(opened[0].text.ends_with("\nTriage it in Slack: #incidents\n"));
    CHECK(receive("k1", "fp2", "payments", t0 + 1min).empty());  // another alert of the open group
    CHECK(receive("k2", "fp3", "search", t0).empty());           // a medium route
    // The medium group gets an alert routed high: its addresses hear of it now, once.
    auto const escalated = receive("k2", "fp5", "payments", t0 + 2min);
    REQUIRE(escalated.size() == 1);
    CHECK(escalated[0].to == high.email);
    CHECK(escalated[0].subject == "[alert high] Error rate above 5%");
    CHECK(receive("k2", "fp6", "payments", t0 + 3min).empty());
    p.mail.enabled = false;
    CHECK(receive("k3", "fp4", "payments", t0).empty());
}
