// Grouping, deduplication and routing of alerts; the triage post's view.
#include "core/alerts.hpp"

#include <algorithm>

#include "core/decide.hpp"
#include "core/reminders.hpp"
#include "core/ui.hpp"

namespace warroom::core {
namespace {

std::string value_of(std::map<std::string, std::string> const& m, std::string const& key) {
    auto const it = m.find(key);
    return it == m.end() ? std::string{} : it->second;
}

// At most `limit` bytes, cut at a character boundary (the text is valid UTF-8).
std::string cut(std::string text, std::size_t limit) {
    if (text.size() <= limit) return text;
    auto end = limit;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    text.resize(end);
    return text;
}

std::string name_of(alert const& a) {
    auto name = value_of(a.labels, "alertname");
    return name.empty() ? value_of(a.annotations, "summary") : name;
}

std::string title_of(alert const& a, std::string const& source) {
    auto title = std::string(trim(value_of(a.annotations, "summary")));
    if (title.empty()) title = trim(value_of(a.labels, "alertname"));
    if (title.empty()) title = "Alert from " + source;
    return cut(std::move(title), max_title);
}

struct group_applier {
    alert_group& g;
    event const& e;

    void operator()(alert_group_opened const& o) {
        g.number = -e.incident;
        g.source = o.source;
        g.key = o.key;
        g.title = o.title;
        g.opened_at = e.at;
        g.emailed = o.emailed;
    }
    void operator()(alert_fired const& f) {
        g.alerts.insert_or_assign(f.fingerprint,
                                  alert_record{f.name, f.summary, f.url, f.level, true, f.starts_at, std::nullopt});
        g.quiet_since.reset();
        g.declined.reset();  // a decline was about what fired before
    }
    void operator()(alert_resolved const& r) {
        auto& a = g.alerts[r.fingerprint];
        a.firing = false;
        a.ends_at = r.ends_at;
        if (!g.firing()) g.quiet_since = e.at;
    }
    void operator()(alert_group_declared const& d) { g.incident = d.incident; }
    void operator()(alert_group_merged const& m) {
        g.incident = m.incident;
        g.merged = true;
    }
    void operator()(alert_group_declined const& d) {
        g.declined = d.reason;
        g.declined_by = e.by;
    }
    void operator()(alert_group_snoozed const& s) {
        g.snoozed_until = s.until;
        g.snoozed_by = e.by;
    }
    void operator()(alert_group_emailed const& m) { g.emailed.insert(g.emailed.end(), m.to.begin(), m.to.end()); }
    // Everything else belongs to incidents.
    template <class T>
    void operator()(T const&) {}
};

// The ticket of a group: its alerts as recorded, and the labels every alert received with it shares.
open_ticket ticket_of(alert_group const& g, std::vector<alert> const& received) {
    open_ticket t{g.number, g.title, std::string(to_string(g.level())), g.source, {}, {}};
    for (auto const& [fingerprint, a] : g.alerts) t.alerts.push_back({a.name, a.summary, a.url, a.starts_at});
    if (!received.empty()) t.labels = received.front().labels;
    for (auto const& a : received) {
        std::erase_if(t.labels, [&](auto const& label) {
            auto const it = a.labels.find(label.first);
            return it == a.labels.end() || it->second != label.second;
        });
    }
    return t;
}

alert_group applied(alert_group g, event const& e) {
    std::visit(group_applier{g, e}, e.what);
    ++g.version;
    return g;
}

}  // namespace

bool alert_group::firing() const {
    return std::any_of(alerts.begin(), alerts.end(), [](auto const& a) { return a.second.firing; });
}

alert_level alert_group::level() const {
    auto most = alert_level::low;
    for (auto const& [fingerprint, a] : alerts) most = std::min(most, a.level);
    return most;
}

timestamp alert_group::first_start() const {
    auto first = timestamp::max();
    for (auto const& [fingerprint, a] : alerts) first = std::min(first, a.starts_at);
    return first;
}

void apply(alert_group_map& all, event const& e) {
    if (!is_alert_stream(e.incident)) return;
    auto& slot = all[-e.incident];
    slot = applied(std::move(slot), e);
}

std::string alert_group_identity(std::string_view source, std::string_view key) {
    return std::string(source) + '\n' + std::string(key);
}

alert_route route_of(alert const& a, alert_policy const& p) {
    for (auto const& r : p.routes) {
        if (std::all_of(r.match.begin(), r.match.end(), [&](auto const& m) {
                auto const it = a.labels.find(m.first);
                return it != a.labels.end() && it->second == m.second;
            })) {
            return r;
        }
    }
    alert_route r;
    r.level = parse_alert_level(value_of(a.labels, "severity")).value_or(alert_level::medium);
    r.sev = p.critical_severity;
    return r;
}

std::vector<std::pair<std::string, std::vector<alert>>> group_alerts(alert_delivery const& d, alert_policy const& p) {
    std::vector<std::pair<std::string, std::vector<alert>>> out;
    for (auto const& a : d.alerts) {
        std::string key;
        if (!p.group_by.empty()) {
            for (auto const& label : p.group_by) key += label + "=" + value_of(a.labels, label) + ",";
        } else {
            key = d.group_key.empty() ? a.fingerprint : d.group_key;
        }
        auto const it = std::find_if(out.begin(), out.end(), [&](auto const& g) { return g.first == key; });
        if (it == out.end()) {
            out.emplace_back(std::move(key), std::vector<alert>{a});
        } else {
            it->second.push_back(a);
        }
    }
    return out;
}

std::vector<event> decide_alerts(alert_group const* current, std::string const& source, std::string const& key,
                                 std::vector<alert> const& alerts, timestamp now, policy const& p,
                                 alert_numbering const& numbers) {
    bool const fresh = !current || (current->quiet_since && now - *current->quiet_since > p.alerts.reopen_window);
    alert_group g = fresh ? alert_group{} : *current;
    std::vector<event> group_events;
    auto const record = [&](payload what) {
        group_events.push_back(event{alert_stream(g.number), now, bot_user, std::move(what)});
        g = applied(std::move(g), group_events.back());
    };
    if (fresh) {
        auto const first =
            std::find_if(alerts.begin(), alerts.end(), [](alert const& a) { return a.status == alert_status::firing; });
        // Resolved alerts of a group never seen (or long quiet) have nothing to tell.
        if (first == alerts.end()) return {};
        g.number = numbers.next_group;
        record(alert_group_opened{source, key, title_of(*first, source)});
    }
    std::vector<alert_noted> notes;
    std::vector<std::string> to_email;  // the high routes' addresses of what fired now, not told before
    std::optional<alert_route> critical;  // the route of the first critical alert that fired now
    for (auto const& a : alerts) {
        auto const known = g.alerts.find(a.fingerprint);
        if (a.status == alert_status::firing) {
            // New, or firing again (a later start). A start no later than the one recorded is a
            // repeat or a retry that arrived late.
            if (known != g.alerts.end() && (known->second.firing || a.starts_at <= known->second.starts_at)) continue;
            auto const route = route_of(a, p.alerts);
            if (route.level == alert_level::critical && !critical) critical = route;
            if (route.level == alert_level::high && p.mail.enabled) {
                for (auto const& to : route.email) {
                    if (std::find(g.emailed.begin(), g.emailed.end(), to) == g.emailed.end() &&
                        std::find(to_email.begin(), to_email.end(), to) == to_email.end())
                        to_email.push_back(to);
                }
            }
            auto const summary = cut(value_of(a.annotations, "summary"), max_title);
            record(alert_fired{a.fingerprint, cut(name_of(a), max_title), summary, route.level, a.starts_at,
                               cut(a.url, max_title * 10)});
            notes.push_back(alert_noted{source, g.alerts.at(a.fingerprint).name, summary, false});
        } else if (known != g.alerts.end() && known->second.firing) {
            record(alert_resolved{a.fingerprint, a.ends_at.value_or(now)});
            notes.push_back(alert_noted{source, known->second.name, known->second.summary, true});
        }
    }
    if (group_events.empty()) return {};
    std::vector<event> incident_events;
    if (!g.incident && critical && g.firing()) {
        declare d;
        d.sev = critical->sev;
        d.type = critical->type;
        d.title = g.title;
        d.description = cut(std::string(trim(value_of(alerts.front().annotations, "description"))), max_text);
        auto const number = numbers.next_incident();
        auto declared = decide_declare_group(g, d, number, bot_user, now, p);
        if (auto* events = std::get_if<std::vector<event>>(&declared)) {
            // Its last event is the group's: recorded here, so the group is known declared below.
            record(events->back().what);
            events->pop_back();
            incident_events = std::move(*events);
        }
    } else if (g.incident) {
        for (auto& n : notes) incident_events.push_back(event{*g.incident, now, bot_user, std::move(n)});
    } else if (!g.declined && !g.firing()) {
        record(alert_group_declined{"all alerts resolved before anyone acted", true});
    }
    // An incident's own people are told through its war room and escalation, not as triage.
    if (!g.incident && !to_email.empty()) record(alert_group_emailed{std::move(to_email)});
    incident_events.insert(incident_events.end(), group_events.begin(), group_events.end());
    return incident_events;
}

std::string detected_by(alert_group const& g) {
    auto const first = std::min_element(g.alerts.begin(), g.alerts.end(), [](auto const& a, auto const& b) {
        return a.second.starts_at < b.second.starts_at;
    });
    return first == g.alerts.end() ? g.source : g.source + ": " + first->second.name;
}

std::optional<refusal> triage_refusal(alert_group const& g) {
    auto const ref = "alert group " + std::to_string(g.number);
    if (g.incident) return refusal{ref + (g.merged ? " was merged into " : " is already ") + incident_ref(*g.incident)};
    if (g.declined) return refusal{ref + " was already declined: " + *g.declined};
    return std::nullopt;
}

namespace {

// The group's alerts, each as a line on an incident's timeline: firing ones, or all of them.
std::vector<event> notes_of(alert_group const& g, int incident, timestamp now, bool firing_only) {
    std::vector<event> out;
    for (auto const& [fingerprint, a] : g.alerts) {
        if (firing_only && !a.firing) continue;
        out.push_back(event{incident, now, bot_user, alert_noted{g.source, a.name, a.summary, !a.firing}});
    }
    return out;
}

}  // namespace

decision decide_declare_group(alert_group const& g, declare d, int number, user_id const& by, timestamp now,
                              policy const& p) {
    if (auto r = triage_refusal(g)) return *r;
    // Detected when the first alert started, and never before the impact did. Without a start of
    // impact given, it is not known better than the detection.
    auto const first = std::clamp(g.first_start(), now - std::chrono::days{30}, now);
    if (!d.started_at) d.started_at = first;
    d.detected_at = std::max(first, *d.started_at);
    d.detected_by = detected_by(g);
    auto declared = decide_declare(number, d, by, now, p);
    auto* events = std::get_if<std::vector<event>>(&declared);
    if (!events) return declared;
    for (auto& n : notes_of(g, number, now, true)) events->push_back(std::move(n));
    events->push_back(event{alert_stream(g.number), now, by, alert_group_declared{number}});
    return declared;
}

decision decide_merge_group(alert_group const& g, incident const& into, user_id const& by, timestamp now) {
    if (auto r = triage_refusal(g)) return *r;
    if (into.is_closed() || into.declined) return refusal{incident_ref(into.number) + " is closed"};
    auto events = notes_of(g, into.number, now, false);
    events.push_back(event{alert_stream(g.number), now, by, alert_group_merged{into.number}});
    return events;
}

decision decide_decline_group(alert_group const& g, std::string const& reason, user_id const& by, timestamp now) {
    if (auto r = triage_refusal(g)) return *r;
    auto const why = cut(std::string(trim(reason)), max_title);
    if (why.empty()) return refusal{"a decline needs a reason: why is this not an incident?"};
    return std::vector<event>{event{alert_stream(g.number), now, by, alert_group_declined{why, false}}};
}

decision decide_snooze_group(alert_group const& g, user_id const& by, timestamp now, policy const& p) {
    if (auto r = triage_refusal(g)) return *r;
    return std::vector<event>{event{alert_stream(g.number), now, by, alert_group_snoozed{now + p.snooze}}};
}

modal_view declare_group_modal(alert_group const& g, policy const& p) {
    auto form = declare_modal();
    form.incident = alert_stream(g.number);
    auto const sev = g.level() == alert_level::critical ? p.alerts.critical_severity
                     : g.level() == alert_level::high   ? severity::p1
                                                        : severity::p2;
    for (auto& f : form.fields) {
        if (f.id == ui::field::title) f.initial = g.title;
        if (f.id == ui::field::severity) f.initial = std::string(to_string(sev));
    }
    return form;
}

modal_view decline_group_modal(int group) {
    return {ui::form::decline_alert,
            alert_stream(group),
            "Decline alert group " + std::to_string(group),
            {{ui::field::reason, "Why is this not an incident?", {}, "", false, true}}};
}

modal_view merge_group_modal(int group) {
    return {ui::form::merge_alert,
            alert_stream(group),
            "Merge alert group " + std::to_string(group),
            {{ui::field::into, "Into incident (e.g. INC-7)", {}, "", false, false}}};
}

std::string alert_channel(policy const& p) {
    std::string_view channel = p.alerts.channel.empty() ? p.announce_channel : p.alerts.channel;
    if (channel.starts_with('#')) channel.remove_prefix(1);
    return std::string(channel);
}

std::string triage_key(int group) { return "alert-group:" + std::to_string(group); }

message_view triage_view(alert_group const& g, policy const& p) {
    message_view v;
    v.kind = "triage";
    // Firing first, oldest first; a storm's group of hundreds shows the first few and counts the rest,
    // so its post stays one message (an edit changes one message, never a continuation).
    std::vector<alert_record const*> shown;
    for (auto const& [fingerprint, a] : g.alerts) shown.push_back(&a);
    std::stable_sort(shown.begin(), shown.end(), [](auto const* a, auto const* b) {
        return std::pair{!a->firing, a->starts_at} < std::pair{!b->firing, b->starts_at};
    });
    auto const firing = static_cast<int>(std::count_if(shown.begin(), shown.end(), [](auto const* a) { return a->firing; }));
    section list;
    for (auto const* a : shown) {
        if (list.lines.size() == triage_lines) break;
        auto line = std::string(a->firing ? "🔥 " : "✅ ") + a->name;
        if (!a->summary.empty() && a->summary != a->name) line += " — " + a->summary;
        line += a->firing ? ", firing since " + format_time(a->starts_at, *p.zone)
                          : ", resolved at " + format_time(a->ends_at.value_or(a->starts_at), *p.zone);
        list.lines.push_back(std::move(line));
    }
    if (auto const more = shown.size() - list.lines.size(); more > 0) {
        list.lines.push_back("… and " + std::to_string(more) + " more (" + std::to_string(firing) + " of " +
                             std::to_string(shown.size()) + " firing in all)");
    }
    auto const level = std::string(to_string(g.level()));
    v.headline = std::string(firing ? "🚨 " : "✅ ") + "Alert (" + level + "): " + g.title;
    v.fields = {{"Source", g.source},
                {"Status", firing ? std::to_string(firing) + " of " + std::to_string(g.alerts.size()) + " firing"
                                  : "all resolved"}};
    if (g.incident) v.fields.push_back({g.merged ? "Merged into" : "Incident", incident_ref(*g.incident)});
    if (g.declined) {
        v.fields.push_back({"Declined", g.declined_by == bot_user ? "automatically: " + *g.declined
                                                                  : "by " + mention(v, g.declined_by) + ": " +
                                                                        *g.declined});
    }
    if (g.snoozed_until && g.in_triage()) {
        v.fields.push_back({"Snoozed", "until " + format_time(*g.snoozed_until, *p.zone) + " by " +
                                           mention(v, g.snoozed_by)});
    }
    list.heading = "Alerts";
    v.sections.push_back(std::move(list));
    if (g.in_triage()) {
        auto const value = ui::group_value(g.number);
        v.buttons = {{ui::action::declare_alert, "Declare", value},
                     {ui::action::decline_alert, "Decline", value},
                     {ui::action::merge_alert, "Merge into an incident", value},
                     {ui::action::snooze_alert, "Snooze " + format_duration(p.snooze), value}};
    }
    return v;
}

std::string snooze_key(int group, timestamp until) {
    return triage_key(group) + ":snooze:" + std::to_string(until.time_since_epoch().count());
}

post snooze_over(alert_group const& g, policy const& p) {
    auto v = note_view("");
    v.headline = "⏰ Snooze over: " + g.title + " still fires, and nobody has answered it — " +
                 mention(v, g.snoozed_by);
    post reply{alert_channel(p), std::move(v), false, "", 0, triage_key(g.number)};
    return reply;
}

std::vector<effect> alert_reactions(std::vector<event> const& batch, alert_group_map const& groups, policy const& p,
                                    std::vector<alert> const& received) {
    std::vector<effect> out;
    std::vector<int> done;
    for (auto const& e : batch) {
        if (!is_alert_stream(e.incident) || std::find(done.begin(), done.end(), e.incident) != done.end()) continue;
        done.push_back(e.incident);
        auto const& g = groups.at(-e.incident);
        if (g.level() == alert_level::low) {
            // Once, when it opens; without a ticket system a low group is recorded only.
            if (p.alerts.tickets && find_in<alert_group_opened>(batch, e.incident))
                out.push_back(ticket_of(g, received));
            continue;
        }
        auto view = triage_view(g, p);
        if (g.incident) {
            // Its incident has a war room: a triage post, if there was one, says so once.
            if (!find_in<alert_group_declared>(batch, e.incident) && !find_in<alert_group_merged>(batch, e.incident))
                continue;
            post pointer{alert_channel(p), std::move(view), false, triage_key(g.number)};
            pointer.edit_only = true;
            out.push_back(std::move(pointer));
            continue;
        }
        if (auto const* emailed = find_in<alert_group_emailed>(batch, e.incident)) {
            std::string text = view.headline + "\n\n";
            for (auto const& line : view.sections.front().lines) text += "- " + line + "\n";
            text += "\nTriage it in Slack: #" + alert_channel(p) + "\n";
            out.push_back(email{0, emailed->to, "[alert " + std::string(to_string(g.level())) + "] " + g.title,
                                std::move(text)});
        }
        out.push_back(post{alert_channel(p), std::move(view), false, triage_key(g.number)});
    }
    return out;
}

}  // namespace warroom::core
