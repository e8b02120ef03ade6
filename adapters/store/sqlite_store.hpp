// The event store on one SQLite file: WAL, synchronous=FULL, schema migrations at open, one
// BEGIN IMMEDIATE transaction per write() with a savepoint per write in it. Several processes (and
// several objects) may share a file: SQLite locks it. One object is one connection and is not
// thread-safe by design: it belongs to the one thread that calls it.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "adapters/store/table_store.hpp"

namespace warroom::store {

class sqlite_store final : public table_store {
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
    std::vector<core::event> load_between(std::int64_t after, std::int64_t through) override;
    bool claimed(std::string const& key) override;
    std::int64_t head() override;
    std::vector<app::outbox_entry> pending(std::int64_t after, std::size_t limit) override;
    std::vector<app::delivery_lease> leases_between(std::int64_t from, std::int64_t through) override;
    std::optional<std::string> fact(std::string const& key) override;
    // Throws std::invalid_argument when an incident with events has no expected version, or an
    // incident or claim key is listed twice in one batch; app::store_error on any database failure.
    std::vector<app::write_result> write(std::vector<app::write_op> const& ops) override;

    std::vector<std::pair<std::string, std::string>> catalog() override;
    std::unique_ptr<table_reader> read_tables() override;
    std::unique_ptr<table_writer> write_tables() override;

private:
    struct impl;
    struct in_memory_tag {};
    explicit sqlite_store(in_memory_tag);

    std::unique_ptr<impl> impl_;
};

}  // namespace warroom::store
