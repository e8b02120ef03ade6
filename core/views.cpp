// The procedures' templates filled from state, and the plain-text rendering the console shows.
// Times are shown in the policy's time zone, with their date when it is not the day of `now`.
#include "core/views.hpp"

#include <algorithm>
#include <sstream>

#include "core/contact.hpp"
#include "core/decide.hpp"
#include "core/oncall.hpp"
#include "core/report.hpp"

namespace warroom::core {
namespace {

message_view blank(std::string kind, int incident) {
    message_view v;
    v.kind = std::move(kind);
    v.incident = incident;
    return v;
}

std::string str(std::string_view s) { return std::string(s); }

std::string number_value(incident const& i) { return ui::value(i.number); }

// What a reader outside a private incident's war room may see of it.
std::string public_title(incident const& i, policy const& p, bool outsider) {
    if (outsider && p.of(i.type).private_room) return str(display_name(i.type)) + " (private)";
    return i.title;
}

std::string lead(incident const& i) {
    if (auto const ic = i.holder(role::incident_commander)) return "@" + *ic;
    return "unassigned";
}
std::string lead(message_view& v, incident const& i) {
    if (auto const ic = i.holder(role::incident_commander)) return mention(v, *ic);
    return "unassigned";
}

// A time as people read it: the clock on the day of `now`, the date too on any other day; recorded so
// Slack can show each reader their own local time.
std::string when(message_view& v, timestamp t, policy const& p, timestamp now) {
    auto text = format_clock(t, *p.zone, now);
    v.times.emplace_back(text, t);
    return text;
}
std::string when_full(message_view& v, timestamp t, policy const& p) {
    auto text = format_time(t, *p.zone);
    v.times.emplace_back(text, t);
    return text;
}

std::optional<timestamp> next_update_due(incident const& i, policy const& p) {
    if (!p.of(i.sev).update_every || !i.is_active()) return std::nullopt;
    auto const base = std::max(i.last_update_at, i.last_nudge_at.value_or(i.last_update_at));
    if (i.snoozed_until && *i.snoozed_until > base) return i.snoozed_until;
    return i.last_update_at > i.last_nudge_at.value_or(i.last_update_at) ? i.last_update_at + nudge_interval(i, p)
                                                                        : base + nudge_interval(i, p);
}

std::string next_update_text(message_view& v, incident const& i, policy const& p, timestamp now) {
    auto const due = next_update_due(i, p);
    if (!due) return "as needed (no cadence for " + str(to_string(i.sev)) + ")";
    return when(v, *due, p, now) + " (every " + format_duration(*p.of(i.sev).update_every) + ")";
}

// The current impact, and since when; "none" once resolved.
std::string impact_text(message_view& v, incident const& i, policy const& p, timestamp now) {
    if (i.declined) return "none (not an incident)";
    if (i.is_resolved()) return "none now (resolved)";
    if (i.impact.empty()) return "Being assessed";
    return i.impact + (i.impact_since ? " (since " + when(v, *i.impact_since, p, now) + ")" : std::string{});
}

std::vector<std::string> lines_of(std::string const& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) out.push_back(line);
    }
    if (out.empty()) out.push_back(text);
    return out;
}

std::string check_value(incident const& i, phase ph, int item) { return ui::check_value(i.number, ph, item + 1); }

std::vector<button> prompt_buttons(incident const& i) {
    std::vector<button> out;
    auto const n = number_value(i);
    if (!i.acknowledged_at && !i.is_resolved()) out.push_back({ui::action::acknowledge, "Acknowledge", n});
    if (!i.holder(role::incident_commander)) out.push_back({ui::action::claim_ic, "I'll be IC", n});
    if (!i.is_resolved()) out.push_back({ui::action::post_update, "Post update", n});
    if (auto const next = next_phase(i); next && *next != phase::closed) {
        out.push_back({ui::action::advance, "Advance to " + str(display_name(*next)), n});
    }
    if (!i.is_resolved()) out.push_back({ui::action::resolve, "Resolve", n});
    return out;
}

bool overdue(action_item const& a, timestamp now) {
    return a.due && !a.done_at && std::chrono::floor<std::chrono::days>(now) > *a.due;
}

std::string action_line(message_view& v, action_item const& a, timestamp now) {
    return std::string(a.done_at ? "[x] " : "[ ] ") + "#" + std::to_string(a.number) + " " + a.text +
           " - Owner: " + (a.owner ? mention(v, *a.owner) : "unassigned") +
           " - Due: " + (a.due ? format_date(*a.due) : "none") + (overdue(a, now) ? " (overdue)" : "");
}

}  // namespace

std::string mention(message_view& v, std::string const& id) {
    if (std::find(v.mentions.begin(), v.mentions.end(), id) == v.mentions.end()) v.mentions.push_back(id);
    return "@" + id;
}

std::string render_text(message_view const& v) {
    std::string out = v.headline + "\n";
    if (!v.fields.empty()) {
        out += "\n";
        for (auto const& f : v.fields) out += "**" + f.label + "**: " + f.value + "\n";
    }
    for (auto const& s : v.sections) {
        out += "\n";
        if (!s.heading.empty()) out += "**" + s.heading + "**:\n";
        int n = 0;
        for (auto const& line : s.lines) out += (s.numbered ? std::to_string(++n) + ". " : "- ") + line + "\n";
    }
    if (!v.body.empty()) out += "\n" + v.body;
    if (!v.checklist.empty()) {
        out += "\n";
        for (auto const& c : v.checklist) {
            out += (c.checked ? "[x] " : "[ ] ") + c.label + (c.note.empty() ? "" : " — " + c.note) + "\n";
        }
    }
    if (!v.footer.empty()) {
        out += "\n";
        for (auto const& f : v.footer) out += f + "\n";
    }
    if (!v.buttons.empty()) {
        out += "\n";
        for (std::size_t b = 0; b < v.buttons.size(); ++b) out += (b ? " [" : "[") + v.buttons[b].label + "]";
        out += "\n";
    }
    return out;
}

std::string topic(incident const& i) {
    return str(to_string(i.sev)) + " · " + str(display_name(i.st)) + " · IC " + lead(i);
}

message_view declaration_view(incident const& i, policy const& p, timestamp now) {
    auto v = blank("declaration", i.number);
    v.headline = "🚨 " + str(to_string(i.sev)) + " INCIDENT - " + i.title + " (" + incident_ref(i.number) + ")";
    v.fields = {{"Impact", i.impact.empty() ? "Being assessed" : i.impact},
                {"Started", when(v, i.started_at, p, now)},
                {"Incident Lead", lead(v, i)},
                {"Status", str(display_name(i.st))},
                {"Type", str(display_name(i.type))},
                {"Respond within", p.of(i.sev).respond_label}};
    v.sections.push_back(
        {"Actions Taken", {"War room #" + i.channel + " opened", "Declared by " + mention(v, i.declared_by)}});
    if (!i.detected_by.empty()) v.sections.back().lines.push_back("Detected by " + i.detected_by);
    v.footer = {"**Next Update**: " + next_update_text(v, i, p, now)};
    v.buttons = prompt_buttons(i);
    return v;
}

message_view announcement_view(incident const& i, policy const& p, timestamp now) {
    auto v = blank("announcement", i.number);
    bool const redacted = p.of(i.type).private_room;
    auto const ref = incident_ref(i.number);
    auto const name = redacted ? str(display_name(i.type)) : i.title;
    if (i.declined) {
        v.headline = "🚫 DECLINED - " + name + " (" + ref + "): not an incident";
    } else if (i.is_closed()) {
        v.headline = "🔒 CLOSED - " + name + " (" + ref + ")";
    } else if (i.is_resolved()) {
        v.headline = "✅ RESOLVED - " + name + " (" + ref + ")";
    } else {
        v.headline = "🚨 " + str(to_string(i.sev)) + " INCIDENT - " + name + " (" + ref + ")";
    }
    v.fields = {{"Status", i.declined ? std::string("Declined") : i.is_closed() ? std::string("Closed")
                                                                             : str(display_name(i.st))},
                {"Severity", str(to_string(i.sev)) + " " + p.of(i.sev).name},
                {"Phase", str(display_name(i.ph))}};
    if (redacted) {
        // Only what is not private: the state, never the words.
        v.fields.push_back({"War room", "private; ask the Incident Commander for access"});
        return v;
    }
    v.fields.insert(v.fields.begin() + 1, {"Impact", impact_text(v, i, p, now)});
    v.fields.push_back({"Incident Lead", lead(v, i)});
    v.fields.push_back({"Audience", p.of(i.sev).announce_to});
    v.fields.push_back({"War room", "#" + i.channel});
    if (i.is_resolved()) {
        v.fields.push_back({"Resolution", i.resolution});
    } else if (!i.last_update.empty() && !i.is_closed()) {
        v.fields.push_back({"Latest update", i.last_update});
    }
    if (i.is_closed() && !i.close_reason.empty()) v.fields.push_back({"Closed because", i.close_reason});
    return v;
}

message_view runbook_view(incident const& i, policy const& p) {
    auto const& type = p.of(i.type);
    auto v = blank("runbook", i.number);
    v.headline = "📘 Runbook — " + type.book.title;
    if (!type.runbook_url.empty()) v.fields.push_back({"Team runbook", type.runbook_url});
    v.sections.push_back({"Response", type.book.steps, true});
    if (!type.contacts.empty()) {
        std::string who;
        for (auto const& c : type.contacts) who += (who.empty() ? "" : ", ") + c;
        v.fields.push_back({"Contacts", who});
    }
    return v;
}

message_view update_view(incident const& i, policy const& p, timestamp now) {
    auto v = blank("update", i.number);
    v.headline = "📊 UPDATE - " + i.title + " (" + incident_ref(i.number) + ")";
    // The impact as it stands, and whether this update changed it.
    auto impact = i.impact.empty() ? std::string("Being assessed") : i.impact;
    if (!i.impact.empty() && i.impact_since) {
        impact += i.impact_changed_by_last_update ? " (changed in this update)"
                                                     : " (unchanged since " + when(v, *i.impact_since, p, now) + ")";
    }
    v.fields = {{"Status", str(display_name(i.st))}, {"Impact", impact}};
    v.sections.push_back({"Progress", lines_of(i.last_update)});
    v.footer = {"**Next Update**: " + next_update_text(v, i, p, now)};
    return v;
}

message_view resolution_view(incident const& i, policy const& p, timestamp now) {
    auto v = blank("resolution", i.number);
    v.headline = "✅ RESOLVED - " + i.title + " (" + incident_ref(i.number) + ")";
    auto const end = i.resolved_at.value_or(now);
    v.fields = {{"Resolution", i.resolution},
                {"Duration", when_full(v, i.started_at, p) + " - " + when(v, end, p, i.started_at) + " (" +
                                 format_duration(end - i.started_at) + ")"},
                {"Root Cause", i.root_cause.empty() ? "Under investigation" : i.root_cause}};
    auto const open = std::count_if(i.actions.begin(), i.actions.end(),
                                    [](auto const& a) { return !a.done_at && !a.removed; });
    std::string follow = std::to_string(open) + " open action item" + (open == 1 ? "" : "s");
    if (i.sev <= severity::p1) follow += "; post-mortem meeting within " + format_duration(p.postmortem_due);
    v.fields.push_back({"Follow-up", follow});
    v.footer = {"Post-mortem will be shared within " + format_duration(p.report_due) + "."};
    if (auto const next = next_phase(i); next && *next != phase::closed) {
        v.buttons.push_back({ui::action::advance, "Advance to " + str(display_name(*next)), number_value(i)});
    }
    return v;
}

message_view status_view(incident const& i, policy const& p, timestamp now, bool outsider) {
    auto v = blank("status", i.number);
    bool const hidden = outsider && p.of(i.type).private_room;
    v.headline = "ℹ️ " + incident_ref(i.number) + " · " + public_title(i, p, outsider);
    v.fields = {{"Severity", str(to_string(i.sev)) + " (" + p.of(i.sev).name + ")"},
                {"Type", str(display_name(i.type))},
                {"Phase", str(display_name(i.ph))},
                {"Status", i.declined ? std::string("Declined (not an incident)") : str(display_name(i.st))}};
    if (!hidden) v.fields.push_back({"Impact", impact_text(v, i, p, now)});
    std::vector<std::string> roles;
    for (auto const& [r, users] : i.roles) {
        std::string who;
        for (auto const& u : users) who += (who.empty() ? "" : ", ") + mention(v, u);
        roles.push_back(str(display_name(r)) + ": " + who);
    }
    if (roles.empty()) roles.push_back("none assigned yet");
    auto const end = i.resolved_at.value_or(now);
    v.fields.push_back({"Elapsed", format_duration(end - i.started_at) + " since impact started" +
                                       (i.resolved_at ? " (resolved " + when(v, *i.resolved_at, p, now) + ")" : "")});
    v.fields.push_back({"Last update", format_duration(now - i.last_update_at) + " ago"});
    if (auto const due = next_update_due(i, p)) {
        auto const in = *due - now;
        v.fields.push_back({"Next update due",
                            when(v, *due, p, now) + (in >= seconds{0} ? " (in " + format_duration(in) + ")"
                                                                      : " (overdue by " + format_duration(-in) + ")")});
    }
    v.fields.push_back({"Acknowledged", i.acknowledged_at ? when(v, *i.acknowledged_at, p, now) + " by " +
                                                                mention(v, i.acknowledged_by.value_or("?"))
                                                          : "not yet"});
    v.fields.push_back({"War room", hidden ? "private; ask the Incident Commander for access" : "#" + i.channel});
    v.sections.push_back({"Roles", roles});
    return v;
}

message_view nudge_view(incident const& i, policy const& p, timestamp now) {
    auto v = blank("nudge", i.number);
    auto const who = i.holder(role::incident_commander).value_or(i.declared_by);
    v.headline = "⏰ Update due for " + incident_ref(i.number) + " — " + mention(v, who) + ", no update for " +
                 format_duration(now - i.last_update_at);
    auto const every = p.of(i.sev).update_every.value_or(seconds{0});
    v.fields = {{"Cadence", "every " + format_duration(every) + " for " + str(to_string(i.sev))},
                {"Status", str(display_name(i.st))}};
    if (auto const interval = nudge_interval(i, p); interval > every) {
        v.fields.push_back({"Reminders", std::to_string(i.unanswered_nudges) +
                                             " unanswered: slowing down, the next in " + format_duration(interval)});
    }
    auto const n = number_value(i);
    v.buttons = {{ui::action::post_update, "Post update", n}, {ui::action::snooze, "Snooze " + format_duration(p.snooze), n}};
    return v;
}

message_view escalation_view(incident const& i, escalation_step const& step, bool manual, std::string const& reason,
                             std::vector<std::string> const& notified, policy const& p, timestamp now) {
    auto v = blank("escalation", i.number);
    auto const head = "📣 Escalation — " + incident_ref(i.number) + " (" + str(to_string(i.sev)) + "): ";
    std::string who;
    for (auto const& c : notified) {
        auto const parsed = parse_contact(c);
        bool const pings = parsed && parsed->what != contact::kind::email && parsed->what != contact::kind::channel;
        who += (who.empty() ? "" : ", ") + (pings ? mention(v, parsed->id) : c);
    }
    if (!who.empty()) {
        v.headline = head + step.label;
        v.fields.push_back({"Notified", who});
    } else if (step.page && i.pages.empty()) {
        v.headline = head + "the " + step.target + " step is due, but nobody is on call to page";
        v.fields.push_back({"Paged", "nobody (configure [[oncall.rotations]] or [paging])"});
    } else if (step.page || step.customer_notice) {
        v.headline = head + step.label;
    } else {
        // The procedures' label says someone was told; with no contact configured nobody was.
        v.headline = head + "the " + step.target + " step is due, but nobody is configured to be notified";
        v.fields.push_back({"Notified", "nobody (add contacts to severity." + str(to_string(i.sev)) +
                                            ".escalation's notify in the configuration)"});
    }
    std::string trigger;
    if (manual) {
        trigger = "manual" + (reason.empty() ? std::string{} : ": " + reason);
    } else {
        trigger = step.after == seconds{0} ? std::string("at declaration")
                                           : format_duration(step.after) + " after declaration, unresolved";
        // Taken later than it was due: after the severity was raised (or while warroom was down).
        if (now - (i.declared_at + step.after) > std::chrono::minutes{1}) {
            trigger += "; taken at " + when(v, now, p, now) +
                       (i.sev != i.declared_sev ? ", when the severity became " + str(to_string(i.sev)) : std::string{});
        }
    }
    v.fields.push_back({"Trigger", trigger});
    return v;
}

message_view reminder_view(incident const& i, reminder const& r, policy const& p, timestamp now, bool outside) {
    auto v = blank("reminder", i.number);
    auto const ref = incident_ref(i.number);
    auto const lead_user = i.holder(role::incident_commander).value_or(i.declared_by);
    bool const hidden = outside && p.of(i.type).private_room;
    auto const action_text = [&](action_item const& a) {
        // Outside a private incident's room (a DM), its text stays in the room.
        return hidden ? " (" + str(display_name(i.type)) + " incident: see its war room)" : ": " + a.text;
    };
    switch (r.kind) {
        case reminder_kind::report_due:
            v.headline = "📝 Report due by " + when(v, *i.resolved_at + p.report_due, p, now) + " — " + ref +
                         ": no incident report yet, " + mention(v, lead_user);
            v.buttons = {{ui::action::report, "Generate report", number_value(i)}};
            break;
        case reminder_kind::postmortem_due:
            v.headline = "🗓️ Post-mortem due by " + when(v, *i.resolved_at + p.postmortem_due, p, now) + " — " + ref +
                         ": the post-mortem meeting has not been held yet, " + mention(v, lead_user);
            v.buttons = {{ui::action::check, "Mark post-mortem held", check_value(i, phase::post_incident, 0)}};
            break;
        case reminder_kind::action_due:
        case reminder_kind::action_overdue: {
            auto const& a = i.actions.at(static_cast<std::size_t>(r.action - 1));
            v.kind = "action_due";
            v.headline = "⏳ Action item #" + std::to_string(a.number) + " of " + ref +
                         (r.kind == reminder_kind::action_due ? " is due today"
                                                              : " is overdue (due " + format_date(*a.due) + ")") +
                         (a.owner ? ", " + mention(v, *a.owner) : std::string{}) + action_text(a);
            v.buttons = {{ui::action::done, "Mark done", ui::action_item_value(i.number, a.number)}};
            break;
        }
        case reminder_kind::regulator_notice: {
            auto const deadline = regulator_clock_start(i, p) + p.regulator_notice;
            auto const left = r.step == 0   ? format_duration(deadline - r.due) + " left of the " +
                                                  format_duration(p.regulator_notice) + " deadline"
                              : r.step == 1 ? "the " + format_duration(p.regulator_notice) + " deadline is now"
                                            : "overdue by " + format_duration(r.due - deadline);
            v.headline = "⚖️ Regulator notification — " + ref + ": " + left +
                         " to notify the data protection authority (deadline " + when(v, deadline, p, now) + "), " +
                         mention(v, lead_user);
            v.buttons = {{ui::action::regulator_notified, "Mark regulator notified", number_value(i)}};
            break;
        }
        case reminder_kind::page_unanswered:
            v.headline = "⚠️ " + ref + " was not acknowledged within " +
                         format_duration(p.of(i.sev).respond_within) +
                         " and nobody else is on call to page: " + mention(v, lead_user) + ", find a responder";
            v.buttons = {{ui::action::acknowledge, "Acknowledge", number_value(i)}};
            break;
        case reminder_kind::unacknowledged:
            v.headline = "⏰ " + ref + " (" + str(to_string(i.sev)) + ") was due a response by " +
                         when(v, r.due, p, now) + " (" + p.of(i.sev).respond_label +
                         ") and nobody has acknowledged it, " + mention(v, lead_user);
            v.buttons = {{ui::action::acknowledge, "Acknowledge", number_value(i)}};
            break;
        case reminder_kind::nudges_unanswered: {
            // Told once: the incident admins and the engineering manager's contacts.
            std::string who;
            for (auto const& u : told_of_unanswered_nudges(i, p)) who += (who.empty() ? "" : ", ") + mention(v, u);
            v.headline = "📣 " + ref + " has had no update for " + format_duration(now - i.last_update_at) +
                         " and " + std::to_string(i.unanswered_nudges) + " reminders went unanswered — " +
                         (who.empty() ? std::string("nobody is configured to be told (access.incident_admins)")
                                      : who) +
                         ": the Incident Commander (" + mention(v, lead_user) + ") may need help";
            v.fields = {{"Next reminder", "in " + format_duration(nudge_interval(i, p)) + " (slowed down)"}};
            break;
        }
        case reminder_kind::update_nudge:
        case reminder_kind::escalation:
            break;
    }
    return v;
}

message_view page_view(incident const& i, page_record const& to, std::string const& position, policy const& p) {
    auto v = blank("page", i.number);
    auto const ref = incident_ref(i.number);
    auto const who = to.user.empty() ? std::string("the on-call engineer") : mention(v, to.user);
    if (position == "secondary") {
        auto const& primary = i.pages.at("primary").user;
        v.headline = "📟 Paging " + who + " (secondary on call) for " + ref + ": " +
                     (primary.empty() ? std::string("the primary") : mention(v, primary)) +
                     " did not acknowledge within " + format_duration(p.of(i.sev).respond_within);
    } else {
        v.headline = "📟 Paging " + who + " (primary on call) for " + ref + " (" + str(to_string(i.sev)) +
                     "): respond within " + format_duration(p.of(i.sev).respond_within);
    }
    // A page travels (DMs to people not yet in the room): a private incident's title stays in its room.
    v.fields = {{"Incident", public_title(i, p, true)}, {"War room", "#" + i.channel}};
    v.buttons = {{ui::action::acknowledge, "Acknowledge", number_value(i)}};
    return v;
}

message_view severity_warning_view(incident const& i, policy const& p) {
    auto v = blank("severity_warning", i.number);
    auto const typical = p.of(i.type).typical;
    v.headline = "⚠️ By the procedures, a " + str(display_name(i.type)) + " is typically " + str(to_string(typical)) +
                 " or more severe; " + incident_ref(i.number) + " is " + str(to_string(i.sev)) +
                 ". Raise it unless you are sure.";
    v.buttons = {{ui::action::upgrade_severity, "Raise to " + str(to_string(typical)),
                  ui::severity_value(i.number, typical)}};
    return v;
}

message_view postmortem_prompt_view(incident const& i, policy const& p, timestamp now) {
    auto v = blank("postmortem_prompt", i.number);
    v.headline = "🗓️ Schedule the post-mortem meeting for " + incident_ref(i.number) + ": it is to be held by " +
                 when(v, *i.resolved_at + p.postmortem_due, p, now) + " (within " + format_duration(p.postmortem_due) +
                 " of resolution), " + mention(v, i.holder(role::incident_commander).value_or(i.declared_by));
    v.buttons = {{ui::action::check, "Mark post-mortem held", check_value(i, phase::post_incident, 0)}};
    return v;
}

message_view publish_resolution_view(incident const& i) {
    auto v = blank("publish_resolution", i.number);
    auto const speaker = i.holder(role::communications_lead).value_or(i.holder(role::incident_commander).value_or(i.declared_by));
    v.headline = "📣 " + incident_ref(i.number) + " is on the public status page as " +
                 std::string(display_name(i.publications.back().st)) + ", " + mention(v, speaker) +
                 ": publish its resolution when customers should see it";
    v.buttons = {{ui::action::publish_resolution, "Publish resolution", number_value(i)}};
    return v;
}

message_view published_view(incident const& i, published const& pub, user_id const& by) {
    auto v = blank("published", i.number);
    std::string components;
    for (auto const& c : pub.components) components.append(components.empty() ? "" : ", ").append(c);
    v.headline = "📣 Published on the status page by " + mention(v, by) + " (" + std::string(display_name(pub.st)) + ")";
    if (!components.empty()) {
        v.headline += " — " + components +
                      (pub.component_st ? ": " + std::string(display_name(*pub.component_st)) : std::string{});
    }
    v.sections = {{"", lines_of(pub.text)}};
    return v;
}

std::string customer_notice_text(incident const& i, policy const& p, timestamp now) {
    if (!i.customer_notice.empty()) return i.customer_notice;
    // In customers' words, from the status: never the internal impact text or title.
    auto const affected = i.services_affected.empty() ? std::string("some of our services") : i.services_affected;
    std::string lead;
    switch (i.is_resolved() ? status::resolved : i.st) {
        case status::investigating: lead = "We are investigating an issue affecting " + affected + "."; break;
        case status::identified:
            lead = "We have identified the cause of an issue affecting " + affected + " and are working on a fix.";
            break;
        case status::implementing_fix: lead = "A fix for an issue affecting " + affected + " is being rolled out."; break;
        case status::monitoring:
            lead = "A fix for an issue affecting " + affected + " has been applied; we are monitoring the results.";
            break;
        case status::resolved: lead = "The issue affecting " + affected + " has been resolved."; break;
    }
    auto const due = next_update_due(i, p);
    return lead + " It began at " + format_time(i.started_at, *p.zone) + "." +
           (i.is_resolved() ? std::string{}
                            : " Next update " + (due ? "by " + format_time(std::max(*due, now), *p.zone)
                                                     : std::string("as soon as we know more")) +
                                  ".");
}

message_view customer_notice_view(incident const& i, policy const& p, timestamp now) {
    auto v = blank("customer_notice", i.number);
    auto const approver =
        i.holder(role::communications_lead).value_or(i.holder(role::incident_commander).value_or(i.declared_by));
    v.headline = "✉️ Customer notice (draft) for " + incident_ref(i.number) + " — " + mention(v, approver) +
                 ", review it (edit it if needed) and approve it for the status page and customer email";
    v.sections = {{"", lines_of(customer_notice_text(i, p, now))}};
    v.buttons = {{ui::action::edit_notice, "Edit notice", number_value(i)},
                 {ui::action::approve_notice, "Approve customer notice", number_value(i)}};
    return v;
}

message_view approved_notice_view(incident const& i, policy const& p, timestamp now) {
    auto v = blank("customer_notice_approved", i.number);
    v.headline = "✉️ Customer notice for " + incident_ref(i.number) + " approved by " +
                 mention(v, i.customer_notice_approved_by.value_or("")) + ": send it as written";
    v.sections = {{"", lines_of(customer_notice_text(i, p, now))}};
    return v;
}

message_view oncall_view(policy const& p, timestamp now) {
    auto v = blank("oncall", 0);
    v.headline = "📟 On call";
    if (p.rotations.empty()) {
        v.headline += ": no rotation is configured ([[oncall.rotations]] in the config)";
        return v;
    }
    auto const line = [&v](shift const& s) {
        return mention(v, s.primary) + " primary" + (s.secondary ? ", " + mention(v, *s.secondary) + " secondary" : "");
    };
    for (auto const& r : p.rotations) {
        auto const current = shift_at(r, now);
        if (!current) continue;
        auto const next = shift_at(r, current->until);
        v.sections.push_back({r.name,
                              {"Now: " + line(*current) + " until " + when(v, current->until, p, now),
                               "Next: " + line(*next) + " from " + when(v, current->until, p, now)}});
    }
    return v;
}

message_view handoff_view(rotation const& r, timestamp at, policy const& p) {
    auto v = blank("handoff", 0);
    auto const before = shift_at(r, at - seconds{1});
    auto const after = shift_at(r, at);
    v.headline = "🔁 On-call hand-off (" + r.name + "): " + mention(v, after->primary) + " is primary on call from now" +
                 (before->primary != after->primary ? ", taking over from " + mention(v, before->primary) : std::string{});
    if (after->secondary) v.fields.push_back({"Secondary", mention(v, *after->secondary)});
    v.fields.push_back({"Until", when_full(v, after->until, p)});
    v.sections.push_back({"Hand-off",
                          {"Outgoing: share open incidents, ongoing issues and anything being watched",
                           "Incoming: acknowledge pages within the response time of their severity"}});
    return v;
}

message_view checklist_view(incident const& i, phase ph, policy const& p, timestamp now) {
    auto v = blank("checklist", i.number);
    v.headline = "☑️ " + str(display_name(ph)) + " checklist — " + incident_ref(i.number);
    auto const& items = checklist(ph);
    for (int n = 0; n < static_cast<int>(items.size()); ++n) {
        auto const it = i.checks.find({ph, n});
        bool const done = it != i.checks.end();
        v.checklist.push_back({items[n], check_value(i, ph, n), done,
                               done ? mention(v, it->second.by) + " " + when(v, it->second.at, p, now) : ""});
    }
    return v;
}

message_view phase_view(incident const& i, phase from, policy const& p, timestamp now) {
    auto v = checklist_view(i, i.ph, p, now);
    v.kind = "phase";
    v.headline =
        "➡️ " + incident_ref(i.number) + " moved " + str(display_name(from)) + " → " + str(display_name(i.ph));
    v.buttons = prompt_buttons(i);
    if (!v.checklist.empty()) v.footer = {"Check items with `check <n>` or the checkboxes."};
    return v;
}

message_view roles_view(incident const& i) {
    auto v = blank("roles", i.number);
    v.headline = "👥 Roles — " + incident_ref(i.number);
    for (auto const r : all_roles) {
        std::string who;
        if (auto const it = i.roles.find(r); it != i.roles.end()) {
            for (auto const& u : it->second) who += (who.empty() ? "" : ", ") + mention(v, u);
        }
        v.fields.push_back({str(display_name(r)), who.empty() ? "—" : who});
    }
    return v;
}

message_view actions_view(incident const& i, policy const& p, timestamp now) {
    auto v = blank("actions", i.number);
    v.headline = "📋 Action items — " + incident_ref(i.number);
    section s;
    // Due dates are calendar days: "overdue" once the zone's day is past the date.
    auto const today = timestamp{std::chrono::floor<std::chrono::days>(now + p.zone->offset(now))};
    for (auto const& a : i.actions) {
        if (!a.removed) s.lines.push_back(action_line(v, a, today));
    }
    if (s.lines.empty()) s.lines.push_back("none yet: `action <text> [@owner] [due:YYYY-MM-DD]`");
    v.sections.push_back(std::move(s));
    return v;
}

message_view list_view(std::vector<incident const*> const& incidents, bool all, policy const& p, timestamp now) {
    auto v = blank("list", 0);
    v.headline = all ? "🗂️ All incidents" : "🗂️ Incidents not yet closed";
    section active{"Active", {}}, awaiting{"Resolved, awaiting close", {}}, closed{"Closed", {}};
    for (auto const* i : incidents) {
        bool const hidden = p.of(i->type).private_room;
        auto const line = incident_ref(i->number) + " " + str(to_string(i->sev)) + " " + public_title(*i, p, true) +
                          " — " + str(display_name(i->ph)) + ", " +
                          (i->declined ? std::string("Declined") : str(display_name(i->st))) + ", declared " +
                          when(v, i->declared_at, p, now) + (hidden ? std::string{} : " #" + i->channel);
        (i->is_active() ? active : i->is_awaiting_close() ? awaiting : closed).lines.push_back(line);
    }
    for (auto* s : {&active, &awaiting, &closed}) {
        if (s == &closed && !all) continue;
        if (s->lines.empty()) s->lines.push_back("none");
        v.sections.push_back(std::move(*s));
    }
    return v;
}

message_view stats_view(stats const& s, policy const& p) {
    auto v = blank("stats", 0);
    v.headline = "📈 Incident metrics " + format_date(s.from, *p.zone) + " – " + format_date(s.to, *p.zone);
    auto const summary = [](duration_summary const& d) {
        if (d.count == 0) return std::string("no data");
        return "mean " + format_duration(*d.mean) + ", median " + format_duration(*d.median) + ", p90 " +
               format_duration(*d.p90) + " (n=" + std::to_string(d.count) + ")";
    };
    v.fields = {{"Incidents", std::to_string(s.incidents) + " (" + std::to_string(s.active) + " active, " +
                                  std::to_string(s.awaiting_close) + " awaiting close)" +
                                  (s.declined ? "; " + std::to_string(s.declined) + " declined, not counted"
                                              : std::string{})},
                {"MTTD", summary(s.mttd) + (s.mttd.count < s.incidents ? " — only incidents with a start or "
                                                                         "detection time given"
                                                                       : "")},
                {"MTTA", summary(s.mtta)},
                {"MTTR", summary(s.mttr)}};
    section sev{"By severity", {}}, type{"By type", {}};
    for (auto const& [k, n] : s.by_severity) sev.lines.push_back(str(to_string(k)) + ": " + std::to_string(n));
    for (auto const& [k, n] : s.by_type) type.lines.push_back(str(to_string(k)) + ": " + std::to_string(n));
    if (!sev.lines.empty()) v.sections = {sev, type};
    v.footer = {"Median: the middle value (the mean of the middle two for an even count); p90: nearest rank."};
    return v;
}

message_view note_view(std::string text, std::vector<std::string> mentions) {
    auto v = blank("reply", 0);
    v.headline = std::move(text);
    v.mentions = std::move(mentions);
    return v;
}

message_view report_view(incident const& i, policy const& p, timestamp now) {
    auto v = blank("report", i.number);
    v.headline = "📄 Incident report — " + incident_ref(i.number) + " " + i.title;
    v.body = render_report(i, p, now);
    return v;
}

modal_view declare_modal() {
    std::vector<std::string> sevs, types;
    for (auto const s : all_severities) sevs.push_back(str(to_string(s)));
    for (auto const t : all_types) types.push_back(str(to_string(t)));
    return {ui::form::declare,
            0,
            "Declare an incident",
            {{ui::field::title, "Title", {}, "", false, false},
             {ui::field::severity, "Severity", sevs, "P2", false, false},
             {ui::field::type, "Type", types, "outage", false, false},
             {ui::field::personal_data,
              "Personal data involved? (starts the 72h regulator clock)",
              {"no", "yes"},
              "no",
              false,
              false},
             {ui::field::description, "Impact / description", {}, "", true, true},
             {ui::field::started_at, "Impact started (YYYY-MM-DD HH:MM UTC, or 20m ago)", {}, "", true, false}}};
}

modal_view update_modal(incident const& i) {
    std::vector<std::string> statuses;
    for (auto const s : all_statuses) {
        if (s != status::resolved) statuses.push_back(str(to_string(s)));
    }
    return {ui::form::update,
            i.number,
            "Post an update — " + incident_ref(i.number),
            {{ui::field::status, "Status", statuses, str(to_string(i.st)), false, false},
             {ui::field::impact, "Impact (current scope)", {}, i.impact, true, false},
             {ui::field::text, "Progress", {}, "", false, true}}};
}

modal_view resolve_modal(incident const& i) {
    return {ui::form::resolve,
            i.number,
            "Resolve " + incident_ref(i.number),
            {{ui::field::resolution, "Resolution: what fixed it", {}, "", false, true},
             {ui::field::root_cause, "Root cause", {}, i.root_cause, true, true},
             {ui::field::summary, "Summary for the report: what happened", {}, i.summary, true, true},
             {ui::field::services, "Services affected (comma-separated)", {}, i.services_affected, true, false}}};
}

modal_view customer_notice_modal(incident const& i, policy const& p, timestamp now) {
    return {ui::form::customer_notice,
            i.number,
            "Customer notice — " + incident_ref(i.number),
            {{ui::field::notice_text, "What customers will read", {}, customer_notice_text(i, p, now), false, true}}};
}

}  // namespace warroom::core
