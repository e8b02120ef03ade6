// The store port: an append-only event log, a table of claimed keys (reminders, redeliveries), and
// the outbox of effects still owed to the world. Adapters (SQLite, PostgreSQL) implement it;
// nothing here names a database. append() is one durable transaction: when it returns, the events
// and their outbox entries are on disk; when it throws, nothing was written.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/effects.hpp"
#include "core/events.hpp"

namespace warroom::app {

using core::effect;
using core::event;
using core::timestamp;
using core::seconds;

struct append_batch {
    std::vector<event> events;
    // Reminder keys to claim in the same transaction; if any is already claimed, nothing is written.
    std::vector<std::string> claims;
    // Per incident: how many events the writer had seen (optimistic concurrency). Declaration uses 0.
    std::vector<std::pair<int, int>> expected_versions;
    // Durable effects, each with its delivery lane (an incident number; 0 for none).
    std::vector<std::pair<int, effect>> outbox = {};
};

// An effect waiting for delivery. Entries of one lane are delivered in id order.
struct outbox_entry {
    std::int64_t id = 0;
    int lane = 0;
    effect what;
    int attempts = 0;  // deliveries started: > 0 means an earlier one may have reached the world
    bool operator==(outbox_entry const&) const = default;
};

enum class append_result {
    written,   // committed and durable
    conflict,  // a claim was already taken or a version moved: re-read and decide again
};

struct store_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class event_store {
public:
    virtual ~event_store() = default;
    // Every event in append order.
    virtual std::vector<event> load() = 0;
    virtual append_result append(append_batch const& batch) = 0;
    virtual bool claimed(std::string const& key) = 0;
    // Position of the newest event (0 when empty). Positions only grow and each event takes the
    // next one, so a reader that knows the head can tell whether anyone else has written.
    virtual std::int64_t head() = 0;

    // Undelivered entries with id > `after`, in id order, at most `limit`.
    virtual std::vector<outbox_entry> pending(std::int64_t after, std::size_t limit) = 0;
    // Takes or renews the right to deliver entry `id` until `now + lease`, counting an attempt.
    // False when another deliverer (a second replica) holds a live lease or the entry is done.
    virtual bool start_delivery(std::int64_t id, std::string const& owner, timestamp now, seconds lease) = 0;
    // Gives up every lease `owner` holds (a clean shutdown), so a restart need not wait them out.
    virtual void release_deliveries(std::string const& owner) = 0;
    // Marks the entry delivered (or given up: `result` says which) and records the adapter's facts
    // learned while delivering (channel ids, message timestamps) in the same transaction.
    virtual void finish_delivery(std::int64_t id, std::string const& result,
                                 std::vector<std::pair<std::string, std::string>> const& facts) = 0;
    // Delivery facts, for an adapter to resume or reconcile after a crash.
    virtual std::optional<std::string> fact(std::string const& key) = 0;
    virtual void set_fact(std::string const& key, std::string const& value) = 0;
};

}  // namespace warroom::app
