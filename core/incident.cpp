// apply(): each event sets the fields it names and adds its line to the timeline.
#include "core/incident.hpp"

#include <algorithm>

#include "core/policy.hpp"

namespace warroom::core {
namespace {

std::string mention(user_id const& u) { return "@" + u; }

struct applier {
    incident& i;
    event const& e;

    void line(std::string text) { i.timeline.push_back({e.at, e.by, std::move(text), {}}); }
    void bookkeeping(std::string text) { i.timeline.push_back({e.at, e.by, std::move(text), {}, true}); }
    // An entry that happened before it was recorded takes its place by its own time.
    void line_at(timestamp when, user_id by, std::string text, std::string ref = {}) {
        auto const at = std::upper_bound(i.timeline.begin(), i.timeline.end(), when,
                                         [](timestamp t, timeline_entry const& entry) { return t < entry.at; });
        i.timeline.insert(at, {when, std::move(by), std::move(text), std::move(ref)});
    }

    void operator()(declared const& d) {
        i.number = e.incident;
        i.title = d.title;
        i.description = d.description;
        i.sev = i.declared_sev = d.sev;
        i.declared_type = d.type;
        i.type = d.type;
        i.personal_data = d.personal_data;
        i.ph = phase::detection;
        i.st = status::investigating;
        i.channel = d.channel;
        i.declared_by = e.by;
        i.members.insert(e.by);
        if (!d.description.empty()) {
            i.impact = i.last_impact = d.description;
            i.impact_since = e.at;
        }
        i.started_at = d.started_at;
        i.detected_at = d.detected_at.value_or(e.at);
        i.detection_known = d.detected_at.has_value() || d.started_at != e.at;
        i.detected_by = d.detected_by.value_or("");
        i.declared_at = e.at;
        i.last_update_at = e.at;
        i.status_since.emplace(status::investigating, e.at);
        i.phase_since.emplace(phase::detection, e.at);
        i.type_since.emplace(d.type, e.at);
        affect(d.components);
        line("Incident declared: " + std::string(to_string(d.sev)) + " " + std::string(display_name(d.type)) + " — " +
             d.title);
    }
    void operator()(update_posted const& u) {
        i.st = u.st;
        i.status_since.emplace(u.st, e.at);
        i.last_update_at = e.at;
        i.snoozed_until.reset();
        i.unanswered_nudges = 0;
        i.impact_changed_by_last_update = !u.impact.empty() && u.impact != i.impact;
        if (i.impact_changed_by_last_update) {
            i.impact = i.last_impact = u.impact;
            i.impact_since = e.at;
        }
        i.last_update = u.text;
        affect(u.components);
        ++i.updates;
        line("Update (" + std::string(display_name(u.st)) + "): " + u.text);
    }
    void operator()(published const& p) {
        i.publications.push_back(
            {i.number, static_cast<int>(i.publications.size()) + 1, e.at, p.text, p.st, p.components, p.component_st});
        affect(p.components);
        line("Published on the status page (" + std::string(display_name(p.st)) + "): " + p.text);
    }
    void affect(std::vector<std::string> const& components) {
        for (auto const& c : components) {
            if (std::find(i.components.begin(), i.components.end(), c) == i.components.end()) i.components.push_back(c);
        }
    }
    void operator()(severity_changed const& s) {
        i.sev = s.to;
        line("Severity changed " + std::string(to_string(s.from)) + " → " + std::string(to_string(s.to)));
    }
    void operator()(phase_changed const& p) {
        i.ph = p.to;
        i.phase_since.emplace(p.to, e.at);
        if (p.to == phase::closed) i.closed_at = e.at;
        line("Phase " + std::string(display_name(p.from)) + " → " + std::string(display_name(p.to)));
    }
    void operator()(role_assigned const& r) {
        auto& holders = i.roles[r.r];
        if (r.r == role::subject_matter_expert) {
            holders.push_back(r.user);
        } else {
            holders = {r.user};
        }
        if (r.previous) {
            bookkeeping(std::string(display_name(r.r)) + " handed over from " + mention(*r.previous) + " to " +
                        mention(r.user));
        } else {
            bookkeeping(std::string(display_name(r.r)) + ": " + mention(r.user));
        }
    }
    void operator()(note_added const& n) {
        if (n.happened) {
            line_at(*n.happened, e.by, "Note: " + n.text);
        } else {
            line("Note: " + n.text);
        }
    }
    void operator()(acknowledged const&) {
        i.acknowledged_at = e.at;
        i.acknowledged_by = e.by;
        line("Acknowledged by " + mention(e.by));
    }
    void operator()(mitigated const&) {
        i.mitigated_at = e.at;
        line("Impact mitigated");
    }
    void operator()(action_added const& a) {
        i.actions.push_back({a.number, a.text, a.owner, a.due, e.by, e.at, std::nullopt, std::nullopt});
        bookkeeping("Action item #" + std::to_string(a.number) + " added: " + a.text);
    }
    void operator()(action_completed const& a) {
        for (auto& item : i.actions) {
            if (item.number == a.number) {
                item.done_by = e.by;
                item.done_at = e.at;
            }
        }
        bookkeeping("Action item #" + std::to_string(a.number) + " done");
    }
    void operator()(action_edited const& a) {
        for (auto& item : i.actions) {
            if (item.number != a.number) continue;
            if (a.text) item.text = *a.text;
            if (a.owner) item.owner = a.owner;
            if (a.due) item.due = a.due;
            if (a.unassigned) item.owner.reset();
            if (a.undated) item.due.reset();
        }
        bookkeeping("Action item #" + std::to_string(a.number) + " edited");
    }
    void operator()(action_removed const& a) {
        for (auto& item : i.actions) {
            if (item.number == a.number) item.removed = true;
        }
        bookkeeping("Action item #" + std::to_string(a.number) + " removed");
    }
    void operator()(impact_recorded const& r) {
        if (!r.users.empty()) i.users_affected = r.users;
        if (!r.services.empty()) i.services_affected = r.services;
        if (!r.financial.empty()) i.financial_impact = r.financial;
        bookkeeping("Impact recorded");
    }
    void operator()(declined const& d) {
        i.declined = true;
        i.close_reason = d.reason;
        line("Declined, not an incident: " + d.reason);
    }
    void operator()(alert_noted const& a) { line(alert_note_text(a)); }
    // An alert group's own events live on its stream, never on an incident's.
    void operator()(alert_group_opened const&) {}
    void operator()(alert_fired const&) {}
    void operator()(alert_resolved const&) {}
    void operator()(alert_group_declared const&) {}
    void operator()(alert_group_merged const&) {}
    void operator()(alert_group_declined const&) {}
    void operator()(alert_group_snoozed const&) {}
    void operator()(alert_group_emailed const&) {}
    void operator()(maintenance_scheduled const&) {}
    void operator()(maintenance_cancelled const&) {}
    void operator()(customer_notice_edited const& c) {
        i.customer_notice = c.text;
        bookkeeping("Customer notice edited");
    }
    void operator()(escalated const& x) {
        i.escalated_targets.emplace(x.target, e.at);
        if (x.customer_notice.value_or(drafts_customer_notice_by_default(x.target)) && !i.customer_notice_drafted_at)
            i.customer_notice_drafted_at = e.at;
        std::string who;
        for (auto const& c : x.notified) who += (who.empty() ? "" : ", ") + c;
        line("Escalation: " + x.label + (x.manual ? " (manual" + (x.reason.empty() ? "" : ": " + x.reason) + ")" : "") +
             (who.empty() ? "" : " — notified " + who));
    }
    void operator()(nudged const&) {
        i.last_nudge_at = e.at;
        ++i.unanswered_nudges;
    }
    void operator()(snoozed const& s) {
        i.snoozed_until = s.until;
        bookkeeping("Update reminder snoozed until " + format_clock(s.until));
    }
    void operator()(resolved const& r) {
        i.st = status::resolved;
        i.status_since.emplace(status::resolved, e.at);
        i.resolved_at = e.at;
        i.resolution = r.resolution;
        if (!r.root_cause.empty()) i.root_cause = r.root_cause;
        if (!r.summary.empty()) i.summary = r.summary;
        if (!r.services.empty()) i.services_affected = r.services;
        // Resolved: there is no impact any more (the report keeps what it was).
        i.impact.clear();
        i.impact_since = e.at;
        i.last_update_at = e.at;
        line("Resolved: " + r.resolution);
    }
    void operator()(reopened const& r) {
        bool const was_closed = i.is_closed();
        i.declined = false;
        i.st = status::investigating;
        i.ph = phase::investigation;
        // The impact is back from now on: not since the resolution, which said there was none.
        i.impact = i.last_impact;
        i.impact_since = e.at;
        i.closed_at.reset();
        i.close_reason.clear();
        i.resolved_at.reset();
        i.report_at.reset();  // the report described the first resolution
        i.last_update_at = e.at;
        i.last_nudge_at.reset();
        i.snoozed_until.reset();
        line(std::string(was_closed ? "Reopened after closing" : "Reopened") + " (back to Investigation): " + r.reason);
    }
    void operator()(report_generated const&) {
        i.report_at = e.at;
        bookkeeping("Incident report generated");
    }
    void operator()(closed const& c) {
        i.close_reason = c.reason;
        line(c.reason.empty() ? "Closed" : "Closed: " + c.reason);
    }
    void operator()(checklist_marked const& c) {
        auto const& items = checklist(c.ph);
        auto const name = c.item >= 0 && c.item < static_cast<int>(items.size()) ? items[c.item] : "item";
        if (c.checked) {
            i.checks[{c.ph, c.item}] = {e.by, e.at};
        } else {
            i.checks.erase({c.ph, c.item});
        }
        bookkeeping(std::string(c.checked ? "Checked" : "Unchecked") + " (" + std::string(display_name(c.ph)) + "): " +
                    name);
    }
    void operator()(reminder_sent const& r) { i.reminders_sent.insert(r.key); }
    // Marked messages take their place by their own time, which may be before later entries.
    void operator()(message_marked const& m) { line_at(m.posted_at, m.author, "📌 " + m.text, m.ref); }
    void operator()(message_unmarked const& m) {
        std::erase_if(i.timeline, [&](timeline_entry const& entry) { return entry.ref == m.ref; });
    }
    void operator()(paged const& p) {
        i.pages.emplace(p.position, page_record{p.user, e.at});
        line("Paged " + mention(p.user) + " (" + p.position + " on call)");
    }
    void operator()(customer_notice_approved const&) {
        i.customer_notice_approved_at = e.at;
        i.customer_notice_approved_by = e.by;
        line("Customer notice approved");
    }
    void operator()(regulator_notified const&) {
        i.regulator_notified_at = e.at;
        line("Regulator notified");
    }
    void operator()(invited const& inv) {
        i.members.insert(inv.users.begin(), inv.users.end());
        i.invited_groups.insert(inv.groups.begin(), inv.groups.end());
    }
    void operator()(member_joined const& m) { i.members.insert(m.user); }
    void operator()(member_left const& m) { i.members.erase(m.user); }
    void operator()(type_changed const& t) {
        i.type = t.to;
        i.type_since.emplace(t.to, e.at);
        line("Type changed " + std::string(display_name(t.from)) + " → " + std::string(display_name(t.to)));
    }
    void operator()(room_moved const& r) {
        i.former_rooms.push_back(r.from);
        i.channel = r.to;
        line("War room moved from #" + r.from + " to #" + r.to);
    }
};

}  // namespace

std::optional<user_id> incident::holder(role r) const {
    auto const it = roles.find(r);
    if (it == roles.end() || it->second.empty()) return std::nullopt;
    return it->second.front();
}

incident apply(incident current, event const& e) {
    std::visit(applier{current, e}, e.what);
    ++current.version;
    return current;
}

void apply(incident_map& all, event const& e) {
    if (!is_incident_stream(e.incident)) return;
    auto& slot = all[e.incident];
    slot = apply(std::move(slot), e);
}

incident_map replay(std::vector<event> const& events) {
    incident_map all;
    for (auto const& e : events) apply(all, e);
    return all;
}

}  // namespace warroom::core
