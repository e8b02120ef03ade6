// The delivery engine without I/O: which outbox entries may go now, and for each one what to do
// next (lease it, deliver it, wait, record the result), given what happened to the last step.
// Entries of one lane (an incident) go strictly in id order; entries of different lanes go side by
// side, except that two entries for the same target (a channel shared by incidents, a person's DM)
// go in id order too — unless one only edits a message already there (its place in the channel is
// taken), so a storm's edits of triage posts never hold up the next group's first post. An entry's turn passes on once the world has it, while its result is recorded.
// An entry another process (a replica) holds is watched, not driven: it keeps its lane's order until
// that process finishes it or its lease lapses, and then this one takes it over. Order by target is
// kept among the entries one process delivers: replicas do not wait on each other's channels.
// A driver performs the actions against the store, a deliverer and a timer, and feeds the news back;
// time and randomness are arguments, so tests step it without sockets.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "adapters/outbox/backoff.hpp"
#include "app/store_port.hpp"

namespace warroom::outbox {

using facts = std::vector<std::pair<std::string, std::string>>;

// What a deliverer says of one try.
enum class verdict {
    delivered,
    failed,  // permanent: given up, so one bad entry never blocks its lane for good
    retry,   // transient: try again after a delay
    // Nothing was sent: the receiver cannot take it for `retry_after` yet (a rate-limit slot), so it
    // waits without a try counted, and without holding a place among the deliveries in flight.
    not_yet,
};
struct attempt {
    verdict what = verdict::delivered;
    std::string detail;
    bool ambiguous = false;  // the call may have reached the world: reconcile before the next try
    facts learned = {};      // recorded with the result (channel ids, message timestamps)
    millis retry_after{};    // retry: the receiver asked for at least this wait (Retry-After)
};

// What the driver is asked to do for one entry.
struct lease {};  // take or renew the right to deliver it (counts an attempt)
struct deliver {
    bool in_doubt = false;  // an earlier try may have reached the world: reconcile first
};
struct wait {
    millis delay{};
    std::string why;  // for the log: what made it wait
    bool failed = true;  // false: it waits for its turn at the receiver (not_yet), nothing went wrong
};
struct finish {
    std::string result;  // "delivered", "failed: <why>", or `superseded` and the id of the entry that was delivered instead
    facts learned;
};
struct done {};   // finished, or finished by someone else: the entry leaves the engine
struct watch {};  // another process holds it: it is no longer driven here, only watched (see watched())
using action = std::variant<lease, deliver, wait, finish, done, watch>;

// What happened to the last action.
struct leased {
    bool granted = false;
    bool still_pending = true;  // when refused: false if the entry is done already (another replica)
};
struct attempted {
    attempt result;
};
struct waited {};
struct finished {};
struct store_failed {
    std::string what;
};
using news = std::variant<leased, attempted, waited, finished, store_failed>;

struct settings {
    millis first_retry{500};
    millis max_retry{30'000};
    millis lease_busy{100};  // how often a watched entry one of ours waits behind is looked at
    // How often every watched entry is looked at: for those finished, and those whose holder died
    // (its lease lapsed) to take over.
    millis held_scan{1000};
};

// The result recorded for an entry finished unsent because a later one of its lane edits the same
// message kept current in full: this, then the later entry's id.
inline constexpr std::string_view superseded = "superseded by entry ";

// The channel or person an effect reaches ("" when order across lanes does not matter).
std::string target_of(core::effect const& e);

class engine {
public:
    explicit engine(settings s = {}) : settings_(s) {}

    // Entries read from the store, in id order; ones seen before are ignored (false). `held_elsewhere`:
    // another process holds its lease, so it is watched until that lease ends (see watched()); only
    // such an entry may come unread.
    bool add(app::outbox_entry const& e, bool held_elsewhere = false);
    // The ids of the entries watched, lowest and highest; nothing when none is.
    std::optional<std::pair<std::int64_t, std::int64_t>> held() const;
    // The watched entries an entry of this engine waits behind: each first in its lane, with one of
    // this engine's later in it. Worth looking at more often than the others.
    std::set<std::int64_t> const& blocking() const { return blocking_; }
    // What the store says of its undelivered entries with ids in `range` (both ends included): a
    // watched entry in the range missing from it was finished by its holder and leaves; one whose
    // lease ended (or was given up) by `now` becomes this engine's to deliver, reconciling first.
    // Returns how many became this engine's. One added unread becomes this engine's once read().
    std::size_t watched(std::pair<std::int64_t, std::int64_t> range, std::vector<app::delivery_lease> const& leases,
                        core::timestamp now);
    // Entries watched unread that became this engine's: the driver reads each and calls read(), or
    // gone() when the store no longer has it undelivered. Until then each keeps its lane's turn.
    std::set<std::int64_t> const& unread() const { return unread_; }
    void read(app::outbox_entry const& e);
    void gone(std::int64_t id);
    // The entries whose turn has come, each returned once: first of its lane and, for its target,
    // first of every lane, not counting entries already delivered and being recorded. Costs what
    // changed since the last call, not what is queued.
    std::vector<std::int64_t> ready();
    // The first action for an entry ready() returned: a finish, unsent, when a later entry of its lane
    // edits the same message kept current in full (see `superseded`).
    action start(std::int64_t id);
    // The next action for entry `id` after `n`; `unit` is a random number in [0, 1) for jitter.
    action resume(std::int64_t id, news const& n, double unit);

    app::outbox_entry const& entry(std::int64_t id) const { return entries_.at(id).entry; }
    std::size_t queued() const { return entries_.size(); }
    bool holds(std::int64_t id) const { return entries_.contains(id); }
    std::int64_t newest() const { return newest_; }

private:
    enum class step {
        held,
        queued,
        leasing,
        delivering,
        waiting_to_lease,
        waiting_to_deliver,
        waiting_to_finish,
        finishing
    };
    struct delivery {
        app::outbox_entry entry;
        std::string target;
        step at = step::queued;
        bool in_doubt = false;
        backoff delays;
        finish outcome;       // kept while the store is asked again to record it
        bool passed = false;  // out of its lane's and target's order: delivered, or leaving
    };
    // Lets the next entry of its lane and of its target have its turn.
    void pass_turn(std::int64_t id);
    // Takes `id` out of one of its queues (lane or target); the next in it may have its turn.
    template <class Key>
    void step_aside(std::map<Key, std::set<std::int64_t>>& queues, Key const& key, std::int64_t id);

    action wait_then(delivery& d, step next, millis delay, std::string why, bool failed = true);
    action leave(std::int64_t id);
    // Leaves `id` to the process that holds it: it keeps its place in its lane, not in its target.
    action hold(std::int64_t id);
    bool turn_of(std::int64_t id) const;
    // A later entry of `id`'s lane that edits the same message kept current in full.
    std::optional<std::int64_t> superseded_by(std::int64_t id) const;

    settings settings_;
    std::map<std::int64_t, delivery> entries_;
    std::map<int, std::set<std::int64_t>> lanes_;
    std::map<std::string, std::set<std::int64_t>> targets_;
    std::map<std::pair<int, std::string>, std::set<std::int64_t>> kept_;  // posts of a message kept current, by lane and key
    // Messages kept current this engine delivered, by lane and key: later posts of them only edit.
    // The oldest are forgotten past a bound; an edit of one forgotten keeps its channel's order.
    std::set<std::pair<int, std::string>> made_;
    std::deque<std::pair<int, std::string>> made_order_;
    // Takes the target order from `id`, which only edits a message already made.
    void drop_target(std::int64_t id);
    std::set<std::int64_t> held_;
    std::set<std::int64_t> blocking_;  // see blocking()
    std::set<std::int64_t> unread_;    // see unread()
    // Makes a watched entry this engine's to deliver.
    void take(std::int64_t id);
    std::map<int, int> driven_in_lane_;  // per lane, its entries not watched and not yet passed
    void count_driven(int lane, int by);
    // Marks the first entry of `lane` blocking if it is watched and an entry of this engine's follows.
    void note_blocking(int lane);
    std::set<std::int64_t> candidates_;  // entries whose turn may have come since ready() last looked
    std::int64_t newest_ = 0;
};

}  // namespace warroom::outbox
