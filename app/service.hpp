// The application core every adapter drives: commands, button presses, form submissions and the
// clock go in; what the bot owes the world (posts, replies, war rooms, forms) comes out.
// Decisions are made at once against the state in memory, which already holds the writes still on
// their way to disk; each write gets a ticket. Durable effects reach the world only from the
// store's outbox, after their commit; an adapter sends an answer only once the newest ticket has
// settled (unsettled_tail(), when_settled()), and reports a write lost() to a conflict or a store
// failure instead. With a store that writes at once, every ticket settles before the call returns.
// Single-threaded: one event loop owns a service.
#pragma once

#include <array>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <unordered_set>
#include <vector>

#include "app/limits.hpp"
#include "app/store_port.hpp"
#include "core/alerts.hpp"
#include "core/authority.hpp"
#include "core/command_line.hpp"
#include "core/effects.hpp"
#include "core/maintenance.hpp"
#include "core/period_report.hpp"
#include "core/views.hpp"

namespace warroom::app {

using namespace core;  // the application layer speaks the domain's language throughout

// Who acted, where, and when.
struct origin {
    user_id user;
    std::string channel;  // name without '#', or a Slack channel id
    timestamp now{};
    // When set, the request is handled at most once: the key is claimed with its events, and a
    // request whose key is already claimed (a redelivery) changes nothing.
    std::string once = {};
    // A paging vendor's webhook (authenticated by its signature), not a person.
    bool integration = false;
};

// Who belongs to which user group. Slack knows (usergroups.users.list); the console knows no groups.
class directory {
public:
    virtual ~directory() = default;
    // The groups `user` is in, by id and by handle.
    virtual std::vector<std::string> groups_of(user_id const& user) const = 0;
};

// A request refused on authority or fairness: for the log, never for the room.
struct denial {
    user_id user;
    int incident = 0;  // 0: not about one incident (a declare over the limit)
    std::string what;  // the verb or button
    std::string reason;
    bool operator==(denial const&) const = default;
};

// A submitted form: field → text as typed.
using form_values = std::map<ui::field, std::string>;

// A write on its way to the store; tickets grow by one per write.
using ticket = std::uint64_t;

struct outcome {
    std::vector<effect> effects;
    ticket recorded = 0;                            // the write that carries this request's events (0: none)
    ticket recorded_from = 0;  // with several writes (an alert delivery, one per group): the first one
    std::map<ui::field, std::string> field_errors;  // form field → what is wrong
    bool changed = false;                           // events were recorded
    bool duplicate = false;                         // `origin::once` was already claimed: nothing done
    std::optional<denial> denied = std::nullopt;    // refused on authority or a rate limit
};

class service {
public:
    // With `outbox`, durable effects are also written to the store with the events that caused
    // them (for adapters that deliver over a network); either way they are returned.
    service(event_store& store, policy rules, std::string slash = "/incident", bool outbox = false,
            user_limits limits = {});
    // Group membership for incident admins and invited groups; none by default.
    void set_directory(directory const* d) { directory_ = d; }

    outcome handle(origin const& o, std::string_view text);
    outcome press(origin const& o, ui::action action, std::string_view value);
    outcome submit(origin const& o, ui::form form, int incident, form_values const& values);
    // A war-room message put on the timeline (the timeline reaction, a pin) or taken off it. Outside a
    // war room, or for a message already in that state, nothing happens.
    outcome mark(origin const& o, std::string const& ref, user_id const& author, timestamp posted_at,
                 std::string const& text);
    outcome unmark(origin const& o, std::string const& ref);
    // War-room membership as Slack reports it (member_joined_channel / member_left_channel): facts, not requests.
    outcome joined(origin const& o, user_id const& user);
    outcome left(origin const& o, user_id const& user);
    // A member brings someone into the war room of `o.channel` (the console's /invite).
    outcome invite(origin const& o, user_id const& user);
    // Entering a war room (the console's /in): a public one is joined; a private one only by its members
    // and the incident admins. Nullopt when `channel` is not a war room or `o.user` may be there.
    std::optional<std::string> enter(origin const& o, std::string_view channel, outcome& out);
    // Alerts a receiver parsed: each group's alerts are recorded in a write of their own and routed (a
    // triage post kept current, or an incident declared as a typed declaration is). What is already
    // recorded changes nothing. `o.once` (a delivery's id) is claimed with the first write. Throws
    // store_error when the store fails or keeps conflicting: nothing more of the delivery is recorded.
    outcome receive(origin const& o, alert_delivery const& d);
    // Fires the reminders due at or before `now`, each once, earliest first; at most 200 a call, so a
    // backlog leaves the caller's loop room between calls (next_due() then says: now).
    outcome tick(timestamp now);

    std::optional<timestamp> next_due() const;
    // Time of the newest recorded event: a simulated clock must not start before it.
    std::optional<timestamp> last_event_at() const { return last_event_at_; }
    incident_map const& incidents() const { return incidents_; }
    // Kept as incidents change, so a metrics scrape reads them without a scan.
    int active(severity s) const { return active_[static_cast<std::size_t>(s)]; }
    int awaiting_close() const { return awaiting_close_; }
    alert_group_map const& alert_groups() const { return groups_; }
    // Every maintenance window ever scheduled; what they show moves publications_seen() too.
    maintenance_map const& maintenances() const { return maintenances_; }
    // A periodic report of `of` as of `now`, from the incidents declared in it and the period before
    // and those with open action items (found through indexes, not a scan of every incident).
    period_report report_of(period const& of, timestamp now) const;
    // The dashboard's figures as of `now`, the same way.
    dashboard_data dashboard(timestamp now) const;
    // The incidents ever published on the status page, and a count that moves whenever what they
    // published may have changed: the page is rebuilt from these, not from every incident.
    std::set<int> const& published() const { return published_; }
    std::uint64_t publications_seen() const { return publications_seen_; }
    incident const* find(int number) const;
    incident const* by_channel(std::string_view channel) const;
    policy const& rules() const { return rules_; }

    // The newest write not yet settled (0: none). An answer given now may show it, so it waits for it.
    ticket unsettled_tail() const { return unconfirmed_.empty() ? 0 : unconfirmed_.back().id; }
    bool settled(ticket t) const { return t <= settled_through_; }
    // Runs `fn` once `t` has settled (at once if it has).
    void when_settled(ticket t, std::function<void()> fn);
    // Why write `t` did not reach the disk (another writer's conflicting change, a store failure);
    // nothing when it did, or before it settled.
    std::optional<std::string> lost(ticket t) const;
    // Called after each write that reached the disk: its outbox entries can be delivered.
    void on_written(std::function<void()> fn) { on_written_ = std::move(fn); }
    // The store tells when another process wrote (others_wrote()): from now on a request looks at
    // the store's head only once told, and tick() at least every `look_every` in case a word was lost.
    void told_of_others() { told_ = true; }
    // `head`: the store's head after that write, or 0 when the store could not tell it.
    void others_wrote(std::int64_t head);
    // What a request whose once-key is `once` reads first, read where the store reads without
    // stopping the loop (read_later): whether its claim is taken, and the events others wrote up
    // to the head told. `done` runs on the loop; the request that follows reads neither again.
    void read_before(std::string once, std::function<void()> done);
    // The same for tick() at `now`: the claims of the reminders it would fire.
    void read_before_tick(timestamp now, std::function<void()> done);
    // Outbox entries are written leased to this deliverer (the process's own), which then delivers
    // them without first committing a lease of its own.
    void lease_outbox_to(birth_lease terms) { birth_lease_ = std::move(terms); }

private:
    // Decides on the current state and records; when the store refuses at once (a conflict), reloads
    // and decides again. A refusal that comes later is the adapter's to report (lost()).
    outcome decide_and_record(origin const& o, std::function<decision()> const& decide_now);
    outcome run(origin const& o, int number, command const& cmd, std::string_view verb);
    principal principal_of(origin const& o) const;
    // Why `o` may not have `what` of incident `i`, logged as a denial in `out`; nothing when allowed.
    bool denied(origin const& o, incident const& i, privilege what, std::string_view verb, outcome& out) const;
    // One request's worth of the sender's budget; false (and the reply said) when spent.
    bool within_limits(origin const& o, request_kind kind, std::string_view verb, outcome& out);
    outcome declare_incident(origin const& o, declare const& d);
    // `/incident maintenance …`: schedule, cancel (both checked by authorize_maintenance) or list.
    outcome maintain(origin const& o, maintenance_request const& m);
    // Triage: a button on an alert group's post, and the forms it opens.
    outcome triage(origin const& o, ui::action action, int group);
    outcome submit_triage(origin const& o, ui::form form, int group, form_values const& values);
    // Alert group `number` when `o` may answer it and it still takes answers; otherwise nullptr, and why in `out`.
    alert_group const* triage_group(origin const& o, int number, std::string_view verb, outcome& out);
    // What recorded events owe the world: the incidents' reactions and the alert groups' posts and
    // tickets (`received`: the alerts a delivery brought, whose labels a ticket carries).
    std::vector<effect> consequences(origin const& o, std::vector<event> const& events, incident_map const& state,
                                     alert_group_map const& groups, std::vector<alert> const& received = {}) const;
    outcome answer(origin const& o, query const& q, std::optional<int> number);
    using derive_effects = std::function<void(incident_map const& staged, alert_group_map const& staged_groups,
                                              std::vector<effect>& effects)>;
    // Applies `events` to copies of the incidents and alert groups they touch, derives the effects from that staged
    // state, makes it the state, and submits events, claims and (in outbox mode) durable effects as
    // one write. False when the store refused it at once (the state is reloaded); otherwise the
    // effects are appended to `out` and `out.recorded` is its ticket.
    bool record(std::vector<event> const& events, std::vector<std::string> claims, derive_effects const& derive,
                outcome& out);
    // Catches up with events another process (a second replica) wrote since we last looked.
    void refresh();
    // The store's events, then the writes still on their way.
    void reload();
    // Applies the events other writers put at positions after `after` up to `through`: with the
    // store's writers one at a time, those are what the state lacks, and reading them is enough.
    void catch_up(std::int64_t after, std::int64_t through);
    void apply_caught_up(std::vector<event> const& events);
    // The head to catch up to that the store told, with nothing to look for: else head_.
    std::int64_t told_through() const;
    // Reads the claims of `keys` and the events told, off the loop where the store can; see read_before().
    void read_ahead(std::vector<std::string> keys, std::unordered_set<std::string>& free, std::function<void()> done);
    // A claim in the store or in a write on its way. A key read_before() or read_before_tick()
    // found free is taken as free once, without reading it again.
    bool taken(std::string const& key);
    // The oldest write on its way is settled: on disk, or refused (the state is reloaded). It runs
    // as a store's completion, where nobody could hear a store error: a read that fails here leaves
    // the state to be read again by the next request instead (stale_).
    void settle(write_result const& r);
    void read_or_mark_stale(std::function<void()> const& read);
    // Records one due reminder with its claim; false when the claim or a version was already taken.
    bool fire_one(incident const& i, reminder const& r, timestamp now, outcome& out);
    std::string announce_channel() const;

    event_store& store_;
    policy rules_;
    std::string slash_;
    bool outbox_;
    rate_limiter limiter_;
    // When each person declared the incidents of the last memory_of(declare limit), from the log: the
    // declare limit is one budget for all the processes sharing it, each reading the others' declarations.
    std::unordered_map<std::string, std::multiset<timestamp>> declared_by_;
    directory const* directory_ = nullptr;
    incident_map incidents_;
    alert_group_map groups_;
    maintenance_map maintenances_;
    // Alert group identity (source and key) → its newest group: an alert finds its group without a scan.
    std::unordered_map<std::string, int> group_index_;
    void index_group(alert_group const& g);
    // Events applied to an incident's or an alert group's stream (0 for one not known).
    int version_of(int stream) const;
    // War-room channel name → incident number: commands from a room find their incident without a scan.
    std::map<std::string, int, std::less<>> rooms_;
    // Unresolved incidents by severity and resolved ones not yet closed, counted as incidents change.
    std::array<int, std::size(all_severities)> active_{};
    std::set<int> published_;
    std::uint64_t publications_seen_ = 0;
    int awaiting_close_ = 0;
    // Brings the room index and the counts from `before` (nullptr: a new incident) to `after`.
    void index(incident const* before, incident const& after);
    // Incidents by declaration time, the unresolved ones, and those with open action items: what the
    // periodic reports and the dashboard read, without a scan of every incident.
    std::set<std::pair<timestamp, int>> by_declared_;
    std::set<int> unresolved_, with_open_actions_;
    std::vector<incident const*> declared_between(timestamp from, timestamp to) const;
    std::vector<incident const*> incidents_in(std::set<int> const& numbers) const;
    // Posts each kind's latest report that is due, once (its period's key is claimed with the post).
    // Only periods that ended after the first incident was declared: an installation reports from its start.
    void post_reports(timestamp now, outcome& out);
    std::set<std::string> reports_done_;  // report keys posted or found claimed
    // Each incident's earliest pending reminder, earliest first: the scheduler looks at what is due
    // instead of at every incident. Re-planned wherever an incident changes (record, reload).
    std::set<std::pair<timestamp, int>> due_;
    std::map<int, timestamp> due_of_;
    void schedule(incident const& i);
    // Incidents whose newest event another writer (a replica) recorded. Their reminders are that
    // writer's to fire at the due time; here they are tried only after a grace, in case it died. So
    // replicas do not all race for every claim, and each lost race does not cost a reload.
    std::set<int> others_;
    std::int64_t head_ = 0;  // the store's head when incidents_ was last known complete
    bool told_ = false;
    bool others_wrote_ = false;  // told so since the head was last read
    bool look_ = false;          // and the head is to be read: the store did not tell it
    std::int64_t told_head_ = 0;  // the newest head the store told with its news
    // The state may hold what the store does not (a write that failed) or lack what it does (another
    // writer's events that could not be read): reloaded before anything is decided on it.
    bool stale_ = false;
    timestamp looked_at_{};      // when tick() last had the head read
    struct unconfirmed {
        ticket id;
        std::vector<event> events;
        std::vector<std::string> claims;
        std::vector<std::pair<int, int>> expected_versions;
    };
    std::deque<unconfirmed> unconfirmed_;  // submitted, in order, not yet settled
    std::multiset<std::string, std::less<>> unconfirmed_claims_;
    std::unordered_set<std::string> read_free_;  // by read_before(), for the next look at each
    std::unordered_set<std::string> due_free_;   // by read_before_tick(), for the tick that follows
    ticket issued_ = 0;
    ticket settled_through_ = 0;
    std::map<ticket, write_result> lost_;  // recent writes that did not make it, and why
    std::multimap<ticket, std::function<void()>> waiters_;
    std::function<void()> on_written_;
    std::optional<birth_lease> birth_lease_;
    std::optional<timestamp> last_event_at_;
    timestamp last_tick_{};                // where the hand-off schedule is looked up from
    // Snoozed alert groups' snooze ends, earliest first (an entry outdated by a later answer is
    // skipped when due): a group still firing and unanswered then is brought back.
    std::set<std::pair<timestamp, int>> snoozes_;
    std::set<std::string> handoffs_done_;  // hand-off keys fired or found claimed
};

}  // namespace warroom::app
