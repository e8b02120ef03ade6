// The workflow's rules. Each handler returns the events a valid command causes, or a refusal that
// names the incident and what to do instead.
#include "core/decide.hpp"

#include <algorithm>
#include <cctype>

#include "core/contact.hpp"
#include "core/oncall.hpp"
#include "core/reminders.hpp"
#include "core/views.hpp"

namespace warroom::core {
namespace {

using namespace std::chrono_literals;

// Events hold their own text.
std::string trimmed(std::string_view s) { return std::string(trim(s)); }

refusal too_long(std::string_view what, std::size_t size, std::size_t limit) {
    return {std::string(what) + " is " + std::to_string(size) + " characters long; the limit is " +
            std::to_string(limit)};
}

struct decider {
    incident const& i;
    user_id const& by;
    timestamp now;
    policy const& p;

    std::string ref() const { return incident_ref(i.number); }
    event ev(payload what) const { return {i.number, now, by, std::move(what)}; }

    // Entering containment or later, or reporting that the fix is being watched, means impact is mitigated.
    void mark_mitigated(std::vector<event>& out) const {
        if (!i.mitigated_at) out.push_back(ev(mitigated{}));
    }

    decision operator()(post_update const& c) const {
        if (i.is_resolved()) return refusal{ref() + " is resolved; reopen it to post updates"};
        if (c.st == status::resolved) return refusal{"use `resolve <resolution>` to resolve " + ref()};
        auto const text = trimmed(c.text);
        if (text.empty()) return refusal{"an update needs text: what changed, what is being done"};
        if (text.size() > max_text) return too_long("the update", text.size(), max_text);
        std::vector<event> out;
        auto const st = c.st.value_or(i.st);
        if (st == status::monitoring) mark_mitigated(out);
        if (auto const r = unknown_component(c.components, p)) return *r;
        out.push_back(ev(update_posted{st, text, trimmed(c.impact), c.components}));
        return out;
    }

    decision operator()(publish const& c) const {
        auto const text = trimmed(c.text);
        if (text.empty()) return refusal{"a publication needs its public text: what customers should read"};
        if (text.size() > max_text) return too_long("the public text", text.size(), max_text);
        if (auto const r = unknown_component(c.components, p)) return *r;
        auto components = c.components;
        if (components.empty() && c.component_st) components = published_components();
        if (components.empty() && c.component_st) {
            return refusal{"which components are " + std::string(to_string(*c.component_st)) +
                           "? name them: `publish component:<name> status:" + std::string(to_string(*c.component_st)) +
                           " <public text>`"};
        }
        auto const st = i.is_resolved() ? status::resolved : i.st;
        return std::vector<event>{ev(published{text, st, std::move(components), c.component_st})};
    }

    decision operator()(publish_resolution const&) const {
        if (i.publications.empty()) return refusal{ref() + " was never published on the status page"};
        if (!i.is_resolved()) return refusal{ref() + " is not resolved yet: `resolve <resolution>` first"};
        if (!resolution_unpublished(i)) return refusal{"the resolution of " + ref() + " is already published"};
        return std::vector<event>{
            ev(published{std::string(resolution_text), status::resolved, published_components(),
                         component_status::operational})};
    }

    // Every component the incident has put a status on, in the order first published.
    std::vector<std::string> published_components() const {
        std::vector<std::string> out;
        for (auto const& pub : i.publications) {
            for (auto const& c : pub.components) {
                if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
            }
        }
        return out;
    }

    decision operator()(change_severity const& c) const {
        if (c.to == i.sev) return refusal{ref() + " is already " + std::string(to_string(c.to))};
        return std::vector<event>{ev(severity_changed{i.sev, c.to})};
    }

    std::optional<refusal> needs_commander() const {
        if (i.ph == phase::detection && (i.sev == severity::p0 || i.sev == severity::p1) &&
            !i.holder(role::incident_commander)) {
            return refusal{"a " + std::string(to_string(i.sev)) +
                           " incident needs an Incident Commander before it leaves Detection: `assign ic @user`"};
        }
        return std::nullopt;
    }

    decision to_phase(phase to) const {
        if (to == i.ph) return refusal{ref() + " is already in " + std::string(display_name(to))};
        if (to < i.ph) {
            return refusal{ref() + " is in " + std::string(display_name(i.ph)) +
                           "; phases only move forward (use `reopen <reason>` to go back to investigation)"};
        }
        if (to == phase::closed) return (*this)(close{});
        if (auto const r = needs_commander()) return *r;
        if (to == phase::post_incident && !i.is_resolved()) {
            return refusal{"Post-Incident requires " + ref() + " to be resolved first: `resolve <resolution>`"};
        }
        std::vector<event> out;
        if (to >= phase::containment) mark_mitigated(out);
        out.push_back(ev(phase_changed{i.ph, to}));
        return out;
    }

    decision operator()(move_phase const& c) const { return to_phase(c.to); }

    decision operator()(advance const&) const {
        auto const next = next_phase(i);
        if (!next) return refusal{ref() + " is closed; there is no next phase"};
        return to_phase(*next);
    }

    decision operator()(assign_role const& c) const {
        if (c.user.empty()) return refusal{"name the person: `assign <role> @user`"};
        auto const it = i.roles.find(c.r);
        std::optional<user_id> previous;
        if (it != i.roles.end()) {
            if (std::find(it->second.begin(), it->second.end(), c.user) != it->second.end()) {
                return refusal{"@" + c.user + " is already " + std::string(display_name(c.r)) + " of " + ref()};
            }
            if (c.r != role::subject_matter_expert && !it->second.empty()) previous = it->second.front();
        }
        std::vector<event> out{ev(role_assigned{c.r, c.user, previous})};
        // Whoever takes a role is brought into the war room (a private one is otherwise closed to them).
        if (!i.is_member(c.user)) out.push_back(ev(invited{{c.user}}));
        return out;
    }

    decision operator()(add_note const& c) const {
        auto const text = trimmed(c.text);
        if (text.empty()) return refusal{"a note needs text"};
        if (text.size() > max_text) return too_long("the note", text.size(), max_text);
        if (c.happened && *c.happened > now) {
            return refusal{"a note cannot be dated in the future (" + format_time(*c.happened) + ")"};
        }
        if (c.happened && *c.happened < i.started_at - std::chrono::days{1}) {
            return refusal{"a note cannot be dated more than a day before the impact started (" +
                           format_time(i.started_at) + ")"};
        }
        return std::vector<event>{ev(note_added{text, c.happened})};
    }

    // Today in the policy's zone, as a due date is written: that date's midnight UTC.
    timestamp today() const { return std::chrono::floor<std::chrono::days>(now + p.zone->offset(now)); }

    action_item const* find_action(int number) const {
        auto const it = std::find_if(i.actions.begin(), i.actions.end(),
                                     [&](action_item const& a) { return a.number == number && !a.removed; });
        return it == i.actions.end() ? nullptr : &*it;
    }
    refusal no_action(int number) const {
        auto const open = std::count_if(i.actions.begin(), i.actions.end(), [](auto const& a) { return !a.removed; });
        return refusal{ref() + " has no action item #" + std::to_string(number) + " (it has " + std::to_string(open) +
                       ")"};
    }

    decision operator()(edit_action const& c) const {
        auto const* a = find_action(c.number);
        if (!a) return no_action(c.number);
        action_edited out{c.number};
        if (c.text) {
            auto const text = trimmed(*c.text);
            if (text.size() > max_title * 5) return too_long("the action item", text.size(), max_title * 5);
            if (!text.empty() && text != a->text) out.text = text;
        }
        if (c.owner && c.owner != a->owner) out.owner = c.owner;
        if (c.due) {
            if (*c.due < today()) {
                return refusal{"the due date " + format_date(*c.due) + " is in the past"};
            }
            if (c.due != a->due) out.due = c.due;
        }
        out.unassigned = c.unassign && a->owner;
        out.undated = c.undate && a->due;
        if (out == action_edited{c.number}) return refusal{"action item #" + std::to_string(c.number) + " already says that"};
        return std::vector<event>{ev(out)};
    }

    decision operator()(remove_action const& c) const {
        if (!find_action(c.number)) return no_action(c.number);
        return std::vector<event>{ev(action_removed{c.number})};
    }

    decision operator()(record_impact const& c) const {
        impact_recorded out{trimmed(c.users), trimmed(c.services), trimmed(c.financial)};
        if (out.users.empty() && out.services.empty() && out.financial.empty()) {
            return refusal{"say what to record: users:<number or %>, services:<a,b> or financial:<text>"};
        }
        for (auto const* field : {&out.users, &out.services, &out.financial}) {
            if (field->size() > max_title * 5) return too_long("the impact", field->size(), max_title * 5);
        }
        return std::vector<event>{ev(out)};
    }

    decision operator()(decline const& c) const {
        auto const reason = trimmed(c.reason);
        if (reason.empty()) return refusal{"say why it is not an incident: `decline <reason>`"};
        if (i.is_resolved()) {
            return refusal{ref() + " was resolved, so it was an incident: `close <reason>` closes it"};
        }
        return std::vector<event>{ev(phase_changed{i.ph, phase::closed}), ev(declined{reason})};
    }

    decision operator()(edit_customer_notice const& c) const {
        if (!i.customer_notice_drafted_at) return refusal{"no customer notice has been drafted for " + ref() + " yet"};
        if (i.customer_notice_approved_at) {
            return refusal{"the customer notice of " + ref() + " was approved already; it can no longer change"};
        }
        auto const text = trimmed(c.text);
        if (text.empty()) return refusal{"the customer notice needs text"};
        if (text.size() > max_text) return too_long("the customer notice", text.size(), max_text);
        return std::vector<event>{ev(customer_notice_edited{text})};
    }

    decision operator()(add_action const& c) const {
        auto const text = trimmed(c.text);
        if (text.empty()) return refusal{"an action item needs text: what should be done"};
        if (text.size() > max_title * 5) return too_long("the action item", text.size(), max_title * 5);
        if (c.due && *c.due < today()) {
            return refusal{"the due date " + format_date(*c.due) + " is in the past"};
        }
        auto const number = static_cast<int>(i.actions.size()) + 1;
        return std::vector<event>{ev(action_added{number, text, c.owner, c.due})};
    }

    decision operator()(complete_action const& c) const {
        auto const* a = find_action(c.number);
        if (!a) return no_action(c.number);
        if (a->done_at) return refusal{"action item #" + std::to_string(c.number) + " is already done"};
        return std::vector<event>{ev(action_completed{c.number})};
    }

    decision operator()(escalate const& c) const {
        if (i.is_resolved()) return refusal{ref() + " is resolved; there is nothing to escalate"};
        auto const& steps = p.of(i.sev).escalation;
        if (steps.empty()) return refusal{std::string(to_string(i.sev)) + " incidents have no escalation steps"};
        auto const next = std::find_if(steps.begin(), steps.end(), [&](escalation_step const& s) {
            return !i.escalated_targets.contains(s.target);
        });
        if (next == steps.end()) {
            return refusal{"every escalation step for " + std::string(to_string(i.sev)) + " has been taken for " +
                           ref()};
        }
        return escalation_events(i, *next, true, trimmed(c.reason), by, now, p);
    }

    decision operator()(resolve const& c) const {
        if (i.is_resolved()) return refusal{ref() + " was already resolved at " + format_time(*i.resolved_at)};
        auto const text = trimmed(c.resolution);
        if (text.empty()) return refusal{"say what fixed it: `resolve <resolution>`"};
        if (false_alarm(text)) return refusal{decline_instead()};
        if (text.size() > max_text) return too_long("the resolution", text.size(), max_text);
        // Resolving leaves Detection too, so the same guard holds.
        if (auto const r = needs_commander()) return *r;
        std::vector<event> out;
        mark_mitigated(out);
        if (i.ph < phase::resolution) out.push_back(ev(phase_changed{i.ph, phase::resolution}));
        out.push_back(ev(resolved{text, trimmed(c.root_cause), trimmed(c.summary), trimmed(c.services)}));
        return out;
    }

    decision operator()(reopen const& c) const {
        if (!i.is_resolved() && !i.is_closed()) {
            return refusal{ref() + " is not resolved; only a resolved or closed incident can be reopened"};
        }
        auto const reason = trimmed(c.reason);
        if (reason.empty()) return refusal{"say why it is reopened: `reopen <reason>`"};
        return std::vector<event>{ev(reopened{reason})};
    }

    decision operator()(generate_report const&) const {
        if (!i.is_resolved()) return refusal{"the report is written once " + ref() + " is resolved"};
        return std::vector<event>{ev(report_generated{})};
    }

    decision operator()(close const& c) const {
        auto const reason = trimmed(c.reason);
        if (!i.is_resolved() && false_alarm(reason)) return refusal{decline_instead()};
        if (reason.empty() && !i.report_at) {
            return refusal{"closing " + ref() + " needs its report first (`report`), or a reason: `close <reason>`"};
        }
        return std::vector<event>{ev(phase_changed{i.ph, phase::closed}), ev(closed{reason})};
    }

    decision operator()(acknowledge const&) const {
        if (i.acknowledged_at) {
            return refusal{ref() + " was already acknowledged by @" + i.acknowledged_by.value_or("?") + " at " +
                           format_clock(*i.acknowledged_at)};
        }
        if (i.is_resolved()) return refusal{ref() + " is resolved; there is nothing to acknowledge"};
        return std::vector<event>{ev(acknowledged{})};
    }

    decision operator()(mark_checklist const& c) const {
        // A closed incident's checklist is the post-incident one: its post-mortem may come later.
        auto const ph = c.ph.value_or(i.ph == phase::closed ? phase::post_incident : i.ph);
        auto const& items = checklist(ph);
        if (c.item < 0 || c.item >= static_cast<int>(items.size())) {
            return refusal{std::string(display_name(ph)) + " has no checklist item " + std::to_string(c.item + 1)};
        }
        if (i.checks.contains({ph, c.item}) == c.checked) {
            return refusal{"\"" + items[c.item] + "\" is already " + (c.checked ? "checked" : "unchecked")};
        }
        return std::vector<event>{ev(checklist_marked{ph, c.item, c.checked})};
    }

    decision operator()(snooze const&) const {
        if (!p.of(i.sev).update_every) {
            return refusal{std::string(to_string(i.sev)) + " incidents have no update reminders to snooze"};
        }
        if (i.is_resolved()) return refusal{ref() + " is resolved; its update reminders have stopped"};
        // Snoozing answers a reminder; before one, it would only bring the next one forward.
        if (!i.last_nudge_at || *i.last_nudge_at < i.last_update_at) {
            return refusal{"no update reminder is waiting for " + ref() + "; the next comes at " +
                           format_clock(i.last_update_at + *p.of(i.sev).update_every)};
        }
        return std::vector<event>{ev(snoozed{now + p.snooze})};
    }

    bool marked(std::string const& r) const {
        return std::any_of(i.timeline.begin(), i.timeline.end(), [&](auto const& entry) { return entry.ref == r; });
    }
    decision operator()(mark_message const& m) const {
        if (m.ref.empty()) return refusal{"which message? it has no reference"};
        if (marked(m.ref)) return refusal{"that message is already on the " + ref() + " timeline"};
        auto const text = trimmed(m.text);
        if (text.size() > max_text) return too_long("the message", text.size(), max_text);
        // A message cannot come from the future; a clock skew must not reorder the timeline after now.
        return std::vector<event>{ev(message_marked{m.ref, m.author, std::min(m.posted_at, now),
                                                    text.empty() ? std::string("(no text)") : text})};
    }
    decision operator()(unmark_message const& m) const {
        if (!marked(m.ref)) return refusal{"that message is not on the " + ref() + " timeline"};
        return std::vector<event>{ev(message_unmarked{m.ref})};
    }

    // "false alarm", "not an incident": what `decline` is for.
    static bool false_alarm(std::string const& text) {
        auto const l = to_lower(text);
        return l.find("false alarm") != std::string::npos || l.find("false positive") != std::string::npos ||
               l.find("not an incident") != std::string::npos;
    }
    std::string decline_instead() const {
        return "a false alarm is not resolved or closed as an incident: `decline <reason>` closes " + ref() +
               " and keeps it out of the metrics";
    }

    decision operator()(approve_customer_notice const&) const {
        if (!i.customer_notice_drafted_at) return refusal{"no customer notice has been drafted for " + ref() + " yet"};
        if (i.customer_notice_approved_at) {
            return refusal{"the customer notice of " + ref() + " was already approved by " + "@" +
                           *i.customer_notice_approved_by + " at " + format_time(*i.customer_notice_approved_at)};
        }
        std::vector<event> out{ev(customer_notice_approved{})};
        // The approved notice is a publication; a private incident's only through `publish`, in words
        // chosen for the public.
        if (!p.of(i.type).private_room) {
            out.push_back(ev(published{customer_notice_text(i, p, now), i.is_resolved() ? status::resolved : i.st}));
        }
        return out;
    }

    decision operator()(join_room const& c) const {
        if (i.is_member(c.user)) return refusal{"@" + c.user + " is already in #" + i.channel};
        return std::vector<event>{ev(member_joined{c.user})};
    }
    decision operator()(leave_room const& c) const {
        if (!i.is_member(c.user)) return refusal{"@" + c.user + " is not in #" + i.channel};
        return std::vector<event>{ev(member_left{c.user})};
    }

    decision operator()(change_type const& c) const {
        if (c.to == i.type) return refusal{ref() + " is already " + std::string(display_name(c.to))};
        std::vector<event> out{ev(type_changed{i.type, c.to})};
        // A public room cannot be made private: a new private room takes over, named neutrally. A
        // room that is private already (declared private, or moved before) stays where it is.
        bool const room_private = p.of(i.declared_type).private_room || !i.former_rooms.empty();
        if (p.of(c.to).private_room && !room_private) {
            auto const to = war_room_name(p, i.number, i.title, c.to);
            if (to != i.channel) out.push_back(ev(room_moved{i.channel, to}));
        }
        auto const people = invitees_of(p.of(c.to).contacts);
        if (!people.users.empty() || !people.groups.empty()) out.push_back(ev(invited{people.users, people.groups}));
        return out;
    }

    decision operator()(confirm_regulator_notice const&) const {
        if (!regulated(i, p)) return refusal{ref() + " does not run the regulator notification clock"};
        if (i.regulator_notified_at) {
            return refusal{"the regulator notification of " + ref() + " was already recorded at " +
                           format_time(*i.regulator_notified_at)};
        }
        return std::vector<event>{ev(regulator_notified{})};
    }
};

}  // namespace

std::optional<refusal> unknown_component(std::vector<std::string> const& named, policy const& p) {
    for (auto const& c : named) {
        if (std::find(p.components.begin(), p.components.end(), c) != p.components.end()) continue;
        if (p.components.empty()) return refusal{"no status page components are configured ([[status_page.components]])"};
        std::string known;
        for (auto const& k : p.components) known.append(known.empty() ? "" : ", ").append(k);
        return refusal{"unknown component '" + c + "' (" + known + ")"};
    }
    return std::nullopt;
}


decision decide_declare(int number, declare const& cmd, user_id const& by, timestamp now, policy const& p) {
    auto const title = trimmed(cmd.title);
    if (title.empty()) return refusal{"an incident needs a title: what is broken"};
    if (title.size() > max_title) return too_long("the title", title.size(), max_title);
    auto const description = trimmed(cmd.description);
    if (description.size() > max_text) return too_long("the description", description.size(), max_text);
    auto const started = cmd.started_at.value_or(now);
    if (started > now) return refusal{"the impact cannot start in the future (" + format_time(started) + ")"};
    if (now - started > std::chrono::days{30}) {
        return refusal{"the impact start " + format_time(started) + " is more than 30 days ago"};
    }
    if (cmd.detected_at) {
        if (*cmd.detected_at > now) return refusal{"it cannot be detected in the future (" + format_time(*cmd.detected_at) + ")"};
        if (*cmd.detected_at < started) {
            return refusal{"it cannot be detected (" + format_time(*cmd.detected_at) + ") before the impact started (" +
                           format_time(started) + ")"};
        }
    }
    if (auto const r = unknown_component(cmd.components, p)) return *r;
    auto const channel = war_room_name(p, number, title, cmd.type);
    std::vector<event> out{event{number, now, by,
                                 declared{title, description, cmd.sev, cmd.type, started, channel, cmd.personal_data,
                                          cmd.detected_at, cmd.detected_by, cmd.components}}};
    // warroom itself (a critical alert) is nobody to lead the incident or to invite.
    bool const by_person = by != bot_user;
    if (p.declarer_leads && by_person)
        out.push_back({number, now, by, role_assigned{role::incident_commander, by, std::nullopt}});
    // The declarer, the severity's responders, the rotation's primary on call and the type's contacts.
    invited people;
    if (by_person) people.users.push_back(by);
    for (auto const& u : p.of(cmd.sev).on_call) people.users.push_back(u);
    if (auto const* r = p.rotation_of(cmd.sev)) {
        if (auto const on_call = shift_at(*r, now)) people.users.push_back(on_call->primary);
    }
    auto const contacts = invitees_of(p.of(cmd.type).contacts);
    people.users.insert(people.users.end(), contacts.users.begin(), contacts.users.end());
    people.groups = contacts.groups;
    std::vector<user_id> unique;
    for (auto const& u : people.users) {
        if (std::find(unique.begin(), unique.end(), u) == unique.end()) unique.push_back(u);
    }
    people.users = std::move(unique);
    out.push_back({number, now, by, std::move(people)});
    return out;
}

decision decide(incident const& current, command const& cmd, user_id const& by, timestamp now, policy const& p) {
    // After closing, action items and the post-incident checklist are still tracked (post-mortems
    // come after the report), the regulator clock runs until the regulator is notified, people come
    // and go, the resolution may still be published, and an admin may reopen.
    auto const* check = std::get_if<mark_checklist>(&cmd);
    bool const after_close = (check && check->ph.value_or(phase::post_incident) == phase::post_incident) ||
                             std::holds_alternative<complete_action>(cmd) || std::holds_alternative<add_action>(cmd) ||
                             std::holds_alternative<edit_action>(cmd) || std::holds_alternative<remove_action>(cmd) ||
                             std::holds_alternative<record_impact>(cmd) ||
                             std::holds_alternative<confirm_regulator_notice>(cmd) ||
                             std::holds_alternative<reopen>(cmd) || std::holds_alternative<join_room>(cmd) ||
                             std::holds_alternative<publish_resolution>(cmd) ||
                             std::holds_alternative<leave_room>(cmd);
    if (current.is_closed() && !after_close) {
        return refusal{incident_ref(current.number) + " is closed; nothing can change"};
    }
    return std::visit(decider{current, by, now, p}, cmd);
}

std::vector<event> escalation_events(incident const& i, escalation_step const& step, bool manual,
                                     std::string const& reason, user_id const& by, timestamp now, policy const& p) {
    std::vector<event> out;
    // The step's people are brought into the war room: a private one is otherwise closed to them.
    invited people;
    for (auto const& u : invitees_of(step.notify).users) {
        if (!i.is_member(u)) people.users.push_back(u);
    }
    for (auto const& g : invitees_of(step.notify).groups) {
        if (!i.invited_groups.contains(g)) people.groups.push_back(g);
    }
    std::optional<paged> page;
    if (step.page && !i.pages.contains("primary")) {
        auto const* r = p.rotation_of(i.sev);
        auto const on_call = r ? shift_at(*r, now) : std::nullopt;
        if (on_call) {
            page = paged{on_call->primary, "primary"};
            if (!i.is_member(on_call->primary)) people.users.push_back(on_call->primary);
        } else if (p.paging) {
            page = paged{{}, "primary"};
        }
    }
    // The timeline keeps what happened: a paging step with nobody to page says so, not "paged".
    bool const nobody = step.page && !page && !i.pages.contains("primary") && step.notify.empty();
    auto const label = nobody ? "the " + step.target + " step is due, but nobody is on call to page" : step.label;
    out.push_back({i.number, now, by, escalated{step.target, label, manual, reason, step.notify, step.customer_notice}});
    if (page) out.push_back({i.number, now, by, *page});
    if (!people.users.empty() || !people.groups.empty()) out.push_back({i.number, now, by, std::move(people)});
    return out;
}

namespace {

bool runs_regulator_clock(incident_type t, incident const& i, policy const& p) {
    return p.of(t).regulator_clock || (t == incident_type::data_loss && i.personal_data);
}

}  // namespace

bool regulated(incident const& i, policy const& p) { return runs_regulator_clock(i.type, i, p); }

timestamp regulator_clock_start(incident const& i, policy const& p) {
    // The earliest such time: a type taken off and set again does not restart the law's clock.
    std::optional<timestamp> start;
    for (auto const& [type, since] : i.type_since) {
        if (runs_regulator_clock(type, i, p) && (!start || since < *start)) start = since;
    }
    return start.value_or(i.declared_at);
}

bool resolution_unpublished(incident const& i) {
    return i.is_resolved() && !i.publications.empty() && i.publications.back().st != status::resolved;
}

std::optional<phase> next_phase(incident const& i) {
    if (i.ph == phase::closed) return std::nullopt;
    return static_cast<phase>(static_cast<int>(i.ph) + 1);
}

namespace {

// Slack names are ASCII: a Latin letter with an accent keeps its base letter ("für" → "fur",
// "Łódź" → "lodz"); letters of other scripts are dropped.
std::string_view ascii_of(char32_t c) {
    // U+00C0…U+00FF, then U+0100…U+017F (Latin Extended-A), one entry per code point.
    static constexpr std::string_view latin1[] = {
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
        "d", "n", "o", "o", "o", "o", "o", "",  "o", "u", "u", "u", "u", "y", "th", "ss",
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
        "d", "n", "o", "o", "o", "o", "o", "",  "o", "u", "u", "u", "u", "y", "th", "y"};
    static constexpr std::pair<char const*, int> extended_a[] = {
        {"a", 6}, {"c", 8}, {"d", 4}, {"e", 10}, {"g", 8}, {"h", 4}, {"i", 10}, {"ij", 2}, {"j", 2}, {"k", 3}, {"l", 10},
        {"n", 9}, {"o", 6}, {"oe", 2}, {"r", 6}, {"s", 8}, {"t", 6}, {"u", 12}, {"w", 2}, {"y", 3}, {"z", 6}, {"s", 1}};
    if (c >= 0xC0 && c <= 0xFF) return latin1[c - 0xC0];
    if (c >= 0x100 && c <= 0x17F) {
        auto offset = static_cast<int>(c - 0x100);
        for (auto const& [letters, count] : extended_a) {
            if (offset < count) return letters;
            offset -= count;
        }
    }
    return {};
}

// Decodes one UTF-8 sequence at `at` and advances past it; a broken sequence yields U+FFFD.
char32_t next_code_point(std::string_view s, std::size_t& at) {
    auto const lead = static_cast<unsigned char>(s[at++]);
    int const extra = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
    if (lead < 0x80) return lead;
    char32_t c = lead & (0x3F >> extra);
    for (int k = 0; k < extra; ++k) {
        if (at >= s.size() || (static_cast<unsigned char>(s[at]) & 0xC0) != 0x80) return 0xFFFD;
        c = (c << 6) | (static_cast<unsigned char>(s[at++]) & 0x3F);
    }
    return c;
}

constexpr std::size_t max_slug = 40;  // a room name people can read in the sidebar

}  // namespace

std::string war_room_name(std::string const& prefix, int number, std::string const& title) {
    std::string name = prefix + "-" + std::to_string(number);
    std::string slug;
    auto const put = [&](char c) {
        if (std::isalnum(static_cast<unsigned char>(c))) {
            slug += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else if (!slug.empty() && slug.back() != '-') {
            slug += '-';
        }
    };
    for (std::size_t at = 0; at < title.size();) {
        auto const c = next_code_point(title, at);
        if (c < 0x80) {
            put(static_cast<char>(c));
        } else if (auto const ascii = ascii_of(c); !ascii.empty()) {
            for (char const letter : ascii) put(letter);
        } else {
            put(' ');
        }
    }
    if (slug.size() > max_slug) {
        // Cut at a word boundary when one is near, so the name does not end in half a word.
        auto const boundary = slug.rfind('-', max_slug);
        slug.resize(boundary != std::string::npos && boundary >= max_slug / 2 ? boundary : max_slug);
    }
    while (!slug.empty() && slug.back() == '-') slug.pop_back();
    if (!slug.empty()) name += "-" + slug;
    if (name.size() > 80) name.resize(80);
    while (name.back() == '-') name.pop_back();
    return name;
}

std::string war_room_name(policy const& p, int number, std::string const& title, incident_type type) {
    if (!p.of(type).private_room) return war_room_name(p.channel_prefix, number, title);
    std::string name = p.private_room_name;
    auto const put = [&](std::string_view key, std::string const& value) {
        for (auto at = name.find(key); at != std::string::npos; at = name.find(key, at + value.size())) {
            name.replace(at, key.size(), value);
        }
    };
    put("{prefix}", p.channel_prefix);
    put("{number}", std::to_string(number));
    put("{type}", std::string(to_string(type)));
    // The same rules as a title's slug; the template names the room, so no "<prefix>-<n>-" is added.
    auto out = slug(name);
    if (out.size() > 80) out.resize(80);
    while (!out.empty() && out.back() == '-') out.pop_back();
    return out.empty() ? war_room_name(p.channel_prefix, number, "") : out;
}

std::string_view command_name(command const& c) {
    constexpr std::string_view names[] = {"update", "severity", "phase",  "advance",        "assign",
                                          "note",   "action",   "done",   "escalate",       "resolve",
                                          "reopen", "report",   "close",  "acknowledge",    "check",
                                          "snooze", "mark",     "unmark", "approve-notice", "regulator-notified",
                                          "join",   "leave",    "type",   "action edit",    "action remove",
                                          "impact", "decline",  "edit-notice", "publish", "publish-resolution"};
    static_assert(std::size(names) == std::variant_size_v<command>);
    return names[c.index()];
}

std::ostream& operator<<(std::ostream& os, command const& c) { return os << command_name(c); }

std::ostream& operator<<(std::ostream& os, refusal const& r) { return os << "refusal{" << r.reason << '}'; }

}  // namespace warroom::core
