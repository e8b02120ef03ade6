// decide() over the whole workflow: every phase × every command, each incident built by folding
// real events, each row stating the exact events or the exact refusal. Then the guards one by one.
#include <doctest/doctest.h>
#include <algorithm>

#include <set>

#include "tests/core/support.hpp"

namespace {

using namespace warroom::core;
using namespace warroom::core::test;

timestamp const now = t0 + 2h;
user_id const carol = "carol";
timestamp const march_10 = timestamp{std::chrono::sys_days{std::chrono::year{2026} / 3 / 10}};

event declared_p(severity sev, incident_type type = incident_type::outage) {
    return at(t0, "alice", declared{"API down", "All requests fail with 503", sev, type, t0 - 10min, "inc-1-api-down"});
}

// A P0 outage walked to `target` the way responders do it: the 0-minute page at declaration, an IC
// and an action item in investigation, mitigation in containment, resolution, recovery, the report.
std::vector<event> history(phase target) {
    std::vector<event> h{declared_p(severity::p0),
                         at(t0, bot_user, escalated{"on-call", "On-call engineer paged", false, ""})};
    if (target == phase::detection) return h;
    h.push_back(at(t0 + 1min, "alice", role_assigned{role::incident_commander, "bob", std::nullopt}));
    h.push_back(at(t0 + 2min, "bob", phase_changed{phase::detection, phase::investigation}));
    h.push_back(at(t0 + 3min, "bob", action_added{1, "Page the DBA", user_id{"carol"}, std::nullopt}));
    if (target == phase::investigation) return h;
    h.push_back(at(t0 + 10min, "bob", mitigated{}));
    h.push_back(at(t0 + 10min, "bob", phase_changed{phase::investigation, phase::containment}));
    if (target == phase::containment) return h;
    h.push_back(at(t0 + 20min, "bob", phase_changed{phase::containment, phase::resolution}));
    if (target == phase::resolution) return h;
    h.push_back(at(t0 + 30min, "bob", resolved{"Rolled back deploy 1234", "config change"}));
    h.push_back(at(t0 + 31min, "bob", phase_changed{phase::resolution, phase::recovery}));
    if (target == phase::recovery) return h;
    h.push_back(at(t0 + 40min, "bob", phase_changed{phase::recovery, phase::post_incident}));
    if (target == phase::post_incident) return h;
    h.push_back(at(t0 + 50min, "bob", report_generated{}));
    h.push_back(at(t0 + 60min, "bob", phase_changed{phase::post_incident, phase::closed}));
    h.push_back(at(t0 + 60min, "bob", closed{""}));
    return h;
}

struct row {
    phase in;
    command cmd;
    expected want;
};

command const update_cmd = post_update{status::identified, "Found the bad config", "30% of users"};
command const severity_cmd = change_severity{severity::p1};
command const phase_cmd = move_phase{phase::containment};
command const advance_cmd = advance{};
command const assign_cmd = assign_role{role::communications_lead, "dave"};
command const note_cmd = add_note{"  Checked the dashboards  "};
command const action_cmd = add_action{"Add a canary stage", user_id{"dave"}, march_10};
command const done_cmd = complete_action{1};
command const escalate_cmd = escalate{" DB team unreachable "};
command const resolve_cmd = resolve{" Rolled back deploy 1234 ", " config change "};
command const reopen_cmd = reopen{"errors are back"};
command const report_cmd = generate_report{};
command const close_cmd = close{};
command const ack_cmd = acknowledge{};
command const check_cmd = mark_checklist{std::nullopt, 1, true};
command const snooze_cmd = snooze{};
command const mark_cmd = mark_message{"C1/1772442300.000100", "bob", t0 + 5min, " Rollback started "};
command const unmark_cmd = unmark_message{"C1/1772442300.000100"};
payload const the_mark = message_marked{"C1/1772442300.000100", "bob", t0 + 5min, "Rollback started"};
std::string const not_marked = "that message is not on the INC-1 timeline";
command const approve_cmd = approve_customer_notice{};
command const regulator_cmd = confirm_regulator_notice{};
std::string const no_notice = "no customer notice has been drafted for INC-1 yet";
command const join_cmd = join_room{"erin"};
command const leave_cmd = leave_room{"alice"};
command const type_cmd = change_type{incident_type::security};
command const edit_cmd = edit_action{1, "Add a canary stage for config"};
command const remove_cmd = remove_action{1};
command const impact_cmd = record_impact{" 30% ", "api, web", ""};
command const decline_cmd = decline{" false alarm "};
command const notice_cmd = edit_customer_notice{"We are looking into slow checkouts."};
command const publish_cmd = publish{" We are looking into errors "};
command const publish_resolution_cmd = publish_resolution{};
std::string const never_published = "INC-1 was never published on the status page";
payload const the_publication = published{"We are looking into errors", status::investigating};
payload const published_resolved = published{"We are looking into errors", status::resolved};
payload const the_edit = action_edited{1, "Add a canary stage for config"};
payload const the_impact = impact_recorded{"30%", "api, web", ""};
std::string const no_action_yet = "INC-1 has no action item #1 (it has 0)";
std::string const was_resolved = "INC-1 was resolved, so it was an incident: `close <reason>` closes it";
payload const erin_joined = member_joined{"erin"};
payload const alice_left = member_left{"alice"};
// A public room cannot turn private: the incident moves to a new, neutrally named private room. (A
// function: GCC 12 tries to evaluate a namespace-scope vector of events at compile time, and runs
// out of memory doing so.)
std::vector<payload> to_security() {
    return {type_changed{incident_type::outage, incident_type::security}, room_moved{"inc-1-api-down", "inc-1-security"}};
}
std::string const not_regulated = "INC-1 does not run the regulator notification clock";

std::string const closed_reason = "INC-1 is closed; nothing can change";
std::string const needs_report = "closing INC-1 needs its report first (`report`), or a reason: `close <reason>`";
std::string const needs_ic = "a P0 incident needs an Incident Commander before it leaves Detection: `assign ic @user`";
std::string const backwards_tail = "; phases only move forward (use `reopen <reason>` to go back to investigation)";

payload const the_update = update_posted{status::identified, "Found the bad config", "30% of users"};
payload const comms_dave = role_assigned{role::communications_lead, "dave", std::nullopt};
// Whoever takes a role is brought into the war room.
payload const dave_invited = invited{{"dave"}};
payload const the_note = note_added{"Checked the dashboards"};
payload const em_manual = escalated{"engineering-manager", "Engineering manager notified", true, "DB team unreachable", {}, false};
payload const the_resolution = resolved{"Rolled back deploy 1234", "config change"};
// Snooze answers a nudge; these histories have had none since their last update.
std::string const no_nudge_waiting = "no update reminder is waiting for INC-1; the next comes at 09:30 UTC";

payload action_n(int n) { return action_added{n, "Add a canary stage", user_id{"dave"}, march_10}; }

// Built at run time, a function per phase: GCC 12 tries to evaluate one namespace-scope list of every
// row at compile time and runs out of memory (the events are a variant of many alternatives).
void add_detection_rows(std::vector<row>& t) {
    // Detection: a P0 with the 0-minute page sent and no Incident Commander yet.
    t.push_back({phase::detection, update_cmd, emits({the_update})});
    t.push_back({phase::detection, severity_cmd, emits({severity_changed{severity::p0, severity::p1}})});
    t.push_back({phase::detection, phase_cmd, refused(needs_ic)});
    t.push_back({phase::detection, advance_cmd, refused(needs_ic)});
    t.push_back({phase::detection, assign_cmd, emits({comms_dave, dave_invited})});
    t.push_back({phase::detection, note_cmd, emits({the_note})});
    t.push_back({phase::detection, action_cmd, emits({action_n(1)})});
    t.push_back({phase::detection, done_cmd, refused("INC-1 has no action item #1 (it has 0)")});
    t.push_back({phase::detection, escalate_cmd, emits({em_manual})});
    t.push_back({phase::detection, resolve_cmd, refused(needs_ic)});
    t.push_back({phase::detection, reopen_cmd, refused("INC-1 is not resolved; only a resolved or closed incident can be reopened")});
    t.push_back({phase::detection, report_cmd, refused("the report is written once INC-1 is resolved")});
    t.push_back({phase::detection, close_cmd, refused(needs_report)});
    t.push_back({phase::detection, ack_cmd, emits({acknowledged{}})});
    t.push_back({phase::detection, check_cmd, emits({checklist_marked{phase::detection, 1, true}})});
    t.push_back({phase::detection, snooze_cmd, refused(no_nudge_waiting)});
    t.push_back({phase::detection, mark_cmd, emits({the_mark})});
    t.push_back({phase::detection, unmark_cmd, refused(not_marked)});
    t.push_back({phase::detection, approve_cmd, refused(no_notice)});
    t.push_back({phase::detection, regulator_cmd, refused(not_regulated)});
    t.push_back({phase::detection, join_cmd, emits({erin_joined})});
    t.push_back({phase::detection, leave_cmd, emits({alice_left})});
    t.push_back({phase::detection, type_cmd, emits(to_security())});
    t.push_back({phase::detection, edit_cmd, refused(no_action_yet)});
    t.push_back({phase::detection, remove_cmd, refused(no_action_yet)});
    t.push_back({phase::detection, impact_cmd, emits({the_impact})});
    t.push_back({phase::detection, decline_cmd, emits({phase_changed{phase::detection, phase::closed}, declined{"false alarm"}})});
    t.push_back({phase::detection, notice_cmd, refused(no_notice)});
    t.push_back({phase::detection, publish_cmd, emits({the_publication})});
    t.push_back({phase::detection, publish_resolution_cmd, refused(never_published)});
}

void add_investigation_rows(std::vector<row>& t) {
    // Resolving leaves Detection too, so the IC guard holds.
    // Investigation: IC assigned, action item #1 open, not yet mitigated.
    t.push_back({phase::investigation, update_cmd, emits({the_update})});
    t.push_back({phase::investigation, severity_cmd, emits({severity_changed{severity::p0, severity::p1}})});
    t.push_back({phase::investigation, phase_cmd, emits({mitigated{}, phase_changed{phase::investigation, phase::containment}})});
    t.push_back({phase::investigation, advance_cmd, emits({mitigated{}, phase_changed{phase::investigation, phase::containment}})});
    t.push_back({phase::investigation, assign_cmd, emits({comms_dave, dave_invited})});
    t.push_back({phase::investigation, note_cmd, emits({the_note})});
    t.push_back({phase::investigation, action_cmd, emits({action_n(2)})});
    t.push_back({phase::investigation, done_cmd, emits({action_completed{1}})});
    t.push_back({phase::investigation, escalate_cmd, emits({em_manual})});
    t.push_back({phase::investigation, resolve_cmd, emits({mitigated{}, phase_changed{phase::investigation, phase::resolution}, the_resolution})});
    t.push_back({phase::investigation, reopen_cmd, refused("INC-1 is not resolved; only a resolved or closed incident can be reopened")});
    t.push_back({phase::investigation, report_cmd, refused("the report is written once INC-1 is resolved")});
    t.push_back({phase::investigation, close_cmd, refused(needs_report)});
    t.push_back({phase::investigation, ack_cmd, emits({acknowledged{}})});
    t.push_back({phase::investigation, check_cmd, emits({checklist_marked{phase::investigation, 1, true}})});
    t.push_back({phase::investigation, snooze_cmd, refused(no_nudge_waiting)});
    t.push_back({phase::investigation, mark_cmd, emits({the_mark})});
    t.push_back({phase::investigation, unmark_cmd, refused(not_marked)});
    t.push_back({phase::investigation, approve_cmd, refused(no_notice)});
    t.push_back({phase::investigation, regulator_cmd, refused(not_regulated)});
    t.push_back({phase::investigation, join_cmd, emits({erin_joined})});
    t.push_back({phase::investigation, leave_cmd, emits({alice_left})});
    t.push_back({phase::investigation, type_cmd, emits(to_security())});
    t.push_back({phase::investigation, edit_cmd, emits({the_edit})});
    t.push_back({phase::investigation, remove_cmd, emits({action_removed{1}})});
    t.push_back({phase::investigation, impact_cmd, emits({the_impact})});
    t.push_back({phase::investigation, decline_cmd, emits({phase_changed{phase::investigation, phase::closed}, declined{"false alarm"}})});
    t.push_back({phase::investigation, notice_cmd, refused(no_notice)});
    t.push_back({phase::investigation, publish_cmd, emits({the_publication})});
    t.push_back({phase::investigation, publish_resolution_cmd, refused(never_published)});
}

void add_containment_rows(std::vector<row>& t) {
    // Containment: mitigated already, so no second `mitigated`.
    t.push_back({phase::containment, update_cmd, emits({the_update})});
    t.push_back({phase::containment, severity_cmd, emits({severity_changed{severity::p0, severity::p1}})});
    t.push_back({phase::containment, phase_cmd, refused("INC-1 is already in Containment")});
    t.push_back({phase::containment, advance_cmd, emits({phase_changed{phase::containment, phase::resolution}})});
    t.push_back({phase::containment, assign_cmd, emits({comms_dave, dave_invited})});
    t.push_back({phase::containment, note_cmd, emits({the_note})});
    t.push_back({phase::containment, action_cmd, emits({action_n(2)})});
    t.push_back({phase::containment, done_cmd, emits({action_completed{1}})});
    t.push_back({phase::containment, escalate_cmd, emits({em_manual})});
    t.push_back({phase::containment, resolve_cmd, emits({phase_changed{phase::containment, phase::resolution}, the_resolution})});
    t.push_back({phase::containment, reopen_cmd, refused("INC-1 is not resolved; only a resolved or closed incident can be reopened")});
    t.push_back({phase::containment, report_cmd, refused("the report is written once INC-1 is resolved")});
    t.push_back({phase::containment, close_cmd, refused(needs_report)});
    t.push_back({phase::containment, ack_cmd, emits({acknowledged{}})});
    t.push_back({phase::containment, check_cmd, emits({checklist_marked{phase::containment, 1, true}})});
    t.push_back({phase::containment, snooze_cmd, refused(no_nudge_waiting)});
    t.push_back({phase::containment, mark_cmd, emits({the_mark})});
    t.push_back({phase::containment, unmark_cmd, refused(not_marked)});
    t.push_back({phase::containment, approve_cmd, refused(no_notice)});
    t.push_back({phase::containment, regulator_cmd, refused(not_regulated)});
    t.push_back({phase::containment, join_cmd, emits({erin_joined})});
    t.push_back({phase::containment, leave_cmd, emits({alice_left})});
    t.push_back({phase::containment, type_cmd, emits(to_security())});
    t.push_back({phase::containment, edit_cmd, emits({the_edit})});
    t.push_back({phase::containment, remove_cmd, emits({action_removed{1}})});
    t.push_back({phase::containment, impact_cmd, emits({the_impact})});
    t.push_back({phase::containment, decline_cmd, emits({phase_changed{phase::containment, phase::closed}, declined{"false alarm"}})});
    t.push_back({phase::containment, notice_cmd, refused(no_notice)});
    t.push_back({phase::containment, publish_cmd, emits({the_publication})});
    t.push_back({phase::containment, publish_resolution_cmd, refused(never_published)});
}

void add_resolution_rows(std::vector<row>& t) {
    // Resolution, the fix under way but not yet resolved.
    t.push_back({phase::resolution, update_cmd, emits({the_update})});
    t.push_back({phase::resolution, severity_cmd, emits({severity_changed{severity::p0, severity::p1}})});
    t.push_back({phase::resolution, phase_cmd, refused("INC-1 is in Resolution" + backwards_tail)});
    t.push_back({phase::resolution, advance_cmd, emits({phase_changed{phase::resolution, phase::recovery}})});
    t.push_back({phase::resolution, assign_cmd, emits({comms_dave, dave_invited})});
    t.push_back({phase::resolution, note_cmd, emits({the_note})});
    t.push_back({phase::resolution, action_cmd, emits({action_n(2)})});
    t.push_back({phase::resolution, done_cmd, emits({action_completed{1}})});
    t.push_back({phase::resolution, escalate_cmd, emits({em_manual})});
    t.push_back({phase::resolution, resolve_cmd, emits({the_resolution})});
    t.push_back({phase::resolution, reopen_cmd, refused("INC-1 is not resolved; only a resolved or closed incident can be reopened")});
    t.push_back({phase::resolution, report_cmd, refused("the report is written once INC-1 is resolved")});
    t.push_back({phase::resolution, close_cmd, refused(needs_report)});
    t.push_back({phase::resolution, ack_cmd, emits({acknowledged{}})});
    t.push_back({phase::resolution, check_cmd, emits({checklist_marked{phase::resolution, 1, true}})});
    t.push_back({phase::resolution, snooze_cmd, refused(no_nudge_waiting)});
    t.push_back({phase::resolution, mark_cmd, emits({the_mark})});
    t.push_back({phase::resolution, unmark_cmd, refused(not_marked)});
    t.push_back({phase::resolution, approve_cmd, refused(no_notice)});
    t.push_back({phase::resolution, regulator_cmd, refused(not_regulated)});
    t.push_back({phase::resolution, join_cmd, emits({erin_joined})});
    t.push_back({phase::resolution, leave_cmd, emits({alice_left})});
    t.push_back({phase::resolution, type_cmd, emits(to_security())});
    t.push_back({phase::resolution, edit_cmd, emits({the_edit})});
    t.push_back({phase::resolution, remove_cmd, emits({action_removed{1}})});
    t.push_back({phase::resolution, impact_cmd, emits({the_impact})});
    t.push_back({phase::resolution, decline_cmd, emits({phase_changed{phase::resolution, phase::closed}, declined{"false alarm"}})});
    t.push_back({phase::resolution, notice_cmd, refused(no_notice)});
    t.push_back({phase::resolution, publish_cmd, emits({the_publication})});
    t.push_back({phase::resolution, publish_resolution_cmd, refused(never_published)});
}

void add_recovery_rows(std::vector<row>& t) {
    // Recovery: resolved at 09:30.
    t.push_back({phase::recovery, update_cmd, refused("INC-1 is resolved; reopen it to post updates")});
    t.push_back({phase::recovery, severity_cmd, emits({severity_changed{severity::p0, severity::p1}})});
    t.push_back({phase::recovery, phase_cmd, refused("INC-1 is in Recovery" + backwards_tail)});
    t.push_back({phase::recovery, advance_cmd, emits({phase_changed{phase::recovery, phase::post_incident}})});
    t.push_back({phase::recovery, assign_cmd, emits({comms_dave, dave_invited})});
    t.push_back({phase::recovery, note_cmd, emits({the_note})});
    t.push_back({phase::recovery, action_cmd, emits({action_n(2)})});
    t.push_back({phase::recovery, done_cmd, emits({action_completed{1}})});
    t.push_back({phase::recovery, escalate_cmd, refused("INC-1 is resolved; there is nothing to escalate")});
    t.push_back({phase::recovery, resolve_cmd, refused("INC-1 was already resolved at 2026-03-02 09:30 UTC")});
    t.push_back({phase::recovery, reopen_cmd, emits({reopened{"errors are back"}})});
    t.push_back({phase::recovery, report_cmd, emits({report_generated{}})});
    t.push_back({phase::recovery, close_cmd, refused(needs_report)});
    t.push_back({phase::recovery, ack_cmd, refused("INC-1 is resolved; there is nothing to acknowledge")});
    t.push_back({phase::recovery, check_cmd, emits({checklist_marked{phase::recovery, 1, true}})});
    t.push_back({phase::recovery, snooze_cmd, refused("INC-1 is resolved; its update reminders have stopped")});
    t.push_back({phase::recovery, mark_cmd, emits({the_mark})});
    t.push_back({phase::recovery, unmark_cmd, refused(not_marked)});
    t.push_back({phase::recovery, approve_cmd, refused(no_notice)});
    t.push_back({phase::recovery, regulator_cmd, refused(not_regulated)});
    t.push_back({phase::recovery, join_cmd, emits({erin_joined})});
    t.push_back({phase::recovery, leave_cmd, emits({alice_left})});
    t.push_back({phase::recovery, type_cmd, emits(to_security())});
    t.push_back({phase::recovery, edit_cmd, emits({the_edit})});
    t.push_back({phase::recovery, remove_cmd, emits({action_removed{1}})});
    t.push_back({phase::recovery, impact_cmd, emits({the_impact})});
    t.push_back({phase::recovery, decline_cmd, refused(was_resolved)});
    t.push_back({phase::recovery, notice_cmd, refused(no_notice)});
    t.push_back({phase::recovery, publish_cmd, emits({published_resolved})});
    t.push_back({phase::recovery, publish_resolution_cmd, refused(never_published)});
}

void add_post_incident_rows(std::vector<row>& t) {
    // Post-Incident, no report yet: `advance` would close, which needs the report.
    t.push_back({phase::post_incident, update_cmd, refused("INC-1 is resolved; reopen it to post updates")});
    t.push_back({phase::post_incident, severity_cmd, emits({severity_changed{severity::p0, severity::p1}})});
    t.push_back({phase::post_incident, phase_cmd, refused("INC-1 is in Post-Incident" + backwards_tail)});
    t.push_back({phase::post_incident, advance_cmd, refused(needs_report)});
    t.push_back({phase::post_incident, assign_cmd, emits({comms_dave, dave_invited})});
    t.push_back({phase::post_incident, note_cmd, emits({the_note})});
    t.push_back({phase::post_incident, action_cmd, emits({action_n(2)})});
    t.push_back({phase::post_incident, done_cmd, emits({action_completed{1}})});
    t.push_back({phase::post_incident, escalate_cmd, refused("INC-1 is resolved; there is nothing to escalate")});
    t.push_back({phase::post_incident, resolve_cmd, refused("INC-1 was already resolved at 2026-03-02 09:30 UTC")});
    t.push_back({phase::post_incident, reopen_cmd, emits({reopened{"errors are back"}})});
    t.push_back({phase::post_incident, report_cmd, emits({report_generated{}})});
    t.push_back({phase::post_incident, close_cmd, refused(needs_report)});
    t.push_back({phase::post_incident, ack_cmd, refused("INC-1 is resolved; there is nothing to acknowledge")});
    t.push_back({phase::post_incident, check_cmd, emits({checklist_marked{phase::post_incident, 1, true}})});
    t.push_back({phase::post_incident, snooze_cmd, refused("INC-1 is resolved; its update reminders have stopped")});
    t.push_back({phase::post_incident, mark_cmd, emits({the_mark})});
    t.push_back({phase::post_incident, unmark_cmd, refused(not_marked)});
    t.push_back({phase::post_incident, approve_cmd, refused(no_notice)});
    t.push_back({phase::post_incident, regulator_cmd, refused(not_regulated)});
    t.push_back({phase::post_incident, join_cmd, emits({erin_joined})});
    t.push_back({phase::post_incident, leave_cmd, emits({alice_left})});
    t.push_back({phase::post_incident, type_cmd, emits(to_security())});
    t.push_back({phase::post_incident, edit_cmd, emits({the_edit})});
    t.push_back({phase::post_incident, remove_cmd, emits({action_removed{1}})});
    t.push_back({phase::post_incident, impact_cmd, emits({the_impact})});
    t.push_back({phase::post_incident, decline_cmd, refused(was_resolved)});
    t.push_back({phase::post_incident, notice_cmd, refused(no_notice)});
    t.push_back({phase::post_incident, publish_cmd, emits({published_resolved})});
    t.push_back({phase::post_incident, publish_resolution_cmd, refused(never_published)});
}

void add_closed_rows(std::vector<row>& t) {
    // Closed refuses everything but what outlives the incident: action items and the impact (post-mortems come after the
    // report), the regulator clock, who is in the room, and an admin's reopening.
    t.push_back({phase::closed, update_cmd, refused(closed_reason)});
    t.push_back({phase::closed, severity_cmd, refused(closed_reason)});
    t.push_back({phase::closed, phase_cmd, refused(closed_reason)});
    t.push_back({phase::closed, advance_cmd, refused(closed_reason)});
    t.push_back({phase::closed, assign_cmd, refused(closed_reason)});
    t.push_back({phase::closed, note_cmd, refused(closed_reason)});
    t.push_back({phase::closed, action_cmd, emits({action_n(2)})});
    t.push_back({phase::closed, done_cmd, emits({action_completed{1}})});  // tracked until done, after closing too
    t.push_back({phase::closed, escalate_cmd, refused(closed_reason)});
    t.push_back({phase::closed, resolve_cmd, refused(closed_reason)});
    t.push_back({phase::closed, reopen_cmd, emits({reopened{"errors are back"}})});
    t.push_back({phase::closed, report_cmd, refused(closed_reason)});
    t.push_back({phase::closed, close_cmd, refused(closed_reason)});
    t.push_back({phase::closed, ack_cmd, refused(closed_reason)});
    // The post-mortem may be held after the close: the post-incident checklist stays open.
    t.push_back({phase::closed, check_cmd, emits({checklist_marked{phase::post_incident, 1, true}})});
    t.push_back({phase::closed, snooze_cmd, refused(closed_reason)});
    t.push_back({phase::closed, mark_cmd, refused(closed_reason)});
    t.push_back({phase::closed, unmark_cmd, refused(closed_reason)});
    t.push_back({phase::closed, approve_cmd, refused(closed_reason)});
    t.push_back({phase::closed, regulator_cmd, refused(not_regulated)});
    t.push_back({phase::closed, join_cmd, emits({erin_joined})});
    t.push_back({phase::closed, leave_cmd, emits({alice_left})});
    t.push_back({phase::closed, type_cmd, refused(closed_reason)});
    t.push_back({phase::closed, edit_cmd, emits({the_edit})});
    t.push_back({phase::closed, remove_cmd, emits({action_removed{1}})});
    t.push_back({phase::closed, impact_cmd, emits({the_impact})});  // the cost is often known only later
    t.push_back({phase::closed, decline_cmd, refused(closed_reason)});
    t.push_back({phase::closed, notice_cmd, refused(closed_reason)});
    t.push_back({phase::closed, publish_cmd, refused(closed_reason)});
    t.push_back({phase::closed, publish_resolution_cmd, refused(never_published)});
}

std::vector<row> make_table() {
    std::vector<row> t;
    add_detection_rows(t);
    add_investigation_rows(t);
    add_containment_rows(t);
    add_resolution_rows(t);
    add_recovery_rows(t);
    add_post_incident_rows(t);
    add_closed_rows(t);
    return t;
}
std::vector<row> const table = make_table();

void check_decision(incident const& inc, command const& cmd, expected const& want, timestamp when = now) {
    auto const d = decide(inc, cmd, carol, when, rules());
    CHECK(describe(d) == describe(want));
    // CHECK, not REQUIRE: one wrong row must not hide the rows after it.
    if (want.refusal) {
        auto const* r = std::get_if<refusal>(&d);
        CHECK(r != nullptr);
        if (r) CHECK(r->reason == *want.refusal);
        return;
    }
    auto const* events = std::get_if<std::vector<event>>(&d);
    CHECK(events != nullptr);
    if (!events) return;
    CHECK(payloads(*events) == want.events);
    for (auto const& e : *events) {
        CHECK(e.incident == 1);
        CHECK(e.at == when);
        CHECK(e.by == carol);
    }
}

}  // namespace

TEST_CASE("the transition table has one row for every phase and every command") {
    std::set<std::pair<phase, std::size_t>> seen;
    for (auto const& r : table) {
        CAPTURE(to_string(r.in));
        CAPTURE(command_name(r.cmd));
        CHECK(seen.insert({r.in, r.cmd.index()}).second);
    }
    CHECK(seen.size() == std::size(all_phases) * std::variant_size_v<command>);
}

TEST_CASE("the histories reach the phase they are named after") {
    for (auto const ph : all_phases) {
        CAPTURE(to_string(ph));
        auto const inc = given(history(ph));
        CHECK(inc.ph == ph);
        CHECK(inc.version == static_cast<int>(history(ph).size()));
        CHECK(inc.is_resolved() == (ph >= phase::recovery));
    }
}

TEST_CASE("every command in every phase gives the workflow's events or its precise refusal") {
    for (auto const& r : table) {
        auto const phase_name = to_string(r.in);
        auto const cmd_name = command_name(r.cmd);
        CAPTURE(phase_name);
        CAPTURE(cmd_name);
        check_decision(given(history(r.in)), r.cmd, r.want);
    }
}

TEST_CASE("P0 cannot leave detection without an incident commander") {
    auto const inc = given({declared_p(severity::p0)});
    check_decision(inc, advance{}, refused(needs_ic));
    check_decision(inc, move_phase{phase::recovery}, refused(needs_ic));
}

TEST_CASE("P1 cannot leave detection without an incident commander") {
    auto const inc = given({declared_p(severity::p1)});
    check_decision(inc, advance{},
                   refused("a P1 incident needs an Incident Commander before it leaves Detection: `assign ic @user`"));
}

TEST_CASE("P2 and P3 may leave detection without an incident commander") {
    for (auto const sev : {severity::p2, severity::p3}) {
        CAPTURE(to_string(sev));
        auto const inc = given({declared_p(sev)});
        check_decision(inc, advance{}, emits({phase_changed{phase::detection, phase::investigation}}));
    }
}

TEST_CASE("resolving from detection needs an incident commander for P0 and P1 only") {
    for (auto const sev : all_severities) {
        CAPTURE(to_string(sev));
        auto const inc = given({declared_p(sev)});
        if (sev == severity::p0 || sev == severity::p1) {
            check_decision(
                inc, resolve{"restarted the pods", ""},
                refused("a " + std::string(to_string(sev)) +
                        " incident needs an Incident Commander before it leaves Detection: `assign ic @user`"));
        } else {
            check_decision(inc, resolve{"restarted the pods", ""},
                           emits({mitigated{}, phase_changed{phase::detection, phase::resolution},
                                  resolved{"restarted the pods", ""}}));
        }
    }
    // A duplicate can still be closed with a reason straight from detection.
    check_decision(given({declared_p(severity::p0)}), close{"duplicate of INC-7"},
                   emits({phase_changed{phase::detection, phase::closed}, closed{"duplicate of INC-7"}}));
}

TEST_CASE("a false alarm has one path: decline, which every resolve or close of one points to") {
    std::string const to_decline =
        "a false alarm is not resolved or closed as an incident: `decline <reason>` closes INC-1 and keeps it out of "
        "the metrics";
    for (auto const sev : all_severities) {
        CAPTURE(to_string(sev));
        auto const inc = given({declared_p(sev)});
        check_decision(inc, resolve{"false alarm", ""}, refused(to_decline));
        check_decision(inc, close{"False positive from the probe"}, refused(to_decline));
        check_decision(inc, decline{"false alarm: the probe was broken"},
                       emits({phase_changed{phase::detection, phase::closed}, declined{"false alarm: the probe was broken"}}));
    }
    auto const declined_one = given({declared_p(severity::p1),
                                     at(t0 + 5min, "alice", phase_changed{phase::detection, phase::closed}),
                                     at(t0 + 5min, "alice", declined{"false alarm"})});
    CHECK(declined_one.declined);
    CHECK_FALSE(declined_one.is_active());
    CHECK_FALSE(declined_one.is_awaiting_close());
    check_decision(declined_one, decline{"again"}, refused(closed_reason));
}

TEST_CASE("a P0 leaves detection once an incident commander is assigned") {
    auto const inc = given({declared_p(severity::p0),
                            at(t0 + 1min, "alice", role_assigned{role::incident_commander, "bob", std::nullopt})});
    check_decision(inc, advance{}, emits({phase_changed{phase::detection, phase::investigation}}));
}

TEST_CASE("phases move forward only and may skip phases") {
    auto const inv = given(history(phase::investigation));
    check_decision(inv, move_phase{phase::detection}, refused("INC-1 is in Investigation" + backwards_tail));
    check_decision(inv, move_phase{phase::investigation}, refused("INC-1 is already in Investigation"));
    check_decision(inv, move_phase{phase::recovery},
                   emits({mitigated{}, phase_changed{phase::investigation, phase::recovery}}));
    check_decision(inv, move_phase{phase::resolution},
                   emits({mitigated{}, phase_changed{phase::investigation, phase::resolution}}));
}

TEST_CASE("post-incident requires the incident to be resolved") {
    check_decision(given(history(phase::resolution)), move_phase{phase::post_incident},
                   refused("Post-Incident requires INC-1 to be resolved first: `resolve <resolution>`"));
    check_decision(given(history(phase::investigation)), move_phase{phase::post_incident},
                   refused("Post-Incident requires INC-1 to be resolved first: `resolve <resolution>`"));
    check_decision(given(history(phase::recovery)), move_phase{phase::post_incident},
                   emits({phase_changed{phase::recovery, phase::post_incident}}));
}

TEST_CASE("closed requires the report unless a reason is given") {
    auto h = history(phase::post_incident);
    check_decision(given(h), close{"  "}, refused(needs_report));
    check_decision(given(h), move_phase{phase::closed}, refused(needs_report));
    check_decision(given(h), close{" duplicate of INC-7 "},
                   emits({phase_changed{phase::post_incident, phase::closed}, closed{"duplicate of INC-7"}}));
    check_decision(given(history(phase::detection)), close{"duplicate of INC-7"},
                   emits({phase_changed{phase::detection, phase::closed}, closed{"duplicate of INC-7"}}));
    h.push_back(at(t0 + 50min, "bob", report_generated{}));
    check_decision(given(h), close{}, emits({phase_changed{phase::post_incident, phase::closed}, closed{""}}));
    check_decision(given(h), advance{}, emits({phase_changed{phase::post_incident, phase::closed}, closed{""}}));
    check_decision(given(h), move_phase{phase::closed},
                   emits({phase_changed{phase::post_incident, phase::closed}, closed{""}}));
}

TEST_CASE("closing records the close time and a closed incident has no next phase") {
    auto const inc = given(history(phase::closed));
    CHECK(inc.closed_at == t0 + 60min);
    CHECK(inc.is_closed());
    CHECK_FALSE(next_phase(inc).has_value());
}

TEST_CASE("a closed incident's post-incident checklist stays open, and only that one") {
    auto const inc = given(history(phase::closed));
    check_decision(inc, mark_checklist{phase::post_incident, 0, true},
                   emits({checklist_marked{phase::post_incident, 0, true}}));
    check_decision(inc, mark_checklist{phase::recovery, 1, true}, refused(closed_reason));
    check_decision(inc, mark_checklist{phase::investigation, 0, true}, refused(closed_reason));
}

TEST_CASE("reopen takes a resolved incident back to investigation") {
    auto h = history(phase::post_incident);
    check_decision(given(h), reopen{"  "}, refused("say why it is reopened: `reopen <reason>`"));
    h.push_back(at(now, carol, reopened{"errors are back"}));
    auto const inc = given(h);
    CHECK(inc.ph == phase::investigation);
    CHECK(inc.st == status::investigating);
    CHECK_FALSE(inc.is_resolved());
    CHECK(inc.last_update_at == now);
    CHECK(inc.timeline.back().text == "Reopened (back to Investigation): errors are back");
    // Reopened, it takes updates and can be resolved again; mitigation was already recorded.
    check_decision(inc, post_update{std::nullopt, "still failing", ""},
                   emits({update_posted{status::investigating, "still failing", ""}}));
    check_decision(inc, resolve{"Disabled the cache", ""},
                   emits({phase_changed{phase::investigation, phase::resolution}, resolved{"Disabled the cache", ""}}));
}

TEST_CASE("mitigated is emitted once whichever way the incident gets there") {
    auto h = history(phase::investigation);
    check_decision(given(h), post_update{status::monitoring, "fix out, watching", ""},
                   emits({mitigated{}, update_posted{status::monitoring, "fix out, watching", ""}}));
    check_decision(
        given(h), resolve{"restarted", ""},
        emits({mitigated{}, phase_changed{phase::investigation, phase::resolution}, resolved{"restarted", ""}}));
    h.push_back(at(t0 + 5min, "bob", mitigated{}));
    h.push_back(at(t0 + 5min, "bob", update_posted{status::monitoring, "fix out, watching", ""}));
    auto const inc = given(h);
    CHECK(inc.mitigated_at == t0 + 5min);
    check_decision(inc, advance{}, emits({phase_changed{phase::investigation, phase::containment}}));
    check_decision(inc, post_update{status::monitoring, "still watching", ""},
                   emits({update_posted{status::monitoring, "still watching", ""}}));
    check_decision(inc, resolve{"restarted", ""},
                   emits({phase_changed{phase::investigation, phase::resolution}, resolved{"restarted", ""}}));
}

TEST_CASE("an update keeps the current status when none is given and refuses empty or resolving updates") {
    auto const inc = given(history(phase::investigation));
    check_decision(inc, post_update{std::nullopt, " checking logs ", " EU only "},
                   emits({update_posted{status::investigating, "checking logs", "EU only"}}));
    check_decision(inc, post_update{status::resolved, "all good", ""},
                   refused("use `resolve <resolution>` to resolve INC-1"));
    check_decision(inc, post_update{status::identified, " \n ", ""},
                   refused("an update needs text: what changed, what is being done"));
    check_decision(inc, post_update{std::nullopt, std::string(max_text + 1, 'x'), ""},
                   refused("the update is 40001 characters long; the limit is 40000"));
}

TEST_CASE("severity cannot be changed to the severity it already has") {
    check_decision(given(history(phase::investigation)), change_severity{severity::p0}, refused("INC-1 is already P0"));
}

TEST_CASE("roles are handed over with the previous holder and SMEs accumulate") {
    auto h = history(phase::investigation);
    check_decision(given(h), assign_role{role::incident_commander, "carol"},
                   emits({role_assigned{role::incident_commander, "carol", user_id{"bob"}}, invited{{"carol"}}}));
    check_decision(given(h), assign_role{role::incident_commander, "bob"},
                   refused("@bob is already Incident Commander of INC-1"));
    check_decision(given(h), assign_role{role::scribe, ""}, refused("name the person: `assign <role> @user`"));
    h.push_back(at(t0 + 4min, "bob", role_assigned{role::subject_matter_expert, "erin", std::nullopt}));
    check_decision(given(h), assign_role{role::subject_matter_expert, "frank"},
                   emits({role_assigned{role::subject_matter_expert, "frank", std::nullopt}, invited{{"frank"}}}));
    // Someone already in the room is not invited again.
    h.push_back(at(t0 + 5min, "frank", member_joined{"frank"}));
    check_decision(given(h), assign_role{role::scribe, "frank"},
                   emits({role_assigned{role::scribe, "frank", std::nullopt}}));
    check_decision(given(h), assign_role{role::subject_matter_expert, "erin"},
                   refused("@erin is already Subject Matter Expert of INC-1"));
}

TEST_CASE("notes and action items need text and action items cannot be due in the past") {
    auto const inc = given(history(phase::investigation));
    check_decision(inc, add_note{" \t"}, refused("a note needs text"));
    check_decision(inc, add_action{"  ", std::nullopt, std::nullopt},
                   refused("an action item needs text: what should be done"));
    auto const yesterday = timestamp{std::chrono::sys_days{std::chrono::year{2026} / 3 / 1}};
    auto const today = timestamp{std::chrono::sys_days{std::chrono::year{2026} / 3 / 2}};
    check_decision(inc, add_action{"Fix it", std::nullopt, yesterday},
                   refused("the due date 2026-03-01 is in the past"));
    check_decision(inc, add_action{"Fix it", std::nullopt, today},
                   emits({action_added{2, "Fix it", std::nullopt, today}}));
    check_decision(inc, add_action{std::string(1001, 'a'), std::nullopt, std::nullopt},
                   refused("the action item is 1001 characters long; the limit is 1000"));
}

TEST_CASE("an action item is completed once") {
    auto h = history(phase::investigation);
    h.push_back(at(t0 + 5min, "carol", action_completed{1}));
    auto const inc = given(h);
    REQUIRE(inc.actions.size() == 1);
    CHECK(inc.actions[0].done_by == user_id{"carol"});
    CHECK(inc.actions[0].done_at == t0 + 5min);
    check_decision(inc, complete_action{1}, refused("action item #1 is already done"));
    check_decision(inc, complete_action{3}, refused("INC-1 has no action item #3 (it has 1)"));
}

TEST_CASE("manual escalation takes the next step not yet taken until none is left") {
    auto h = history(phase::investigation);
    check_decision(given(h), escalate{},
                   emits({escalated{"engineering-manager", "Engineering manager notified", true, "", {}, false}}));
    for (auto const* target : {"engineering-manager", "vp-engineering", "executives", "customer-communication"}) {
        h.push_back(at(t0 + 5min, bot_user, escalated{target, target, false, ""}));
    }
    check_decision(given(h), escalate{"why not"}, refused("every escalation step for P0 has been taken for INC-1"));
}

TEST_CASE("a P3 has no escalation steps to take by hand") {
    // Reported as questionable: the refusal says every step "has been taken" when P3 has none.
    check_decision(given({declared_p(severity::p3)}), escalate{}, refused("P3 incidents have no escalation steps"));
}

TEST_CASE("acknowledgement happens once and says who acknowledged") {
    auto h = history(phase::investigation);
    h.push_back(at(t0 + 4min, "carol", acknowledged{}));
    auto const inc = given(h);
    CHECK(inc.acknowledged_at == t0 + 4min);
    CHECK(inc.acknowledged_by == user_id{"carol"});
    check_decision(inc, acknowledge{}, refused("INC-1 was already acknowledged by @carol at 09:04 UTC"));
}

TEST_CASE("checklist items exist per phase and are checked or unchecked once") {
    auto h = history(phase::containment);
    check_decision(given(h), mark_checklist{std::nullopt, 4, true}, refused("Containment has no checklist item 5"));
    check_decision(given(h), mark_checklist{std::nullopt, -1, true}, refused("Containment has no checklist item 0"));
    check_decision(given(h), mark_checklist{phase::post_incident, 0, true},
                   emits({checklist_marked{phase::post_incident, 0, true}}));
    check_decision(given(h), mark_checklist{phase::detection, 1, false},
                   refused("\"Initial triage and severity assessment\" is already unchecked"));
    h.push_back(at(t0 + 11min, "bob", checklist_marked{phase::containment, 1, true}));
    auto const inc = given(h);
    CHECK(inc.checks.at({phase::containment, 1}) == check_mark{"bob", t0 + 11min});
    check_decision(inc, mark_checklist{std::nullopt, 1, true},
                   refused("\"Prevent further damage\" is already checked"));
    check_decision(inc, mark_checklist{std::nullopt, 1, false},
                   emits({checklist_marked{phase::containment, 1, false}}));
}

TEST_CASE("only severities with an update cadence can snooze their reminders") {
    for (auto const sev : {severity::p2, severity::p3}) {
        CAPTURE(to_string(sev));
        check_decision(given({declared_p(sev)}), snooze{},
                       refused(std::string(to_string(sev)) + " incidents have no update reminders to snooze"));
    }
    auto const p1 = declared_p(severity::p1);
    check_decision(given({p1}), snooze{},
                   refused("no update reminder is waiting for INC-1; the next comes at 10:00 UTC"));
    // After the nudge has gone out, Snooze delays the next one.
    check_decision(given({p1, event{1, now - 1min, "warroom", nudged{}}}), snooze{}, emits({snoozed{now + 15min}}));
}

TEST_CASE("a declaration needs a title of at most 200 characters and a plausible start") {
    declare d{severity::p1, incident_type::security, "  Leaked token  ", " in logs ", t0 - 20min};
    auto const ok = decide_declare(7, d, "alice", t0, policy::defaults());
    REQUIRE(std::holds_alternative<std::vector<event>>(ok));
    auto const& events = std::get<std::vector<event>>(ok);
    // A private incident's room is named for its type, never its title; the declarer leads; the
    // declarer is brought into the room.
    CHECK(events == std::vector<event>{
                        event{7, t0, "alice",
                              declared{"Leaked token", "in logs", severity::p1, incident_type::security, t0 - 20min,
                                       "inc-7-security"}},
                        event{7, t0, "alice", role_assigned{role::incident_commander, "alice", std::nullopt}},
                        event{7, t0, "alice", invited{{"alice"}}},
                    });

    struct bad_row {
        declare cmd;
        std::string reason;
    };
    std::vector<bad_row> const rows = {
        {{severity::p2, incident_type::outage, " ", "", std::nullopt}, "an incident needs a title: what is broken"},
        {{severity::p2, incident_type::outage, std::string(5000, 't'), "", std::nullopt},
         "the title is 5000 characters long; the limit is 200"},
        {{severity::p2, incident_type::outage, std::string(201, 't'), "", std::nullopt},
         "the title is 201 characters long; the limit is 200"},
        {{severity::p2, incident_type::outage, "x", "", t0 + 1min},
         "the impact cannot start in the future (2026-03-02 09:01 UTC)"},
        {{severity::p2, incident_type::outage, "x", "", t0 - std::chrono::days{31}},
         "the impact start 2026-01-30 09:00 UTC is more than 30 days ago"},
        {{severity::p2, incident_type::outage, "x", "", t0 - 10min, false, t0 - 20min},
         "it cannot be detected (2026-03-02 08:40 UTC) before the impact started (2026-03-02 08:50 UTC)"},
        {{severity::p2, incident_type::outage, "x", "", std::nullopt, false, t0 + 1min},
         "it cannot be detected in the future (2026-03-02 09:01 UTC)"},
    };
    for (auto const& r : rows) {
        CAPTURE(r.reason);
        auto const dec = decide_declare(1, r.cmd, "alice", t0, policy::defaults());
        auto const* refused_with = std::get_if<refusal>(&dec);
        CHECK(refused_with != nullptr);
        if (refused_with) CHECK(refused_with->reason == r.reason);
    }
    auto const exactly_200 =
        decide_declare(1, {severity::p2, incident_type::outage, std::string(200, 't'), "", {}}, "alice", t0, policy::defaults());
    CHECK(std::holds_alternative<std::vector<event>>(exactly_200));
}

TEST_CASE("the declaration sets the incident's clocks and the declared event starts the timeline") {
    auto const inc = given({declared_p(severity::p0)});
    CHECK(inc.number == 1);
    CHECK(inc.started_at == t0 - 10min);
    CHECK(inc.detected_at == t0);
    CHECK(inc.declared_at == t0);
    CHECK(inc.last_update_at == t0);
    CHECK(inc.ph == phase::detection);
    CHECK(inc.st == status::investigating);
    CHECK(inc.declared_by == "alice");
    REQUIRE(inc.timeline.size() == 1);
    CHECK(inc.timeline[0] == timeline_entry{t0, "alice", "Incident declared: P0 Service Outage — API down", {}});
}

TEST_CASE("reopening forgets the report of the first resolution") {
    auto inc = given(history(phase::post_incident));
    inc = apply(inc, event{1, now, "alice", report_generated{}});
    REQUIRE(inc.report_at.has_value());
    inc = apply(inc, event{1, now + 1min, "alice", reopened{"errors are back"}});
    CHECK_FALSE(inc.report_at.has_value());
    check_decision(inc, close{},
                   refused("closing INC-1 needs its report first (`report`), or a reason: `close <reason>`"));
}

TEST_CASE("a marked message takes its place on the timeline by its own time and can be taken off") {
    auto const inc = given(history(phase::investigation));
    auto const d = decide(inc, mark_cmd, carol, inc.timeline.back().at + 1h, rules());
    REQUIRE(std::holds_alternative<std::vector<event>>(d));
    auto const marked = apply(inc, std::get<std::vector<event>>(d).front());
    auto const it = std::find_if(marked.timeline.begin(), marked.timeline.end(),
                                 [](auto const& e) { return e.ref == "C1/1772442300.000100"; });
    REQUIRE(it != marked.timeline.end());
    CHECK(it->at == t0 + 5min);
    CHECK(it->by == "bob");
    CHECK(it->text == "📌 Rollback started");
    CHECK(std::is_sorted(marked.timeline.begin(), marked.timeline.end(),
                         [](auto const& a, auto const& b) { return a.at < b.at; }));
    check_decision(marked, mark_cmd, refused("that message is already on the INC-1 timeline"));
    auto const u = decide(marked, unmark_cmd, carol, inc.timeline.back().at + 2h, rules());
    REQUIRE(std::holds_alternative<std::vector<event>>(u));
    auto const unmarked = apply(marked, std::get<std::vector<event>>(u).front());
    CHECK(unmarked.timeline == inc.timeline);
}

TEST_CASE("a message from the future is placed at the time it was marked") {
    auto const inc = given(history(phase::investigation));
    auto const now = inc.timeline.back().at + 1min;
    auto const d = decide(inc, mark_message{"C1/9", "bob", now + 1h, "later"}, carol, now, rules());
    REQUIRE(std::holds_alternative<std::vector<event>>(d));
    CHECK(std::get<message_marked>(std::get<std::vector<event>>(d).front().what).posted_at == now);
}

TEST_CASE("a room that is private already stays where it is when the type changes back and forth") {
    // Declared as security: its room is private from the start.
    auto const secret = given({at(t0, "alice", declared{"Leaked keys", "", severity::p0, incident_type::security, t0,
                                                        "inc-1-security"}),
                               at(t0 + 1min, "alice", role_assigned{role::incident_commander, "alice", std::nullopt})});
    auto const to_outage = decide(secret, change_type{incident_type::outage}, "alice", t0 + 2min, rules());
    REQUIRE(std::holds_alternative<std::vector<event>>(to_outage));
    auto back = secret;
    for (auto const& e : std::get<std::vector<event>>(to_outage)) back = apply(back, e);
    auto const again = decide(back, change_type{incident_type::security}, "alice", t0 + 3min, rules());
    REQUIRE(std::holds_alternative<std::vector<event>>(again));
    for (auto const& e : std::get<std::vector<event>>(again)) CHECK_FALSE(std::holds_alternative<room_moved>(e.what));
    // Moved once: the new private room is not moved again.
    auto moved = given({at(t0, "alice", declared{"API down", "", severity::p1, incident_type::outage, t0, "inc-1-api-down"}),
                        at(t0 + 1min, "alice", type_changed{incident_type::outage, incident_type::security}),
                        at(t0 + 1min, "alice", room_moved{"inc-1-api-down", "inc-1-security"}),
                        at(t0 + 2min, "alice", type_changed{incident_type::security, incident_type::outage})});
    auto const third = decide(moved, change_type{incident_type::privacy}, "alice", t0 + 3min, rules());
    REQUIRE(std::holds_alternative<std::vector<event>>(third));
    for (auto const& e : std::get<std::vector<event>>(third)) CHECK_FALSE(std::holds_alternative<room_moved>(e.what));
}

TEST_CASE("today is the configured zone's day when a due date is checked") {
    struct los_angeles_winter : time_zone {
        std::string name() const override { return "America/Los_Angeles"; }
        seconds offset(timestamp) const override { return -8h; }
        std::string abbreviation(timestamp) const override { return "PST"; }
    };
    static los_angeles_winter const la;
    auto p = rules();
    p.zone = &la;
    auto const inc = given({declared_p(severity::p3)});
    // 02:00 UTC on 03-03 is still 03-02 in Los Angeles: due 03-02 is today there, not the past.
    auto const at_two = timestamp{std::chrono::sys_days{std::chrono::year{2026} / 3 / 3}} + 2h;
    auto const march_2 = timestamp{std::chrono::sys_days{std::chrono::year{2026} / 3 / 2}};
    auto const d = decide(inc, add_action{"Fix it", std::nullopt, march_2}, "alice", at_two, p);
    CHECK(std::holds_alternative<std::vector<event>>(d));
    auto const utc = decide(inc, add_action{"Fix it", std::nullopt, march_2}, "alice", at_two, rules());
    CHECK(std::holds_alternative<refusal>(utc));
}
