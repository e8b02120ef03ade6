// The reaction table: one branch per event kind. A batch is read as a whole where one event changes
// how another is shown (a resolution already says the phase moved on).
#include "core/reactions.hpp"

#include <algorithm>

#include "core/oncall.hpp"
#include "core/views.hpp"

namespace warroom::core {
namespace {

// A contact that names one Slack user ("@U123" or "U123"), who can get a DM; groups and channels cannot.
std::optional<user_id> slack_user(std::string_view contact) {
    if (!contact.empty() && contact.front() == '@') contact.remove_prefix(1);
    if (contact.size() < 3 || (contact.front() != 'U' && contact.front() != 'W')) return std::nullopt;
    bool const id = std::all_of(contact.begin(), contact.end(),
                                [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
    return id ? std::optional<user_id>{std::string(contact)} : std::nullopt;
}

}  // namespace

page vendor_page(incident const& i, page_action action, user_id const& by, policy const& p) {
    // Private incidents tell the vendor their type only, as the announcement does.
    auto const what = p.of(i.type).private_room ? std::string(display_name(i.type)) + " incident" : i.title;
    return page{i.number,
                action,
                page_dedup_key(i.number),
                incident_ref(i.number) + " " + std::string(to_string(i.sev)) + ": " + what,
                i.sev,
                {},
                {},
                i.channel,
                by};
}

std::vector<effect> reactions(std::vector<event> const& batch, incident_map const& state,
                              reaction_context const& ctx) {
    auto const& rules_ = ctx.rules;
    std::vector<effect> out;
    // The resolution template already says the incident moved on; a phase prompt would repeat it.
    bool const resolving = std::any_of(batch.begin(), batch.end(),
                                       [](event const& e) { return std::holds_alternative<resolved>(e.what); });
    for (auto const& e : batch) {
        auto const& i = state.at(e.incident);
        bool const redacted = rules_.of(i.type).private_room;
        auto const room = [&](message_view v, bool pin = false) { out.push_back(post{i.channel, std::move(v), pin}); };
        // One message per incident in the announcement channel, edited as the incident moves, so
        // the channel reads as a list of incidents and their state rather than a stream.
        auto const announcement = [&](message_view v) {
            out.push_back(post{rules_.announce_channel, std::move(v), false, "announcement:" + std::to_string(i.number)});
        };
        auto const announce = [&](message_view v) {
            if (!redacted) announcement(std::move(v));
        };
        auto const confirm = [&](std::string text) {
            out.push_back(reply{ctx.channel, ctx.asker, note_view("✓ " + std::move(text))});
        };
        auto const topic_changed = [&] { out.push_back(set_topic{i.channel, topic(i)}); };
        auto const ref = incident_ref(i.number);
        auto const who = "@" + e.by;

        std::visit(
            [&]<typename T>(T const& what) {
                if constexpr (std::is_same_v<T, declared>) {
                    std::vector<user_id> invite{e.by};
                    for (auto const& u : rules_.of(i.sev).on_call) invite.push_back(u);
                    if (auto const* r = rules_.rotation_of(i.sev)) {
                        if (auto const on_call = shift_at(*r, e.at)) invite.push_back(on_call->primary);
                    }
                    for (auto const& u : rules_.of(i.type).contacts) invite.push_back(u);
                    out.push_back(open_war_room{i.number, i.channel, redacted, invite, topic(i)});
                    room(declaration_view(i, rules_), true);
                    room(runbook_view(i, rules_));
                    room(checklist_view(i, phase::detection));
                    announcement(announcement_view(i, rules_));
                    confirm("Declared " + ref + ": war room #" + i.channel);
                } else if constexpr (std::is_same_v<T, update_posted>) {
                    room(update_view(i, rules_));
                    announce(announcement_view(i, rules_));
                    topic_changed();
                } else if constexpr (std::is_same_v<T, severity_changed>) {
                    auto const& every = rules_.of(what.to).update_every;
                    room(note_view("🔺 " + ref + " severity " + std::string(to_string(what.from)) + " → " +
                                   std::string(to_string(what.to)) + " by " + who + ": updates " +
                                   (every ? "every " + format_duration(*every) : std::string("as needed")) +
                                   ", escalation re-planned"));
                    announce(announcement_view(i, rules_));
                    topic_changed();
                } else if constexpr (std::is_same_v<T, phase_changed>) {
                    if (what.to != phase::closed && !resolving) {
                        room(phase_view(i, what.from));
                        announce(announcement_view(i, rules_));
                    }
                } else if constexpr (std::is_same_v<T, role_assigned>) {
                    room(note_view("👤 " + std::string("@") + what.user + " is now " +
                                   std::string(display_name(what.r)) +
                                   (what.previous ? " (handed over from @" + *what.previous + ")" : std::string{}) +
                                   " — assigned by " + who));
                    if (what.r == role::incident_commander) topic_changed();
                } else if constexpr (std::is_same_v<T, note_added>) {
                    confirm("Added to the " + ref + " timeline");
                } else if constexpr (std::is_same_v<T, acknowledged>) {
                    room(note_view("✅ " + ref + " acknowledged by " + who + " (" +
                                   format_duration(e.at - i.detected_at) + " after detection)"));
                    if (rules_.paging && !i.pages.empty())
                        out.push_back(vendor_page(i, page_action::acknowledge, e.by, rules_));
                } else if constexpr (std::is_same_v<T, paged>) {
                    auto const view = page_view(i, i.pages.at(what.position), what.position, rules_);
                    room(view);
                    if (!what.user.empty()) out.push_back(direct_message{what.user, view});
                    if (rules_.paging) {
                        auto p = vendor_page(i, page_action::trigger, e.by, rules_);
                        p.responder = what.user;
                        p.position = what.position;
                        out.push_back(std::move(p));
                    }
                } else if constexpr (std::is_same_v<T, customer_notice_approved>) {
                    auto const view = approved_notice_view(i, rules_, e.at);
                    room(view);
                    if (!redacted) out.push_back(post{rules_.announce_channel, view});
                } else if constexpr (std::is_same_v<T, regulator_notified>) {
                    room(note_view("⚖️ Regulator notification of " + ref + " recorded by " + who + " (" +
                                   format_duration(e.at - i.declared_at) + " after declaration)"));
                } else if constexpr (std::is_same_v<T, action_added>) {
                    room(note_view("📋 Action item #" + std::to_string(what.number) + " added: " + what.text +
                                   " - Owner: " + (what.owner ? "@" + *what.owner : std::string("unassigned")) +
                                   " - Due: " + (what.due ? format_date(*what.due) : std::string("none"))));
                } else if constexpr (std::is_same_v<T, action_completed>) {
                    room(note_view("✔️ Action item #" + std::to_string(what.number) + " done (" + who + ")"));
                } else if constexpr (std::is_same_v<T, escalated>) {
                    auto const& steps = rules_.of(i.sev).escalation;
                    auto const step = std::find_if(steps.begin(), steps.end(),
                                                   [&](auto const& s) { return s.target == what.target; });
                    escalation_step const shown =
                        step != steps.end() ? *step : escalation_step{{}, what.target, what.label, {}};
                    auto const view = escalation_view(i, shown, what.manual, what.reason);
                    room(view);
                    if (shown.dm) {
                        for (auto const& contact : shown.notify) {
                            if (auto const user = slack_user(contact)) out.push_back(direct_message{*user, view});
                        }
                    }
                    if (shown.customer_notice) room(customer_notice_view(i, rules_, e.at));
                } else if constexpr (std::is_same_v<T, nudged>) {
                    room(nudge_view(i, rules_, e.at));
                } else if constexpr (std::is_same_v<T, snoozed>) {
                    room(note_view("😴 Update reminder snoozed by " + who + " until " + format_clock(what.until)));
                } else if constexpr (std::is_same_v<T, resolved>) {
                    room(resolution_view(i, rules_));
                    if (redacted) {
                        announcement(note_view("✅ RESOLVED - " + ref + " (" + std::string(display_name(i.type)) + ")"));
                    } else {
                        announce(resolution_view(i, rules_));
                    }
                    topic_changed();
                    if (rules_.paging && !i.pages.empty()) out.push_back(vendor_page(i, page_action::resolve, e.by, rules_));
                } else if constexpr (std::is_same_v<T, reopened>) {
                    room(note_view("↩️ " + ref + " reopened by " + who + ": " + what.reason));
                    announce(announcement_view(i, rules_));
                    topic_changed();
                } else if constexpr (std::is_same_v<T, report_generated>) {
                    room(report_view(i, rules_));
                } else if constexpr (std::is_same_v<T, closed>) {
                    room(note_view("🔒 " + ref + " closed by " + who + (what.reason.empty() ? "" : ": " + what.reason)));
                } else if constexpr (std::is_same_v<T, checklist_marked>) {
                    room(note_view(std::string(what.checked ? "☑️ " : "⬜ ") + who +
                                   (what.checked ? " checked" : " unchecked") + " \"" +
                                   checklist(what.ph).at(static_cast<std::size_t>(what.item)) + "\" (" +
                                   std::string(display_name(what.ph)) + ")"));
                }
                // mitigated is shown through the post of the event that caused it; reminder_sent is
                // posted by tick(), which still holds the reminder it fired.
            },
            e.what);
    }
    if (ctx.fired && !batch.empty() && std::holds_alternative<reminder_sent>(batch.front().what)) {
        auto const& r = *ctx.fired;
        auto const& fired = state.at(r.incident);
        auto const view = reminder_view(fired, r, rules_);
        out.push_back(post{fired.channel, view});
        if (r.kind == reminder_kind::action_due) {
            if (auto const& owner = fired.actions.at(static_cast<std::size_t>(r.action - 1)).owner) {
                out.push_back(direct_message{*owner, view});
            }
        }
    }
    return out;
}

}  // namespace warroom::core
