// Parse, decide, apply, derive effects from the recorded events and the new state, then submit the
// write. A store conflict means another writer moved first: reload; when the store said so at once,
// decide again (a bounded number of times); when it said so later, the request is reported lost.
#include "app/service.hpp"

#include "app/forms.hpp"
#include "core/reactions.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <memory>
#include <set>

namespace warroom::app {
namespace {

constexpr int max_attempts = 3;

// A submitted field's text; empty when left out.
std::string value_in(form_values const& values, ui::field id) {
    auto const it = values.find(id);
    return it == values.end() ? std::string{} : it->second;
}

// The declare form as submitted (its fields already checked).
declare declare_of(form_values const& values, timestamp now) {
    auto const value = [&](ui::field id) { return value_in(values, id); };
    declare d;
    d.title = value(ui::field::title);
    d.sev = *parse_severity(value(ui::field::severity).empty() ? "P2" : value(ui::field::severity));
    d.type = *parse_incident_type(value(ui::field::type).empty() ? "outage" : value(ui::field::type));
    d.personal_data = value(ui::field::personal_data) == "yes";
    d.description = value(ui::field::description);
    if (auto const started = value(ui::field::started_at); !started.empty()) d.started_at = parse_started(started, now);
    return d;
}
// How long after the due time a reminder of an incident another replica wrote last is fired here:
// time for that replica to fire it and for its events to be read here.
constexpr milliseconds others_grace{3000};
constexpr std::size_t max_fired_per_tick = 200;
// Lost writes remembered for the adapters that wait on them; older ones are long answered.
constexpr std::size_t lost_kept = 4096;
// How often tick() reads the store's head although the store tells of other writers' changes.
constexpr auto look_every = std::chrono::seconds{1};

std::string strip_hash(std::string_view channel) {
    if (!channel.empty() && channel.front() == '#') channel.remove_prefix(1);
    return std::string(channel);
}

message_view problem(std::string const& reason, std::string const& usage_text) {
    return note_view("⚠️ " + reason + (usage_text.empty() ? "" : "\n" + usage_text));
}

}  // namespace

service::service(event_store& store, policy rules, std::string slash, bool outbox, user_limits limits)
    : store_(store), rules_(std::move(rules)), slash_(std::move(slash)), outbox_(outbox), limiter_(limits) {
    rules_.announce_channel = strip_hash(rules_.announce_channel);
    reload();
}

void service::reload() {
    // Head first: events that land between the two reads make the next refresh reload again.
    head_ = store_.head();
    told_head_ = 0;  // a store read again may be behind what it told (restored from a backup)
    auto const events = store_.load();
    incidents_ = replay(events);
    groups_.clear();
    maintenances_.clear();
    last_event_at_.reset();
    for (auto const& e : events) {
        apply(groups_, e);
        apply(maintenances_, e);
        last_event_at_ = std::max(last_event_at_.value_or(e.at), e.at);
    }
    // A write on its way is applied again unless the store has it already (it was committed with
    // the one whose refusal caused this reload) or it will be refused too: either way its incidents
    // are no longer at the versions it was decided on.
    for (auto const& u : unconfirmed_) {
        bool const applies = std::all_of(u.expected_versions.begin(), u.expected_versions.end(),
                                         [&](auto const& v) { return version_of(v.first) == v.second; });
        if (!applies) continue;
        for (auto const& e : u.events) {
            apply(incidents_, e);
            apply(groups_, e);
            apply(maintenances_, e);
            last_event_at_ = std::max(last_event_at_.value_or(e.at), e.at);
        }
    }
    rooms_.clear();
    by_declared_.clear();
    declared_by_.clear();
    unresolved_.clear();
    with_open_actions_.clear();
    published_.clear();
    ++publications_seen_;  // the state was read again: whatever was shown may have changed
    active_.fill(0);
    awaiting_close_ = 0;
    due_.clear();
    due_of_.clear();
    for (auto const& [n, i] : incidents_) {
        index(nullptr, i);
        schedule(i);
    }
    group_index_.clear();
    snoozes_.clear();
    for (auto const& [n, g] : groups_) index_group(g);
}

int service::version_of(int stream) const {
    if (is_alert_stream(stream)) {
        auto const it = groups_.find(-stream);
        return it == groups_.end() ? 0 : it->second.version;
    }
    if (is_maintenance_stream(stream)) {
        auto const it = maintenances_.find(maintenance_of(stream));
        return it == maintenances_.end() ? 0 : it->second.version;
    }
    auto const* i = find(stream);
    return i ? i->version : 0;
}

void service::index_group(alert_group const& g) {
    auto& newest = group_index_[alert_group_identity(g.source, g.key)];
    newest = std::max(newest, g.number);
    if (g.snoozed_until && g.in_triage()) snoozes_.emplace(*g.snoozed_until, g.number);
}

void service::refresh() {
    if (stale_) {
        reload();
        stale_ = false;
        return;
    }
    // With writes on their way the store's head is behind ours; their settling checks it instead.
    if (!unconfirmed_.empty()) return;
    // A round trip to a database server saved on every request, while nobody else writes, and
    // while the store tells the head with its news.
    if (told_ && !others_wrote_) return;
    others_wrote_ = false;
    bool const look = !told_ || std::exchange(look_, false);
    auto const head = look ? store_.head() : told_head_;
    if (head > head_) {
        catch_up(head_, head);
        head_ = head;
    } else if (look && head < head_) {
        reload();
    }
}

std::int64_t service::told_through() const {
    return told_ && others_wrote_ && !look_ ? told_head_ : head_;
}

void service::others_wrote(std::int64_t head) {
    others_wrote_ = true;
    if (head == 0) look_ = true;
    told_head_ = std::max(told_head_, head);
}

void service::catch_up(std::int64_t after, std::int64_t through) {
    apply_caught_up(store_.load_between(after, through));
}

void service::apply_caught_up(std::vector<event> const& events) {
    // As each incident touched was (nothing: new), for its room's index and the counts.
    std::map<int, std::optional<incident>> before;
    for (auto const& e : events) {
        if (is_alert_stream(e.incident)) {
            apply(groups_, e);
            index_group(groups_.at(-e.incident));
            last_event_at_ = std::max(last_event_at_.value_or(e.at), e.at);
            continue;
        }
        if (is_maintenance_stream(e.incident)) {
            apply(maintenances_, e);
            ++publications_seen_;
            last_event_at_ = std::max(last_event_at_.value_or(e.at), e.at);
            continue;
        }
        if (auto const* known = find(e.incident)) {
            before.try_emplace(e.incident, *known);
        } else {
            before.try_emplace(e.incident);
        }
        apply(incidents_, e);
        last_event_at_ = std::max(last_event_at_.value_or(e.at), e.at);
    }
    for (auto const& [number, was] : before) {
        others_.insert(number);
        auto const& now = incidents_.at(number);
        index(was ? &*was : nullptr, now);
        schedule(now);
    }
}

bool service::taken(std::string const& key) {
    if (unconfirmed_claims_.contains(key)) return true;
    // Found free just before: another replica taking it since would have its write refused.
    if (read_free_.erase(key) > 0 || due_free_.erase(key) > 0) return false;
    return store_.claimed(key);
}

namespace {

constexpr std::size_t read_free_kept = 1024;

}  // namespace

void service::read_before(std::string once, std::function<void()> done) {
    std::vector<std::string> keys;
    if (!once.empty()) keys.push_back(std::move(once));
    read_ahead(std::move(keys), read_free_, std::move(done));
}

void service::read_before_tick(timestamp now, std::function<void()> done) {
    // The claims of the reminders tick() would fire first (due_ is earliest first).
    due_free_.clear();
    std::vector<std::string> keys;
    std::size_t incidents = 0;
    for (auto it = due_.begin(); it != due_.end() && it->first <= now && incidents < max_fired_per_tick; ++it, ++incidents) {
        if (auto const* i = find(it->second)) {
            for (auto const& r : pending_reminders(*i, rules_)) {
                if (r.due <= now) keys.push_back(r.key);
            }
        }
    }
    if (keys.empty() && told_through() <= head_) return done();
    read_ahead(std::move(keys), due_free_, std::move(done));
}

void service::read_ahead(std::vector<std::string> keys, std::unordered_set<std::string>& free,
                         std::function<void()> done) {
    auto const after = head_;
    // With writes on their way, or a head to look for, refresh() reads as before.
    auto const through = unconfirmed_.empty() ? std::max(after, told_through()) : after;
    struct reads {
        std::vector<std::string> free;
        std::optional<std::vector<event>> events;
    };
    auto got = std::make_shared<reads>();
    store_.read_later(
        [got, keys = std::move(keys), after, through](event_store& s) {
            try {
                for (auto const& key : keys) {
                    if (!s.claimed(key)) got->free.push_back(key);
                }
                if (through > after) got->events = s.load_between(after, through);
            } catch (store_error const&) {
                // The request reads them itself, and meets the error where it can be told.
                got->free.clear();
            }
        },
        [this, got, &free, after, through, done = std::move(done)] {
            if (free.size() + got->free.size() > read_free_kept) free.clear();
            free.insert(got->free.begin(), got->free.end());
            // Still where they follow on: nothing written or read since.
            if (got->events && head_ == after && unconfirmed_.empty() && !stale_) {
                apply_caught_up(*got->events);
                head_ = through;
                if (told_head_ <= through && !look_) others_wrote_ = false;
            }
            done();
        });
}

void service::when_settled(ticket t, std::function<void()> fn) {
    if (settled(t)) {
        fn();
    } else {
        waiters_.emplace(t, std::move(fn));
    }
}

std::optional<std::string> service::lost(ticket t) const {
    auto const it = lost_.find(t);
    if (it == lost_.end()) return std::nullopt;
    if (it->second.failure) return "warroom could not record this (its store failed)";
    return std::string("someone else changed this incident at the same moment");
}

void service::read_or_mark_stale(std::function<void()> const& read) {
    try {
        read();
    } catch (store_error const&) {
        stale_ = true;
    }
}

void service::settle(write_result const& r) {
    // Completions come in submission order: this one is for the oldest write on its way.
    auto const u = std::move(unconfirmed_.front());
    unconfirmed_.pop_front();
    for (auto const& key : u.claims) unconfirmed_claims_.erase(unconfirmed_claims_.find(key));
    auto const t = settled_through_ = u.id;
    if (r.written()) {
        // Ours are the newest events; if the head moved by more, someone else wrote before them: the
        // store's writers go one at a time, so theirs are the positions between the last head and our
        // first. They touched none of ours (ours were written at the versions decided on). A head at
        // or below ours: a reload since it was committed has read it already.
        auto const ours = static_cast<std::int64_t>(u.events.size());
        if (r.head > head_ + ours) read_or_mark_stale([&] { catch_up(head_, r.head - ours); });
        if (r.head > head_) head_ = r.head;
        if (on_written_) on_written_();
    } else {
        lost_.emplace(t, r);
        if (lost_.size() > lost_kept) lost_.erase(lost_.begin());
        // Someone else wrote first: what is due on these incidents is theirs to fire now.
        for (auto const& v : u.expected_versions) others_.insert(v.first);
        read_or_mark_stale([&] { reload(); });
    }
    while (!waiters_.empty() && waiters_.begin()->first <= t) {
        auto fn = std::move(waiters_.begin()->second);
        waiters_.erase(waiters_.begin());
        fn();
    }
}

incident const* service::find(int number) const {
    auto const it = incidents_.find(number);
    return it == incidents_.end() ? nullptr : &it->second;
}

incident const* service::by_channel(std::string_view channel) const {
    auto const it = rooms_.find(strip_hash(channel));
    return it == rooms_.end() ? nullptr : find(it->second);
}

void service::index(incident const* before, incident const& after) {
    auto const count = [this](incident const& i, int by) {
        if (i.is_active()) active_[static_cast<std::size_t>(i.sev)] += by;
        if (i.is_awaiting_close()) awaiting_close_ += by;
    };
    if (before) count(*before, -1);
    count(after, 1);
    if (!before) {
        auto const memory = memory_of(limiter_.of(request_kind::declare));
        if (memory.count() > 0 && (!last_event_at_ || after.declared_at + memory >= *last_event_at_)) {
            declared_by_[after.declared_by].insert(after.declared_at);
        }
    }
    if (before && before->declared_at != after.declared_at) by_declared_.erase({before->declared_at, after.number});
    by_declared_.emplace(after.declared_at, after.number);
    auto const mark = [](std::set<int>& set, int number, bool in) {
        if (in) {
            set.insert(number);
        } else {
            set.erase(number);
        }
    };
    mark(unresolved_, after.number, !after.is_resolved() && !after.is_closed());
    mark(with_open_actions_, after.number, std::any_of(after.actions.begin(), after.actions.end(), [](auto const& a) {
             return !a.removed && !a.done_at;
         }));
    if (!after.publications.empty() && (!before || before->publications != after.publications)) {
        published_.insert(after.number);
        ++publications_seen_;
    }
    std::string_view const was = before ? std::string_view{before->channel} : std::string_view{};
    if (was == after.channel) return;
    if (auto const it = rooms_.find(was); it != rooms_.end() && it->second == after.number) rooms_.erase(it);
    rooms_[after.channel] = after.number;
}

void service::schedule(incident const& i) {
    if (auto const it = due_of_.find(i.number); it != due_of_.end()) {
        due_.erase({it->second, i.number});
        due_of_.erase(it);
    }
    auto const pending = pending_reminders(i, rules_);
    if (pending.empty()) return;
    auto const due = pending.front().due + (others_.contains(i.number) ? others_grace : milliseconds{0});
    due_.emplace(due, i.number);
    due_of_.emplace(i.number, due);
}

std::string service::announce_channel() const { return rules_.announce_channel; }

principal service::principal_of(origin const& o) const {
    return {o.user, directory_ && !o.integration ? directory_->groups_of(o.user) : std::vector<std::string>{},
            o.integration};
}

bool service::denied(origin const& o, incident const& i, privilege what, std::string_view verb, outcome& out) const {
    auto const r = authorize(i, principal_of(o), what, rules_);
    if (!r) return false;
    out.effects.push_back(reply{o.channel, o.user, problem(r->reason, "")});
    out.denied = denial{o.user, i.number, std::string(verb), r->reason};
    return true;
}

bool service::within_limits(origin const& o, request_kind kind, std::string_view verb, outcome& out) {
    if (o.integration || o.user == bot_user) return true;
    std::optional<milliseconds> wait;
    if (kind == request_kind::declare) {
        if (auto const it = declared_by_.find(o.user); it != declared_by_.end()) {
            auto const& l = limiter_.of(kind);
            it->second.erase(it->second.begin(), it->second.lower_bound(o.now - memory_of(l)));
            wait = wait_after(it->second, l, o.now);
            if (it->second.empty()) declared_by_.erase(it);
        }
    } else {
        wait = limiter_.take(o.user, kind, o.now);
    }
    if (!wait) return true;
    auto const what = kind == request_kind::declare ? "incidents declared"
                      : kind == request_kind::mark  ? "timeline marks"
                                                    : "requests";
    auto const again = std::chrono::ceil<seconds>(*wait);
    out.effects.push_back(reply{
        o.channel, o.user,
        problem("slow down: too many " + std::string(what) +
                    " from you in the last minute; nothing was done. Try again in " + format_duration(again) + ".",
                "")});
    out.denied = denial{o.user, 0, std::string(verb), "rate limit: " + std::string(what)};
    return false;
}

bool service::record(std::vector<event> const& events, std::vector<std::string> claims, derive_effects const& derive,
                     outcome& out) {
    incident_map staged;
    alert_group_map staged_groups;
    append_batch batch{events, std::move(claims), {}, {}};
    for (auto const& e : events) {
        if (std::any_of(batch.expected_versions.begin(), batch.expected_versions.end(),
                        [&](auto const& v) { return v.first == e.incident; })) {
            continue;
        }
        if (is_alert_stream(e.incident)) {
            if (auto const it = groups_.find(-e.incident); it != groups_.end()) staged_groups.emplace(*it);
        } else if (is_maintenance_stream(e.incident)) {
            // Nothing derives from a window's state but the reply (consequences()): applied below.
        } else if (auto const* i = find(e.incident)) {
            staged.emplace(e.incident, *i);
        }
        batch.expected_versions.emplace_back(e.incident, version_of(e.incident));
    }
    for (auto const& e : events) {
        apply(staged, e);
        apply(staged_groups, e);
    }
    std::vector<effect> effects;
    derive(staged, staged_groups, effects);
    if (outbox_) {
        int const lane = events.empty() ? 0 : events.front().incident;
        for (auto const& f : effects) {
            if (is_durable(f)) batch.outbox.emplace_back(lane, f);
        }
        if (!batch.outbox.empty()) batch.leased_to = birth_lease_;
    }
    // Applied now, before the disk has it: the next request is decided on it (group commit). Should
    // the write be refused, settling it reloads the state from the store.
    for (auto& [number, i] : staged) {
        others_.erase(number);
        auto const* known = find(number);
        index(known, i);
        schedule(incidents_.insert_or_assign(number, std::move(i)).first->second);
    }
    for (auto& [number, g] : staged_groups) index_group(groups_.insert_or_assign(number, std::move(g)).first->second);
    for (auto const& e : events) {
        if (!is_maintenance_stream(e.incident)) continue;
        apply(maintenances_, e);
        ++publications_seen_;
    }
    for (auto const& e : events) last_event_at_ = std::max(last_event_at_.value_or(e.at), e.at);
    auto const t = ++issued_;
    for (auto const& key : batch.claims) unconfirmed_claims_.insert(key);
    unconfirmed_.push_back({t, events, batch.claims, batch.expected_versions});
    store_.submit(std::move(batch), [this](write_result const& r) { settle(r); });
    if (settled(t)) {
        // The store answered at once: a conflict is decided again, a failure is the caller's to hear.
        if (auto const it = lost_.find(t); it != lost_.end()) {
            auto const failure = std::move(it->second.failure);
            lost_.erase(it);
            if (failure) throw store_error(*failure);
            return false;
        }
    }
    out.recorded = t;
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
    auto const parsed = parse_command_line(text, room != nullptr, o.now, *rules_.zone);
    outcome out;
    if (auto const* err = std::get_if<usage_error>(&parsed)) {
        out.effects.push_back(reply{o.channel, o.user, problem(err->reason, usage(err->verb, slash_))});
        return out;
    }
    auto const& req = std::get<request>(parsed);
    if (!within_limits(o, request_kind::command, req.verb, out)) return out;
    auto const target = req.incident ? req.incident : room ? std::optional<int>(room->number) : std::nullopt;
    if (auto const* q = std::get_if<query>(&req.what)) return answer(o, *q, target);
    if (auto const* m = std::get_if<maintenance_request>(&req.what)) return maintain(o, *m);
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
        out.effects.push_back(reply{o.channel, o.user, problem("there is no " + incident_ref(number), "")});
        return out;
    }
    if (req.modal) {
        auto const& cmd = std::get<command>(req.what);
        // A form is filled in with the incident's text: only for those who may change it.
        if (denied(o, *i, privilege::respond, req.verb, out)) return out;
        if (i->is_closed()) {
            out.effects.push_back(
                reply{o.channel, o.user, problem(incident_ref(number) + " is closed; nothing can change", "")});
        } else if (i->is_resolved()) {
            // Refused now, as the buttons do, rather than after the form is filled in.
            out.effects.push_back(
                reply{o.channel, o.user, problem(incident_ref(number) + " is already resolved; reopen it first", "")});
        } else if (std::holds_alternative<resolve>(cmd)) {
            out.effects.push_back(open_form{o.user, resolve_modal(*i)});
        } else {
            auto form = update_modal(*i);
            auto const& given = std::get<post_update>(cmd);
            for (auto& f : form.fields) {
                if (f.id == ui::field::status && given.st && *given.st != status::resolved)
                    f.initial = std::string(to_string(*given.st));
                if (f.id == ui::field::impact && !given.impact.empty()) f.initial = given.impact;
            }
            out.effects.push_back(open_form{o.user, std::move(form)});
        }
        return out;
    }
    return run(o, number, std::get<command>(req.what), req.verb);
}

std::vector<effect> service::consequences(origin const& o, std::vector<event> const& events, incident_map const& state,
                                          alert_group_map const& groups, std::vector<alert> const& received) const {
    std::vector<event> of_incidents;
    std::copy_if(events.begin(), events.end(), std::back_inserter(of_incidents),
                 [](event const& e) { return is_incident_stream(e.incident); });
    auto effects = reactions(of_incidents, state, {rules_, o.user, o.channel});
    auto triage = alert_reactions(events, groups, rules_, received);
    std::move(triage.begin(), triage.end(), std::back_inserter(effects));
    // A maintenance window's effects: telling who scheduled or cancelled it, and Statuspage when
    // configured. The built-in page reads the state.
    for (auto const& e : events) {
        if (!is_maintenance_stream(e.incident)) continue;
        maintenance_map window;
        if (auto const it = maintenances_.find(maintenance_of(e.incident)); it != maintenances_.end()) window.insert(*it);
        apply(window, e);
        auto const& m = window.begin()->second;
        effects.push_back(reply{o.channel, o.user,
                                std::holds_alternative<maintenance_scheduled>(e.what)
                                    ? maintenance_scheduled_view(m, slash_, *rules_.zone)
                                    : maintenance_cancelled_view(m, e.at, *rules_.zone)});
        if (auto pushed = statuspage_of(m, rules_)) effects.push_back(std::move(*pushed));
    }
    return effects;
}

outcome service::decide_and_record(origin const& o, std::function<decision()> const& decide_now) {
    outcome out;
    for (int attempt = 0; attempt < max_attempts; ++attempt) {
        // A refusal read the state again, or left it to be read again once the store answers.
        if (attempt > 0) refresh();
        // Checked on every attempt: a conflict may mean another replica handled this very request.
        if (!o.once.empty() && taken(o.once)) {
            out.duplicate = true;
            return out;
        }
        auto const d = decide_now();
        if (auto const* r = std::get_if<refusal>(&d)) {
            // A state refusal is one line: the command was well formed, the incident said no.
            out.effects.push_back(reply{o.channel, o.user, problem(r->reason, "")});
            return out;
        }
        auto const& events = std::get<std::vector<event>>(d);
        std::vector<std::string> claims;
        if (!o.once.empty()) claims.push_back(o.once);
        auto const derive = [&](incident_map const& state, alert_group_map const& groups, std::vector<effect>& effects) {
            effects = consequences(o, events, state, groups);
        };
        if (record(events, std::move(claims), derive, out)) return out;
    }
    out.effects.push_back(
        reply{o.channel, o.user, problem("another writer kept changing the store; please run the command again", "")});
    return out;
}

outcome service::run(origin const& o, int number, command const& cmd, std::string_view verb) {
    std::optional<refusal> not_allowed;
    auto out = decide_and_record(o, [&]() -> decision {
        auto const* i = find(number);
        if (!i) return refusal{"there is no " + incident_ref(number)};
        // Checked against the state decided on: a retry after a conflict checks again.
        not_allowed = authorize(*i, principal_of(o), cmd, rules_);
        if (not_allowed) return *not_allowed;
        return decide(*i, cmd, o.user, o.now, rules_);
    });
    if (not_allowed) {
        out.effects.clear();
        out.effects.push_back(reply{o.channel, o.user, problem(not_allowed->reason, "")});
        out.denied = denial{o.user, number, std::string(verb), not_allowed->reason};
    }
    return out;
}

outcome service::declare_incident(origin const& o, declare const& d) {
    // Counted once the declaration is valid: a form corrected several times is one declaration.
    if (auto const v = decide_declare(1, d, o.user, o.now, rules_); std::holds_alternative<refusal>(v)) {
        outcome out;
        out.effects.push_back(reply{o.channel, o.user, problem(std::get<refusal>(v).reason, usage("declare", slash_))});
        return out;
    }
    if (outcome limited; !within_limits(o, request_kind::declare, "declare", limited)) return limited;
    return decide_and_record(o, [&] {
        // Re-read on every attempt: a conflict means another writer took this number.
        int const number = store_.next_incident(incidents_.empty() ? 1 : incidents_.rbegin()->first + 1);
        return decide_declare(number, d, o.user, o.now, rules_);
    });
}

outcome service::maintain(origin const& o, maintenance_request const& m) {
    if (std::holds_alternative<list_maintenance>(m)) {
        outcome out;
        std::vector<maintenance const*> windows;
        for (auto const& [n, w] : maintenances_) windows.push_back(&w);
        out.effects.push_back(reply{o.channel, o.user, maintenance_list_view(windows, o.now, *rules_.zone)});
        return out;
    }
    std::optional<refusal> not_allowed;
    auto out = decide_and_record(o, [&]() -> decision {
        // Checked on every attempt, as run() does.
        not_allowed = authorize_maintenance(principal_of(o), rules_);
        if (not_allowed) return *not_allowed;
        if (auto const* s = std::get_if<schedule_maintenance>(&m)) {
            // A conflict means another writer took this number: decided again with the next one.
            int const number = maintenances_.empty() ? 1 : maintenances_.rbegin()->first + 1;
            return decide_schedule(*s, number, o.user, o.now, rules_);
        }
        auto const number = std::get<cancel_maintenance>(m).number;
        auto const it = maintenances_.find(number);
        if (it == maintenances_.end()) return refusal{"there is no " + maintenance_ref(number)};
        return decide_cancel(it->second, o.user, o.now);
    });
    if (not_allowed) {
        out.effects.clear();
        out.effects.push_back(reply{o.channel, o.user, problem(not_allowed->reason, "")});
        out.denied = denial{o.user, 0, "maintenance", not_allowed->reason};
    }
    return out;
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
            say(list_view(shown, q.arg == "all", rules_, o.now));
            return out;
        }
        case query::kind::stats: {
            auto const window = parse_duration(q.arg).value_or(std::chrono::days{30});
            say(stats_view(compute_stats(incidents_, o.now, window), rules_));
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
        say(problem("there is no " + incident_ref(number.value_or(0)), ""));
        return out;
    }
    auto const verb = q.what == query::kind::status ? "status" : q.what == query::kind::actions ? "actions" : "role";
    // A private incident is shown only to its people, and its text only in its room.
    if (denied(o, *i, privilege::see, verb, out)) return out;
    bool const outside = strip_hash(o.channel) != i->channel;
    if (q.what == query::kind::status) {
        say(status_view(*i, rules_, o.now, outside));
    } else if (q.what == query::kind::actions) {
        say(actions_view(*i, rules_, o.now));
    } else {
        say(roles_view(*i));
    }
    return out;
}

outcome service::press(origin const& o, ui::action action, std::string_view value) {
    refresh();
    if (auto const group = ui::parse_group_value(value)) return triage(o, action, *group);
    auto const target = ui::parse_value(value);
    outcome out;
    auto const* i = target ? find(target->incident) : nullptr;
    if (!i) {
        out.effects.push_back(reply{o.channel, o.user, problem("this button refers to an unknown incident", "")});
        return out;
    }
    auto const number = i->number;
    if (!within_limits(o, request_kind::command, ui::id(action), out)) return out;
    switch (action) {
        case ui::action::post_update:
        case ui::action::resolve:
            if (denied(o, *i, privilege::respond, ui::id(action), out)) return out;
            if (i->is_resolved() || i->is_closed()) {
                out.effects.push_back(
                    reply{o.channel, o.user, problem(incident_ref(number) + " is already resolved", "")});
            } else {
                out.effects.push_back(
                    open_form{o.user, action == ui::action::resolve ? resolve_modal(*i) : update_modal(*i)});
            }
            return out;
        case ui::action::acknowledge:
            return run(o, number, acknowledge{}, "ack");
        case ui::action::claim_ic:
            return run(o, number, assign_role{role::incident_commander, o.user}, "assign");
        case ui::action::advance:
            return run(o, number, advance{}, "advance");
        case ui::action::snooze:
            return run(o, number, snooze{}, "update");
        case ui::action::report:
            return run(o, number, generate_report{}, "report");
        case ui::action::approve_notice:
            return run(o, number, approve_customer_notice{}, ui::id(action));
        case ui::action::edit_notice:
            if (denied(o, *i, privilege::approve_customer_notice, ui::id(action), out)) return out;
            if (i->customer_notice_approved_at) {
                out.effects.push_back(reply{o.channel, o.user,
                                            problem("the customer notice of " + incident_ref(number) +
                                                        " is already approved; it can no longer be edited",
                                                    "")});
            } else {
                out.effects.push_back(open_form{o.user, customer_notice_modal(*i, rules_, o.now)});
            }
            return out;
        case ui::action::regulator_notified:
            return run(o, number, confirm_regulator_notice{}, ui::id(action));
        case ui::action::publish_resolution:
            return run(o, number, publish_resolution{}, ui::id(action));
        case ui::action::done:
            if (target->item > 0 && !target->ph) return run(o, number, complete_action{target->item}, "done");
            break;
        case ui::action::check:
            if (target->ph && target->item > 0) {
                bool const checked = !i->checks.contains({*target->ph, target->item - 1});
                return run(o, number, mark_checklist{*target->ph, target->item - 1, checked}, "check");
            }
            break;
        case ui::action::upgrade_severity:
            if (target->sev) return run(o, number, change_severity{*target->sev}, "severity");
            break;
        case ui::action::declare_alert:
        case ui::action::decline_alert:
        case ui::action::merge_alert:
        case ui::action::snooze_alert:
            break;  // they name an alert group
    }
    out.effects.push_back(reply{o.channel, o.user, problem("this button's value does not fit it", "")});
    return out;
}

alert_group const* service::triage_group(origin const& o, int number, std::string_view verb, outcome& out) {
    auto const it = groups_.find(number);
    if (it == groups_.end()) {
        out.effects.push_back(reply{o.channel, o.user, problem("there is no alert group " + std::to_string(number), "")});
        return nullptr;
    }
    if (auto const r = authorize_triage(principal_of(o), rules_)) {
        out.effects.push_back(reply{o.channel, o.user, problem(r->reason, "")});
        out.denied = denial{o.user, 0, std::string(verb), r->reason};
        return nullptr;
    }
    // A delivery seen before (Slack redelivered it) answered the group already: not a second answer.
    if (!o.once.empty() && taken(o.once)) {
        out.duplicate = true;
        return nullptr;
    }
    if (auto const r = triage_refusal(it->second)) {
        out.effects.push_back(reply{o.channel, o.user, problem(r->reason, "")});
        return nullptr;
    }
    return &it->second;
}

outcome service::triage(origin const& o, ui::action action, int number) {
    outcome out;
    if (!within_limits(o, request_kind::command, ui::id(action), out)) return out;
    auto const* g = triage_group(o, number, ui::id(action), out);
    if (!g) return out;
    switch (action) {
        case ui::action::declare_alert: out.effects.push_back(open_form{o.user, declare_group_modal(*g, rules_)}); break;
        case ui::action::decline_alert: out.effects.push_back(open_form{o.user, decline_group_modal(number)}); break;
        case ui::action::merge_alert: out.effects.push_back(open_form{o.user, merge_group_modal(number)}); break;
        case ui::action::snooze_alert:
            return decide_and_record(o, [&] { return decide_snooze_group(groups_.at(number), o.user, o.now, rules_); });
        default:
            out.effects.push_back(reply{o.channel, o.user, problem("this button's value does not fit it", "")});
    }
    return out;
}

outcome service::submit_triage(origin const& o, ui::form form, int number, form_values const& values) {
    auto const value = [&](ui::field id) { return value_in(values, id); };
    outcome out;
    if (!triage_group(o, number, ui::id(form), out)) return out;
    // Decided against the group as it is on each attempt: a conflict reloads the state.
    auto const group = [&]() -> alert_group const& { return groups_.at(number); };
    switch (form) {
        case ui::form::declare: {
            auto d = declare_of(values, o.now);
            if (auto const v = decide_declare(1, d, o.user, o.now, rules_); std::holds_alternative<refusal>(v)) {
                out.effects.push_back(reply{o.channel, o.user, problem(std::get<refusal>(v).reason, "")});
                return out;
            }
            if (!within_limits(o, request_kind::declare, "declare", out)) return out;
            return decide_and_record(o, [&] {
                int const next = store_.next_incident(incidents_.empty() ? 1 : incidents_.rbegin()->first + 1);
                return decide_declare_group(group(), d, next, o.user, o.now, rules_);
            });
        }
        case ui::form::decline_alert:
            return decide_and_record(
                o, [&] { return decide_decline_group(group(), value(ui::field::reason), o.user, o.now); });
        case ui::form::merge_alert: {
            auto const into = *parse_incident_ref(trim(value(ui::field::into)));
            auto const* i = find(into);
            if (!i) {
                out.field_errors[ui::field::into] = "There is no " + incident_ref(into);
                return out;
            }
            if (denied(o, *i, privilege::respond, "merge", out)) return out;
            return decide_and_record(o, [&]() -> decision {
                auto const* now_into = find(into);
                if (!now_into) return refusal{"there is no " + incident_ref(into)};
                return decide_merge_group(group(), *now_into, o.user, o.now);
            });
        }
        default:
            out.field_errors[ui::field::reason] = "This form does not answer an alert";
            return out;
    }
}

outcome service::submit(origin const& o, ui::form form, int incident, form_values const& values) {
    using ui::field;
    refresh();
    auto const value = [&](field id) { return value_in(values, id); };
    outcome out;
    if (!within_limits(o, request_kind::command, ui::id(form), out)) return out;
    // Every field the form has, given or not: a required one left out is as wrong as a bad one.
    core::incident const none{};
    auto const fields = form == ui::form::declare           ? declare_modal().fields
                        : form == ui::form::update          ? update_modal(none).fields
                        : form == ui::form::customer_notice ? customer_notice_modal(none, rules_, o.now).fields
                        : form == ui::form::decline_alert   ? decline_group_modal(0).fields
                        : form == ui::form::merge_alert     ? merge_group_modal(0).fields
                                                            : resolve_modal(none).fields;
    for (auto const& f : fields) {
        if (auto const problem = field_problem(f.id, value(f.id), o.now)) out.field_errors[f.id] = *problem;
    }
    if (!out.field_errors.empty()) return out;
    // A form opened from a triage post carries its alert group's stream.
    if (is_alert_stream(incident) || form == ui::form::decline_alert || form == ui::form::merge_alert)
        return submit_triage(o, form, -incident, values);
    if (form == ui::form::declare) return declare_incident(o, declare_of(values, o.now));
    auto const first_field = form == ui::form::update            ? field::text
                             : form == ui::form::customer_notice ? field::notice_text
                                                                 : field::resolution;
    if (!find(incident)) {
        out.field_errors[first_field] = "This incident no longer exists";
        return out;
    }
    if (form == ui::form::update) {
        post_update u;
        if (auto const st = value(field::status); !st.empty()) u.st = parse_status(st);
        u.text = value(field::text);
        u.impact = value(field::impact);
        return run(o, incident, u, "update");
    }
    if (form == ui::form::customer_notice)
        return run(o, incident, edit_customer_notice{value(field::notice_text)}, "notice");
    resolve r{value(field::resolution), value(field::root_cause), value(field::summary), value(field::services)};
    return run(o, incident, r, "resolve");
}

outcome service::mark(origin const& o, std::string const& ref, user_id const& author, timestamp posted_at,
                      std::string const& text) {
    refresh();
    auto const* room = by_channel(o.channel);
    if (!room) return {};
    outcome limited;
    if (!within_limits(o, request_kind::mark, "mark", limited)) {
        limited.effects.clear();  // a reaction has nobody to answer
        return limited;
    }
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

outcome service::joined(origin const& o, user_id const& user) {
    refresh();
    auto const* room = by_channel(o.channel);
    // Already in (the declarer, whom the room was made with): nothing to record, no claim to look up.
    if (!room || room->is_member(user)) return {};
    auto out = decide_and_record(o, [&]() -> decision {
        auto const* i = by_channel(o.channel);
        return i ? decide(*i, join_room{user}, o.user, o.now, rules_) : decision{refusal{"not a war room"}};
    });
    out.effects.clear();  // Slack told us; there is nobody to answer
    return out;
}

outcome service::left(origin const& o, user_id const& user) {
    refresh();
    auto const* room = by_channel(o.channel);
    if (!room || !room->is_member(user)) return {};
    auto out = decide_and_record(o, [&]() -> decision {
        auto const* i = by_channel(o.channel);
        return i ? decide(*i, leave_room{user}, o.user, o.now, rules_) : decision{refusal{"not a war room"}};
    });
    out.effects.clear();
    return out;
}

outcome service::invite(origin const& o, user_id const& user) {
    refresh();
    outcome out;
    auto const* room = by_channel(o.channel);
    if (!room) {
        out.effects.push_back(reply{o.channel, o.user, problem("invite people from inside a war room", "")});
        return out;
    }
    if (!within_limits(o, request_kind::command, "invite", out)) return out;
    return run(o, room->number, join_room{user}, "invite");
}

std::optional<std::string> service::enter(origin const& o, std::string_view channel, outcome& out) {
    refresh();
    auto const* room = by_channel(channel);
    if (!room) return std::nullopt;
    if (auto const r = authorize(*room, principal_of(o), privilege::see, rules_)) {
        out.denied = denial{o.user, room->number, "enter", r->reason};
        return r->reason;
    }
    if (room->is_member(o.user)) return std::nullopt;
    auto const number = room->number;
    origin here = o;
    here.channel = room->channel;
    auto joined_out = decide_and_record(here, [&]() -> decision {
        auto const* i = find(number);
        return i ? decide(*i, join_room{o.user}, o.user, o.now, rules_) : decision{refusal{"not a war room"}};
    });
    out.changed = joined_out.changed;
    out.recorded = joined_out.recorded;
    return std::nullopt;
}

outcome service::receive(origin const& o, alert_delivery const& d) {
    refresh();
    outcome out;
    if (!o.once.empty() && taken(o.once)) {
        out.duplicate = true;
        return out;
    }
    bool claim = !o.once.empty();
    auto const first = issued_ + 1;
    for (auto const& group : group_alerts(d, rules_.alerts)) {
        // Named, not structured bindings: the lambdas below capture them, which clang 14 cannot do with bindings.
        auto const& key = group.first;
        auto const& alerts = group.second;
        auto const identity = alert_group_identity(d.source, key);
        for (int attempt = 0;; ++attempt) {
            if (attempt == max_attempts) throw store_error("another writer kept changing the alert group");
            auto const known = group_index_.find(identity);
            auto const* current = known == group_index_.end() ? nullptr : &groups_.at(known->second);
            alert_numbering const numbers{
                groups_.empty() ? 1 : groups_.rbegin()->first + 1,
                [&] { return store_.next_incident(incidents_.empty() ? 1 : incidents_.rbegin()->first + 1); }};
            auto const events = decide_alerts(current, d.source, key, alerts, o.now, rules_, numbers);
            if (events.empty()) break;
            std::vector<std::string> claims;
            if (claim) claims.push_back(o.once);
            auto const derive = [&](incident_map const& state, alert_group_map const& groups,
                                    std::vector<effect>& effects) {
                effects = consequences(o, events, state, groups, alerts);
            };
            if (record(events, std::move(claims), derive, out)) {
                claim = false;
                break;
            }
        }
    }
    // Its writes are consecutive: the sender is told "recorded" only if none of them was lost.
    if (out.recorded != 0) out.recorded_from = first;
    // A sender is answered by status code; the confirmations meant for a person go nowhere.
    std::erase_if(out.effects, [](effect const& e) { return std::holds_alternative<reply>(e); });
    return out;
}

std::vector<incident const*> service::declared_between(timestamp from, timestamp to) const {
    std::vector<incident const*> out;
    for (auto it = by_declared_.lower_bound({from, 0}); it != by_declared_.end() && it->first < to; ++it)
        out.push_back(find(it->second));
    return out;
}

std::vector<incident const*> service::incidents_in(std::set<int> const& numbers) const {
    std::vector<incident const*> out;
    for (auto const n : numbers) out.push_back(find(n));
    return out;
}

period_report service::report_of(period const& of, timestamp now) const {
    auto const& zone = rules_.report_zone();
    auto const from = period_before(of, zone).from;  // the period before too: the report compares with it
    auto candidates = declared_between(from, of.to);
    for (auto const* i : incidents_in(with_open_actions_)) {
        if (i->declared_at < from || i->declared_at >= of.to) candidates.push_back(i);
    }
    auto r = build_period_report(of, candidates, now, rules_, zone);
    if (of.kind == period_kind::year && !rules_.components.empty()) {
        std::vector<maintenance const*> windows;
        for (auto const& [n, w] : maintenances_) windows.push_back(&w);
        r.availability = availability(incidents_in(published_), windows, rules_.components, of.from,
                                      std::max(of.from, std::min(of.to, now)));
    }
    return r;
}

dashboard_data service::dashboard(timestamp now) const {
    auto const& zone = rules_.report_zone();
    auto first = period_containing(period_kind::week, now, zone);
    for (int k = 1; k < dashboard_weeks; ++k) first = period_before(first, zone);
    return build_dashboard(incidents_in(unresolved_), declared_between(first.from, now + milliseconds{1}),
                           incidents_in(with_open_actions_), now, rules_, zone);
}

void service::post_reports(timestamp now, outcome& out) {
    if (rules_.reports.channel.empty() || by_declared_.empty()) return;
    auto const& zone = rules_.report_zone();
    for (auto const kind : all_period_kinds) {
        auto const of = latest_due(kind, now, zone);
        auto const key = report_key(of);
        if (of.to <= by_declared_.begin()->first || reports_done_.contains(key)) continue;
        auto const derive = [&](incident_map const&, alert_group_map const&, std::vector<effect>& effects) {
            effects.push_back(post{rules_.reports.channel, period_report_view(report_of(of, now), rules_, zone)});
        };
        // Claimed or not, it is settled: a replica that lost the claim posted it.
        if (!taken(key)) record({}, {key}, derive, out);
        reports_done_.insert(key);
    }
}

std::optional<timestamp> service::next_due() const {
    auto best = next_handoff(rules_, last_tick_);
    if (!rules_.reports.channel.empty() && !by_declared_.empty()) {
        auto const report = next_report_due(last_tick_, rules_.report_zone());
        if (!best || report < *best) best = report;
    }
    if (!due_.empty() && (!best || due_.begin()->first < *best)) best = due_.begin()->first;
    if (!snoozes_.empty() && (!best || snoozes_.begin()->first < *best)) best = snoozes_.begin()->first;
    return best;
}

outcome service::tick(timestamp now) {
    if (now - looked_at_ >= look_every) {
        looked_at_ = now;
        others_wrote(0);
    }
    refresh();
    last_tick_ = now;
    outcome out;
    post_reports(now, out);
    for (auto const& h : recent_handoffs(rules_, now)) {
        if (handoffs_done_.contains(h.key)) continue;
        auto const channel = h.of->handoff_channel.empty() ? announce_channel() : h.of->handoff_channel;
        auto const derive = [&](incident_map const&, alert_group_map const&, std::vector<effect>& effects) {
            effects.push_back(post{channel, handoff_view(*h.of, h.at, rules_)});
        };
        // Claimed or not, it is settled: a replica that lost the claim posted it.
        if (!taken(h.key)) record({}, {h.key}, derive, out);
        handoffs_done_.insert(h.key);
    }
    for (std::size_t k = 0; k < max_fired_per_tick && !snoozes_.empty() && snoozes_.begin()->first <= now; ++k) {
        auto const [until, number] = *snoozes_.begin();
        snoozes_.erase(snoozes_.begin());
        auto const& g = groups_.at(number);
        // Answered, snoozed again or quiet since: nothing to bring back.
        if (!g.in_triage() || g.snoozed_until != until || !g.firing()) continue;
        auto const key = snooze_key(number, until);
        auto const derive = [&](incident_map const&, alert_group_map const&, std::vector<effect>& effects) {
            effects.push_back(snooze_over(g, rules_));
        };
        if (!taken(key)) record({}, {key}, derive, out);
    }
    // Keys found taken: another replica fired them. Its events arrive with the next refresh (or the
    // reload a conflict causes); the set only guarantees that a key is tried once per tick.
    std::set<std::string> taken;
    std::set<int> settled;  // incidents whose due reminders were all found taken
    std::size_t fired = 0;
    // Earliest first across incidents. Firing re-plans (a nudge schedules the next one, a page the wait
    // for its acknowledgement) and a conflict reloads, so each firing starts again from the earliest.
    for (auto it = due_.begin(); it != due_.end() && it->first <= now;) {
        auto const number = it->second;
        if (settled.contains(number)) {
            ++it;
            continue;
        }
        // The loop that runs the scheduler also acks envelopes and delivers: a large backlog is
        // fired in slices, the rest at the next tick, right after the loop had its turn.
        if (fired >= max_fired_per_tick) break;
        auto const* i = find(number);
        auto const pending = pending_reminders(*i, rules_);
        auto const r = std::find_if(pending.begin(), pending.end(),
                                    [&](reminder const& p) { return p.due <= now && !taken.contains(p.key); });
        if (r == pending.end()) {
            settled.insert(number);
            ++it;
            continue;
        }
        if (fire_one(*i, *r, now, out)) {
            ++fired;
        } else {
            taken.insert(r->key);
        }
        it = due_.begin();
    }
    due_free_.clear();  // read for this tick: by the next, another replica may have fired them
    return out;
}

bool service::fire_one(incident const& i, reminder const& r, timestamp now, outcome& out) {
    auto const events = fire(i, r, now, rules_);
    origin const o{bot_user, i.channel, now, {}};
    auto const derive = [&](incident_map const& state, alert_group_map const&, std::vector<effect>& effects) {
        effects = reactions(events, state, {rules_, o.user, o.channel, r});
    };
    return !taken(r.key) && record(events, {r.key}, derive, out);
}

}  // namespace warroom::app
