// The store port: an append-only event log plus a table of claimed reminders. Adapters (SQLite,
// PostgreSQL) implement it; nothing here names a database. append() is one durable transaction:
// when it returns, the events are on disk; when it throws, nothing was written.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/events.hpp"

namespace warroom::core {

struct append_batch {
    std::vector<event> events;
    // Reminder keys to claim in the same transaction; if any is already claimed, nothing is written.
    std::vector<std::string> claims;
    // Per incident: how many events the writer had seen (optimistic concurrency). Declaration uses 0.
    std::vector<std::pair<int, int>> expected_versions;
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
};

}  // namespace warroom::core
