// The procedures' numbers and texts: severity table, escalation matrix, runbooks, checklists.
#include "core/policy.hpp"

#include <algorithm>

namespace warroom::core {

bool drafts_customer_notice_by_default(std::string_view target) { return target == "customer-communication"; }

void apply_target_defaults(escalation_step& s) {
    s.page = s.target == "on-call";
    s.customer_notice = drafts_customer_notice_by_default(s.target);
    s.dm = !s.page && !s.customer_notice;
}

namespace {

using namespace std::chrono_literals;

escalation_step step(seconds after, std::string target, std::string label) {
    escalation_step s{after, std::move(target), std::move(label), {}};
    apply_target_defaults(s);
    return s;
}

runbook outage_runbook() {
    return {"Incident: Application Down",
            {"Check whether the application answers at all (its health check or home page)",
             "Check the hosting provider's status page", "Check the most recent deployments",
             "Roll back if a recent deployment is the likely cause",
             "Check database connectivity and the connection settings of the environment"}};
}

runbook performance_runbook() {
    return {"Incident: Slow Performance",
            {"Check current load: CPU, memory, network", "Identify slow endpoints on the APM dashboard",
             "Check database queries: N+1 queries, missing indexes", "Check external API calls and third-party status",
             "Consider scaling up temporarily"}};
}

runbook data_loss_runbook() {
    return {
        "Incident: Data Loss/Corruption (handle with extreme care)",
        {"STOP: make no changes; preserve the current state for investigation",
         "Identify the scope: how much data, since when", "Check backups: when was the last one, can we restore",
         "Contact the database admin: recovery may need a specialist", "Notify users: be transparent about data issues",
         "Recovery: pick the backup point before corruption, test the restore outside production, "
         "communicate the plan, restore with monitoring, verify integrity"}};
}

runbook security_runbook() {
    return {"Incident: Security Breach (highest priority)",
            {"CONTAIN: isolate affected systems, rotate all credentials, enable additional logging",
             "ASSESS: what was accessed, how did the breach occur, is it still ongoing",
             "NOTIFY: security team immediately, legal if PII is involved, affected users per GDPR/regulations",
             "PRESERVE EVIDENCE: do not delete logs, snapshot systems, document everything",
             "Conduct forensic analysis, patch the vulnerability, add security controls",
             "Notify affected parties and file required breach notifications"}};
}

runbook integration_runbook() {
    return {"Incident: Integration Failure",
            {"Check the third party's status page for an outage or degradation on their side",
             "Verify credentials and environment variables for the integration",
             "Check for rate limiting or changed API responses in the logs",
             "Implement a temporary workaround or degrade gracefully; document it for support",
             "Open a ticket with the vendor's support"}};
}

runbook privacy_runbook() {
    return {"Incident: Data Privacy (GDPR)",
            {"Isolate compromised systems and preserve evidence", "Notify the security team and involve legal",
             "Establish what personal data was exposed and whose",
             "Regulator notification within 72 hours of becoming aware (data protection authority)",
             "Notify affected users if their data was exposed", "Document the breach and the mitigation steps"}};
}

}  // namespace

policy policy::defaults() {
    policy p;
    p.severities[0] = {
        "Critical",
        5min,
        "Immediate (within 5 minutes)",
        30min,
        {step(0min, "on-call", "On-call engineer paged"),
         step(5min, "engineering-manager", "Engineering manager notified"),
         step(15min, "vp-engineering", "VP Engineering notified"), step(30min, "executives", "Executive team notified"),
         step(60min, "customer-communication", "Customer communication required")},
        "All stakeholders + executives",
        {},
        {}};
    p.severities[1] = {"High",
                       15min,
                       "15 minutes",
                       60min,
                       {step(0min, "on-call", "On-call engineer paged"),
                        step(30min, "engineering-manager", "Engineering manager notified"),
                        step(120min, "vp-engineering", "VP Engineering notified"),
                        step(240min, "customer-communication", "Customer communication if needed")},
                       "Engineering + product teams",
                       {},
                       {}};
    p.severities[2] = {"Medium",
                       60min,
                       "1 hour (acknowledge)",
                       std::nullopt,
                       {step(240min, "engineering-manager", "Engineering manager notified")},
                       "Engineering team",
                       {},
                       {}};
    p.severities[3] = {"Low", 24h, "Next business day", std::nullopt, {}, "Engineering team", {}, {}};

    // Typical severities from the procedures' types table: outage P0-P1, performance P1-P2,
    // data loss P0-P1, security P0, integration P1-P2, privacy P0.
    p.of(incident_type::outage) = {outage_runbook(), {}, {}, false, false, severity::p1};
    p.of(incident_type::performance) = {performance_runbook(), {}, {}, false, false, severity::p2};
    p.of(incident_type::data_loss) = {data_loss_runbook(), {}, {}, false, false, severity::p1};
    p.of(incident_type::security) = {security_runbook(), {}, {}, true, false, severity::p0};
    p.of(incident_type::integration) = {integration_runbook(), {}, {}, false, false, severity::p2};
    p.of(incident_type::privacy) = {privacy_runbook(), {}, {}, true, true, severity::p0};

    p.report_due = 24h;
    p.postmortem_due = 48h;
    p.remind_before = 4h;
    p.regulator_notice = 72h;
    p.snooze = 15min;
    return p;
}

rotation const* policy::rotation_of(severity s) const {
    auto const& name = of(s).rotation;
    if (name.empty()) return rotations.empty() ? nullptr : &rotations.front();
    auto const it = std::find_if(rotations.begin(), rotations.end(), [&](rotation const& r) { return r.name == name; });
    return it == rotations.end() ? nullptr : &*it;
}

std::vector<std::string> const& checklist(phase p) {
    static std::vector<std::string> const lists[] = {
        {"Incident detected", "Initial triage and severity assessment", "Incident commander assigned (for P0/P1)",
         "War room created", "Initial stakeholder notification"},
        {"Gather incident context", "Review monitoring and logs", "Identify affected systems and users",
         "Determine root cause (initial hypothesis)", "Assess impact and scope"},
        {"Isolate affected systems if necessary", "Prevent further damage", "Implement temporary workarounds",
         "Communication to users (if customer-facing)"},
        {"Implement fix", "Test fix in isolation", "Deploy fix to production", "Verify resolution",
         "Monitor for recurrence"},
        {"Restore normal operations", "Validate system health", "Monitor metrics closely", "Update stakeholders"},
        {"Post-mortem meeting (within 48 hours)", "Root cause analysis", "Document lessons learned",
         "Create action items for prevention", "Update runbooks and documentation"},
        {},
    };
    return lists[static_cast<int>(p)];
}

}  // namespace warroom::core
