// The response policy: what each severity and type demands. defaults() is the team's procedures
// word for word; config/ overrides any number. Pure data, no I/O.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.hpp"

namespace warroom::core {

struct escalation_step {
    seconds after{};                  // offset from declaration
    std::string target;               // stable key: "on-call", "engineering-manager", ...
    std::string label;                // "Engineering manager notified"
    std::vector<std::string> notify;  // contacts to mention: "@U…" users, "@S…" user groups, "#channels"
    bool dm = false;                  // also DM each user contact
    bool page = false;                // page the on-call primary (rotation, paging integration)
    bool customer_notice = false;     // draft the customer notice for the Communications Lead to approve
    bool operator==(escalation_step const&) const = default;
};

// What a step does when the configuration does not say, by its target: the on-call step pages,
// the customer-communication step drafts the customer notice, the others DM their contacts.
bool drafts_customer_notice_by_default(std::string_view target);
void apply_target_defaults(escalation_step& s);

struct severity_policy {
    std::string name;                     // "Critical"
    seconds respond_within{};             // acknowledgement target
    std::string respond_label;            // "Immediate (within 5 minutes)"
    std::optional<seconds> update_every;  // update cadence; none for P2/P3
    std::vector<escalation_step> escalation;
    std::string announce_to;           // audience of the announcement
    std::vector<std::string> on_call;  // responders invited at declaration
    std::string rotation;              // on-call rotation paged; empty: the first one configured
    bool operator==(severity_policy const&) const = default;
};

struct runbook {
    std::string title;               // "Incident: Application Down"
    std::vector<std::string> steps;  // numbered response steps
    bool operator==(runbook const&) const = default;
};

struct type_policy {
    runbook book;
    std::string runbook_url;  // the team's own runbook for the type, linked in the war room
    std::vector<std::string> contacts;  // invited at declaration: "@U…" users, "@S…" user groups
    bool private_room = false;          // security and privacy: private war room, redacted announcement
    bool regulator_clock = false;       // privacy: 72 h notification clock
    // The least severe severity the procedures expect of the type ("Typical Severity"); declaring
    // below it gets a warning with a one-click upgrade.
    severity typical = severity::p3;
    bool operator==(type_policy const&) const = default;
};

// What an action needs (authority.hpp applies it). `see` and `respond` are fixed: a public incident
// is seen by anyone and changed by its war room's people; a private one is both only for them.
enum class privilege {
    see,                      // status, actions, roles, report; a form filled in with its text
    respond,                  // updates, notes, phases, checklist, acknowledging, other roles
    close,                    // close it
    reopen,                   // reopen a resolved incident
    reopen_closed,            // reopen a closed one
    lower_severity,           // make it less severe
    change_ic,                // give the Incident Commander role to someone else
    approve_customer_notice,  // approve the drafted customer notice; name the Communications Lead
    make_public,              // change a private incident's type to a public one (its title leaves the room)
    publish,                  // put it on the public status page: the Communications Lead, else the IC
};
// Who a privilege is granted to, beyond the incident admins (who may always).
enum class grantee {
    ic,        // the Incident Commander
    declarer,  // who declared it
    comms,     // the Communications Lead
    member,    // anyone in the war room
};
struct access_policy {
    std::vector<user_id> admins;  // incident admins: Slack user ids ("U…") and user groups ("S…")
    std::map<privilege, std::vector<grantee>> grants = {
        {privilege::close, {grantee::ic, grantee::declarer}},
        {privilege::reopen, {grantee::ic, grantee::declarer}},
        {privilege::reopen_closed, {}},
        {privilege::lower_severity, {grantee::ic, grantee::declarer}},
        {privilege::change_ic, {grantee::ic, grantee::declarer}},
        {privilege::approve_customer_notice, {grantee::comms, grantee::ic, grantee::declarer}},
        {privilege::make_public, {grantee::ic, grantee::declarer}},
    };
    bool operator==(access_policy const&) const = default;
};

// When the team works, for responses due "next business day".
struct business_hours {
    std::array<bool, 7> days{true, true, true, true, true, false, false};  // Monday … Sunday
    seconds opens{std::chrono::hours{9}};                                  // local time of day
    bool operator==(business_hours const&) const = default;
};

// Someone else holds a position of the rotation for a while (a swap, a holiday).
struct rotation_override {
    timestamp from{}, until{};
    user_id user;
    bool secondary = false;
    bool operator==(rotation_override const&) const = default;
};

// Members take turns as primary for `length` each from `start`; the next in line is secondary.
struct rotation {
    std::string name;
    std::vector<user_id> members;
    timestamp start{};
    seconds length{};
    std::vector<rotation_override> overrides;
    std::string handoff_channel;  // hand-off reminders; empty: the announcement channel
    bool operator==(rotation const&) const = default;
};

// `[[alerts.routes]]`: alerts whose labels hold every `match` pair take this route; first match wins.
struct alert_route {
    std::vector<std::pair<std::string, std::string>> match;  // label → value, all required
    alert_level level = alert_level::medium;
    severity sev = severity::p0;                 // critical: the incident's severity
    incident_type type = incident_type::outage;  // critical: the incident's type
    std::vector<std::string> email = {};         // high: addresses e-mailed when its alert group opens
    bool operator==(alert_route const&) const = default;
};

struct alert_policy {
    std::vector<alert_route> routes;
    std::string channel;                // triage posts; empty: the announcement channel
    std::vector<std::string> group_by;  // labels whose values make the group; empty: the sender's group key
    // Who may answer triage posts (Slack user and user group ids), besides the incident admins; empty:
    // anyone who may declare an incident.
    std::vector<std::string> triagers;
    // A group whose alerts all resolved takes alerts of its key again for this long (flapping): they
    // go back to its incident or triage post instead of opening new ones.
    seconds reopen_window{std::chrono::hours{1}};
    severity critical_severity = severity::p0;  // the severity of a critical alert no route names
    bool tickets = false;  // a ticket system is configured ([alerts] ticket_url): a low group opens a ticket
    bool operator==(alert_policy const&) const = default;
};

// `[email]`: whether e-mail is sent at all (an SMTP server is configured), and the customers'
// addresses. Escalation and type contacts that are addresses, and high alert routes, say who else.
struct email_policy {
    bool enabled = false;
    std::vector<std::string> customer_list;  // the approved customer notice of a public incident
    bool operator==(email_policy const&) const = default;
};

// `[reports]`: the procedures' weekly, monthly, quarterly and annual reports, each posted once to
// `channel` at 09:00 in `zone` on the first day after its period.
struct report_policy {
    std::string channel;              // empty: no reports are posted
    time_zone const* zone = nullptr;  // nullptr: the policy's zone
    bool operator==(report_policy const&) const = default;
};

struct policy {
    std::array<severity_policy, 4> severities;
    std::array<type_policy, 6> types;
    seconds report_due{};        // after resolution
    seconds postmortem_due{};    // after resolution
    seconds remind_before{};     // post-incident reminders come this long before their deadline
    seconds regulator_notice{};  // privacy incidents: after declaration, or after the type change that made one
    seconds snooze{};            // Snooze button on nudges
    access_policy access;
    business_hours hours;
    time_zone const* zone = &utc_zone();  // business hours and shown times
    bool declarer_leads = true;  // the declarer is the Incident Commander until someone takes over
    // Update nudges nobody answers: after this many in a row the incident admins and the
    // engineering manager's contacts are told once, and the nudges slow down (each interval doubles,
    // up to nudge_max_interval).
    int nudge_back_off_after = 3;
    seconds nudge_max_interval{std::chrono::hours{4}};
    seconds action_reminder_at{std::chrono::hours{9}};  // local time of day action items are reminded
    // A private war room's name, from {prefix}, {number} and {type}: never the title, which is private.
    std::string private_room_name = "{prefix}-{number}-{type}";
    // Where the announcement channel hears an update: in the announcement's thread, as a message of
    // its own, or only through the announcement kept current.
    enum class update_posts { thread, channel, edit } announce_updates = update_posts::thread;
    std::vector<rotation> rotations;
    bool paging = false;  // a paging integration (PagerDuty, Opsgenie) receives page effects
    bool statuspage = false;  // Atlassian Statuspage ([status_page.statuspage]) receives the publications
    email_policy mail;
    std::string channel_prefix = "inc";
    std::string announce_channel = "#incidents";
    alert_policy alerts;
    report_policy reports;
    std::vector<std::string> components;  // the status page's components (`[[status_page.components]]`)
    // Who may schedule maintenance (Slack user and user group ids), besides the incident admins;
    // empty: anyone who may declare an incident.
    std::vector<std::string> maintainers;

    static policy defaults();
    time_zone const& report_zone() const { return reports.zone ? *reports.zone : *zone; }
    severity_policy const& of(severity s) const { return severities[static_cast<int>(s)]; }
    severity_policy& of(severity s) { return severities[static_cast<int>(s)]; }
    type_policy const& of(incident_type t) const { return types[static_cast<int>(t)]; }
    type_policy& of(incident_type t) { return types[static_cast<int>(t)]; }
    // The rotation a severity pages, if any.
    rotation const* rotation_of(severity s) const;
    bool operator==(policy const&) const = default;
};

// The procedures' workflow checklist of a phase (empty for closed).
std::vector<std::string> const& checklist(phase p);

}  // namespace warroom::core
