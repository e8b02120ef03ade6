// The event store on one SQLite file: WAL, synchronous=FULL, schema migrations at open, one
// BEGIN IMMEDIATE transaction per append. Several processes may share a file (SQLite locks it);
// one object is not thread-safe by design: it belongs to the single io loop that calls it.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "app/store_port.hpp"

namespace warroom::store {

class sqlite_store final : public app::event_store {
public:
    // Creates the file and its parent directories when missing, then brings the schema up to date.
    // Throws app::store_error if the file cannot be opened or its schema is newer than this build.
    explicit sqlite_store(std::filesystem::path const& file);
    // A private database that lives as long as the object: for tests.
    static std::unique_ptr<sqlite_store> in_memory();

    ~sqlite_store() override;
    sqlite_store(sqlite_store const&) = delete;
    sqlite_store& operator=(sqlite_store const&) = delete;

    std::vector<core::event> load() override;
    // Throws std::invalid_argument when an incident with events has no expected version, or an
    // incident or claim key is listed twice; app::store_error on any database failure.
    app::append_result append(app::append_batch const& batch) override;
    bool claimed(std::string const& key) override;
    std::int64_t head() override;
    std::vector<app::outbox_entry> pending(std::int64_t after, std::size_t limit) override;
    bool start_delivery(std::int64_t id, std::string const& owner, core::timestamp now, core::seconds lease) override;
    void release_deliveries(std::string const& owner) override;
    void finish_delivery(std::int64_t id, std::string const& result,
                         std::vector<std::pair<std::string, std::string>> const& facts) override;
    std::optional<std::string> fact(std::string const& key) override;
    void set_fact(std::string const& key, std::string const& value) override;

private:
    struct impl;
    struct in_memory_tag {};
    explicit sqlite_store(in_memory_tag);

    std::unique_ptr<impl> impl_;
};

}  // namespace warroom::store
