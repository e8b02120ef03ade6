// The delivery engine without I/O: which outbox entries may go now, and for each one what to do
// next (lease it, deliver it, wait, record the result), given what happened to the last step.
// Entries of one lane (an incident) go strictly in id order; entries of different lanes go side by
// side, except that two entries for the same target (a channel shared by incidents, a person's DM)
// go in id order too. An entry's turn passes on once the world has it, while its result is recorded. A driver performs the actions against the store, a deliverer and a timer,
// and feeds the news back; time and randomness are arguments, so tests step it without sockets.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
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
};
struct attempt {
    verdict what = verdict::delivered;
    std::string detail;
    bool ambiguous = false;  // the call may have reached the world: reconcile before the next try
    facts learned = {};       // recorded with the result (channel ids, message timestamps)
};

// What the driver is asked to do for one entry.
struct lease {};  // take or renew the right to deliver it (counts an attempt)
struct deliver {
    bool in_doubt = false;  // an earlier try may have reached the world: reconcile first
};
struct wait {
    millis delay{};
    std::string why;  // for the log: the failure that made it wait
};
struct finish {
    std::string result;  // "delivered" or "failed: <why>"
    facts learned;
};
struct done {};  // finished, or finished by someone else: the entry leaves the engine
using action = std::variant<lease, deliver, wait, finish, done>;

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
    millis lease_busy{100};  // how soon to ask again for an entry another replica holds (it is delivering it)
};

// The channel or person an effect reaches ("" when order across lanes does not matter).
std::string target_of(core::effect const& e);

class engine {
public:
    explicit engine(settings s = {}) : settings_(s) {}

    // Entries read from the store, in id order; ones seen before are ignored (false).
    bool add(app::outbox_entry const& e);
    // The entries whose turn has come, each returned once: first of its lane and, for its target,
    // first of every lane, not counting entries already delivered and being recorded. Costs what
    // changed since the last call, not what is queued.
    std::vector<std::int64_t> ready();
    // The first action for an entry ready() returned.
    action start(std::int64_t id);
    // The next action for entry `id` after `n`; `unit` is a random number in [0, 1) for jitter.
    action resume(std::int64_t id, news const& n, double unit);

    app::outbox_entry const& entry(std::int64_t id) const { return entries_.at(id).entry; }
    std::size_t queued() const { return entries_.size(); }
    bool holds(std::int64_t id) const { return entries_.contains(id); }
    std::int64_t newest() const { return newest_; }

private:
    enum class step { queued, leasing, delivering, waiting_to_lease, waiting_to_finish, finishing };
    struct delivery {
        app::outbox_entry entry;
        std::string target;
        step at = step::queued;
        bool in_doubt = false;
        backoff delays;
        finish outcome;  // kept while the store is asked again to record it
        bool passed = false;  // out of its lane's and target's order: delivered, or leaving
    };
    // Lets the next entry of its lane and of its target have its turn.
    void pass_turn(std::int64_t id);

    action wait_then(delivery& d, step next, millis delay, std::string why);
    action leave(std::int64_t id);
    bool turn_of(std::int64_t id) const;

    settings settings_;
    std::map<std::int64_t, delivery> entries_;
    std::map<int, std::set<std::int64_t>> lanes_;
    std::map<std::string, std::set<std::int64_t>> targets_;
    std::set<std::int64_t> candidates_;  // entries whose turn may have come since ready() last looked
    std::int64_t newest_ = 0;
};

}  // namespace warroom::outbox
