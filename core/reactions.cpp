// The reaction table: one branch per event kind, then what the batch as a whole owes — the
// announcement, one message per incident edited to match it whenever anything it shows changed.
#include "core/reactions.hpp"

#include <algorithm>

#include "core/contact.hpp"
#include "core/decide.hpp"
#include "core/status_page.hpp"
#include "core/views.hpp"

namespace warroom::core {
namespace {

// Events that change what the announcement shows.
bool announced(payload const& p) {
    return std::holds_alternative<declared>(p) || std::holds_alternative<update_posted>(p) ||
           std::holds_alternative<severity_changed>(p) || std::holds_alternative<phase_changed>(p) ||
           std::holds_alternative<resolved>(p) || std::holds_alternative<reopened>(p) ||
           std::holds_alternative<closed>(p) || std::holds_alternative<type_changed>(p) ||
           std::holds_alternative<room_moved>(p) || std::holds_alternative<declined>(p) ||
           (std::holds_alternative<role_assigned>(p) && std::get<role_assigned>(p).r == role::incident_commander);
}

std::vector<std::string> people(invited const& inv) {
    std::vector<std::string> out = inv.users;
    out.insert(out.end(), inv.groups.begin(), inv.groups.end());
    return out;
}

// An e-mail about incident `i` to `to`: `what` says what happened, `why` why they hear of it. A
// private incident's text never leaves its room: its e-mail says the number, the severity and where
// to join, and nothing of `what`, `why` or the title.
email incident_email(incident const& i, std::vector<std::string> to, std::string const& what, std::string const& why,
                     policy const& p) {
    auto const ref = incident_ref(i.number);
    auto const sev = std::string(to_string(i.sev));
    auto const join = "Join #" + i.channel + " in Slack to take part.\n";
    if (p.of(i.type).private_room) {
        return email{i.number, std::move(to), "[" + ref + " " + sev + "] private incident: join its war room in Slack",
                     ref + " (severity " + sev + ") is a private incident: its details stay in its war room.\n" + join};
    }
    auto text = ref + " (" + sev + ", " + std::string(display_name(i.type)) + "): " + i.title + "\n" + what + "\n\n" +
                "Status: " + std::string(display_name(i.st)) + "\n" + "Started: " + format_time(i.started_at, *p.zone) +
                "\n";
    if (!i.description.empty()) text += "Description: " + i.description + "\n";
    text += "\n" + join + why + "\n";
    return email{i.number, std::move(to), "[" + ref + " " + sev + "] " + i.title + ": " + what, std::move(text)};
}

// What Statuspage is sent of the publication `what`, one of `batch`'s: the incident's publications
// after the batch end with the batch's own, in order.
statuspage_update statuspage_of(incident const& i, std::vector<event> const& batch, published const& what,
                                policy const& p) {
    std::size_t in_batch = 0, index = 0;
    for (auto const& x : batch) {
        auto const* pub = std::get_if<published>(&x.what);
        if (!pub || x.incident != i.number) continue;
        if (pub == &what) index = in_batch;
        ++in_batch;
    }
    auto const& pub = i.publications.at(i.publications.size() - in_batch + index);
    return statuspage_update{i.number, pub.sequence, public_name(i, p), pub.st, pub.text,
                             pub.components, pub.component_st, public_impact(i)};
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
    auto const& rules = ctx.rules;
    std::vector<effect> out;
    // The resolution template already says the incident moved on; a phase prompt would repeat it.
    bool const resolving = std::any_of(batch.begin(), batch.end(),
                                       [](event const& e) { return std::holds_alternative<resolved>(e.what); });
    for (auto const& e : batch) {
        // Alert groups' own effects: alert_reactions(); maintenance windows': the service's reply.
        if (!is_incident_stream(e.incident)) continue;
        auto const& i = state.at(e.incident);
        bool const redacted = rules.of(i.type).private_room;
        auto const in_room = [&](std::string const& channel, message_view v, bool pin = false) {
            out.push_back(post{channel, std::move(v), pin, {}, i.number});
        };
        auto const room = [&](message_view v, bool pin = false) { in_room(i.channel, std::move(v), pin); };
        auto const confirm = [&](std::string text) {
            out.push_back(reply{ctx.channel, ctx.asker, note_view("✓ " + std::move(text))});
        };
        auto const topic_changed = [&] { out.push_back(set_topic{i.channel, topic(i), i.number}); };
        // One e-mail to the addresses among `contacts`, when e-mail is configured and there are any.
        auto const mail = [&](std::vector<std::string> const& contacts, std::string const& what, std::string const& why) {
            auto to = email_addresses(contacts);
            if (rules.mail.enabled && !to.empty()) out.push_back(incident_email(i, std::move(to), what, why, rules));
        };
        auto const type_contact = [&](incident_type t) {
            return "You are a contact for " + std::string(display_name(t)) + " incidents.";
        };
        auto const ref = incident_ref(i.number);
        auto const who = "@" + e.by;
        auto const now = e.at;
        // A line naming people (who acted, and whoever else it names): the bot's own mentions.
        auto const note = [&](std::string text, std::vector<std::string> mentioned) {
            mentioned.push_back(e.by);
            return note_view(std::move(text), std::move(mentioned));
        };

        std::visit(
            [&]<typename T>(T const& what) {
                if constexpr (std::is_same_v<T, declared>) {
                    auto const* inv = find_in<invited>(batch, i.number);
                    out.push_back(open_war_room{i.number, i.channel, redacted, inv ? people(*inv) : std::vector<std::string>{},
                                                topic(i)});
                    room(declaration_view(i, rules, now), true);
                    room(runbook_view(i, rules));
                    room(checklist_view(i, phase::detection, rules, now));
                    if (i.sev > rules.of(i.type).typical) room(severity_warning_view(i, rules));
                    mail(rules.of(i.type).contacts, "declared", type_contact(i.type));
                    confirm("Declared " + ref + ": war room #" + i.channel);
                } else if constexpr (std::is_same_v<T, invited>) {
                    // At declaration the war room opens with its people; later they are added to it.
                    if (!find_in<declared>(batch, i.number)) {
                        out.push_back(invite{i.number, i.channel, people(what)});
                    }
                } else if constexpr (std::is_same_v<T, update_posted>) {
                    auto view = update_view(i, rules, now);
                    // The announcement channel hears every update, as configured; a private
                    // incident's words stay in its room (its announcement says the status only).
                    if (!redacted && rules.announce_updates != policy::update_posts::edit) {
                        // Kept under a key, so it can be redacted if the incident becomes private.
                        post in_channel{rules.announce_channel, view, false, announced_update_key(i.number, i.updates)};
                        if (rules.announce_updates == policy::update_posts::thread) in_channel.thread = announcement_key(i.number);
                        out.push_back(std::move(in_channel));
                    }
                    room(std::move(view));
                    topic_changed();
                } else if constexpr (std::is_same_v<T, severity_changed>) {
                    auto const& every = rules.of(what.to).update_every;
                    bool const raised = what.to < what.from;
                    room(note(std::string(raised ? "🔺 " : "🔻 ") + ref + " severity " +
                                  std::string(to_string(what.from)) + " → " + std::string(to_string(what.to)) +
                                  (raised ? " (raised)" : " (lowered)") + " by " + who + ": updates " +
                                  (every ? "every " + format_duration(*every) : std::string("as needed")) +
                                  ", escalation re-planned",
                              {}));
                    topic_changed();
                } else if constexpr (std::is_same_v<T, phase_changed>) {
                    if (what.to != phase::closed && !resolving) room(phase_view(i, what.from, rules, now));
                } else if constexpr (std::is_same_v<T, role_assigned>) {
                    // At declaration the declaration itself names its lead.
                    if (find_in<declared>(batch, i.number)) return;
                    room(note("👤 @" + what.user + " is now " + std::string(display_name(what.r)) +
                                  (what.previous ? " (handed over from @" + *what.previous + ")" : std::string{}) +
                                  " — assigned by " + who,
                              {what.user}));
                    if (what.r == role::incident_commander) topic_changed();
                } else if constexpr (std::is_same_v<T, note_added>) {
                    // Posted in the room so everyone sees what was recorded, and when it happened.
                    auto const at = what.happened.value_or(e.at);
                    room(note("📝 Note by " + who + (what.happened ? " (at " + format_clock(at, *rules.zone, now) + ")" : "") +
                                  ": " + what.text,
                              {}));
                    confirm("Added to the " + ref + " timeline");
                } else if constexpr (std::is_same_v<T, acknowledged>) {
                    room(note("✅ " + ref + " acknowledged by " + who + " (" + format_duration(e.at - i.detected_at) +
                                  " after detection)",
                              {}));
                    if (rules.paging && !i.pages.empty())
                        out.push_back(vendor_page(i, page_action::acknowledge, e.by, rules));
                } else if constexpr (std::is_same_v<T, paged>) {
                    auto const view = page_view(i, i.pages.at(what.position), what.position, rules);
                    room(view);
                    if (!what.user.empty()) out.push_back(direct_message{what.user, view});
                    if (rules.paging) {
                        auto p = vendor_page(i, page_action::trigger, e.by, rules);
                        p.responder = what.user;
                        p.position = what.position;
                        out.push_back(std::move(p));
                    }
                } else if constexpr (std::is_same_v<T, customer_notice_approved>) {
                    auto const view = approved_notice_view(i, rules, e.at);
                    room(view);
                    // A private incident's notice stays in its room: neither announced nor e-mailed.
                    if (!redacted) {
                        out.push_back(post{rules.announce_channel, view});
                        if (rules.mail.enabled && !rules.mail.customer_list.empty()) {
                            out.push_back(email{i.number, rules.mail.customer_list, "Service notice (" + ref + ")",
                                                customer_notice_text(i, rules, e.at) + "\n"});
                        }
                    }
                } else if constexpr (std::is_same_v<T, regulator_notified>) {
                    room(note("⚖️ Regulator notification of " + ref + " recorded by " + who + " (" +
                                  format_duration(e.at - i.declared_at) + " after declaration)",
                              {}));
                } else if constexpr (std::is_same_v<T, action_added>) {
                    room(note("📋 Action item #" + std::to_string(what.number) + " added: " + what.text +
                                  " - Owner: " + (what.owner ? "@" + *what.owner : std::string("unassigned")) +
                                  " - Due: " + (what.due ? format_date(*what.due) : std::string("none")),
                              what.owner ? std::vector<std::string>{*what.owner} : std::vector<std::string>{}));
                } else if constexpr (std::is_same_v<T, action_edited>) {
                    auto const& a = i.actions.at(static_cast<std::size_t>(what.number - 1));
                    room(note("✏️ Action item #" + std::to_string(a.number) + " edited by " + who + ": " + a.text +
                                  " - Owner: " + (a.owner ? "@" + *a.owner : std::string("unassigned")) +
                                  " - Due: " + (a.due ? format_date(*a.due) : std::string("none")),
                              what.owner ? std::vector<std::string>{*what.owner} : std::vector<std::string>{}));
                } else if constexpr (std::is_same_v<T, action_removed>) {
                    room(note("🗑️ Action item #" + std::to_string(what.number) + " removed by " + who, {}));
                } else if constexpr (std::is_same_v<T, impact_recorded>) {
                    std::string said;
                    for (auto const& [label, value] : {std::pair{"users affected", &what.users},
                                                       std::pair{"services", &what.services},
                                                       std::pair{"financial impact", &what.financial}}) {
                        if (!value->empty()) said += (said.empty() ? "" : "; ") + std::string(label) + ": " + *value;
                    }
                    room(note("📉 Impact of " + ref + " recorded by " + who + " — " + said, {}));
                } else if constexpr (std::is_same_v<T, declined>) {
                    room(note("🚫 " + ref + " declined by " + who + ": " + what.reason +
                                  " — not an incident; closed and left out of the metrics",
                              {}));
                    // Not an incident: the page is over too, or the vendor keeps escalating it.
                    if (rules.paging && !i.pages.empty())
                        out.push_back(vendor_page(i, page_action::resolve, e.by, rules));
                } else if constexpr (std::is_same_v<T, customer_notice_edited>) {
                    room(customer_notice_view(i, rules, now));
                } else if constexpr (std::is_same_v<T, action_completed>) {
                    room(note("✔️ Action item #" + std::to_string(what.number) + " done (" + who + ")", {}));
                } else if constexpr (std::is_same_v<T, escalated>) {
                    auto const& steps = rules.of(i.sev).escalation;
                    auto const step = std::find_if(steps.begin(), steps.end(),
                                                   [&](auto const& s) { return s.target == what.target; });
                    escalation_step const shown =
                        step != steps.end() ? *step : escalation_step{{}, what.target, what.label, what.notified};
                    auto const view = escalation_view(i, shown, what.manual, what.reason, what.notified, rules, now);
                    room(view);
                    for (auto const& text : what.notified) {
                        auto const c = parse_contact(text);
                        // A channel named as a contact is told there; of a private incident only that it
                        // escalated (a manual reason may say more than the room should).
                        if (c && c->what == contact::kind::channel) {
                            out.push_back(post{c->id, redacted ? note_view(view.headline + " — details in its war room")
                                                               : view});
                        }
                        if (shown.dm && c && (c->what == contact::kind::user || c->what == contact::kind::email)) {
                            out.push_back(direct_message{c->id, view});
                        }
                    }
                    mail(what.notified,
                         shown.label + (what.manual && !what.reason.empty() ? " (" + what.reason + ")" : ""),
                         "You are a contact of its escalation step \"" + shown.target + "\".");
                    if (shown.customer_notice) room(customer_notice_view(i, rules, e.at));
                } else if constexpr (std::is_same_v<T, nudged>) {
                    room(nudge_view(i, rules, e.at));
                } else if constexpr (std::is_same_v<T, snoozed>) {
                    room(note("😴 Update reminder snoozed by " + who + " until " + format_clock(what.until, *rules.zone, now), {}));
                } else if constexpr (std::is_same_v<T, published>) {
                    room(published_view(i, what, e.by));
                    if (rules.statuspage) out.push_back(statuspage_of(i, batch, what, rules));
                } else if constexpr (std::is_same_v<T, resolved>) {
                    room(resolution_view(i, rules, now));
                    if (resolution_unpublished(i)) room(publish_resolution_view(i));
                    if (i.sev <= severity::p1) room(postmortem_prompt_view(i, rules, now));
                    topic_changed();
                    if (rules.paging && !i.pages.empty())
                        out.push_back(vendor_page(i, page_action::resolve, e.by, rules));
                } else if constexpr (std::is_same_v<T, reopened>) {
                    room(note("↩️ " + ref + " reopened by " + who + ": " + what.reason, {}));
                    topic_changed();
                } else if constexpr (std::is_same_v<T, report_generated>) {
                    room(report_view(i, rules, now));
                } else if constexpr (std::is_same_v<T, closed>) {
                    room(note("🔒 " + ref + " closed by " + who + (what.reason.empty() ? "" : ": " + what.reason), {}));
                } else if constexpr (std::is_same_v<T, checklist_marked>) {
                    room(note(std::string(what.checked ? "☑️ " : "⬜ ") + who + (what.checked ? " checked" : " unchecked") +
                                  " \"" + checklist(what.ph).at(static_cast<std::size_t>(what.item)) + "\" (" +
                                  std::string(display_name(what.ph)) + ")",
                              {}));
                } else if constexpr (std::is_same_v<T, member_joined>) {
                    // Slack shows the join itself; nothing to add.
                } else if constexpr (std::is_same_v<T, type_changed>) {
                    auto const* moved = find_in<room_moved>(batch, i.number);
                    // Said where the people are now: a moved incident's old room is told below.
                    room(note("🔀 " + ref + " is now a " + std::string(display_name(what.to)) + " incident (was " +
                                  std::string(display_name(what.from)) + "), changed by " + who,
                              {}));
                    room(runbook_view(i, rules));
                    if (i.sev > rules.of(i.type).typical) room(severity_warning_view(i, rules));
                    if (!moved) topic_changed();
                    mail(rules.of(what.to).contacts,
                         "type changed to " + std::string(display_name(what.to)) + " (was " +
                             std::string(display_name(what.from)) + ")",
                         type_contact(what.to));
                    // Private now: the updates the announcement channel heard lose their words.
                    if (rules.of(what.to).private_room && !rules.of(what.from).private_room) {
                        auto const gone = note_view("📊 UPDATE (" + ref + "): this incident is now private; its updates are in its war room");
                        for (int k = 1; k <= i.updates; ++k) {
                            post redact{rules.announce_channel, gone, false, announced_update_key(i.number, k)};
                            redact.edit_only = true;
                            out.push_back(std::move(redact));
                        }
                    }
                } else if constexpr (std::is_same_v<T, room_moved>) {
                    // Everyone in the old room comes along; the old room points to the new one and is archived.
                    std::vector<std::string> everyone(i.members.begin(), i.members.end());
                    everyone.insert(everyone.end(), i.invited_groups.begin(), i.invited_groups.end());
                    out.push_back(open_war_room{i.number, what.to, redacted, everyone, topic(i)});
                    room(declaration_view(i, rules, now), true);
                    room(checklist_view(i, i.ph, rules, now));
                    in_room(what.from, note("🔒 " + ref + " is private now: it continues in a private war room, #" +
                                                what.to + ", with everyone who was here. This room is archived.",
                                            {}));
                    out.push_back(archive_room{i.number, what.from});
                } else if constexpr (std::is_same_v<T, alert_noted>) {
                    // At declaration the declaration names the alert; later ones are news for the room,
                    // one message for all of a batch (a delivery, a merged group).
                    if (find_in<declared>(batch, i.number) || find_in<alert_noted>(batch, i.number) != &what) return;
                    std::string text;
                    for (auto const& x : batch) {
                        if (auto const* a = std::get_if<alert_noted>(&x.what); a && x.incident == i.number)
                            text += (text.empty() ? "🔔 " : "\n🔔 ") + alert_note_text(*a);
                    }
                    room(note_view(std::move(text)));
                }
                // mitigated is shown through the post of the event that caused it; reminder_sent is
                // posted below with the reminder the clock fired; member_left needs nothing.
            },
            e.what);
    }
    // The announcement, once per incident the batch changed visibly, rendered from its state now.
    std::vector<int> done;
    for (auto const& e : batch) {
        if (!announced(e.what) || std::find(done.begin(), done.end(), e.incident) != done.end()) continue;
        done.push_back(e.incident);
        out.push_back(post{rules.announce_channel, announcement_view(state.at(e.incident), rules, batch.back().at),
                           false, announcement_key(e.incident)});
    }
    if (ctx.fired && !batch.empty() && std::holds_alternative<reminder_sent>(batch.front().what)) {
        auto const& r = *ctx.fired;
        auto const& fired = state.at(r.incident);
        auto const now = batch.front().at;
        out.push_back(post{fired.channel, reminder_view(fired, r, rules, now), false, {}, fired.number});
        if (r.kind == reminder_kind::action_due || r.kind == reminder_kind::action_overdue) {
            if (auto const& owner = fired.actions.at(static_cast<std::size_t>(r.action - 1)).owner) {
                out.push_back(direct_message{*owner, reminder_view(fired, r, rules, now, true)});
            }
        }
        if (r.kind == reminder_kind::nudges_unanswered) {
            // They may not be in the war room: each person is told directly as well.
            auto const view = reminder_view(fired, r, rules, now, true);
            for (auto const& who : told_of_unanswered_nudges(fired, rules)) {
                auto const c = parse_contact("@" + who);
                if (c && c->what == contact::kind::user) out.push_back(direct_message{c->id, view});
            }
        }
    }
    return out;
}

}  // namespace warroom::core
