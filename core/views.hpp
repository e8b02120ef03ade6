// View models of everything the bot posts, filled from state: the procedures' templates (initial,
// update, resolution), prompts with buttons, checklists, status, lists. The console prints
// render_text(); the Slack adapter renders Block Kit from the same structures.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/chart_model.hpp"
#include "core/incident.hpp"
#include "core/metrics.hpp"
#include "core/policy.hpp"
#include "core/reminders.hpp"
#include "core/ui.hpp"

namespace warroom::core {

struct field {
    std::string label;
    std::string value;
    bool operator==(field const&) const = default;
};

struct section {
    std::string heading;             // may be empty
    std::vector<std::string> lines;  // bullets
    bool numbered = false;
    bool operator==(section const&) const = default;
};

struct button {
    ui::action action{};
    std::string label;
    std::string value;  // what the press refers to (ui::value and friends)
    bool operator==(button const&) const = default;
};

struct checkbox {
    std::string label;
    std::string value;  // "N:phase:item"
    bool checked = false;
    std::string note;  // who checked it and when
    bool operator==(checkbox const&) const = default;
};

struct message_view {
    std::string kind;  // "declaration", "update", "nudge", ... for adapters and tests
    int incident = 0;
    std::string headline;
    std::vector<field> fields;
    std::vector<section> sections;
    std::vector<std::string> footer;
    std::string body;  // a preformatted Markdown document (the report)
    std::vector<checkbox> checklist;
    std::vector<button> buttons;
    // Users and user groups the bot itself mentions ("@<id>" in the text): in Slack only these ping.
    // An "@U…" typed by a person stays text.
    std::vector<std::string> mentions = {};
    // Times as the text shows them, and the instants they are: Slack shows each reader their own
    // local time (a <!date> token); the text is the fallback.
    std::vector<std::pair<std::string, timestamp>> times = {};
    // Charts shown with the message (a periodic report's): Slack gets each as an uploaded PNG.
    std::vector<chart> charts = {};
    bool operator==(message_view const&) const = default;
};

// "@<id>", recorded among the view's mentions.
std::string mention(message_view& v, std::string const& id);

std::string render_text(message_view const& v);

// A form the user fills in: the declare, update and resolve modals.
struct form_field {
    ui::field id{};
    std::string label;
    std::vector<std::string> options;  // a choice when not empty
    std::string initial;
    bool optional = false;
    bool multiline = false;
    bool operator==(form_field const&) const = default;
};

struct modal_view {
    ui::form id{};
    int incident = 0;
    std::string title;
    std::vector<form_field> fields;
    bool operator==(modal_view const&) const = default;
};

// Every view that shows a time takes `now`: a time on another day than now's (in the policy's time
// zone) carries its date.
message_view declaration_view(incident const& i, policy const& p, timestamp now);
// The one message per incident in the announcement channel, kept current: it always says what the
// incident is now (active, resolved, closed, declined) and never carries buttons.
message_view announcement_view(incident const& i, policy const& p, timestamp now);
message_view runbook_view(incident const& i, policy const& p);
message_view update_view(incident const& i, policy const& p, timestamp now);
message_view resolution_view(incident const& i, policy const& p, timestamp now);
// `outsider`: asked from outside the war room; a private incident then shows no title or room.
message_view status_view(incident const& i, policy const& p, timestamp now, bool outsider = false);
message_view nudge_view(incident const& i, policy const& p, timestamp now);
message_view escalation_view(incident const& i, escalation_step const& step, bool manual, std::string const& reason,
                             std::vector<std::string> const& notified, policy const& p, timestamp now);
// `outside`: sent outside the war room (a DM): a private incident's text is left out.
message_view reminder_view(incident const& i, reminder const& r, policy const& p, timestamp now, bool outside = false);
// Declared below the type's typical severity: the warning, with a one-click upgrade.
message_view severity_warning_view(incident const& i, policy const& p);
// At resolution of a P0/P1: schedule the post-mortem meeting.
message_view postmortem_prompt_view(incident const& i, policy const& p, timestamp now);
// A published incident resolved: the button that publishes its resolution, for whoever speaks for it.
message_view publish_resolution_view(incident const& i);
// The war room hears what went public, in the words that went.
message_view published_view(incident const& i, published const& pub, user_id const& by);
message_view checklist_view(incident const& i, phase ph, policy const& p, timestamp now);
// The on-call responder paged for an incident, with the Acknowledge button (war room and DM).
message_view page_view(incident const& i, page_record const& to, std::string const& position, policy const& p);
// The customer notice: drafted from the status (never the internal impact text), editable by the
// Communications Lead until approved.
message_view customer_notice_view(incident const& i, policy const& p, timestamp now);
message_view approved_notice_view(incident const& i, policy const& p, timestamp now);
// What the customer notice says now: the edited text, or the draft.
std::string customer_notice_text(incident const& i, policy const& p, timestamp now);
// Who is on call now and next, per rotation.
message_view oncall_view(policy const& p, timestamp now);
message_view handoff_view(rotation const& r, timestamp at, policy const& p);
message_view phase_view(incident const& i, phase from, policy const& p, timestamp now);
message_view roles_view(incident const& i);
message_view actions_view(incident const& i, policy const& p, timestamp now);
// Incidents newest first, active ones apart from those awaiting close. Private incidents are listed by
// type only: a list is read outside their war rooms.
message_view list_view(std::vector<incident const*> const& incidents, bool all, policy const& p, timestamp now);
message_view stats_view(stats const& s, policy const& p);
message_view note_view(std::string text, std::vector<std::string> mentions = {});  // a plain line
message_view report_view(incident const& i, policy const& p, timestamp now);

modal_view declare_modal();
modal_view update_modal(incident const& i);
// The resolution, with the report's summary and affected services (optional).
modal_view resolve_modal(incident const& i);
modal_view customer_notice_modal(incident const& i, policy const& p, timestamp now);

// "severity · status · IC", the war room's topic.
std::string topic(incident const& i);

}  // namespace warroom::core
