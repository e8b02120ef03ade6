// Commands in, events out: decide() holds every rule of the procedures' workflow. A refusal says
// precisely why and carries the usage to show. The time is an argument; nothing here reads a clock.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "core/incident.hpp"
#include "core/policy.hpp"

namespace warroom::core {

struct declare {
    severity sev = severity::p2;
    incident_type type = incident_type::outage;
    std::string title;
    std::string description;
    std::optional<timestamp> started_at;   // back-dated impact start
    bool personal_data = false;            // `pii:yes`: starts the regulator clock (data-loss)
    std::optional<timestamp> detected_at = std::nullopt;  // `detected:-10m`: noticed before it was declared
    std::optional<std::string> detected_by = std::nullopt;  // an alert group: what noticed it
    std::vector<std::string> components = {};  // `component:<name>`: status-page components affected
    bool operator==(declare const&) const = default;
};
struct post_update {
    std::optional<status> st;
    std::string text;
    std::string impact;
    std::vector<std::string> components = {};  // `component:<name>`: status-page components affected
    bool operator==(post_update const&) const = default;
};
struct change_severity {
    severity to{};
    bool operator==(change_severity const&) const = default;
};
struct move_phase {
    phase to{};
    bool operator==(move_phase const&) const = default;
};
struct advance {
    bool operator==(advance const&) const = default;
};
struct assign_role {
    role r{};
    user_id user;
    bool operator==(assign_role const&) const = default;
};
struct add_note {
    std::string text;
    std::optional<timestamp> happened = std::nullopt;  // `note at:23:30 …`, `note -5m …`
    bool operator==(add_note const&) const = default;
};
struct add_action {
    std::string text;
    std::optional<user_id> owner;
    std::optional<timestamp> due;
    bool operator==(add_action const&) const = default;
};
struct complete_action {
    int number = 0;
    bool operator==(complete_action const&) const = default;
};
// `action edit <n> [text] [@owner|@nobody] [due:…|due:none]`
struct edit_action {
    int number = 0;
    std::optional<std::string> text = std::nullopt;
    std::optional<user_id> owner = std::nullopt;
    std::optional<timestamp> due = std::nullopt;
    bool unassign = false;
    bool undate = false;
    bool operator==(edit_action const&) const = default;
};
struct remove_action {
    int number = 0;
    bool operator==(remove_action const&) const = default;
};
// `impact users:<n|%> services:<a,b> financial:<text>`
struct record_impact {
    std::string users, services, financial;
    bool operator==(record_impact const&) const = default;
};
// Not an incident after all: closed, out of the metrics.
struct decline {
    std::string reason;
    bool operator==(decline const&) const = default;
};
struct edit_customer_notice {
    std::string text;
    bool operator==(edit_customer_notice const&) const = default;
};
struct escalate {
    std::string reason;
    bool operator==(escalate const&) const = default;
};
struct resolve {
    std::string resolution;
    std::string root_cause;
    std::string summary = {};
    std::string services = {};
    bool operator==(resolve const&) const = default;
};
struct reopen {
    std::string reason;
    bool operator==(reopen const&) const = default;
};
struct generate_report {
    bool operator==(generate_report const&) const = default;
};
struct close {
    std::string reason;
    bool operator==(close const&) const = default;
};
struct acknowledge {
    bool operator==(acknowledge const&) const = default;
};
struct mark_checklist {
    std::optional<phase> ph;  // the current phase when absent
    int item = 0;
    bool checked = true;
    bool operator==(mark_checklist const&) const = default;
};
struct snooze {
    bool operator==(snooze const&) const = default;
};
// Put a war-room message on the timeline, or take it off.
struct mark_message {
    std::string ref;
    user_id author;
    timestamp posted_at{};
    std::string text;
    bool operator==(mark_message const&) const = default;
};
struct unmark_message {
    std::string ref;
    bool operator==(unmark_message const&) const = default;
};

// Buttons: the drafted customer notice is approved; the regulator has been notified.
struct approve_customer_notice {
    bool operator==(approve_customer_notice const&) const = default;
};
struct confirm_regulator_notice {
    bool operator==(confirm_regulator_notice const&) const = default;
};

// `publish [component:<name>…] [status:<component status>] <public text>`: onto the public status page.
struct publish {
    std::string text;
    std::vector<std::string> components = {};  // none: the components already published, for a status
    std::optional<component_status> component_st = std::nullopt;
    bool operator==(publish const&) const = default;
};
// The button offered once a published incident resolves: "Resolved", its components operational.
struct publish_resolution {
    bool operator==(publish_resolution const&) const = default;
};

// War-room membership: someone joined (on their own, or brought in by a member) or left.
struct join_room {
    user_id user;
    bool operator==(join_room const&) const = default;
};
struct leave_room {
    user_id user;
    bool operator==(leave_room const&) const = default;
};
struct change_type {
    incident_type to{};
    bool operator==(change_type const&) const = default;
};

using command =
    std::variant<post_update, change_severity, move_phase, advance, assign_role, add_note, add_action, complete_action,
                 escalate, resolve, reopen, generate_report, close, acknowledge, mark_checklist, snooze, mark_message,
                 unmark_message, approve_customer_notice, confirm_regulator_notice, join_room, leave_room,
                 change_type, edit_action, remove_action, record_impact, decline, edit_customer_notice, publish,
                 publish_resolution>;

struct refusal {
    std::string reason;
    bool operator==(refusal const&) const = default;
};

using decision = std::variant<std::vector<event>, refusal>;

// Names not among the status page's components (policy::components), refused with the list.
std::optional<refusal> unknown_component(std::vector<std::string> const& named, policy const& p);

inline constexpr std::size_t max_title = 200;
inline constexpr std::size_t max_text = 40000;

// Declaration creates incident `number` with its war room, its lead (the declarer, unless the
// policy says otherwise) and the people the policy brings in.
decision decide_declare(int number, declare const& cmd, user_id const& by, timestamp now, policy const& p);
decision decide(incident const& current, command const& cmd, user_id const& by, timestamp now, policy const& p);

// The events of taking an escalation step: the step itself and, for a paging step, the page of the
// rotation's primary (or of the paging integration's own routing when no rotation is configured).
std::vector<event> escalation_events(incident const& i, escalation_step const& step, bool manual,
                                     std::string const& reason, user_id const& by, timestamp now, policy const& p);
// Privacy incidents, and data loss involving personal data, run the regulator's notification clock.
bool regulated(incident const& i, policy const& p);
// When its regulator clock started: the first time it was of a type that runs the clock, which is when
// the organisation became aware of a breach to report (its declaration, unless it was found later).
timestamp regulator_clock_start(incident const& i, policy const& p);

// What the "Publish resolution" button publishes.
inline constexpr std::string_view resolution_text = "Resolved";
// A resolved incident whose resolution is not yet on the status page it was published on.
bool resolution_unpublished(incident const& i);

// The phase `advance` moves to, if any.
std::optional<phase> next_phase(incident const& i);

// `<prefix>-<number>-<slug>`: lowercase ASCII letters, digits, hyphens; at most 80 characters.
std::string war_room_name(std::string const& prefix, int number, std::string const& title);
// The war room of an incident of `type`: private ones are named by the policy's neutral template.
std::string war_room_name(policy const& p, int number, std::string const& title, incident_type type);

std::string_view command_name(command const& c);
std::ostream& operator<<(std::ostream& os, command const& c);  // its verb: "resolve"
std::ostream& operator<<(std::ostream& os, refusal const& r);

}  // namespace warroom::core
