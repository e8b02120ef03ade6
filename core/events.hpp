// Events: past-tense facts, the only thing persisted. Every event names its incident, its time
// and its author; the payload says what happened. apply() folds them into state without rules.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "core/model.hpp"

namespace warroom::core {

struct declared {
    std::string title;
    std::string description;
    severity sev{};
    incident_type type{};
    timestamp started_at{};
    std::string channel;         // war-room channel name
    bool personal_data = false;  // personal data involved: the regulator clock runs
    std::optional<timestamp> detected_at = std::nullopt;  // when it was noticed, if before declaration
    // What noticed it, when monitoring did: "alertmanager: HighErrorRate".
    std::optional<std::string> detected_by = std::nullopt;
    std::vector<std::string> components = {};  // status-page components affected (`component:`), not published
    bool operator==(declared const&) const = default;
};
struct update_posted {
    status st{};
    std::string text;
    std::string impact;
    std::vector<std::string> components = {};  // status-page components found affected, not published
    bool operator==(update_posted const&) const = default;
};
struct severity_changed {
    severity from{};
    severity to{};
    bool operator==(severity_changed const&) const = default;
};
struct phase_changed {
    phase from{};
    phase to{};
    bool operator==(phase_changed const&) const = default;
};
struct role_assigned {
    role r{};
    user_id user;
    std::optional<user_id> previous;  // hand-over when set
    bool operator==(role_assigned const&) const = default;
};
struct note_added {
    std::string text;
    std::optional<timestamp> happened = std::nullopt;  // back-dated: when it happened, not when it was noted
    bool operator==(note_added const&) const = default;
};
struct acknowledged {
    bool operator==(acknowledged const&) const = default;
};
struct mitigated {
    bool operator==(mitigated const&) const = default;
};
struct action_added {
    int number = 0;
    std::string text;
    std::optional<user_id> owner;
    std::optional<timestamp> due;
    bool operator==(action_added const&) const = default;
};
struct action_completed {
    int number = 0;
    bool operator==(action_completed const&) const = default;
};
// An action item's text, owner or due date changed (what is set changes; an empty owner unassigns).
struct action_edited {
    int number = 0;
    std::optional<std::string> text = std::nullopt;
    std::optional<user_id> owner = std::nullopt;
    std::optional<timestamp> due = std::nullopt;
    bool unassigned = false;  // the owner was removed
    bool undated = false;     // the due date was removed
    bool operator==(action_edited const&) const = default;
};
struct action_removed {
    int number = 0;
    bool operator==(action_removed const&) const = default;
};
struct escalated {
    std::string target;  // the step's stable key
    std::string label;
    bool manual = false;
    std::string reason;
    std::vector<std::string> notified = {};  // the step's contacts as configured then ("@U…", "@S…", …)
    // The step drafted the customer notice. Unset in events recorded before this was: only the
    // built-in customer-communication step drafted it then.
    std::optional<bool> customer_notice = std::nullopt;
    bool operator==(escalated const&) const = default;
};
struct nudged {
    bool operator==(nudged const&) const = default;
};
struct snoozed {
    timestamp until{};
    bool operator==(snoozed const&) const = default;
};
struct resolved {
    std::string resolution;
    std::string root_cause;
    std::string summary = {};   // what happened, for the report (the resolve form)
    std::string services = {};  // the services affected, for the report
    bool operator==(resolved const&) const = default;
};
// The report's impact: who and what was affected, and what it cost. Each set field replaces the last.
struct impact_recorded {
    std::string users = {};      // "1200", "30%"
    std::string services = {};   // "checkout, payments"
    std::string financial = {};  // free text
    bool operator==(impact_recorded const&) const = default;
};
// Closed as not an incident (a false alarm, a declined triage): out of the metrics.
struct declined {
    std::string reason;
    bool operator==(declined const&) const = default;
};
// The drafted customer notice, rewritten before approval.
struct customer_notice_edited {
    std::string text;
    bool operator==(customer_notice_edited const&) const = default;
};
struct reopened {
    std::string reason;
    bool operator==(reopened const&) const = default;
};
struct report_generated {
    bool operator==(report_generated const&) const = default;
};
struct closed {
    std::string reason;
    bool operator==(closed const&) const = default;
};
struct checklist_marked {
    phase ph{};
    int item = 0;
    bool checked = true;
    bool operator==(checklist_marked const&) const = default;
};
// A message in the war room was put on the timeline (the timeline reaction, or a pin), with the
// message's own author and time; `ref` identifies the message ("<channel>/<ts>" in Slack).
struct message_marked {
    std::string ref;
    user_id author;
    timestamp posted_at{};
    std::string text;
    bool operator==(message_marked const&) const = default;
};
struct message_unmarked {
    std::string ref;
    bool operator==(message_unmarked const&) const = default;
};
// A post-incident reminder went out (report due, post-mortem, action item, regulator clock).
struct reminder_sent {
    std::string key;
    bool operator==(reminder_sent const&) const = default;
};

// People were brought into the war room by the bot (at declaration, on assignment, when paged or
// escalated to): users (by id, or by the e-mail address a contact was given as), and user groups
// whose members count as invited.
struct invited {
    std::vector<user_id> users;
    std::vector<std::string> groups = {};
    bool operator==(invited const&) const = default;
};
// Someone joined or left the war room on their own (Slack's member events, the console's /in).
struct member_joined {
    user_id user;
    bool operator==(member_joined const&) const = default;
};
struct member_left {
    user_id user;
    bool operator==(member_left const&) const = default;
};
// The incident's type changed; its protocol (contacts, runbook, regulator clock, privacy) follows.
struct type_changed {
    incident_type from{};
    incident_type to{};
    bool operator==(type_changed const&) const = default;
};
// The war room was replaced by another (a public room cannot be made private: a new private one
// is opened, the people moved, the old one archived).
struct room_moved {
    std::string from;
    std::string to;
    bool operator==(room_moved const&) const = default;
};

// The on-call responder of a rotation was paged (in Slack and through the paging integration).
struct paged {
    user_id user;
    std::string position;  // "primary", or "secondary" when the primary did not acknowledge in time
    bool operator==(paged const&) const = default;
};
// The drafted customer notice was approved for sending.
struct customer_notice_approved {
    bool operator==(customer_notice_approved const&) const = default;
};
// Put on the public status page: the public text, the incident's status then, and the status the
// named components are in now (none: they are named, their status unchanged). A resolved
// publication puts every component the incident published back to operational.
struct published {
    std::string text;
    status st{};
    std::vector<std::string> components = {};
    std::optional<component_status> component_st = std::nullopt;
    bool operator==(published const&) const = default;
};
// Someone confirmed that the regulator was notified (privacy incidents' 72-hour clock).
struct regulator_notified {
    bool operator==(regulator_notified const&) const = default;
};

// Alerts from monitoring. Each alert group is a stream of its own (alert_stream()); its events are
// what the senders said, without repeats, and what became of the group.
struct alert_group_opened {
    std::string source;  // "alertmanager", "grafana", "generic"
    std::string key;     // the group key: the sender's, the configured labels' values, or the dedup key
    std::string title;   // from its first alert: the summary annotation, else the alertname label
    // Rows written before alert_group_emailed: the addresses its first alerts' high routes told.
    std::vector<std::string> emailed = {};
    bool operator==(alert_group_opened const&) const = default;
};
struct alert_fired {
    std::string fingerprint;  // the sender's fingerprint, or the dedup key
    std::string name;         // the alertname label
    std::string summary;      // the summary annotation
    alert_level level{};      // as routed
    timestamp starts_at{};
    std::string url;  // generatorURL: where the alert comes from
    bool operator==(alert_fired const&) const = default;
};
struct alert_resolved {
    std::string fingerprint;
    timestamp ends_at{};
    bool operator==(alert_resolved const&) const = default;
};
// The group became an incident (a critical alert): its later alerts go onto that incident's timeline.
struct alert_group_declared {
    int incident = 0;
    bool operator==(alert_group_declared const&) const = default;
};
// Triage merged the group into an incident declared before: its alerts go onto that incident's timeline.
struct alert_group_merged {
    int incident = 0;
    bool operator==(alert_group_merged const&) const = default;
};
// Not an incident: a person declined the group's triage, or all its alerts resolved before anyone
// acted (automatic). An alert firing again puts the group back into triage.
struct alert_group_declined {
    std::string reason;
    bool automatic = false;
    bool operator==(alert_group_declined const&) const = default;
};
// Triage put off until then.
struct alert_group_snoozed {
    timestamp until{};
    bool operator==(alert_group_snoozed const&) const = default;
};
// The addresses of the high routes its newly firing alerts took, as configured then, not told before:
// told by e-mail.
struct alert_group_emailed {
    std::vector<std::string> to;
    bool operator==(alert_group_emailed const&) const = default;
};
// On an incident's stream: an alert of its group fired or resolved.
struct alert_noted {
    std::string source;
    std::string name;
    std::string summary;
    bool resolved = false;
    bool operator==(alert_noted const&) const = default;
};

// Scheduled maintenance. Each window is a stream of its own (maintenance_stream()), not an incident:
// it is published on the status page from when it is scheduled, in effect from `from` to `to`.
struct maintenance_scheduled {
    std::vector<std::string> components;  // status-page components under maintenance
    timestamp from{}, to{};
    std::string text;  // public: what the status page says about it
    bool operator==(maintenance_scheduled const&) const = default;
};
// Called off before it began, or ended early while in progress.
struct maintenance_cancelled {
    bool operator==(maintenance_cancelled const&) const = default;
};

using payload =
    std::variant<declared, update_posted, severity_changed, phase_changed, role_assigned, note_added, acknowledged,
                 mitigated, action_added, action_completed, escalated, nudged, snoozed, resolved, reopened,
                 report_generated, closed, checklist_marked, reminder_sent, message_marked, message_unmarked, paged,
                 customer_notice_approved, regulator_notified, invited, member_joined, member_left, type_changed,
                 room_moved, action_edited, action_removed, impact_recorded, declined, customer_notice_edited,
                 alert_group_opened, alert_fired, alert_resolved, alert_group_declared, alert_noted, alert_group_merged,
                 alert_group_declined, alert_group_snoozed, alert_group_emailed, published, maintenance_scheduled,
                 maintenance_cancelled>;

struct event {
    int incident = 0;
    timestamp at{};
    user_id by;
    payload what;
    bool operator==(event const&) const = default;
};

// The first `T` that `batch` records on stream `incident`, or nullptr.
template <class T>
T const* find_in(std::vector<event> const& batch, int incident) {
    for (auto const& e : batch) {
        if (e.incident != incident) continue;
        if (auto const* x = std::get_if<T>(&e.what)) return x;
    }
    return nullptr;
}

// Incidents are numbered from 1. Alert group n's events are kept under the stream number -n, and
// maintenance window n's under -(maintenance_streams + n), below every alert group's.
inline constexpr int maintenance_streams = 1'000'000'000;
constexpr int alert_stream(int group) { return -group; }
constexpr bool is_alert_stream(int stream) { return stream < 0 && stream > -maintenance_streams; }
constexpr int maintenance_stream(int window) { return -(maintenance_streams + window); }
constexpr bool is_maintenance_stream(int stream) { return stream <= -maintenance_streams; }
constexpr int maintenance_of(int stream) { return -stream - maintenance_streams; }
constexpr bool is_incident_stream(int stream) { return stream > 0; }

// The timeline's line: "Alert firing (alertmanager): HighErrorRate — Error rate above 5%".
std::string alert_note_text(alert_noted const& a);

// Stable name of the payload type ("declared", "update_posted", ...): the store's type column.
std::string_view event_name(payload const& p);
std::ostream& operator<<(std::ostream& os, payload const& p);  // "severity_changed{P1 -> P0}"
std::ostream& operator<<(std::ostream& os, event const& e);

}  // namespace warroom::core
