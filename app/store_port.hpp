// The store port: an append-only event log, a table of claimed keys (reminders, redeliveries), and
// the outbox of effects still owed to the world. Adapters (SQLite, PostgreSQL) implement it;
// nothing here names a database. Every change is a `write`; write() puts several in one durable
// transaction (group commit), and submit() is the asynchronous face the event loop uses.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "core/effects.hpp"
#include "core/events.hpp"

namespace warroom::app {

using core::effect;
using core::event;
using core::seconds;
using core::timestamp;

// Outbox entries written leased to the process that decided them, so that it delivers them without
// another commit first.
struct birth_lease {
    std::string owner;  // the deliverer, as in lease_delivery
    seconds lease{};    // from the commit on
};

struct append_batch {
    std::vector<event> events;
    // Keys to claim (reminders, redeliveries); if any is already claimed, nothing of the batch is written.
    std::vector<std::string> claims;
    // Per incident: how many events the writer had seen (optimistic concurrency). Declaration uses 0.
    std::vector<std::pair<int, int>> expected_versions;
    // Durable effects, each with its delivery lane (an incident number; 0 for none).
    std::vector<std::pair<int, effect>> outbox = {};
    // When set, the entries are born leased, their first delivery counted (attempts = 1): should
    // that process die before recording it, whoever takes them over reconciles first.
    std::optional<birth_lease> leased_to = std::nullopt;
};

// Takes or renews the right to deliver outbox entry `id` until `now + lease`, counting an attempt.
// Refused (a conflict) when another deliverer (a second replica) holds a live lease or the entry is done.
struct lease_delivery {
    std::int64_t id = 0;
    std::string owner;
    timestamp now{};
    seconds lease{};
};

// Marks an entry delivered (or given up: `result` says which) and records the adapter's facts
// learned while delivering (channel ids, message timestamps) with it.
struct finish_delivery {
    std::int64_t id = 0;
    std::string result;
    std::vector<std::pair<std::string, std::string>> facts;
};

// Gives up every lease `owner` holds (a clean shutdown), so a restart need not wait them out.
struct release_deliveries {
    std::string owner;
};
// A live deliverer's heartbeat: every lease it holds runs at least until `until`, so a replica that
// died loses its entries within one lease, and one that lives never loses them, however long a call.
struct renew_deliveries {
    std::string owner;
    timestamp until{};
};

// A process sharing the store is alive until `until`: what live_processes() counts. Given up (the
// row gone) with release_deliveries at a clean stop. A store only one process writes may ignore it.
struct heartbeat {
    std::string owner;
    timestamp until{};
};

// A delivery fact, for an adapter to resume or reconcile after a crash.
struct set_fact {
    std::string key;
    std::string value;
    // Written only when the key has no value yet: of processes racing to set it, the first one wins
    // and all read its value back.
    bool first_wins = false;
};

using write_op =
    std::variant<append_batch, lease_delivery, finish_delivery, release_deliveries, renew_deliveries, heartbeat,
                 set_fact>;

// Calls fn(key, value, first_wins) for each delivery fact `op` writes.
template <class Fn>
void for_each_fact(write_op const& op, Fn fn) {
    if (auto const* f = std::get_if<set_fact>(&op)) fn(f->key, f->value, f->first_wins);
    if (auto const* f = std::get_if<finish_delivery>(&op)) {
        for (auto const& [key, value] : f->facts) fn(key, value, false);
    }
}

enum class append_result {
    written,   // committed and durable
    conflict,  // a claim, a version or a lease was already someone else's: re-read and decide again
};

struct write_result {
    append_result status = append_result::written;
    // For an append: the log's head right after its events, so a writer can tell whether anyone
    // else wrote in between.
    std::int64_t head = 0;
    // Set when the transaction failed (a disk error, a lock held too long): nothing of it was written.
    std::optional<std::string> failure = std::nullopt;
    bool written() const { return !failure && status == append_result::written; }
};

// An effect waiting for delivery. Entries of one lane are delivered in id order.
struct outbox_entry {
    std::int64_t id = 0;
    int lane = 0;
    effect what;
    int attempts = 0;        // deliveries started: > 0 means an earlier one may have reached the world
    std::string owner = {};  // who holds its lease ("" when nobody does)
    timestamp lease_until{};
    bool unread = false;  // read without its effect (`what` holds a default): see pending_for()
    bool operator==(outbox_entry const&) const = default;
};

// Who holds an undelivered entry, and until when.
struct delivery_lease {
    std::int64_t id = 0;
    std::string owner = {};  // "" when nobody does
    timestamp until{};
    bool operator==(delivery_lease const&) const = default;
};

// How long anyone waits for a write to settle; past it the store is taken as failing (an answer is
// not sent, a delivery step is repeated). A commit takes milliseconds.
inline constexpr std::chrono::seconds commit_deadline{10};

struct store_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class event_store {
public:
    virtual ~event_store() = default;
    // Every event in append order.
    virtual std::vector<event> load() = 0;
    // The events at positions after `after` up to `through`, in append order: what other writers added
    // between two heads a reader knows, without reading the rest of the log again.
    virtual std::vector<event> load_between(std::int64_t after, std::int64_t through) = 0;
    virtual bool claimed(std::string const& key) = 0;
    // Position of the newest event (0 when empty). Positions only grow and each event takes the
    // next one, so a reader that knows the head can tell whether anyone else has written.
    virtual std::int64_t head() = 0;
    // Undelivered entries with id > `after`, in id order, at most `limit`.
    virtual std::vector<outbox_entry> pending(std::int64_t after, std::size_t limit) = 0;
    // As pending(), except that an entry leased to another owner than `reader` beyond `now` may come
    // unread: a reader that only watches such entries need not have their effects. By default
    // through pending().
    virtual std::vector<outbox_entry> pending_for(std::string const& /*reader*/, timestamp /*now*/, std::int64_t after,
                                                  std::size_t limit) {
        return pending(after, limit);
    }
    // The leases of the undelivered entries with `from` <= id <= `through`, in id order: how a
    // process watches the entries another one is delivering, without reading their bodies. By
    // default through pending().
    virtual std::vector<delivery_lease> leases_between(std::int64_t from, std::int64_t through);
    virtual std::optional<std::string> fact(std::string const& key) = 0;
    // The number for a new incident, at least `at_least` (one past the highest the caller knows). A
    // store several processes share hands each number out once, so that declarations decided at the
    // same moment on two of them do not take one number; a number whose declaration is then not
    // written is skipped. By default, `at_least`.
    virtual int next_incident(int at_least) { return at_least; }
    // How many processes are alive at `now` (their heartbeats), this one included. By default 1:
    // a store one process writes.
    virtual int live_processes(timestamp /*now*/) { return 1; }

    // Writes `ops` in one durable transaction, in order, each on its own: one that conflicts is
    // undone alone and the others are written. Returns when they are on disk. Throws store_error
    // when the transaction fails (then nothing was written), std::invalid_argument for a batch
    // that could never be written.
    virtual std::vector<write_result> write(std::vector<write_op> const& ops) = 0;
    // Writes `op` and calls `done` (when given) on the caller's thread once it is on disk, refused
    // or failed. This one writes at once and calls `done` before returning (without `done`, a
    // failure throws store_error); a group-commit store queues it for the next transaction, and
    // its fact() sees a set_fact at once.
    virtual void submit(write_op op, std::function<void(write_result)> done);
    // Runs `read` against this store off the caller's thread where the store can (on a thread and a
    // connection of its own, one read at a time), then `done` on the caller's thread: a read of a
    // database server need not stop an event loop. An exception `read` throws is its own to catch.
    // By default both at once, before returning.
    virtual void read_later(std::function<void(event_store&)> read, std::function<void()> done) {
        read(*this);
        done();
    }
    // Calls `fn` on the caller's thread whenever another process may have written to the store, with
    // the store's head after what it wrote when the store knows it (0: look, head()). False when this
    // store cannot tell: then a reader must look for itself (head(), pending()).
    virtual bool on_others_wrote(std::function<void(std::int64_t head)> /*fn*/) { return false; }

    // One write, at once.
    append_result append(append_batch const& batch);
    bool start_delivery(std::int64_t id, std::string const& owner, timestamp now, seconds lease);
    void finish(std::int64_t id, std::string const& result,
                std::vector<std::pair<std::string, std::string>> const& facts);
    void release(std::string const& owner);
    void put_fact(std::string const& key, std::string const& value) { submit(set_fact{key, value}, {}); }

private:
    write_result write_one(write_op op);
};

}  // namespace warroom::app
