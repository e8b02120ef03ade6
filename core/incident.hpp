// Incident state: a fold of its events. apply() records facts and holds no rules; the rules live in
// decide(). `version` counts the events applied, for optimistic concurrency in the store.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/events.hpp"

namespace warroom::core {

struct timeline_entry {
    timestamp at{};
    user_id by;
    std::string text;
    std::string ref;            // a marked war-room message; empty for the incident's own entries
    bool bookkeeping = false;   // roles, checklist, snoozes, action items: the report's appendix, not its story
    bool operator==(timeline_entry const&) const = default;
};

struct check_mark {
    user_id by;
    timestamp at{};
    bool operator==(check_mark const&) const = default;
};

struct action_item {
    int number = 0;
    std::string text;
    std::optional<user_id> owner;
    std::optional<timestamp> due;
    user_id created_by;
    timestamp created_at{};
    std::optional<user_id> done_by;
    std::optional<timestamp> done_at;
    bool removed = false;  // taken off the list (numbers stay: #3 is always the same item)
    bool operator==(action_item const&) const = default;
};

struct page_record {
    user_id user;
    timestamp at{};
    bool operator==(page_record const&) const = default;
};

// What the public status page shows of an incident, one per publication: a value an adapter can
// send on as it is (the built-in page, Statuspage's API).
struct publication {
    int incident = 0;
    int sequence = 0;  // 1, 2, … within the incident
    timestamp at{};
    std::string text;  // the public text, as published
    status st{};       // the incident's status as published
    std::vector<std::string> components;
    std::optional<component_status> component_st;  // what the components are now; none: unchanged
    bool operator==(publication const&) const = default;
};

struct incident {
    int number = 0;
    int version = 0;
    std::string title;
    std::string description;
    severity sev = severity::p2;
    severity declared_sev = severity::p2;  // as declared, before any change
    incident_type declared_type = incident_type::outage;  // as declared: its room was private if this type's is
    incident_type type = incident_type::outage;
    bool personal_data = false;
    phase ph = phase::detection;
    status st = status::investigating;
    std::string channel;
    user_id declared_by;
    timestamp started_at{}, detected_at{}, declared_at{};
    bool detection_known = false;  // a start of impact or a detection time was given: MTTD means something
    std::string detected_by;       // what noticed it, when monitoring did: "alertmanager: HighErrorRate"
    std::optional<timestamp> acknowledged_at, mitigated_at, resolved_at, closed_at;
    std::optional<user_id> acknowledged_by;
    std::map<role, std::vector<user_id>> roles;
    std::vector<timeline_entry> timeline;
    std::map<std::pair<phase, int>, check_mark> checks;
    std::vector<action_item> actions;
    timestamp last_update_at{};
    std::string impact;                      // the current impact: at declaration, then as updates say
    std::optional<timestamp> impact_since;   // when it was last changed
    bool impact_changed_by_last_update = false;  // the latest update set a new impact
    std::string last_impact;                 // the last impact stated, kept after resolution for the report
    std::string last_update;  // text of the latest update
    std::string summary;                     // what happened (the resolve form), for the report
    std::string users_affected, services_affected, financial_impact;  // the report's impact (`impact`)
    std::string customer_notice;             // the drafted notice as edited before approval; empty: the draft
    int unanswered_nudges = 0;               // nudges since the last update
    bool declined = false;                   // closed as not an incident: out of the metrics
    std::optional<timestamp> last_nudge_at, snoozed_until;
    std::map<std::string, timestamp> escalated_targets;  // target → when
    std::map<status, timestamp> status_since;            // first time each status was reported
    std::map<phase, timestamp> phase_since;              // first time each phase was entered
    std::map<incident_type, timestamp> type_since;       // first time it was of each type
    std::string resolution, root_cause, close_reason;
    std::optional<timestamp> report_at;
    std::set<std::string> reminders_sent;
    std::map<std::string, page_record> pages;  // position ("primary", "secondary") → who was paged when
    // Drafted when an escalation step that drafts it was reached, at whatever severity then.
    std::optional<timestamp> customer_notice_drafted_at;
    std::optional<timestamp> customer_notice_approved_at, regulator_notified_at;
    std::optional<user_id> customer_notice_approved_by;
    int updates = 0;
    std::set<user_id> members;           // in the war room: invited by the bot, or joined
    std::set<std::string> invited_groups;  // user groups invited: their members count as members
    std::vector<std::string> former_rooms;  // war rooms replaced (a public room when it became private)
    std::vector<std::string> components;     // status-page components affected, as named (internal until published)
    std::vector<publication> publications;   // what the public status page shows, oldest first

    bool is_resolved() const { return resolved_at.has_value(); }
    bool is_member(user_id const& u) const { return members.contains(u); }
    // Active: not yet resolved (nor closed). Awaiting close: resolved, not yet closed.
    bool is_active() const { return !is_resolved() && !is_closed(); }
    bool is_awaiting_close() const { return is_resolved() && !is_closed(); }
    bool is_closed() const { return ph == phase::closed; }
    std::optional<user_id> holder(role r) const;  // first holder of a role
    bool operator==(incident const&) const = default;
};

incident apply(incident current, event const& e);

// Every incident of the installation, by number.
using incident_map = std::map<int, incident>;
void apply(incident_map& all, event const& e);
incident_map replay(std::vector<event> const& events);

}  // namespace warroom::core
