// policy::defaults() is the procedures' numbers: severity table, escalation matrix, post-incident
// clocks, private rooms for security and privacy, and the workflow checklists item by item.
#include <doctest/doctest.h>

#include <cctype>

#include "tests/core/support.hpp"

namespace {

using namespace warroom::core;
using namespace warroom::core::test;

struct step_row {
    seconds after;
    std::string target;
    std::string label;
};

void check_matrix(severity sev, std::vector<step_row> const& want) {
    auto const& steps = rules().of(sev).escalation;
    REQUIRE(steps.size() == want.size());
    for (std::size_t k = 0; k < want.size(); ++k) {
        CAPTURE(k);
        CHECK(steps[k].after == want[k].after);
        CHECK(steps[k].target == want[k].target);
        CHECK(steps[k].label == want[k].label);
    }
}

}  // namespace

TEST_CASE("update cadence is 30 minutes for P0 and 60 for P1 and none for P2 and P3") {
    CHECK(rules().of(severity::p0).update_every == seconds{30min});
    CHECK(rules().of(severity::p1).update_every == seconds{60min});
    CHECK_FALSE(rules().of(severity::p2).update_every.has_value());
    CHECK_FALSE(rules().of(severity::p3).update_every.has_value());
}

TEST_CASE("P0 escalates at 0 5 15 30 and 60 minutes to on-call then manager then VP then executives then customers") {
    check_matrix(severity::p0, {{0min, "on-call", "On-call engineer paged"},
                                {5min, "engineering-manager", "Engineering manager notified"},
                                {15min, "vp-engineering", "VP Engineering notified"},
                                {30min, "executives", "Executive team notified"},
                                {60min, "customer-communication", "Customer communication required"}});
}

TEST_CASE("P1 escalates at 0 minutes then 30 minutes then 2 hours then 4 hours") {
    check_matrix(severity::p1, {{0min, "on-call", "On-call engineer paged"},
                                {30min, "engineering-manager", "Engineering manager notified"},
                                {2h, "vp-engineering", "VP Engineering notified"},
                                {4h, "customer-communication", "Customer communication if needed"}});
}

TEST_CASE("P2 escalates to the engineering manager after 4 hours and P3 never escalates") {
    check_matrix(severity::p2, {{4h, "engineering-manager", "Engineering manager notified"}});
    check_matrix(severity::p3, {});
}

TEST_CASE("respond times are 5 minutes and 15 minutes and 1 hour and next business day") {
    struct row {
        severity sev;
        seconds within;
        std::string label;
        std::string name;
        std::string audience;
    };
    std::vector<row> const rows = {
        {severity::p0, 5min, "Immediate (within 5 minutes)", "Critical", "All stakeholders + executives"},
        {severity::p1, 15min, "15 minutes", "High", "Engineering + product teams"},
        {severity::p2, 1h, "1 hour (acknowledge)", "Medium", "Engineering team"},
        {severity::p3, 24h, "Next business day", "Low", "Engineering team"},
    };
    for (auto const& r : rows) {
        CAPTURE(to_string(r.sev));
        auto const& s = rules().of(r.sev);
        CHECK(s.respond_within == r.within);
        CHECK(s.respond_label == r.label);
        CHECK(s.name == r.name);
        CHECK(s.announce_to == r.audience);
    }
}

TEST_CASE("post-incident clocks are report 24h and post-mortem 48h and regulator 72h and snooze 15m") {
    CHECK(rules().report_due == seconds{24h});
    CHECK(rules().postmortem_due == seconds{48h});
    CHECK(rules().regulator_notice == seconds{72h});
    CHECK(rules().snooze == seconds{15min});
    CHECK(rules().channel_prefix == "inc");
    CHECK(rules().announce_channel == "#incidents");
}

TEST_CASE("security and privacy incidents get private rooms and only privacy starts the regulator clock") {
    struct row {
        incident_type type;
        bool private_room;
        bool regulator;
        std::vector<std::string> contacts;
        std::string runbook;
    };
    std::vector<row> const rows = {
        {incident_type::outage, false, false, {}, "Incident: Application Down"},
        {incident_type::performance, false, false, {}, "Incident: Slow Performance"},
        {incident_type::data_loss,
         false,
         false,
         {},
         "Incident: Data Loss/Corruption (handle with extreme care)"},
        {incident_type::security, true, false, {}, "Incident: Security Breach (highest priority)"},
        {incident_type::integration, false, false, {}, "Incident: Integration Failure"},
        {incident_type::privacy, true, true, {}, "Incident: Data Privacy (GDPR)"},
    };
    REQUIRE(rows.size() == std::size(all_types));
    for (auto const& r : rows) {
        CAPTURE(to_string(r.type));
        auto const& t = rules().of(r.type);
        CHECK(t.private_room == r.private_room);
        CHECK(t.regulator_clock == r.regulator);
        CHECK(t.contacts == r.contacts);
        CHECK(t.book.title == r.runbook);
        CHECK(t.book.steps.size() >= 5);
    }
}

TEST_CASE("each phase's checklist is the procedures' incident response workflow") {
    struct row {
        phase ph;
        std::vector<std::string> items;
    };
    // Copied from "3. Incident Response Workflow"; "War room created" drops the procedures'
    // parenthesis "(Slack channel or video call)" since warroom creates a Slack channel.
    std::vector<row> const rows = {
        {phase::detection,
         {"Incident detected", "Initial triage and severity assessment", "Incident commander assigned (for P0/P1)",
          "War room created", "Initial stakeholder notification"}},
        {phase::investigation,
         {"Gather incident context", "Review monitoring and logs", "Identify affected systems and users",
          "Determine root cause (initial hypothesis)", "Assess impact and scope"}},
        {phase::containment,
         {"Isolate affected systems if necessary", "Prevent further damage", "Implement temporary workarounds",
          "Communication to users (if customer-facing)"}},
        {phase::resolution,
         {"Implement fix", "Test fix in isolation", "Deploy fix to production", "Verify resolution",
          "Monitor for recurrence"}},
        {phase::recovery,
         {"Restore normal operations", "Validate system health", "Monitor metrics closely", "Update stakeholders"}},
        {phase::post_incident,
         {"Post-mortem meeting (within 48 hours)", "Root cause analysis", "Document lessons learned",
          "Create action items for prevention", "Update runbooks and documentation"}},
        {phase::closed, {}},
    };
    REQUIRE(rows.size() == std::size(all_phases));
    for (auto const& r : rows) {
        CAPTURE(to_string(r.ph));
        CHECK(checklist(r.ph) == r.items);
    }
}

TEST_CASE("policies compare by value so a config override is visible") {
    auto changed = policy::defaults();
    CHECK(changed == rules());
    changed.of(severity::p1).update_every = seconds{45min};
    CHECK_FALSE(changed == rules());
    CHECK(changed.of(severity::p1).update_every == seconds{45min});
}

namespace {

// A whole word, case-insensitive: "AWS" is a vendor, "laws" is not.
bool names(std::string const& text, std::string const& word) {
    auto const hay = to_lower(text), needle = to_lower(word);
    auto const alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
    for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) {
        bool const starts = at == 0 || !alnum(hay[at - 1]);
        bool const ends = at + needle.size() == hay.size() || !alnum(hay[at + needle.size()]);
        if (starts && ends) return true;
    }
    return false;
}

std::vector<std::string> runbook_texts(incident_type t) {
    auto const& book = rules().of(t).book;
    auto out = book.steps;
    out.push_back(book.title);
    return out;
}

}  // namespace

TEST_CASE("the built-in runbooks are plain text for any team: no links, no code, no file names") {
    for (auto const type : all_types) {
        CAPTURE(to_string(type));
        CHECK(rules().of(type).runbook_url.empty());
        for (auto const& text : runbook_texts(type)) {
            CAPTURE(text);
            CHECK(text.find("http") == std::string::npos);
            CHECK(text.find('`') == std::string::npos);
            CHECK(text.find(".md") == std::string::npos);
        }
    }
}

TEST_CASE("the built-in runbooks name no vendor, since they serve every team whatever it runs on") {
    // Vendors a runbook is tempted to name: hosting, e-mail, payments, monitoring, paging, identity.
    std::vector<std::string> const vendors = {
        "Base44",   "SendGrid", "Stripe",  "Twilio",     "Mailgun",   "PayPal",   "AWS",    "Amazon",
        "Azure",    "GCP",      "Google",  "Heroku",     "Vercel",    "Netlify",  "Supabase",
        "Firebase", "Datadog",  "Sentry",  "New Relic",  "Grafana",   "PagerDuty", "Opsgenie", "Cloudflare",
        "Auth0",    "Okta",     "GitHub",  "GitLab",     "Postgres",  "MySQL",    "MongoDB", "Redis",
    };
    for (auto const type : all_types) {
        CAPTURE(to_string(type));
        for (auto const& text : runbook_texts(type)) {
            for (auto const& vendor : vendors) {
                CAPTURE(text);
                CAPTURE(vendor);
                CHECK_FALSE(names(text, vendor));
            }
        }
    }
    // The integration runbook still says where to look first.
    CHECK(rules().of(incident_type::integration).book.steps.front() ==
          "Check the third party's status page for an outage or degradation on their side");
}
