// Everything libpq lives here. Statements are prepared once per connection; parameters go as text.
// Messages name the database as user@host:port/db, never the URL (it may carry a password).
#include "adapters/store/postgres_store.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <numeric>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "adapters/loaded/loaded.hpp"
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
    decltype(&::PQenterPipelineMode) PQenterPipelineMode;
    decltype(&::PQerrorMessage) PQerrorMessage;
    decltype(&::PQexec) PQexec;
    decltype(&::PQexecParams) PQexecParams;
    decltype(&::PQexecPrepared) PQexecPrepared;
    decltype(&::PQexitPipelineMode) PQexitPipelineMode;
    decltype(&::PQfinish) PQfinish;
    decltype(&::PQflush) PQflush;
    decltype(&::PQfreemem) PQfreemem;
    decltype(&::PQgetResult) PQgetResult;
    decltype(&::PQgetisnull) PQgetisnull;
    decltype(&::PQgetlength) PQgetlength;
    decltype(&::PQgetvalue) PQgetvalue;
    decltype(&::PQhost) PQhost;
    decltype(&::PQisBusy) PQisBusy;
    decltype(&::PQnotifies) PQnotifies;
    decltype(&::PQntuples) PQntuples;
    decltype(&::PQpipelineSync) PQpipelineSync;
    decltype(&::PQport) PQport;
    decltype(&::PQprepare) PQprepare;
    decltype(&::PQreset) PQreset;
    decltype(&::PQresultErrorMessage) PQresultErrorMessage;
    decltype(&::PQresultStatus) PQresultStatus;
    decltype(&::PQsendQueryPrepared) PQsendQueryPrepared;
    decltype(&::PQsetnonblocking) PQsetnonblocking;
    decltype(&::PQsetNoticeProcessor) PQsetNoticeProcessor;
    decltype(&::PQsocket) PQsocket;
    decltype(&::PQstatus) PQstatus;
    decltype(&::PQtransactionStatus) PQtransactionStatus;
    decltype(&::PQuser) PQuser;
};

libpq_api const& libpq() {
    // A failed load throws and is tried again by the next store opened.
    static libpq_api const api = [] {
        try {
            loaded::library const library{"libpq.so.5", "libpq5"};
            libpq_api a{};
            library.load(a.PQclear, "PQclear");
            library.load(a.PQcmdTuples, "PQcmdTuples");
            library.load(a.PQconnectdbParams, "PQconnectdbParams");
            library.load(a.PQconsumeInput, "PQconsumeInput");
            library.load(a.PQdb, "PQdb");
            library.load(a.PQenterPipelineMode, "PQenterPipelineMode");
            library.load(a.PQerrorMessage, "PQerrorMessage");
            library.load(a.PQexec, "PQexec");
            library.load(a.PQexecParams, "PQexecParams");
            library.load(a.PQexecPrepared, "PQexecPrepared");
            library.load(a.PQexitPipelineMode, "PQexitPipelineMode");
            library.load(a.PQfinish, "PQfinish");
            library.load(a.PQflush, "PQflush");
            library.load(a.PQfreemem, "PQfreemem");
            library.load(a.PQgetResult, "PQgetResult");
            library.load(a.PQgetisnull, "PQgetisnull");
            library.load(a.PQgetlength, "PQgetlength");
            library.load(a.PQgetvalue, "PQgetvalue");
            library.load(a.PQhost, "PQhost");
            library.load(a.PQisBusy, "PQisBusy");
            library.load(a.PQnotifies, "PQnotifies");
            library.load(a.PQntuples, "PQntuples");
            library.load(a.PQpipelineSync, "PQpipelineSync");
            library.load(a.PQport, "PQport");
            library.load(a.PQprepare, "PQprepare");
            library.load(a.PQreset, "PQreset");
            library.load(a.PQresultErrorMessage, "PQresultErrorMessage");
            library.load(a.PQresultStatus, "PQresultStatus");
            library.load(a.PQsendQueryPrepared, "PQsendQueryPrepared");
            library.load(a.PQsetnonblocking, "PQsetnonblocking");
            library.load(a.PQsetNoticeProcessor, "PQsetNoticeProcessor");
            library.load(a.PQsocket, "PQsocket");
            library.load(a.PQstatus, "PQstatus");
            library.load(a.PQtransactionStatus, "PQtransactionStatus");
            library.load(a.PQuser, "PQuser");
            return a;
        } catch (std::runtime_error const& err) {
            throw app::store_error(std::string("postgresql store: ") + err.what());
        }
    }();
    return api;
}

// Taken by every write transaction that gives out positions (and the migrations): one such writer at a
// time across replicas, so positions are taken in commit order.
constexpr char const* write_lock = "SELECT pg_advisory_xact_lock(7274797264)";

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
    // One append in one statement, so that a whole group commit goes to the server at once (pipeline
    // mode). The caller holds the write lock, so what is checked here cannot change before the
    // inserts; a conflict gives NULL, not an error, which would abort every other write of the batch.
    R"sql(
CREATE FUNCTION warroom_append(
    expected_incidents INTEGER[], expected_versions INTEGER[],
    incidents INTEGER[], versions INTEGER[], types TEXT[], ats BIGINT[], actors TEXT[], bodies TEXT[],
    claims TEXT[], claimed_at BIGINT,
    lanes INTEGER[], effects TEXT[], created_at BIGINT, attempts INTEGER, owner TEXT, lease_until BIGINT)
RETURNS BIGINT LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM unnest(expected_incidents, expected_versions) AS x(incident, version)
               WHERE (SELECT COALESCE(MAX(e.version), 0) FROM events e WHERE e.incident = x.incident) <> x.version)
       OR EXISTS (SELECT 1 FROM reminders_fired WHERE key = ANY(claims)) THEN
        RETURN NULL;
    END IF;
    -- Row by row: each takes the next position in the batch's order.
    FOR k IN 1 .. COALESCE(array_length(incidents, 1), 0) LOOP
        INSERT INTO events (incident, version, type, at, actor, body)
        VALUES (incidents[k], versions[k], types[k], ats[k], actors[k], bodies[k]);
    END LOOP;
    INSERT INTO reminders_fired (key, fired_at) SELECT unnest(claims), claimed_at;
    FOR k IN 1 .. COALESCE(array_length(lanes, 1), 0) LOOP
        INSERT INTO outbox (lane, body, created_at, attempts, owner, lease_until)
        VALUES (lanes[k], effects[k], created_at, attempts, owner, lease_until);
    END LOOP;
    RETURN (SELECT COALESCE(MAX(seq), 0) FROM events);
END
$$;
)sql",
    // Who is alive: each process's heartbeat, so that replicas share what Slack allows the app.
    R"sql(
CREATE TABLE processes (
    owner       TEXT   PRIMARY KEY,
    alive_until BIGINT NOT NULL
);
)sql",
};
constexpr std::int64_t known_schema_version = std::size(migrations);

// The statements every connection prepares, by name.
constexpr std::array<std::pair<char const*, char const*>, 21> statements{{
    {"take_write_lock", write_lock},
    {"append",
     "SELECT warroom_append($1::integer[], $2::integer[], $3::integer[], $4::integer[], $5::text[], $6::bigint[], "
     "$7::text[], $8::text[], $9::text[], $10, $11::integer[], $12::text[], $13, $14, $15, $16)"},
    {"select_events", "SELECT incident, type, at, actor, body, seq FROM events ORDER BY seq"},
    {"select_events_between",
     "SELECT incident, type, at, actor, body, seq FROM events WHERE seq > $1 AND seq <= $2 ORDER BY seq"},
    {"select_claim", "SELECT 1 FROM reminders_fired WHERE key = $1"},
    {"select_head", "SELECT COALESCE(MAX(seq), 0) FROM events"},
    {"select_pending",
     "SELECT id, lane, body, attempts, owner, lease_until FROM outbox WHERE done_at IS NULL AND id > $1 ORDER BY id "
     "LIMIT $2"},
    {"select_pending_for",
     "SELECT id, lane, CASE WHEN owner <> '' AND owner <> $3 AND lease_until > $4 THEN NULL ELSE body END, attempts, "
     "owner, lease_until FROM outbox WHERE done_at IS NULL AND id > $1 ORDER BY id LIMIT $2"},
    {"select_leases",
     "SELECT id, owner, lease_until FROM outbox WHERE done_at IS NULL AND id >= $1 AND id <= $2 ORDER BY id"},
    {"lease_outbox",
     "UPDATE outbox SET attempts = attempts + 1, owner = $2, lease_until = $3::bigint + $4::bigint WHERE id = $1 AND "
     "done_at IS NULL AND (owner IS NULL OR owner = $2 OR lease_until <= $3)"},
    {"release_outbox", "UPDATE outbox SET owner = NULL, lease_until = NULL WHERE owner = $1 AND done_at IS NULL"},
    {"renew_outbox", "UPDATE outbox SET lease_until = $2 WHERE owner = $1 AND done_at IS NULL AND lease_until < $2"},
    {"finish_outbox", "UPDATE outbox SET done_at = $2, result = $3 WHERE id = $1"},
    {"upsert_process",
     "INSERT INTO processes (owner, alive_until) VALUES ($1, $2) ON CONFLICT (owner) DO UPDATE SET alive_until = "
     "excluded.alive_until"},
    {"delete_process", "DELETE FROM processes WHERE owner = $1"},
    {"count_processes", "SELECT COUNT(*) FROM processes WHERE alive_until > $1"},
    {"select_fact", "SELECT value FROM delivery_facts WHERE key = $1"},
    {"upsert_fact",
     "INSERT INTO delivery_facts (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value"},
    {"insert_fact", "INSERT INTO delivery_facts (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING"},
    {"next_incident", "SELECT GREATEST(nextval('incident_numbers'), $1)"},
    // Heard by the others' listeners once the transaction commits: the writer, the head after the
    // transaction (its own appends are visible to it), then facts_noticed()'s lines.
    {"notify", "SELECT pg_notify('warroom_changes', $1 || ' ' || (SELECT COALESCE(MAX(seq), 0) FROM events) || $2)"},
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
    return part(pq.PQuser(conn)) + "@" + part(pq.PQhost(conn)) + ":" + part(pq.PQport(conn)) + "/" +
           part(pq.PQdb(conn));
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

// An array literal: {1,2} for numbers; {"a","b\"c"} for text, every element quoted.
template <class T>
std::string array_of(std::vector<T> const& items) {
    std::string out = "{";
    for (auto const& item : items) {
        if (out.size() > 1) out += ',';
        if constexpr (std::is_arithmetic_v<T>) {
            out += std::to_string(item);
        } else {
            out += '"';
            for (char const c : std::string_view{item}) {
                if (c == '"' || c == '\\') out += '\\';
                out += c;
            }
            out += '"';
        }
    }
    return out + "}";
}

// A notice's payload: its writer and the store's head after its transaction on the first line, then
// a line per delivery fact the transaction wrote, or "*" for too many to list. A payload without a
// line break (from an older build) tells nothing of facts, and one without a head tells no head.
constexpr std::size_t notice_limit = 7000;  // PostgreSQL refuses payloads of 8000 bytes
constexpr std::size_t keys_heard_limit = 4096;  // past this, forgetting every fact is cheaper

// The lines after the first.
std::string facts_noticed(std::string const& writer, std::vector<app::write_op> const& ops) {
    std::string out = "\n";
    bool every = false;
    auto const room = notice_limit - writer.size() - 21;  // a space and a head of up to 20 digits
    for (auto const& op : ops) {
        app::for_each_fact(op, [&](std::string const& key, std::string const&, bool) {
            every = every || key.find('\n') != std::string::npos || out.size() + key.size() + 1 > room;
            if (!every) out += key + "\n";
        });
    }
    return every ? "\n*\n" : out;
}

// Adds to `changed` what a notice says changed; false when `self` wrote it.
bool read_notice(std::string_view payload, std::string_view self, fact_news& changed) {
    auto const end = payload.find('\n');
    auto const first = payload.substr(0, end);
    auto const space = first.find(' ');
    if (first.substr(0, space) == self) return false;
    std::int64_t head = 0;
    if (space != std::string_view::npos) std::from_chars(first.data() + space + 1, first.data() + first.size(), head);
    if (head > 0) {
        changed.head = std::max(changed.head, head);
    } else {
        changed.head_untold = true;
    }
    if (end == std::string_view::npos) changed.all = true;
    for (auto rest = payload.substr(std::min(end, payload.size())); !rest.empty() && !changed.all;) {
        rest.remove_prefix(1);
        auto const line = rest.substr(0, rest.find('\n'));
        rest.remove_prefix(line.size());
        if (line.empty()) continue;
        changed.all = line == "*" || changed.keys.size() >= keys_heard_limit;
        changed.keys.emplace_back(line);
    }
    if (changed.all) changed.keys.clear();
    return true;
}

}  // namespace

struct postgres_store::impl {
    std::string url;
    std::string name;  // user@host:port/db, for messages
    connection conn;
    std::string announced_as;  // the payload of the notice each write transaction gives; empty: none
    bool prepared = false;

    // Outbox rows as the pending queries select them; a NULL effect is an entry read unread.
    std::vector<app::outbox_entry> entries_of(result const& r) const {
        std::vector<app::outbox_entry> out;
        for (int k = 0; k < libpq().PQntuples(r.get()); ++k) {
            auto const id = integer(r.get(), k, 0);
            bool const unread = libpq().PQgetisnull(r.get(), k, 2);
            try {
                out.push_back({id, static_cast<int>(integer(r.get(), k, 1)),
                               unread ? core::effect{} : decode_effect(text(r.get(), k, 2)),
                               static_cast<int>(integer(r.get(), k, 3)),
                               libpq().PQgetisnull(r.get(), k, 4) ? std::string{} : std::string(text(r.get(), k, 4)),
                               core::timestamp{core::milliseconds{
                                   libpq().PQgetisnull(r.get(), k, 5) ? 0 : integer(r.get(), k, 5)}},
                               unread});
            } catch (app::store_error const& err) {
                throw app::store_error("postgresql store " + name + ": outbox entry " + std::to_string(id) + ": " +
                                       err.what());
            }
        }
        return out;
    }

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
        if (!conn) connect();  // dropped by a write that broke off
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

    // Runs a prepared statement.
    result run(char const* statement, std::vector<param> const& params, std::string_view operation) {
        auto const values = values_of(params);
        result r{libpq().PQexecPrepared(conn.get(), statement, static_cast<int>(values.size()), values.data(), nullptr,
                                        nullptr, 0)};
        auto const status = libpq().PQresultStatus(r.get());
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(operation, r.get());
        return r;
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

    // Statements sent one after another without waiting for answers, then answered together: a
    // whole group commit in one round trip. Up to the sync they are one implicit transaction, so an
    // error rolls back all of it. One left unfinished drops the connection (the server rolls back).
    class pipeline {
    public:
        explicit pipeline(impl& s) : s_(s) {
            auto* const c = s_.conn.get();
            // Non-blocking while sending: a long batch is flushed while its first answers are read.
            if (libpq().PQenterPipelineMode(c) != 1 || libpq().PQsetnonblocking(c, 1) != 0) broken("start a write");
        }
        ~pipeline() {
            if (!finished_) s_.conn.reset();
        }
        pipeline(pipeline const&) = delete;
        pipeline& operator=(pipeline const&) = delete;

        std::size_t sent() const { return sent_; }

        void send(char const* statement, std::vector<param> const& params) {
            auto const values = values_of(params);
            if (libpq().PQsendQueryPrepared(s_.conn.get(), statement, static_cast<int>(values.size()), values.data(),
                                            nullptr, nullptr, 0) != 1) {
                broken("send a write");
            }
            ++sent_;
        }

        // Commits; the answers in the order sent. Throws store_error (nothing written) on any error.
        std::vector<result> finish() {
            auto const& pq = libpq();
            auto* const c = s_.conn.get();
            auto const deadline = std::chrono::steady_clock::now() + app::commit_deadline;
            if (pq.PQpipelineSync(c) != 1) broken("send a write");
            for (;;) {
                auto const left = pq.PQflush(c);
                if (left == 0) break;
                if (left < 0) broken("send a write");
                wait(POLLIN | POLLOUT, deadline);
            }
            if (pq.PQsetnonblocking(c, 0) != 0) broken("send a write");
            std::vector<result> answers;
            answers.reserve(sent_);
            std::optional<std::string> error;
            for (std::size_t k = 0; k < sent_; ++k) {
                auto r = next(deadline);
                if (!r) broken("read the answers");
                auto const status = pq.PQresultStatus(r.get());
                // The statement that failed says why; those after it were skipped.
                if (!error && status == PGRES_FATAL_ERROR) error = pq.PQresultErrorMessage(r.get());
                while (next(deadline)) {
                }
                answers.push_back(std::move(r));
            }
            auto const sync = next(deadline);
            if (!sync || pq.PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC || pq.PQexitPipelineMode(c) != 1) {
                broken("read the answers");
            }
            finished_ = true;
            if (error) {
                throw app::store_error("postgresql store " + s_.name + ": write failed: " + one_line(*error));
            }
            return answers;
        }

    private:
        // The next answer (nullptr ends each statement's), read within the deadline.
        result next(std::chrono::steady_clock::time_point deadline) {
            while (libpq().PQisBusy(s_.conn.get())) wait(POLLIN, deadline);
            return result{libpq().PQgetResult(s_.conn.get())};
        }

        void wait(short events, std::chrono::steady_clock::time_point deadline) {
            auto const left =
                std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
            pollfd p{libpq().PQsocket(s_.conn.get()), events, 0};
            if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) == 0) broken("write (no answer in time)");
            // Answers read as they come, so the server never waits on a full socket while we send.
            if ((p.revents & (POLLIN | POLLERR | POLLHUP)) && libpq().PQconsumeInput(s_.conn.get()) != 1) {
                broken("read the answers");
            }
        }

        [[noreturn]] void broken(std::string_view operation) {
            auto const why = one_line(libpq().PQerrorMessage(s_.conn.get()));
            s_.conn.reset();
            finished_ = true;
            throw app::store_error("postgresql store " + s_.name + ": " + std::string(operation) + " failed" +
                                   (why.empty() ? "" : ": " + why));
        }

        impl& s_;
        std::size_t sent_ = 0;
        bool finished_ = false;
    };

    void send_append(pipeline& p, encoded_append const& a) {
        std::vector<int> expected_incidents, expected_versions, incidents, versions, lanes;
        std::vector<std::int64_t> ats;
        std::vector<std::string_view> types, actors, bodies, effects;
        for (auto const& [incident, version] : a.expected) {
            expected_incidents.push_back(incident);
            expected_versions.push_back(version);
        }
        for (auto const& r : a.rows) {
            incidents.push_back(r.e.incident);
            versions.push_back(r.version);
            types.push_back(core::event_name(r.e.what));
            ats.push_back(unix_ms(r.e.at));
            actors.push_back(r.e.by);
            bodies.push_back(r.body);
        }
        for (auto const& [lane, body] : a.entries) {
            lanes.push_back(lane);
            effects.push_back(body);
        }
        param const owner = a.leased_to ? param{a.leased_to->owner} : std::nullopt;
        param const until =
            a.leased_to ? param{std::to_string(unix_ms_now() + lease_ms(a.leased_to->lease))} : std::nullopt;
        auto const at = std::to_string(a.at);
        p.send("append",
               {array_of(expected_incidents), array_of(expected_versions), array_of(incidents), array_of(versions),
                array_of(types), array_of(ats), array_of(actors), array_of(bodies), array_of(a.claims), at,
                array_of(lanes), array_of(effects), at, a.leased_to ? "1" : "0", owner, until});
    }

    void send_apply(pipeline& p, app::write_op const& w) {
        if (auto const* l = std::get_if<app::lease_delivery>(&w)) {
            p.send("lease_outbox", {std::to_string(l->id), l->owner, std::to_string(unix_ms(l->now)),
                                    std::to_string(lease_ms(l->lease))});
        } else if (auto const* f = std::get_if<app::finish_delivery>(&w)) {
            for (auto const& [key, value] : f->facts) p.send("upsert_fact", {key, value});
            p.send("finish_outbox", {std::to_string(f->id), std::to_string(unix_ms_now()), f->result});
        } else if (auto const* r = std::get_if<app::release_deliveries>(&w)) {
            p.send("release_outbox", {r->owner});
            p.send("delete_process", {r->owner});
        } else if (auto const* h = std::get_if<app::heartbeat>(&w)) {
            p.send("upsert_process", {h->owner, std::to_string(unix_ms(h->until))});
        } else if (auto const* r = std::get_if<app::renew_deliveries>(&w)) {
            p.send("renew_outbox", {r->owner, std::to_string(unix_ms(r->until))});
        } else {
            auto const& fact = std::get<app::set_fact>(w);
            p.send(fact.first_wins ? "insert_fact" : "upsert_fact", {fact.key, fact.value});
        }
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
    return s.entries_of(s.run("select_pending", {std::to_string(after), std::to_string(bounded)}, "read outbox"));
}

std::vector<app::outbox_entry> postgres_store::pending_for(std::string const& reader, core::timestamp now,
                                                           std::int64_t after, std::size_t limit) {
    auto& s = *impl_;
    s.ready();
    auto const bounded = std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max());
    return s.entries_of(s.run("select_pending_for",
                              {std::to_string(after), std::to_string(bounded), reader, std::to_string(unix_ms(now))},
                              "read outbox"));
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

int postgres_store::live_processes(core::timestamp now) {
    impl_->ready();
    return static_cast<int>(impl_->single_int("count_processes", {std::to_string(unix_ms(now))}, "count processes"));
}

std::vector<app::write_result> postgres_store::write(std::vector<app::write_op> const& ops) {
    auto& s = *impl_;
    std::vector<std::optional<encoded_append>> appends;
    appends.reserve(ops.size());
    for (auto const& op : ops) {
        auto const* batch = std::get_if<app::append_batch>(&op);
        appends.push_back(batch ? std::optional<encoded_append>(encode_append(*batch)) : std::nullopt);
    }
    // The write lock is held from the first append to the commit, and the other processes' appends
    // wait for it: the writes that need no lock go first. A release keeps its place: it lets go of
    // the entries the appends before it were born leased with.
    std::vector<std::size_t> order(ops.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    if (std::none_of(ops.begin(), ops.end(), [](auto const& op) { return std::holds_alternative<app::release_deliveries>(op); })) {
        std::stable_partition(order.begin(), order.end(), [&](std::size_t k) { return !appends[k]; });
    }
    s.ready();
    impl::pipeline p{s};
    bool locked = false;
    // Where each write's answer is: the append's head, or the lease's row count.
    std::vector<std::size_t> answer_of(ops.size());
    for (auto const k : order) {
        if (appends[k] && !std::exchange(locked, true)) p.send("take_write_lock", {});
        answer_of[k] = p.sent();
        if (appends[k]) {
            s.send_append(p, *appends[k]);
        } else {
            s.send_apply(p, ops[k]);
        }
    }
    if (!s.announced_as.empty()) p.send("notify", {s.announced_as, facts_noticed(s.announced_as, ops)});
    auto const answers = p.finish();
    std::vector<app::write_result> results(ops.size());
    for (std::size_t k = 0; k < ops.size(); ++k) {
        auto* const answer = answers[answer_of[k]].get();
        if (appends[k]) {
            if (libpq().PQgetisnull(answer, 0, 0)) {
                results[k].status = app::append_result::conflict;
            } else {
                results[k].head = integer(answer, 0, 0);
            }
        } else if (std::holds_alternative<app::lease_delivery>(ops[k]) &&
                   std::string_view{libpq().PQcmdTuples(answer)} != "1") {
            results[k].status = app::append_result::conflict;
        }
    }
    return results;
}

void postgres_store::announce_as(std::string self) { impl_->announced_as = std::move(self); }

postgres_listener::postgres_listener(std::string url, std::string self, std::function<void(fact_news)> changed)
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
        changed_(fact_news{.all = true});  // what was written while nobody listened
        for (;;) {
            pollfd ready[2] = {{pq.PQsocket(conn.get()), POLLIN, 0}, {stop_, POLLIN, 0}};
            // Woken by a notice, the connection's end or the stop; the timeout only bounds the wait.
            if (::poll(ready, 2, 10'000) < 0 && errno != EINTR) break;
            if (ready[1].revents != 0) return;
            if (ready[0].revents == 0) continue;
            fact_news changed;
            auto const hear = [&] {
                bool heard = false;
                while (PGnotify* n = pq.PQnotifies(conn.get())) {
                    heard = read_notice(n->extra, self_, changed) || heard;
                    pq.PQfreemem(n);
                }
                return heard;
            };
            if (pq.PQconsumeInput(conn.get()) == 0) break;  // the connection is gone: a new one
            if (!hear()) continue;
            // Replicas under load commit hundreds of times a second: what comes within a few
            // milliseconds is told as one, so the loop reads the store once for all of it.
            if (!pause(coalesce_ms)) return;
            if (pq.PQconsumeInput(conn.get()) != 0) hear();
            changed_(std::move(changed));
        }
    }
}

}  // namespace warroom::store
