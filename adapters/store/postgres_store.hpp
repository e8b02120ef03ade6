// The event store on PostgreSQL through libpq: the SQLite store's tables with the server's types,
// migrations at open, one transaction per write(), sent as one pipeline, in which a refused write
// answers NULL and leaves the others standing. A transaction that appends takes one advisory lock
// before its first append, so events and outbox entries take their positions in commit order (what
// head() and pending() promise) also when several replicas share the database; delivery bookkeeping
// alone (leases, results, facts) does not wait for it, and goes first.
// One object is one connection and belongs to the one thread that calls it.
#pragma once

#include <sys/eventfd.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "adapters/store/group_commit.hpp"
#include "adapters/store/table_store.hpp"

namespace warroom::store {

class postgres_store final : public table_store {
public:
    // `url`: a libpq connection URI (postgresql://user@host:5432/db?sslmode=verify-full). The password
    // comes from it, PGPASSWORD or the password file, as libpq reads them; no message ever holds
    // it. Throws app::store_error with the server's reason when it cannot be reached, refuses the
    // login, or holds a schema newer than this build knows.
    explicit postgres_store(std::string const& url);
    ~postgres_store() override;
    postgres_store(postgres_store const&) = delete;
    postgres_store& operator=(postgres_store const&) = delete;

    std::vector<core::event> load() override;
    std::vector<core::event> load_between(std::int64_t after, std::int64_t through) override;
    bool claimed(std::string const& key) override;
    std::int64_t head() override;
    std::vector<app::outbox_entry> pending(std::int64_t after, std::size_t limit) override;
    // Others' entries come unread: replicas watch each other's deliveries.
    std::vector<app::outbox_entry> pending_for(std::string const& reader, core::timestamp now, std::int64_t after,
                                               std::size_t limit) override;
    std::vector<app::delivery_lease> leases_between(std::int64_t from, std::int64_t through) override;
    std::optional<std::string> fact(std::string const& key) override;
    // From a sequence: each number once across every connection.
    int next_incident(int at_least) override;
    int live_processes(core::timestamp now) override;
    // Throws std::invalid_argument for a batch that could never be written (as sqlite_store does),
    // app::store_error on any database failure; a lost connection is re-opened by the next call.
    std::vector<app::write_result> write(std::vector<app::write_op> const& ops) override;
    // Each write transaction from now on tells the listeners (postgres_listener) that `self` wrote.
    void announce_as(std::string self);

    std::vector<std::pair<std::string, std::string>> catalog() override;
    std::unique_ptr<table_reader> read_tables() override;
    std::unique_ptr<table_writer> write_tables() override;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

// Hears the other processes' writes (PostgreSQL's LISTEN/NOTIFY) on a connection and a thread of
// its own, and calls `changed` on that thread for each batch of notices not from `self`, with the
// delivery facts they wrote. It also calls it after each (re)connection, with every fact: what was
// written while nobody listened went unheard.
class postgres_listener final : public news_feed {
public:
    postgres_listener(std::string url, std::string self, std::function<void(fact_news)> changed);
    ~postgres_listener() override;
    postgres_listener(postgres_listener const&) = delete;
    postgres_listener& operator=(postgres_listener const&) = delete;

private:
    void run();
    // Waits `ms` unless stopped: false when stopped.
    bool pause(int ms) const;

    std::string url_;
    std::string self_;
    std::function<void(fact_news)> changed_;
    int stop_ = ::eventfd(0, EFD_CLOEXEC);
    std::thread thread_;  // last: started once everything above exists
};

}  // namespace warroom::store
