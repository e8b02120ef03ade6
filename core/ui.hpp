// The ids of everything a person presses or fills in — buttons, forms and their fields — and the
// values buttons carry, defined once. Adapters put them on the wire (Slack's action_id, callback_id
// and block_id; the console's /click) and read them back with the parsers here.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/model.hpp"

namespace warroom::core::ui {

enum class action {
    acknowledge,         // the on-call takes the incident (sets acknowledged_at)
    claim_ic,            // "I'll be IC"
    post_update,         // opens the update form
    advance,             // moves to the next phase
    resolve,             // opens the resolve form
    snooze,              // delays the update nudge
    report,              // writes the incident report
    check,               // toggles a checklist item (a checkbox, or "Mark post-mortem held")
    done,                // marks an action item done
    approve_notice,      // approves the drafted customer notice
    regulator_notified,  // records that the regulator was notified
    upgrade_severity,    // raises the severity to the one the button names
    edit_notice,         // opens the customer notice form
    declare_alert,       // triage: opens the declare form, filled in from the alert group
    decline_alert,       // triage: opens the decline form (a reason)
    merge_alert,         // triage: opens the merge form (the incident the alerts belong to)
    snooze_alert,        // triage: puts the alert group off for a while
    publish_resolution,  // publishes "Resolved" on the status page for a published incident that resolved
};
inline constexpr action all_actions[] = {action::acknowledge, action::claim_ic,       action::post_update,
                                         action::advance,     action::resolve,        action::snooze,
                                         action::report,      action::check,          action::done,
                                         action::approve_notice, action::regulator_notified,
                                         action::upgrade_severity, action::edit_notice,
                                         action::declare_alert, action::decline_alert,
                                         action::merge_alert, action::snooze_alert,
                                         action::publish_resolution};

enum class form {
    declare,  // a new incident
    update,   // a status update
    resolve,          // the resolution
    customer_notice,  // the customer notice, before approval
    decline_alert,    // triage: why an alert group is not an incident
    merge_alert,      // triage: the incident an alert group belongs to
};
inline constexpr form all_forms[] = {form::declare,         form::update,        form::resolve,
                                     form::customer_notice, form::decline_alert, form::merge_alert};

enum class field {
    title,          // declare: what is broken
    severity,       // declare: P0-P3
    type,           // declare: incident type
    personal_data,  // declare: yes/no, starts the regulator clock
    description,    // declare: impact / description
    started_at,     // declare: when impact began
    status,         // update: the status reported
    impact,         // update: current scope
    text,           // update: progress
    resolution,     // resolve: what fixed it
    root_cause,     // resolve: why it happened
    summary,        // resolve: what happened, for the report
    services,       // resolve: the services affected, for the report
    notice_text,    // customer notice: its text
    reason,         // decline: why it is not an incident
    into,           // merge: the incident ("INC-7" or "7")
};
inline constexpr field all_fields[] = {field::title,      field::severity,   field::type,   field::personal_data,
                                       field::description, field::started_at, field::status, field::impact,
                                       field::text,        field::resolution, field::root_cause,
                                       field::summary,     field::services,   field::notice_text,
                                       field::reason,      field::into};

// A button on a message kept current (a triage post): what its press records renders that message
// again, so an adapter must not edit it as well (the two edits would race).
bool on_kept_message(action a);
std::string_view id(action a);  // "acknowledge"
std::string_view id(form f);    // "declare"
std::string_view id(field f);   // "started_at"
std::optional<action> parse_action(std::string_view id);
std::optional<form> parse_form(std::string_view id);
std::optional<field> parse_field(std::string_view id);

// What a button refers to: its incident and, for some buttons, a phase and checklist item, an action
// item, or a severity. Items are numbered from 1, as people see them.
struct target {
    int incident = 0;
    std::optional<phase> ph;
    int item = 0;
    std::optional<severity> sev;
    bool operator==(target const&) const = default;
};
std::string value(int incident);                                 // "7"
std::string check_value(int incident, phase ph, int item);       // "7:investigation:2"
std::string action_item_value(int incident, int item);           // "7:3"
std::string severity_value(int incident, severity sev);          // "7:P0"
std::optional<target> parse_value(std::string_view value);
// The triage buttons' value: the alert group they act on.
std::string group_value(int group);  // "group:5"
std::optional<int> parse_group_value(std::string_view value);

}  // namespace warroom::core::ui
