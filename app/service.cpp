// Parse, decide, persist, apply, then derive effects from the recorded events and the new state.
// A store conflict means another writer moved first: reload and decide again, a bounded number
// of times.
#include "app/service.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <set>

namespace warroom::app {
namespace {

constexpr int max_attempts = 3;
constexpr std::size_t max_fired_per_tick = 200;

std::string strip_hash(std::string_view channel) {
    if (!channel.empty() && channel.front() == '#') channel.remove_prefix(1);
    return std::string(channel);
}

message_view problem(std::string const& reason, std::string const& usage_text) {
    return note_view("⚠️ " + reason + (usage_text.empty() ? "" : "\n" + usage_text));
}

std::optional<int> to_int(std::string_view s) {
    int v = 0;
    auto const [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return v;
}

// A contact that names one Slack user ("@U123" or "U123"), who can get a DM; groups and channels cannot.
std::optional<user_id> slack_user(std::string_view contact) {
    if (!contact.empty() && contact.front() == '@') contact.remove_prefix(1);
    if (contact.size() < 3 || (contact.front() != 'U' && contact.front() != 'W')) return std::nullopt;
    bool const id = std::all_of(contact.begin(), contact.end(),
                                [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
    return id ? std::optional<user_id>{std::string(contact)} : std::nullopt;
}

std::string dedup_key(int incident) { return "warroom-inc-" + std::to_string(incident); }

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    for (std::size_t start = 0;;) {
        auto const end = s.find(sep, start);
        out.push_back(s.substr(start, end - start));
        if (end == std::string_view::npos) return out;
        start = end + 1;
    }
}

}  // namespace

service::service(event_store& store, policy rules, std::string slash, bool outbox)
    : store_(store), rules_(std::move(rules)), slash_(std::move(slash)), outbox_(outbox) {
    rules_.announce_channel = strip_hash(rules_.announce_channel);
    reload();
}

void service::reload() {
    // Head first: events that land between the two reads make the next refresh reload again.
    head_ = store_.head();
    auto const events = store_.load();
    incidents_ = replay(events);
    last_event_at_.reset();
    for (auto const& e : events) last_event_at_ = std::max(last_event_at_.value_or(e.at), e.at);
}

void service::refresh() {
    if (store_.head() != head_) reload();
}

incident const* service::find(int number) const {
    auto const it = incidents_.find(number);
    return it == incidents_.end() ? nullptr : &it->second;
}

incident const* service::by_channel(std::string_view channel) const {
    auto const name = strip_hash(channel);
    for (auto const& [n, i] : incidents_) {
        if (i.channel == name) return &i;
    }
    return nullptr;
}

std::string service::announce_channel() const { return rules_.announce_channel; }

bool service::record(std::vector<event> const& events, std::vector<std::string> claims, derive_effects const& derive,
                     outcome& out) {
    incident_map staged;
    append_batch batch{events, std::move(claims), {}, {}};
    for (auto const& e : events) {
        if (staged.contains(e.incident)) continue;
        auto const* i = find(e.incident);
        if (i) staged.emplace(e.incident, *i);
        batch.expected_versions.emplace_back(e.incident, i ? i->version : 0);
    }
    for (auto const& e : events) apply(staged, e);
    std::vector<effect> effects;
    derive(staged, effects);
    if (outbox_) {
        int const lane = events.empty() ? 0 : events.front().incident;
        for (auto const& f : effects) {
            if (is_durable(f)) batch.outbox.emplace_back(lane, f);
        }
    }
    if (store_.append(batch) == append_result::conflict) {
        reload();
        return false;
    }
    for (auto& [number, i] : staged) incidents_.insert_or_assign(number, std::move(i));
    for (auto const& e : events) last_event_at_ = std::max(last_event_at_.value_or(e.at), e.at);
    // Ours are the newest events; if the head moved by more, someone else wrote too.
    auto const now_head = store_.head();
    if (now_head == head_ + static_cast<std::int64_t>(events.size())) {
        head_ = now_head;
    } else {
        reload();
    }
    out.changed = true;
    std::move(effects.begin(), effects.end(), std::back_inserter(out.effects));
    return true;
}

outcome service::handle(origin const& o, std::string_view text) {
    refresh();
    if (!valid_utf8(text)) {
        outcome out;
        out.effects.push_back(reply{o.channel, o.user, problem("the command is not valid UTF-8 text", "")});
        return out;
    }
    auto const* room = by_channel(o.channel);
    auto const parsed = parse_command_line(text, room != nullptr, o.now);
    outcome out;
    if (auto const* err = std::get_if<usage_error>(&parsed)) {
        out.effects.push_back(reply{o.channel, o.user, problem(err->reason, usage(err->verb, slash_))});
        return out;
    }
    auto const& req = std::get<request>(parsed);
    auto const target = req.incident ? req.incident : room ? std::optional<int>(room->number) : std::nullopt;
    if (auto const* q = std::get_if<query>(&req.what)) return answer(o, *q, target);
    if (auto const* d = std::get_if<declare>(&req.what)) {
        if (req.modal) {
            out.effects.push_back(open_form{o.user, declare_modal()});
            return out;
        }
        return declare_incident(o, *d);
    }
    auto const number = target.value_or(0);
    auto const* i = find(number);
    if (!i) {
        out.effects.push_back(
            reply{o.channel, o.user, problem("there is no " + incident_ref(number), usage(req.verb, slash_))});
        return out;
    }
    if (req.modal) {
        auto const& cmd = std::get<command>(req.what);
        if (i->is_closed()) {
            out.effects.push_back(
                reply{o.channel, o.user,
                      problem(incident_ref(number) + " is closed; nothing can change", usage(req.verb, slash_))});
        } else if (i->is_resolved()) {
            // Refused now, as the buttons do, rather than after the form is filled in.
            out.effects.push_back(reply{
                o.channel, o.user,
                problem(incident_ref(number) + " is already resolved; reopen it first", usage(req.verb, slash_))});
        } else if (std::holds_alternative<resolve>(cmd)) {
            out.effects.push_back(open_form{o.user, resolve_modal(*i)});
        } else {
            auto form = update_modal(*i);
            auto const& given = std::get<post_update>(cmd);
            for (auto& f : form.fields) {
                if (f.id == "status" && given.st && *given.st != status::resolved)
                    f.initial = std::string(to_string(*given.st));
                if (f.id == "impact" && !given.impact.empty()) f.initial = given.impact;
            }
            out.effects.push_back(open_form{o.user, std::move(form)});
        }
        return out;
    }
    return run(o, number, std::get<command>(req.what), req.verb);
}

outcome service::decide_and_record(origin const& o, std::string_view verb,
                                   std::function<decision()> const& decide_now) {
    outcome out;
    for (int attempt = 0; attempt < max_attempts; ++attempt) {
        // Checked on every attempt: a conflict may mean another replica handled this very request.
        if (!o.once.empty() && store_.claimed(o.once)) {
            out.duplicate = true;
            return out;
        }
        auto const d = decide_now();
        if (auto const* r = std::get_if<refusal>(&d)) {
            out.effects.push_back(reply{o.channel, o.user, problem(r->reason, usage(verb, slash_))});
            return out;
        }
        auto const& events = std::get<std::vector<event>>(d);
        std::vector<std::string> claims;
        if (!o.once.empty()) claims.push_back(o.once);
        auto const derive = [&](incident_map const& state, std::vector<effect>& effects) {
            effects_of(events, o, state, effects);
        };
        if (record(events, std::move(claims), derive, out)) return out;
    }
    out.effects.push_back(
        reply{o.channel, o.user, problem("another writer kept changing the store; please run the command again", "")});
    return out;
}

outcome service::run(origin const& o, int number, command const& cmd, std::string_view verb) {
    return decide_and_record(o, verb, [&]() -> decision {
        auto const* i = find(number);
        if (!i) return refusal{"there is no " + incident_ref(number)};
        return decide(*i, cmd, o.user, o.now, rules_);
    });
}

outcome service::declare_incident(origin const& o, declare const& d) {
    return decide_and_record(o, "declare", [&] {
        // Re-read on every attempt: a conflict means another writer took this number.
        int const number = incidents_.empty() ? 1 : incidents_.rbegin()->first + 1;
        auto const channel = war_room_name(rules_.channel_prefix, number, d.title);
        return decide_declare(number, d, channel, o.user, o.now);
    });
}

outcome service::answer(origin const& o, query const& q, std::optional<int> number) {
    outcome out;
    auto const say = [&](message_view v) { out.effects.push_back(reply{o.channel, o.user, std::move(v)}); };
    switch (q.what) {
        case query::kind::help: {
            auto const text = q.arg.empty() ? help_text(slash_) : usage(q.arg, slash_);
            say(note_view(text));
            return out;
        }
        case query::kind::list: {
            std::vector<incident const*> shown;
            for (auto it = incidents_.rbegin(); it != incidents_.rend(); ++it) {
                if (q.arg == "all" || !it->second.is_closed()) shown.push_back(&it->second);
            }
            say(list_view(shown, q.arg == "all" ? "All incidents" : "Open incidents", rules_));
            return out;
        }
        case query::kind::stats: {
            auto const window = parse_duration(q.arg).value_or(std::chrono::days{30});
            say(stats_view(compute_stats(incidents_, o.now, window)));
            return out;
        }
        case query::kind::oncall:
            say(oncall_view(rules_, o.now));
            return out;
        case query::kind::status:
        case query::kind::actions:
        case query::kind::roles:
            break;
    }
    auto const* i = number ? find(*number) : nullptr;
    if (!i) {
        auto const verb = q.what == query::kind::status    ? "status"
                          : q.what == query::kind::actions ? "actions"
                                                           : "role";
        say(problem("there is no " + incident_ref(number.value_or(0)), usage(verb, slash_)));
        return out;
    }
    bool const outsider = strip_hash(o.channel) != i->channel;
    if (q.what == query::kind::status) {
        say(status_view(*i, rules_, o.now, outsider));
    } else if (outsider && rules_.of(i->type).private_room) {
        say(problem(incident_ref(i->number) + " is private: its action items and roles are shown in its war room", ""));
    } else if (q.what == query::kind::actions) {
        say(actions_view(*i));
    } else {
        say(roles_view(*i));
    }
    return out;
}

outcome service::press(origin const& o, std::string_view action, std::string_view value) {
    refresh();
    auto const parts = split(value, ':');
    auto const number = to_int(parts.front());
    outcome out;
    auto const* i = number ? find(*number) : nullptr;
    if (!i) {
        out.effects.push_back(reply{o.channel, o.user, problem("this button refers to an unknown incident", "")});
        return out;
    }
    if (action == "post_update" || action == "resolve") {
        if (i->is_resolved() || i->is_closed()) {
            out.effects.push_back(
                reply{o.channel, o.user, problem(incident_ref(i->number) + " is already resolved", "")});
        } else {
            out.effects.push_back(open_form{o.user, action == "resolve" ? resolve_modal(*i) : update_modal(*i)});
        }
        return out;
    }
    if (action == "acknowledge") return run(o, *number, acknowledge{}, "ack");
    if (action == "claim_ic") return run(o, *number, assign_role{role::incident_commander, o.user}, "assign");
    if (action == "advance") return run(o, *number, advance{}, "advance");
    if (action == "snooze") return run(o, *number, snooze{}, "update");
    if (action == "report") return run(o, *number, generate_report{}, "report");
    if (action == "approve_notice") return run(o, *number, approve_customer_notice{}, "");
    if (action == "regulator_notified") return run(o, *number, confirm_regulator_notice{}, "");
    if (action == "done" && parts.size() == 2) {
        if (auto const item = to_int(parts[1])) return run(o, *number, complete_action{*item}, "done");
    }
    if (action == "check" && parts.size() == 3) {
        auto const ph = parse_phase(parts[1]);
        auto const item = to_int(parts[2]);
        if (ph && item) {
            bool const checked = !i->checks.contains({*ph, *item - 1});
            return run(o, *number, mark_checklist{*ph, *item - 1, checked}, "check");
        }
    }
    out.effects.push_back(reply{o.channel, o.user, problem("unknown button '" + std::string(action) + "'", "")});
    return out;
}

outcome service::submit(origin const& o, modal_view const& form, std::map<std::string, std::string> const& values) {
    refresh();
    auto const value = [&](std::string const& id) {
        auto const it = values.find(id);
        return it == values.end() ? std::string{} : it->second;
    };
    outcome out;
    for (auto const& [id, text] : values) {
        if (!valid_utf8(text)) out.field_errors[id] = "Not valid UTF-8 text";
    }
    if (!out.field_errors.empty()) return out;
    if (form.id == "declare") {
        declare d;
        d.title = value("title");
        if (d.title.find_first_not_of(" \t\r\n") == std::string::npos) {
            out.field_errors["title"] = "Give the incident a title: what is broken";
        } else if (d.title.size() > max_title) {
            out.field_errors["title"] = "At most " + std::to_string(max_title) + " characters";
        }
        auto const sev = parse_severity(value("severity").empty() ? "P2" : value("severity"));
        if (!sev) out.field_errors["severity"] = "Pick P0, P1, P2 or P3";
        auto const type = parse_incident_type(value("type").empty() ? "outage" : value("type"));
        if (!type) out.field_errors["type"] = "Pick one of the listed types";
        auto const pii = value("personal_data");
        if (pii != "" && pii != "no" && pii != "yes") out.field_errors["personal_data"] = "Answer yes or no";
        d.personal_data = pii == "yes";
        d.description = value("description");
        if (auto const started = value("started_at"); !started.empty()) {
            auto const text =
                started.size() > 4 && started.ends_with(" ago") ? started.substr(0, started.size() - 4) : started;
            if (auto const ago = parse_duration(text)) {
                d.started_at = o.now - *ago;
            } else if (auto const at = parse_time(started)) {
                d.started_at = at;
            } else {
                out.field_errors["started_at"] = "Use YYYY-MM-DD HH:MM (UTC) or a duration such as 20m ago";
            }
        }
        if (!out.field_errors.empty()) return out;
        d.sev = *sev;
        d.type = *type;
        return declare_incident(o, d);
    }
    auto const* i = find(form.incident);
    if (!i) {
        out.field_errors[form.fields.empty() ? "text" : form.fields.front().id] = "This incident no longer exists";
        return out;
    }
    if (form.id == "update") {
        post_update u;
        if (auto const st = value("status"); !st.empty()) {
            u.st = parse_status(st);
            if (!u.st || u.st == status::resolved) out.field_errors["status"] = "Pick one of the listed statuses";
        }
        u.text = value("text");
        u.impact = value("impact");
        if (u.text.find_first_not_of(" \t\r\n") == std::string::npos) out.field_errors["text"] = "Say what changed";
        if (!out.field_errors.empty()) return out;
        return run(o, form.incident, u, "update");
    }
    if (form.id == "resolve") {
        resolve r{value("resolution"), value("root_cause")};
        if (r.resolution.find_first_not_of(" \t\r\n") == std::string::npos) {
            out.field_errors["resolution"] = "Say what fixed it";
            return out;
        }
        return run(o, form.incident, r, "resolve");
    }
    out.field_errors["form"] = "unknown form '" + form.id + "'";
    return out;
}

outcome service::mark(origin const& o, std::string const& ref, user_id const& author, timestamp posted_at,
                      std::string const& text) {
    refresh();
    auto const* room = by_channel(o.channel);
    if (!room) return {};
    auto out = run(o, room->number, mark_message{ref, author, posted_at, text}, "note");
    // A reaction has nobody to answer: a refusal (already marked, closed) is simply nothing to do.
    if (!out.changed) out.effects.clear();
    return out;
}

outcome service::unmark(origin const& o, std::string const& ref) {
    refresh();
    auto const* room = by_channel(o.channel);
    if (!room) return {};
    auto out = run(o, room->number, unmark_message{ref}, "note");
    if (!out.changed) out.effects.clear();
    return out;
}

std::optional<timestamp> service::next_due() const {
    auto best = next_handoff(rules_, last_tick_);
    for (auto const& [n, i] : incidents_) {
        auto const pending = pending_reminders(i, rules_);
        if (!pending.empty() && (!best || pending.front().due < *best)) best = pending.front().due;
    }
    return best;
}

outcome service::tick(timestamp now) {
    refresh();
    last_tick_ = now;
    outcome out;
    for (auto const& h : recent_handoffs(rules_, now)) {
        if (handoffs_done_.contains(h.key)) continue;
        auto const channel = h.of->handoff_channel.empty() ? announce_channel() : h.of->handoff_channel;
        auto const derive = [&](incident_map const&, std::vector<effect>& effects) {
            effects.push_back(post{channel, handoff_view(*h.of, h.at)});
        };
        // Claimed or not, it is settled: a replica that lost the claim posted it.
        if (!store_.claimed(h.key)) record({}, {h.key}, derive, out);
        handoffs_done_.insert(h.key);
    }
    // Keys found taken: another replica fired them. Its events arrive with the next refresh (or the
    // reload a conflict causes); the set only guarantees that a key is tried once per tick.
    std::set<std::string> taken;
    std::size_t fired = 0;
    // One scan collects everything due, fired in due order; firing re-plans (a nudge schedules the
    // next one, a page the wait for its acknowledgement), so scan again until nothing is due.
    for (;;) {
        std::vector<reminder> due;
        for (auto const& [n, i] : incidents_) {
            for (auto const& r : pending_reminders(i, rules_)) {
                if (r.due > now) break;
                if (!taken.contains(r.key)) due.push_back(r);
            }
        }
        if (due.empty()) break;
        std::stable_sort(due.begin(), due.end(), [](reminder const& a, reminder const& b) { return a.due < b.due; });
        for (auto const& r : due) {
            // The loop that runs the scheduler also acks envelopes and delivers: a large backlog is
            // fired in slices, the rest at the next tick, right after the loop had its turn.
            if (fired >= max_fired_per_tick) return out;
            auto const* i = find(r.incident);
            // An earlier firing, or another replica's events read on a conflict, may have settled it.
            auto const still = i ? pending_reminders(*i, rules_) : std::vector<reminder>{};
            if (std::none_of(still.begin(), still.end(), [&](reminder const& p) { return p.key == r.key; })) continue;
            if (fire_one(*i, r, now, out)) {
                ++fired;
            } else {
                taken.insert(r.key);
            }
        }
    }
    return out;
}

page service::vendor_page(incident const& i, page_action action, user_id const& by) const {
    // Private incidents tell the vendor their type only, as the announcement does.
    auto const what = rules_.of(i.type).private_room ? std::string(display_name(i.type)) + " incident" : i.title;
    return page{i.number,
                action,
                dedup_key(i.number),
                incident_ref(i.number) + " " + std::string(to_string(i.sev)) + ": " + what,
                i.sev,
                {},
                {},
                i.channel,
                by};
}

bool service::fire_one(incident const& i, reminder const& r, timestamp now, outcome& out) {
    auto const events = fire(i, r, now, rules_);
    origin const o{bot_user, i.channel, now, {}};
    auto const derive = [&](incident_map const& state, std::vector<effect>& effects) {
        effects_of(events, o, state, effects);
        if (!std::holds_alternative<reminder_sent>(events.front().what)) return;
        auto const& fired = state.at(r.incident);
        auto const view = reminder_view(fired, r, rules_);
        effects.push_back(post{fired.channel, view});
        if (r.kind == reminder_kind::action_due) {
            if (auto const& owner = fired.actions.at(static_cast<std::size_t>(r.action - 1)).owner) {
                effects.push_back(direct_message{*owner, view});
            }
        }
    };
    return !store_.claimed(r.key) && record(events, {r.key}, derive, out);
}

void service::effects_of(std::vector<event> const& batch, origin const& o, incident_map const& state,
                         std::vector<effect>& out) const {
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
            out.push_back(post{announce_channel(), std::move(v), false, "announcement:" + std::to_string(i.number)});
        };
        auto const announce = [&](message_view v) {
            if (!redacted) announcement(std::move(v));
        };
        auto const confirm = [&](std::string text) {
            out.push_back(reply{o.channel, o.user, note_view("✓ " + std::move(text))});
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
                        out.push_back(vendor_page(i, page_action::acknowledge, e.by));
                } else if constexpr (std::is_same_v<T, paged>) {
                    auto const view = page_view(i, i.pages.at(what.position), what.position, rules_);
                    room(view);
                    if (!what.user.empty()) out.push_back(direct_message{what.user, view});
                    if (rules_.paging) {
                        auto p = vendor_page(i, page_action::trigger, e.by);
                        p.responder = what.user;
                        p.position = what.position;
                        out.push_back(std::move(p));
                    }
                } else if constexpr (std::is_same_v<T, customer_notice_approved>) {
                    auto const view = approved_notice_view(i, rules_, e.at);
                    room(view);
                    if (!redacted) out.push_back(post{announce_channel(), view});
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
                    if (rules_.paging && !i.pages.empty()) out.push_back(vendor_page(i, page_action::resolve, e.by));
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
}

}  // namespace warroom::app
