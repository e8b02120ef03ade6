// Everything libpq lives here. Statements are prepared once per connection; parameters go as text.
// Messages name the database as user@host:port/db, never the URL (it may carry a password).
#include "adapters/store/postgres_store.hpp"

#include <dlfcn.h>
#include <libpq-fe.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "adapters/store/effect_codec.hpp"
#include "adapters/store/encoded_append.hpp"
#include "adapters/store/event_codec.hpp"

namespace warroom::store {
namespace {

// libpq is opened when a PostgreSQL store is. Linked, it and what it links (Kerberos, LDAP, GnuTLS)
// added 3.3 MiB to the resident memory of every daemon, those on SQLite too. The header still
// declares every type and signature; every call goes through libpq(), the library loaded here.
struct libpq_api {
    decltype(&::PQclear) PQclear;
    decltype(&::PQcmdTuples) PQcmdTuples;
    decltype(&::PQconnectdbParams) PQconnectdbParams;
    decltype(&::PQconsumeInput) PQconsumeInput;
    decltype(&::PQdb) PQdb;
    decltype(&::PQerrorMessage) PQerrorMessage;
    decltype(&::PQexec) PQexec;
    decltype(&::PQexecParams) PQexecParams;
    decltype(&::PQexecPrepared) PQexecPrepared;
    decltype(&::PQfinish) PQfinish;
    decltype(&::PQfreemem) PQfreemem;
    decltype(&::PQgetisnull) PQgetisnull;
    decltype(&::PQgetlength) PQgetlength;
    decltype(&::PQgetvalue) PQgetvalue;
    decltype(&::PQhost) PQhost;
    decltype(&::PQnotifies) PQnotifies;
    decltype(&::PQntuples) PQntuples;
    decltype(&::PQport) PQport;
    decltype(&::PQprepare) PQprepare;
    decltype(&::PQreset) PQreset;
    decltype(&::PQresultErrorField) PQresultErrorField;
    decltype(&::PQresultErrorMessage) PQresultErrorMessage;
    decltype(&::PQresultStatus) PQresultStatus;
    decltype(&::PQsetNoticeProcessor) PQsetNoticeProcessor;
    decltype(&::PQsocket) PQsocket;
    decltype(&::PQstatus) PQstatus;
    decltype(&::PQtransactionStatus) PQtransactionStatus;
    decltype(&::PQuser) PQuser;
};

libpq_api const& libpq() {
    // A failed load throws and is tried again by the next store opened.
    static libpq_api const api = [] {
        void* const library = ::dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
        if (!library) {
            throw app::store_error(
                std::string("postgresql store: cannot load libpq.so.5 (Debian: apt-get install libpq5): ") +
                ::dlerror());
        }
        libpq_api a{};
        auto const load = [library](auto& fn, char const* name) {
            fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(::dlsym(library, name));
            if (!fn) throw app::store_error(std::string("postgresql store: libpq.so.5 has no ") + name);
        };
        load(a.PQclear, "PQclear");
        load(a.PQcmdTuples, "PQcmdTuples");
        load(a.PQconnectdbParams, "PQconnectdbParams");
        load(a.PQconsumeInput, "PQconsumeInput");
        load(a.PQdb, "PQdb");
        load(a.PQerrorMessage, "PQerrorMessage");
        load(a.PQexec, "PQexec");
        load(a.PQexecParams, "PQexecParams");
        load(a.PQexecPrepared, "PQexecPrepared");
        load(a.PQfinish, "PQfinish");
        load(a.PQfreemem, "PQfreemem");
        load(a.PQgetisnull, "PQgetisnull");
        load(a.PQgetlength, "PQgetlength");
        load(a.PQgetvalue, "PQgetvalue");
        load(a.PQhost, "PQhost");
        load(a.PQnotifies, "PQnotifies");
        load(a.PQntuples, "PQntuples");
        load(a.PQport, "PQport");
        load(a.PQprepare, "PQprepare");
        load(a.PQreset, "PQreset");
        load(a.PQresultErrorField, "PQresultErrorField");
        load(a.PQresultErrorMessage, "PQresultErrorMessage");
        load(a.PQresultStatus, "PQresultStatus");
        load(a.PQsetNoticeProcessor, "PQsetNoticeProcessor");
        load(a.PQsocket, "PQsocket");
        load(a.PQstatus, "PQstatus");
        load(a.PQtransactionStatus, "PQtransactionStatus");
        load(a.PQuser, "PQuser");
        return a;
    }();
    return api;
}

// Taken by every write transaction that gives out positions (and the migrations): one such writer at a
// time across replicas, so positions are taken in commit order.
constexpr char const* write_lock = "SELECT pg_advisory_xact_lock(7274797264)";
constexpr char const* unique_violation = "23505";

// Version N is migrations[N - 1]; each runs in its own transaction. Append only, as for SQLite.
constexpr char const* migrations[] = {
    R"sql(
CREATE TABLE events (
    seq      BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident INTEGER NOT NULL,
    version  INTEGER NOT NULL,
    type     TEXT    NOT NULL,
    at       BIGINT  NOT NULL,
    actor    TEXT    NOT NULL,
    body     TEXT    NOT NULL,
    UNIQUE (incident, version)
);
CREATE TABLE reminders_fired (
    key      TEXT   PRIMARY KEY,
    fired_at BIGINT NOT NULL
);
CREATE TABLE outbox (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lane        INTEGER NOT NULL,
    body        TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    owner       TEXT,
    lease_until BIGINT,
    done_at     BIGINT,
    result      TEXT
);
CREATE INDEX outbox_pending ON outbox (id) WHERE done_at IS NULL;
CREATE TABLE delivery_facts (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE SEQUENCE incident_numbers;
)sql",
};
constexpr std::int64_t known_schema_version = std::size(migrations);

// The statements every connection prepares, by name.
constexpr std::array<std::pair<char const*, char const*>, 22> statements{{
    {"version_of", "SELECT COALESCE(MAX(version), 0) FROM events WHERE incident = $1"},
    {"insert_event", "INSERT INTO events (incident, version, type, at, actor, body) VALUES ($1, $2, $3, $4, $5, $6)"},
    {"insert_claim", "INSERT INTO reminders_fired (key, fired_at) VALUES ($1, $2)"},
    {"select_events", "SELECT incident, type, at, actor, body, seq FROM events ORDER BY seq"},
    {"select_events_between",
     "SELECT incident, type, at, actor, body, seq FROM events WHERE seq > $1 AND seq <= $2 ORDER BY seq"},
    {"select_claim", "SELECT 1 FROM reminders_fired WHERE key = $1"},
    {"select_head", "SELECT COALESCE(MAX(seq), 0) FROM events"},
    {"insert_outbox",
     "INSERT INTO outbox (lane, body, created_at, attempts, owner, lease_until) VALUES ($1, $2, $3, $4, $5, $6)"},
    {"select_pending",
     "SELECT id, lane, body, attempts, owner, lease_until FROM outbox WHERE done_at IS NULL AND id > $1 ORDER BY id "
     "LIMIT $2"},
    {"select_leases",
     "SELECT id, owner, lease_until FROM outbox WHERE done_at IS NULL AND id >= $1 AND id <= $2 ORDER BY id"},
    {"lease_outbox",
     "UPDATE outbox SET attempts = attempts + 1, owner = $2, lease_until = $3::bigint + $4::bigint WHERE id = $1 AND "
     "done_at IS NULL AND (owner IS NULL OR owner = $2 OR lease_until <= $3)"},
    {"release_outbox", "UPDATE outbox SET owner = NULL, lease_until = NULL WHERE owner = $1 AND done_at IS NULL"},
    {"renew_outbox", "UPDATE outbox SET lease_until = $2 WHERE owner = $1 AND done_at IS NULL AND lease_until < $2"},
    {"finish_outbox", "UPDATE outbox SET done_at = $2, result = $3 WHERE id = $1"},
    {"select_fact", "SELECT value FROM delivery_facts WHERE key = $1"},
    {"upsert_fact",
     "INSERT INTO delivery_facts (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value"},
    {"insert_fact", "INSERT INTO delivery_facts (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING"},
    {"savepoint", "SAVEPOINT one_write"},
    {"rollback_to", "ROLLBACK TO SAVEPOINT one_write"},
    {"release", "RELEASE SAVEPOINT one_write"},
    {"next_incident", "SELECT GREATEST(nextval('incident_numbers'), $1)"},
    // Heard by the others' listeners once the transaction commits; the payload is who wrote.
    {"notify", "SELECT pg_notify('warroom_changes', $1)"},
}};
constexpr char const* listen_sql = "LISTEN warroom_changes";
constexpr int coalesce_ms = 5;

struct result_clear {
    void operator()(PGresult* r) const noexcept { libpq().PQclear(r); }
};
using result = std::unique_ptr<PGresult, result_clear>;

struct conn_finish {
    void operator()(PGconn* c) const noexcept { libpq().PQfinish(c); }
};

using connection = std::unique_ptr<PGconn, conn_finish>;

// A connection to `url`, made or failed (PQstatus says which).
connection connect_to(std::string const& url) {
    // Defaults first: the URL's own settings (connect_timeout=…) come after and win.
    char const* keys[] = {"connect_timeout", "application_name", "client_encoding", "dbname", nullptr};
    char const* values[] = {"10", "warroom", "UTF8", url.c_str(), nullptr};
    connection conn{libpq().PQconnectdbParams(keys, values, 1)};
    if (!conn) throw app::store_error("postgresql store: out of memory");
    // "relation already exists, skipping" and the like are not for the daemon's output.
    libpq().PQsetNoticeProcessor(
        conn.get(), [](void*, char const*) {}, nullptr);
    return conn;
}

// user@host:port/db: how messages name the database.
std::string name_of(PGconn* conn) {
    auto const part = [](char const* p) { return std::string(p ? p : ""); };
    auto const& pq = libpq();
    return part(pq.PQuser(conn)) + "@" + part(pq.PQhost(conn)) + ":" + part(pq.PQport(conn)) + "/" + part(pq.PQdb(conn));
}

// A parameter as text, or SQL NULL.
using param = std::optional<std::string>;

std::string one_line(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    for (auto& c : text) {
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    }
    return text;
}

std::string_view text(PGresult const* r, int row, int column) {
    return {libpq().PQgetvalue(r, row, column), static_cast<std::size_t>(libpq().PQgetlength(r, row, column))};
}

std::int64_t integer(PGresult const* r, int row, int column) {
    return std::strtoll(libpq().PQgetvalue(r, row, column), nullptr, 10);
}

}  // namespace

struct postgres_store::impl {
    std::string url;
    std::string name;  // user@host:port/db, for messages
    connection conn;
    std::string announced_as;  // the payload of the notice each write transaction gives; empty: none
    bool prepared = false;

    [[noreturn]] void fail(std::string_view operation, PGresult const* r = nullptr) const {
        auto const why = r && *libpq().PQresultErrorMessage(r) ? libpq().PQresultErrorMessage(r)
                                                               : libpq().PQerrorMessage(conn.get());
        throw app::store_error("postgresql store " + name + ": " + std::string(operation) +
                               " failed: " + one_line(why));
    }

    void connect() {
        conn = connect_to(url);
        name = name_of(conn.get());
        if (libpq().PQstatus(conn.get()) != CONNECTION_OK) fail("connect");
        prepared = false;
    }

    // A connection lost since the last call (a database restart) is opened again first.
    void ready() {
        if (libpq().PQstatus(conn.get()) != CONNECTION_OK) {
            libpq().PQreset(conn.get());
            prepared = false;
            if (libpq().PQstatus(conn.get()) != CONNECTION_OK) fail("reconnect");
        }
        if (prepared) return;
        for (auto const& [statement, sql] : statements) {
            result r{libpq().PQprepare(conn.get(), statement, sql, 0, nullptr)};
            if (libpq().PQresultStatus(r.get()) != PGRES_COMMAND_OK) fail(std::string("prepare ") + statement, r.get());
        }
        prepared = true;
    }

    void exec(char const* sql, std::string_view operation) {
        result r{libpq().PQexec(conn.get(), sql)};
        auto const status = libpq().PQresultStatus(r.get());
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(operation, r.get());
    }

    // Runs a prepared statement. A unique violation gives nullptr when `may_conflict`: the write's
    // savepoint undoes it.
    result run(char const* statement, std::vector<param> const& params, std::string_view operation,
               bool may_conflict = false) {
        auto const values = values_of(params);
        result r{libpq().PQexecPrepared(conn.get(), statement, static_cast<int>(values.size()), values.data(), nullptr,
                                        nullptr, 0)};
        auto const status = libpq().PQresultStatus(r.get());
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return r;
        if (may_conflict) {
            if (char const* state = libpq().PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
                state && std::string_view{state} == unique_violation) {
                return nullptr;
            }
        }
        fail(operation, r.get());
    }

    // Runs a statement made for this call (the copy's, which name their table).
    result query(std::string const& sql, std::vector<param> const& params, std::string_view operation) {
        auto const values = values_of(params);
        result r{libpq().PQexecParams(conn.get(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                                      nullptr, nullptr, 0)};
        auto const status = libpq().PQresultStatus(r.get());
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(operation, r.get());
        return r;
    }

    static std::vector<char const*> values_of(std::vector<param> const& params) {
        std::vector<char const*> values;
        values.reserve(params.size());
        for (auto const& p : params) values.push_back(p ? p->c_str() : nullptr);
        return values;
    }

    std::int64_t count(table const& t) {
        return integer(query("SELECT COUNT(*) FROM " + std::string(t.name), {}, "count " + std::string(t.name)).get(),
                       0, 0);
    }

    std::int64_t single_int(char const* statement, std::vector<param> const& params, std::string_view operation) {
        auto const r = run(statement, params, operation);
        if (libpq().PQntuples(r.get()) != 1) fail(operation);
        return integer(r.get(), 0, 0);
    }

    // BEGIN now, and the write lock when the transaction gives out positions (events, outbox entries);
    // ROLLBACK on scope exit unless committed. Delivery bookkeeping alone (leases, results, facts)
    // takes no position, so replicas' bookkeeping does not wait for one another.
    class transaction {
    public:
        transaction(impl& s, bool positions) : s_(s) {
            s_.exec("BEGIN", "begin transaction");
            if (positions) s_.exec(write_lock, "take the write lock");
        }
        ~transaction() {
            if (!committed_ && libpq().PQtransactionStatus(s_.conn.get()) != PQTRANS_IDLE) {
                result{libpq().PQexec(s_.conn.get(), "ROLLBACK")};
            }
        }
        transaction(transaction const&) = delete;
        transaction& operator=(transaction const&) = delete;
        void commit() {
            s_.exec("COMMIT", "commit");
            committed_ = true;
        }

    private:
        impl& s_;
        bool committed_ = false;
    };

    void migrate() {
        transaction tx{*this, true};
        exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)",
             "create schema_migrations");
        result r{libpq().PQexec(conn.get(), "SELECT COALESCE(MAX(version), 0) FROM schema_migrations")};
        if (libpq().PQresultStatus(r.get()) != PGRES_TUPLES_OK || libpq().PQntuples(r.get()) != 1)
            fail("read schema version", r.get());
        auto current = integer(r.get(), 0, 0);
        if (current > known_schema_version) {
            throw app::store_error("postgresql store " + name + ": schema version " + std::to_string(current) +
                                   " is newer than this build of warroom knows (" +
                                   std::to_string(known_schema_version) + "); run a newer warroom");
        }
        for (; current < known_schema_version; ++current) {
            auto const next = std::to_string(current + 1);
            exec(migrations[current], "migration to schema version " + next);
            auto const now = std::to_string(unix_ms_now());
            char const* values[] = {next.c_str(), now.c_str()};
            result rec{libpq().PQexecParams(conn.get(),
                                            "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)", 2,
                                            nullptr, values, nullptr, nullptr, 0)};
            if (libpq().PQresultStatus(rec.get()) != PGRES_COMMAND_OK) fail("record schema version " + next, rec.get());
        }
        tx.commit();
    }

    // One snapshot for every read until destroyed.
    class reader final : public table_reader {
    public:
        explicit reader(impl& s) : s_(s) {
            s_.exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", "begin reading");
        }
        ~reader() override {
            if (libpq().PQtransactionStatus(s_.conn.get()) != PQTRANS_IDLE) {
                result{libpq().PQexec(s_.conn.get(), "ROLLBACK")};
            }
        }
        std::int64_t count(table const& t) override { return s_.count(t); }
        std::vector<row> rows(table const& t, cell const& after, std::size_t limit) override {
            auto const key = std::string(t.columns.front().name);
            std::vector<param> params{std::to_string(limit)};
            if (after) params.push_back(after);
            auto const r =
                s_.query("SELECT " + column_names(t) + " FROM " + std::string(t.name) +
                             (after ? " WHERE " + key + " > $2" : std::string{}) + " ORDER BY " + key + " LIMIT $1",
                         params, "read " + std::string(t.name));
            std::vector<row> out;
            for (int k = 0; k < libpq().PQntuples(r.get()); ++k) {
                auto& one = out.emplace_back();
                for (int c = 0; c < static_cast<int>(t.columns.size()); ++c) {
                    one.push_back(libpq().PQgetisnull(r.get(), k, c) ? cell{} : cell{text(r.get(), k, c)});
                }
            }
            return out;
        }

    private:
        impl& s_;
    };

    class writer final : public table_writer {
    public:
        explicit writer(impl& s) : s_(s), tx_(s, true) {}
        std::int64_t count(table const& t) override { return s_.count(t); }
        void insert(table const& t, std::vector<row> const& rows) override {
            // Many rows a statement, within the protocol's 65,535 parameters.
            auto const per_statement = std::max<std::size_t>(1, 60'000 / t.columns.size());
            for (std::size_t first = 0; first < rows.size(); first += per_statement) {
                auto const last = std::min(rows.size(), first + per_statement);
                std::string sql = "INSERT INTO " + std::string(t.name) + " (" + column_names(t) + ")" +
                                  (t.numbered ? " OVERRIDING SYSTEM VALUE" : "") + " VALUES ";
                std::vector<param> params;
                params.reserve((last - first) * t.columns.size());
                for (auto k = first; k < last; ++k) {
                    sql += k > first ? ", (" : "(";
                    for (std::size_t c = 0; c < t.columns.size(); ++c) {
                        params.push_back(rows[k].at(c));
                        sql += (c > 0 ? ", $" : "$") + std::to_string(params.size());
                    }
                    sql += ")";
                }
                s_.query(sql, params, "copy into " + std::string(t.name));
            }
        }
        void commit() override {
            for (auto const& t : tables()) {
                if (!t.numbered) continue;
                auto const name = std::string(t.name), key = std::string(t.columns.front().name);
                s_.query("SELECT setval(pg_get_serial_sequence('" + name + "', '" + key + "'), MAX(" + key +
                             ")) FROM " + name + " HAVING MAX(" + key + ") IS NOT NULL",
                         {}, "number after the copied " + name);
            }
            s_.query("SELECT setval('incident_numbers', MAX(incident)) FROM events HAVING MAX(incident) > 0", {},
                     "number incidents after the copied ones");
            tx_.commit();
        }

    private:
        impl& s_;
        transaction tx_;
    };

    // The events a select over (incident, type, at, actor, body, seq) gives, decoded.
    std::vector<core::event> events_of(PGresult const* r) const;

    void put_fact(std::string const& key, std::string const& value, bool first_wins = false) {
        run(first_wins ? "insert_fact" : "upsert_fact", {key, value}, "record delivery fact");
    }

    app::append_result append(encoded_append const& a) {
        for (auto const& [incident, expected] : a.expected) {
            if (single_int("version_of", {std::to_string(incident)}, "append: read version") != expected) {
                return app::append_result::conflict;
            }
        }
        for (auto const& r : a.rows) {
            if (!run("insert_event",
                     {std::to_string(r.e.incident), std::to_string(r.version), std::string(core::event_name(r.e.what)),
                      std::to_string(unix_ms(r.e.at)), r.e.by, r.body},
                     "append: insert event", true)) {
                return app::append_result::conflict;
            }
        }
        for (auto const& key : a.claims) {
            if (!run("insert_claim", {key, std::to_string(a.at)}, "append: claim reminder", true)) {
                return app::append_result::conflict;
            }
        }
        param const owner = a.leased_to ? param{a.leased_to->owner} : std::nullopt;
        param const until =
            a.leased_to ? param{std::to_string(unix_ms_now() + lease_ms(a.leased_to->lease))} : std::nullopt;
        for (auto const& [lane, body] : a.entries) {
            run("insert_outbox",
                {std::to_string(lane), body, std::to_string(a.at), a.leased_to ? "1" : "0", owner, until},
                "append: insert outbox entry");
        }
        return app::append_result::written;
    }

    app::append_result apply(app::write_op const& w) {
        if (auto const* l = std::get_if<app::lease_delivery>(&w)) {
            auto const r = run(
                "lease_outbox",
                {std::to_string(l->id), l->owner, std::to_string(unix_ms(l->now)), std::to_string(lease_ms(l->lease))},
                "lease outbox entry");
            return std::string_view{libpq().PQcmdTuples(r.get())} == "1" ? app::append_result::written
                                                                         : app::append_result::conflict;
        }
        if (auto const* f = std::get_if<app::finish_delivery>(&w)) {
            for (auto const& [key, value] : f->facts) put_fact(key, value);
            run("finish_outbox", {std::to_string(f->id), std::to_string(unix_ms_now()), f->result},
                "finish outbox entry");
            return app::append_result::written;
        }
        if (auto const* r = std::get_if<app::release_deliveries>(&w)) {
            run("release_outbox", {r->owner}, "release outbox leases");
            return app::append_result::written;
        }
        if (auto const* r = std::get_if<app::renew_deliveries>(&w)) {
            run("renew_outbox", {r->owner, std::to_string(unix_ms(r->until))}, "renew outbox leases");
            return app::append_result::written;
        }
        auto const& fact = std::get<app::set_fact>(w);
        put_fact(fact.key, fact.value, fact.first_wins);
        return app::append_result::written;
    }
};

postgres_store::postgres_store(std::string const& url) : impl_(std::make_unique<impl>()) {
    impl_->url = url;
    impl_->connect();
    impl_->migrate();
    impl_->ready();
}

postgres_store::~postgres_store() = default;

std::vector<std::pair<std::string, std::string>> postgres_store::catalog() {
    impl_->ready();
    auto const r = impl_->query(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()", {},
        "read the catalog");
    std::vector<std::pair<std::string, std::string>> out;
    for (int k = 0; k < libpq().PQntuples(r.get()); ++k) out.emplace_back(text(r.get(), k, 0), text(r.get(), k, 1));
    return out;
}

std::unique_ptr<table_reader> postgres_store::read_tables() {
    impl_->ready();
    return std::make_unique<impl::reader>(*impl_);
}

std::unique_ptr<table_writer> postgres_store::write_tables() {
    impl_->ready();
    return std::make_unique<impl::writer>(*impl_);
}

std::vector<core::event> postgres_store::load() {
    impl_->ready();
    return impl_->events_of(impl_->run("select_events", {}, "load").get());
}

std::vector<core::event> postgres_store::load_between(std::int64_t after, std::int64_t through) {
    impl_->ready();
    return impl_->events_of(
        impl_->run("select_events_between", {std::to_string(after), std::to_string(through)}, "load").get());
}

std::vector<core::event> postgres_store::impl::events_of(PGresult const* r) const {
    auto const& s = *this;
    std::vector<core::event> out;
    out.reserve(static_cast<std::size_t>(libpq().PQntuples(r)));
    for (int k = 0; k < libpq().PQntuples(r); ++k) {
        auto const where = "postgresql store " + s.name + ": event seq " + std::string(text(r, k, 5)) + ": ";
        auto const incident = integer(r, k, 0);
        if (incident < std::numeric_limits<int>::min() || incident > std::numeric_limits<int>::max()) {
            throw app::store_error(where + "incident number out of range");
        }
        core::event e{.incident = static_cast<int>(incident),
                      .at = core::timestamp{core::milliseconds{integer(r, k, 2)}},
                      .by = std::string(text(r, k, 3)),
                      .what = {}};
        try {
            e.what = decode(text(r, k, 1), text(r, k, 4));
        } catch (app::store_error const& err) {
            throw app::store_error(where + err.what());
        }
        out.push_back(std::move(e));
    }
    return out;
}

bool postgres_store::claimed(std::string const& key) {
    impl_->ready();
    return libpq().PQntuples(impl_->run("select_claim", {key}, "claimed").get()) > 0;
}

std::int64_t postgres_store::head() {
    impl_->ready();
    return impl_->single_int("select_head", {}, "head");
}

std::vector<app::outbox_entry> postgres_store::pending(std::int64_t after, std::size_t limit) {
    auto& s = *impl_;
    s.ready();
    auto const bounded = std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max());
    auto const r = s.run("select_pending", {std::to_string(after), std::to_string(bounded)}, "read outbox");
    std::vector<app::outbox_entry> out;
    for (int k = 0; k < libpq().PQntuples(r.get()); ++k) {
        auto const id = integer(r.get(), k, 0);
        try {
            out.push_back(
                {id, static_cast<int>(integer(r.get(), k, 1)), decode_effect(text(r.get(), k, 2)),
                 static_cast<int>(integer(r.get(), k, 3)),
                 libpq().PQgetisnull(r.get(), k, 4) ? std::string{} : std::string(text(r.get(), k, 4)),
                 core::timestamp{core::milliseconds{libpq().PQgetisnull(r.get(), k, 5) ? 0 : integer(r.get(), k, 5)}}});
        } catch (app::store_error const& err) {
            throw app::store_error("postgresql store " + s.name + ": outbox entry " + std::to_string(id) + ": " +
                                   err.what());
        }
    }
    return out;
}

std::vector<app::delivery_lease> postgres_store::leases_between(std::int64_t from, std::int64_t through) {
    auto& s = *impl_;
    s.ready();
    auto const r = s.run("select_leases", {std::to_string(from), std::to_string(through)}, "read outbox leases");
    std::vector<app::delivery_lease> out;
    for (int k = 0; k < libpq().PQntuples(r.get()); ++k) {
        out.push_back(
            {integer(r.get(), k, 0),
             libpq().PQgetisnull(r.get(), k, 1) ? std::string{} : std::string(text(r.get(), k, 1)),
             core::timestamp{core::milliseconds{libpq().PQgetisnull(r.get(), k, 2) ? 0 : integer(r.get(), k, 2)}}});
    }
    return out;
}

std::optional<std::string> postgres_store::fact(std::string const& key) {
    impl_->ready();
    auto const r = impl_->run("select_fact", {key}, "read delivery fact");
    if (libpq().PQntuples(r.get()) == 0) return std::nullopt;
    return std::string(text(r.get(), 0, 0));
}

int postgres_store::next_incident(int at_least) {
    impl_->ready();
    auto const n = impl_->single_int("next_incident", {std::to_string(at_least)}, "number a new incident");
    if (n > std::numeric_limits<int>::max())
        throw app::store_error("postgresql store " + impl_->name + ": incident numbers ran out");
    return static_cast<int>(n);
}

std::vector<app::write_result> postgres_store::write(std::vector<app::write_op> const& ops) {
    auto& s = *impl_;
    std::vector<std::optional<encoded_append>> appends;
    appends.reserve(ops.size());
    for (auto const& op : ops) {
        auto const* batch = std::get_if<app::append_batch>(&op);
        appends.push_back(batch ? std::optional<encoded_append>(encode_append(*batch)) : std::nullopt);
    }
    s.ready();
    std::vector<app::write_result> results(ops.size());
    impl::transaction tx{s, std::any_of(appends.begin(), appends.end(), [](auto const& a) { return a.has_value(); })};
    for (std::size_t k = 0; k < ops.size(); ++k) {
        // Each write in its own savepoint: one that conflicts is undone alone.
        s.run("savepoint", {}, "savepoint");
        auto const status = appends[k] ? s.append(*appends[k]) : s.apply(ops[k]);
        if (status == app::append_result::conflict) s.run("rollback_to", {}, "rollback to savepoint");
        s.run("release", {}, "release savepoint");
        results[k].status = status;
        if (appends[k]) results[k].head = s.single_int("select_head", {}, "head");
    }
    if (!s.announced_as.empty()) s.run("notify", {s.announced_as}, "notify the other processes");
    tx.commit();
    return results;
}

void postgres_store::announce_as(std::string self) { impl_->announced_as = std::move(self); }

postgres_listener::postgres_listener(std::string url, std::string self, std::function<void()> changed)
    : url_(std::move(url)), self_(std::move(self)), changed_(std::move(changed)) {
    if (stop_ < 0) throw app::store_error(std::string("postgresql listener: eventfd: ") + std::strerror(errno));
    libpq();  // loaded here, where a failure can be told, not in the thread
    thread_ = std::thread([this] { run(); });
}

postgres_listener::~postgres_listener() {
    std::uint64_t const one = 1;
    [[maybe_unused]] auto const written = ::write(stop_, &one, sizeof one);
    thread_.join();
    ::close(stop_);
}

bool postgres_listener::pause(int ms) const {
    pollfd stop{stop_, POLLIN, 0};
    return ::poll(&stop, 1, ms) == 0;
}

void postgres_listener::run() {
    auto const& pq = libpq();
    int retry_ms = 100;
    for (;;) {
        auto const conn = connect_to(url_);
        bool listening = pq.PQstatus(conn.get()) == CONNECTION_OK;
        if (listening) {
            result const r{pq.PQexec(conn.get(), listen_sql)};
            listening = pq.PQresultStatus(r.get()) == PGRES_COMMAND_OK;
        }
        if (!listening) {
            // The database is away: the fallback polls meanwhile; try again, less and less often.
            if (!pause(retry_ms)) return;
            retry_ms = std::min(retry_ms * 2, 5000);
            continue;
        }
        retry_ms = 100;
        changed_();  // what was written while nobody listened
        for (;;) {
            pollfd ready[2] = {{pq.PQsocket(conn.get()), POLLIN, 0}, {stop_, POLLIN, 0}};
            // Woken by a notice, the connection's end or the stop; the timeout only bounds the wait.
            if (::poll(ready, 2, 10'000) < 0 && errno != EINTR) break;
            if (ready[1].revents != 0) return;
            if (ready[0].revents == 0) continue;
            if (pq.PQconsumeInput(conn.get()) == 0) break;  // the connection is gone: a new one
            bool heard = false;
            while (PGnotify* n = pq.PQnotifies(conn.get())) {
                heard = heard || self_ != n->extra;
                pq.PQfreemem(n);
            }
            if (!heard) continue;
            // Replicas under load commit hundreds of times a second: what comes within a few
            // milliseconds is told as one, so the loop reads the store once for all of it.
            if (!pause(coalesce_ms)) return;
            changed_();
        }
    }
}

}  // namespace warroom::store
