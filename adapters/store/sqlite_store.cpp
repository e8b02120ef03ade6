// Everything SQLite lives here. Statements are prepared once and reset after every use, so no
// read snapshot outlives a call and the write lock is held only inside a transaction guard.
#include "adapters/store/sqlite_store.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include "adapters/store/effect_codec.hpp"
#include "adapters/store/encoded_append.hpp"
#include "adapters/store/event_codec.hpp"

namespace warroom::store {
namespace {

// Version N is migrations[N - 1]; each runs in its own transaction. Append only: a released
// script never changes, or files it already migrated would differ from fresh ones.
constexpr char const* migrations[] = {
    R"sql(
CREATE TABLE events (
    seq      INTEGER PRIMARY KEY,
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
)sql",
    // The outbox: effects owed to the world, written with the events that caused them. A delivery
    // lease (owner, lease_until) keeps two replicas from delivering one entry at the same time.
    R"sql(
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
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
)sql",
    // Times to the millisecond (they were whole seconds): the columns and the times inside event bodies.
    R"sql(
UPDATE events SET at = at * 1000;
UPDATE events SET body = json_set(body, '$.started_at', json_extract(body, '$.started_at') * 1000)
    WHERE type = 'declared' AND json_type(body, '$.started_at') = 'integer';
UPDATE events SET body = json_set(body, '$.due', json_extract(body, '$.due') * 1000)
    WHERE type = 'action_added' AND json_type(body, '$.due') = 'integer';
UPDATE events SET body = json_set(body, '$.until', json_extract(body, '$.until') * 1000)
    WHERE type = 'snoozed' AND json_type(body, '$.until') = 'integer';
UPDATE events SET body = json_set(body, '$.posted_at', json_extract(body, '$.posted_at') * 1000)
    WHERE type = 'message_marked' AND json_type(body, '$.posted_at') = 'integer';
UPDATE reminders_fired SET fired_at = fired_at * 1000;
UPDATE outbox SET created_at = created_at * 1000, lease_until = lease_until * 1000, done_at = done_at * 1000;
)sql",
};
constexpr std::int64_t known_schema_version = std::size(migrations);

constexpr int busy_timeout_ms = 5000;

struct db_closer {
    void operator()(sqlite3* db) const noexcept { sqlite3_close(db); }
};
struct stmt_finalizer {
    void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using db_ptr = std::unique_ptr<sqlite3, db_closer>;
using stmt_ptr = std::unique_ptr<sqlite3_stmt, stmt_finalizer>;

// Resets the statement on scope exit: one left mid-step would keep its read snapshot open.
class use {
public:
    explicit use(stmt_ptr const& s) : s_(s.get()) {}
    ~use() {
        sqlite3_reset(s_);
        sqlite3_clear_bindings(s_);
    }
    use(use const&) = delete;
    use& operator=(use const&) = delete;
    sqlite3_stmt* get() const noexcept { return s_; }

private:
    sqlite3_stmt* s_;
};

std::string_view column_text(sqlite3_stmt* s, int column) {
    // sqlite3_column_bytes must follow sqlite3_column_text, which may convert the value.
    auto const* text = reinterpret_cast<char const*>(sqlite3_column_text(s, column));
    auto const size = static_cast<std::size_t>(sqlite3_column_bytes(s, column));
    return text ? std::string_view{text, size} : std::string_view{};
}

}  // namespace

struct sqlite_store::impl {
    std::string name;  // the file, for messages
    db_ptr db;
    stmt_ptr begin, commit, rollback, savepoint, rollback_to, release;
    stmt_ptr version_of, insert_event, insert_claim, select_events, select_events_between, select_claim, select_head;
    stmt_ptr insert_outbox, select_pending, select_leases, lease_outbox, release_outbox, renew_outbox, finish_outbox, select_fact,
        upsert_fact, insert_fact;

    // BEGIN IMMEDIATE now, ROLLBACK on scope exit unless committed: every early return and every
    // throw inside a transaction leaves the file as it was.
    class transaction {
    public:
        explicit transaction(impl& s) : s_(s) { s_.run(s_.begin, "begin transaction"); }
        ~transaction() {
            if (sqlite3_get_autocommit(s_.db.get()) == 0) {
                use u{s_.rollback};
                sqlite3_step(u.get());
            }
        }
        transaction(transaction const&) = delete;
        transaction& operator=(transaction const&) = delete;
        void commit() { s_.run(s_.commit, "commit"); }

    private:
        impl& s_;
    };

    [[noreturn]] void fail(std::string_view operation) const {
        throw app::store_error("sqlite store " + name + ": " + std::string(operation) +
                               " failed: " + sqlite3_errmsg(db.get()));
    }

    void open(std::string const& filename, bool on_disk) {
        sqlite3* raw = nullptr;
        // NOMUTEX: one object belongs to one thread, so SQLite's own locking would be wasted.
        int const rc = sqlite3_open_v2(filename.c_str(), &raw,
                                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
        db.reset(raw);
        if (rc != SQLITE_OK) {
            if (!raw) throw app::store_error("sqlite store " + name + ": open failed: " + sqlite3_errstr(rc));
            fail("open");
        }
        sqlite3_extended_result_codes(db.get(), 1);
        sqlite3_busy_timeout(db.get(), busy_timeout_ms);
        exec("PRAGMA foreign_keys = ON", "enable foreign keys");
        if (on_disk) {
            auto const mode = prepare("PRAGMA journal_mode = WAL");
            // Switching a new file to WAL needs it alone; SQLite answers BUSY at once instead of
            // waiting when another process is opening the same new file, so wait here.
            auto const deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms);
            for (;;) {
                use u{mode};
                int const rc = sqlite3_step(u.get());
                if (rc == SQLITE_ROW) {
                    if (auto const got = column_text(u.get(), 0); got != "wal") {
                        throw app::store_error("sqlite store " + name + ": WAL journal mode refused (got \"" +
                                               std::string(got) + "\"); is the file on a network file system?");
                    }
                    break;
                }
                if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() > deadline) {
                    fail("enable WAL journal mode");
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
        }
        // WAL's usual NORMAL may lose the last commits on power loss; an acknowledged command must not.
        exec("PRAGMA synchronous = FULL", "set synchronous");
        begin = prepare("BEGIN IMMEDIATE");
        commit = prepare("COMMIT");
        rollback = prepare("ROLLBACK");
        savepoint = prepare("SAVEPOINT one_write");
        rollback_to = prepare("ROLLBACK TO one_write");
        release = prepare("RELEASE one_write");
        migrate();
        version_of = prepare("SELECT COALESCE(MAX(version), 0) FROM events WHERE incident = ?1");
        insert_event =
            prepare("INSERT INTO events (incident, version, type, at, actor, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        insert_claim = prepare("INSERT INTO reminders_fired (key, fired_at) VALUES (?1, ?2)");
        select_events = prepare("SELECT seq, incident, type, at, actor, body FROM events ORDER BY seq");
        select_events_between = prepare(
            "SELECT seq, incident, type, at, actor, body FROM events WHERE seq > ?1 AND seq <= ?2 ORDER BY seq");
        select_claim = prepare("SELECT 1 FROM reminders_fired WHERE key = ?1");
        select_head = prepare("SELECT COALESCE(MAX(seq), 0) FROM events");
        insert_outbox = prepare(
            "INSERT INTO outbox (lane, body, created_at, attempts, owner, lease_until) VALUES (?1, ?2, ?3, ?4, ?5, "
            "?6)");
        select_pending = prepare(
            "SELECT id, lane, body, attempts, owner, lease_until FROM outbox WHERE done_at IS NULL AND id > ?1 ORDER "
            "BY id "
            "LIMIT ?2");
        select_leases = prepare(
            "SELECT id, owner, lease_until FROM outbox WHERE done_at IS NULL AND id >= ?1 AND id <= ?2 ORDER BY id");
        lease_outbox = prepare(
            "UPDATE outbox SET attempts = attempts + 1, owner = ?2, lease_until = ?3 + ?4 WHERE id = ?1 AND done_at IS "
            "NULL AND (owner IS NULL OR owner = ?2 OR lease_until <= ?3)");
        release_outbox =
            prepare("UPDATE outbox SET owner = NULL, lease_until = NULL WHERE owner = ?1 AND done_at IS NULL");
        renew_outbox = prepare(
            "UPDATE outbox SET lease_until = ?2 WHERE owner = ?1 AND done_at IS NULL AND lease_until < ?2");
        finish_outbox = prepare("UPDATE outbox SET done_at = ?2, result = ?3 WHERE id = ?1");
        select_fact = prepare("SELECT value FROM delivery_facts WHERE key = ?1");
        upsert_fact = prepare(
            "INSERT INTO delivery_facts (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = "
            "excluded.value");
        insert_fact = prepare("INSERT INTO delivery_facts (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING");
    }

    void put_fact(std::string const& key, std::string const& value, bool first_wins = false) {
        use u{first_wins ? insert_fact : upsert_fact};
        bind(u, 1, key);
        bind(u, 2, value);
        if (sqlite3_step(u.get()) != SQLITE_DONE) fail("record delivery fact");
    }

    // Inside the open transaction: a conflict leaves the undoing to the caller's savepoint.
    app::append_result append(encoded_append const& a) {
        // The UNIQUE (incident, version) index alone would miss a writer that saw more events than
        // exist, and incidents listed without events; comparing counts catches both.
        for (auto const& [incident, expected] : a.expected) {
            use u{version_of};
            bind(u, 1, incident);
            if (sqlite3_step(u.get()) != SQLITE_ROW) fail("append: read version");
            if (sqlite3_column_int64(u.get(), 0) != expected) return app::append_result::conflict;
        }
        for (auto const& r : a.rows) {
            use u{insert_event};
            bind(u, 1, r.e.incident);
            bind(u, 2, r.version);
            bind(u, 3, core::event_name(r.e.what));
            bind(u, 4, unix_ms(r.e.at));
            bind(u, 5, r.e.by);
            bind(u, 6, r.body);
            if (!insert(u, "append: insert event")) return app::append_result::conflict;
        }
        for (auto const& key : a.claims) {
            use u{insert_claim};
            bind(u, 1, key);
            bind(u, 2, a.at);
            if (!insert(u, "append: claim reminder")) return app::append_result::conflict;
        }
        // Leased from the commit on, by the clock the finish and lease steps use.
        auto const leased_until = a.leased_to ? unix_ms_now() + lease_ms(a.leased_to->lease) : 0;
        for (auto const& [lane, body] : a.entries) {
            use u{insert_outbox};
            bind(u, 1, lane);
            bind(u, 2, body);
            bind(u, 3, a.at);
            bind(u, 4, a.leased_to ? 1 : 0);
            if (a.leased_to) {
                bind(u, 5, a.leased_to->owner);
                bind(u, 6, leased_until);
            }
            if (sqlite3_step(u.get()) != SQLITE_DONE) fail("append: insert outbox entry");
        }
        return app::append_result::written;
    }

    app::append_result apply(app::write_op const& w) {
        if (auto const* l = std::get_if<app::lease_delivery>(&w)) {
            use u{lease_outbox};
            bind(u, 1, l->id);
            bind(u, 2, l->owner);
            bind(u, 3, unix_ms(l->now));
            bind(u, 4, lease_ms(l->lease));
            if (sqlite3_step(u.get()) != SQLITE_DONE) fail("lease outbox entry");
            return sqlite3_changes(db.get()) == 1 ? app::append_result::written : app::append_result::conflict;
        }
        if (auto const* f = std::get_if<app::finish_delivery>(&w)) {
            for (auto const& [key, value] : f->facts) put_fact(key, value);
            use u{finish_outbox};
            bind(u, 1, f->id);
            bind(u, 2, unix_ms_now());
            bind(u, 3, f->result);
            if (sqlite3_step(u.get()) != SQLITE_DONE) fail("finish outbox entry");
            return app::append_result::written;
        }
        if (auto const* r = std::get_if<app::release_deliveries>(&w)) {
            use u{release_outbox};
            bind(u, 1, r->owner);
            if (sqlite3_step(u.get()) != SQLITE_DONE) fail("release outbox leases");
            return app::append_result::written;
        }
        if (auto const* r = std::get_if<app::renew_deliveries>(&w)) {
            use u{renew_outbox};
            bind(u, 1, r->owner);
            bind(u, 2, unix_ms(r->until));
            if (sqlite3_step(u.get()) != SQLITE_DONE) fail("renew outbox leases");
            return app::append_result::written;
        }
        // One process writes a file: nobody to tell it is alive.
        if (std::holds_alternative<app::heartbeat>(w)) return app::append_result::written;
        auto const& fact = std::get<app::set_fact>(w);
        put_fact(fact.key, fact.value, fact.first_wins);
        return app::append_result::written;
    }

    void migrate() {
        exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)",
             "create schema_migrations");
        auto const current_version = prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
        auto const record = prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)");
        for (;;) {
            auto const current = single_int(current_version, "read schema version");
            if (current > known_schema_version) {
                throw app::store_error("sqlite store " + name + ": schema version " + std::to_string(current) +
                                       " is newer than this build of warroom knows (" +
                                       std::to_string(known_schema_version) + "); run a newer warroom");
            }
            if (current == known_schema_version) return;
            transaction tx{*this};
            // Another process may have migrated while this one waited for the write lock.
            if (single_int(current_version, "read schema version") != current) continue;
            auto const next = current + 1;
            exec(migrations[current], "migration to schema version " + std::to_string(next));
            {
                use u{record};
                bind(u, 1, next);
                bind(u, 2, unix_ms_now());
                if (sqlite3_step(u.get()) != SQLITE_DONE) fail("record schema version " + std::to_string(next));
            }
            tx.commit();
        }
    }

    stmt_ptr prepare(std::string_view sql) const {
        sqlite3_stmt* raw = nullptr;
        if (sqlite3_prepare_v3(db.get(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &raw,
                               nullptr) != SQLITE_OK) {
            fail("prepare \"" + std::string(sql) + "\"");
        }
        return stmt_ptr{raw};
    }

    void exec(char const* sql, std::string const& operation) const {
        if (sqlite3_exec(db.get(), sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(operation);
    }

    void run(stmt_ptr const& s, std::string_view operation) const {
        use u{s};
        if (sqlite3_step(u.get()) != SQLITE_DONE) fail(operation);
    }

    std::int64_t single_int(stmt_ptr const& s, std::string_view operation) const {
        use u{s};
        if (sqlite3_step(u.get()) != SQLITE_ROW) fail(operation);
        return sqlite3_column_int64(u.get(), 0);
    }

    // The events a select over (seq, incident, type, at, actor, body) gives, decoded.
    std::vector<core::event> events_of(use const& u) const;

    void bind(use const& u, int index, column_type type, cell const& value) const {
        if (!value) {
            if (sqlite3_bind_null(u.get(), index) != SQLITE_OK) fail("bind");
        } else if (type == column_type::integer) {
            bind(u, index, static_cast<std::int64_t>(std::stoll(*value)));
        } else {
            bind(u, index, std::string_view{*value});
        }
    }

    std::int64_t count(table const& t) const {
        return single_int(prepare("SELECT COUNT(*) FROM " + std::string(t.name)), "count " + std::string(t.name));
    }

    // A deferred transaction: its first read fixes the snapshot every later one sees.
    class reader final : public table_reader {
    public:
        explicit reader(impl& s) : s_(s) { s_.exec("BEGIN", "begin reading"); }
        ~reader() override { sqlite3_exec(s_.db.get(), "ROLLBACK", nullptr, nullptr, nullptr); }
        std::int64_t count(table const& t) override { return s_.count(t); }
        std::vector<row> rows(table const& t, cell const& after, std::size_t limit) override {
            auto const key = std::string(t.columns.front().name);
            auto const select =
                s_.prepare("SELECT " + column_names(t) + " FROM " + std::string(t.name) +
                           (after ? " WHERE " + key + " > ?1" : std::string{}) + " ORDER BY " + key + " LIMIT ?2");
            use u{select};
            if (after) s_.bind(u, 1, t.columns.front().type, after);
            s_.bind(u, 2, static_cast<std::int64_t>(limit));
            std::vector<row> out;
            int rc = SQLITE_ROW;
            while ((rc = sqlite3_step(u.get())) == SQLITE_ROW) {
                auto& r = out.emplace_back();
                for (int k = 0; k < static_cast<int>(t.columns.size()); ++k) {
                    r.push_back(sqlite3_column_type(u.get(), k) == SQLITE_NULL ? cell{}
                                                                               : cell{column_text(u.get(), k)});
                }
            }
            if (rc != SQLITE_DONE) s_.fail("read " + std::string(t.name));
            return out;
        }

    private:
        impl& s_;
    };

    class writer final : public table_writer {
    public:
        explicit writer(impl& s) : s_(s), tx_(s) {}
        std::int64_t count(table const& t) override { return s_.count(t); }
        void insert(table const& t, std::vector<row> const& rows) override {
            std::string values;
            for (std::size_t k = 1; k <= t.columns.size(); ++k) values += (k > 1 ? ", ?" : "?") + std::to_string(k);
            auto const statement =
                s_.prepare("INSERT INTO " + std::string(t.name) + " (" + column_names(t) + ") VALUES (" + values + ")");
            for (auto const& r : rows) {
                use u{statement};
                for (std::size_t k = 0; k < t.columns.size(); ++k) {
                    s_.bind(u, static_cast<int>(k + 1), t.columns[k].type, r.at(k));
                }
                if (sqlite3_step(u.get()) != SQLITE_DONE) s_.fail("copy into " + std::string(t.name));
            }
        }
        // A rowid key needs nothing: SQLite gives out one past the highest.
        void commit() override { tx_.commit(); }

    private:
        impl& s_;
        transaction tx_;
    };

    // false on a UNIQUE or PRIMARY KEY violation: the caller's view of the log is stale.
    bool insert(use const& u, std::string_view operation) const {
        int const rc = sqlite3_step(u.get());
        if (rc == SQLITE_DONE) return true;
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) return false;
        fail(operation);
    }

    void bind(use const& u, int index, std::int64_t value) const {
        if (sqlite3_bind_int64(u.get(), index, value) != SQLITE_OK) fail("bind");
    }
    // SQLITE_STATIC: the text outlives the step; `use` clears the binding before it could dangle.
    void bind(use const& u, int index, std::string_view value) const {
        // A null data pointer would bind SQL NULL, not the empty string.
        char const* data = value.data() ? value.data() : "";
        if (sqlite3_bind_text64(u.get(), index, data, value.size(), SQLITE_STATIC, SQLITE_UTF8) != SQLITE_OK) {
            fail("bind");
        }
    }
};

sqlite_store::sqlite_store(std::filesystem::path const& file) : impl_(std::make_unique<impl>()) {
    impl_->name = file.string();
    // The store holds private incidents: what warroom creates is its own (0700 directories, a 0600
    // file; SQLite gives the -wal and -shm files the database's mode).
    std::vector<std::filesystem::path> missing;
    for (auto dir = file.parent_path(); !dir.empty() && !std::filesystem::exists(dir); dir = dir.parent_path()) {
        missing.push_back(dir);
        if (dir == dir.parent_path()) break;
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
        if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST) {
            throw app::store_error("sqlite store " + impl_->name + ": cannot create directory " + it->string() + ": " +
                                   std::generic_category().message(errno));
        }
    }
    if (int const fd = ::open(file.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600); fd >= 0) {
        ::close(fd);
    } else if (errno != EEXIST) {
        throw app::store_error("sqlite store " + impl_->name +
                               ": cannot create the file: " + std::generic_category().message(errno));
    }
    impl_->open(impl_->name, true);
}

sqlite_store::sqlite_store(in_memory_tag) : impl_(std::make_unique<impl>()) {
    impl_->name = "(in memory)";
    impl_->open(":memory:", false);
}

std::unique_ptr<sqlite_store> sqlite_store::in_memory() {
    return std::unique_ptr<sqlite_store>(new sqlite_store(in_memory_tag{}));
}

sqlite_store::~sqlite_store() = default;

std::vector<core::event> sqlite_store::load() {
    use u{impl_->select_events};
    return impl_->events_of(u);
}

std::vector<core::event> sqlite_store::load_between(std::int64_t after, std::int64_t through) {
    use u{impl_->select_events_between};
    impl_->bind(u, 1, after);
    impl_->bind(u, 2, through);
    return impl_->events_of(u);
}

std::vector<core::event> sqlite_store::impl::events_of(use const& u) const {
    auto const& s = *this;
    std::vector<core::event> out;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(u.get())) == SQLITE_ROW) {
        auto const seq = sqlite3_column_int64(u.get(), 0);
        auto const where = "sqlite store " + s.name + ": event seq " + std::to_string(seq) + ": ";
        auto const incident = sqlite3_column_int64(u.get(), 1);
        if (incident < std::numeric_limits<int>::min() || incident > std::numeric_limits<int>::max()) {
            throw app::store_error(where + "incident number out of range");
        }
        core::event e{.incident = static_cast<int>(incident),
                      .at = core::timestamp{core::milliseconds{sqlite3_column_int64(u.get(), 3)}},
                      .by = std::string(column_text(u.get(), 4)),
                      .what = {}};
        try {
            e.what = decode(column_text(u.get(), 2), column_text(u.get(), 5));
        } catch (app::store_error const& err) {
            throw app::store_error(where + err.what());
        }
        out.push_back(std::move(e));
    }
    if (rc != SQLITE_DONE) s.fail("load");
    return out;
}

std::vector<app::write_result> sqlite_store::write(std::vector<app::write_op> const& ops) {
    auto& s = *impl_;
    std::vector<std::optional<encoded_append>> appends;
    appends.reserve(ops.size());
    for (auto const& op : ops) {
        auto const* batch = std::get_if<app::append_batch>(&op);
        appends.push_back(batch ? std::optional<encoded_append>(encode_append(*batch)) : std::nullopt);
    }
    std::vector<app::write_result> results(ops.size());
    impl::transaction tx{s};
    for (std::size_t k = 0; k < ops.size(); ++k) {
        // Each write in its own savepoint: one that conflicts is undone alone.
        s.run(s.savepoint, "savepoint");
        auto const status = appends[k] ? s.append(*appends[k]) : s.apply(ops[k]);
        if (status == app::append_result::conflict) s.run(s.rollback_to, "rollback to savepoint");
        s.run(s.release, "release savepoint");
        results[k].status = status;
        if (appends[k]) results[k].head = s.single_int(s.select_head, "head");
    }
    tx.commit();
    return results;
}

std::vector<std::pair<std::string, std::string>> sqlite_store::catalog() {
    auto& s = *impl_;
    auto const columns = s.prepare(
        "SELECT m.name, c.name FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS c "
        "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'");
    use u{columns};
    std::vector<std::pair<std::string, std::string>> out;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(u.get())) == SQLITE_ROW) {
        out.emplace_back(column_text(u.get(), 0), column_text(u.get(), 1));
    }
    if (rc != SQLITE_DONE) s.fail("read the catalog");
    return out;
}

std::unique_ptr<table_reader> sqlite_store::read_tables() { return std::make_unique<impl::reader>(*impl_); }

std::unique_ptr<table_writer> sqlite_store::write_tables() { return std::make_unique<impl::writer>(*impl_); }

bool sqlite_store::claimed(std::string const& key) {
    auto& s = *impl_;
    use u{s.select_claim};
    s.bind(u, 1, key);
    switch (sqlite3_step(u.get())) {
        case SQLITE_ROW:
            return true;
        case SQLITE_DONE:
            return false;
        default:
            s.fail("claimed");
    }
}

std::int64_t sqlite_store::head() { return impl_->single_int(impl_->select_head, "head"); }

std::vector<app::outbox_entry> sqlite_store::pending(std::int64_t after, std::size_t limit) {
    auto& s = *impl_;
    std::vector<app::outbox_entry> out;
    use u{s.select_pending};
    s.bind(u, 1, after);
    s.bind(u, 2, static_cast<std::int64_t>(std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max())));
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(u.get())) == SQLITE_ROW) {
        auto const id = sqlite3_column_int64(u.get(), 0);
        try {
            out.push_back({id, sqlite3_column_int(u.get(), 1), decode_effect(column_text(u.get(), 2)),
                           sqlite3_column_int(u.get(), 3), std::string(column_text(u.get(), 4)),
                           core::timestamp{core::milliseconds{sqlite3_column_int64(u.get(), 5)}}});
        } catch (app::store_error const& err) {
            throw app::store_error("sqlite store " + s.name + ": outbox entry " + std::to_string(id) + ": " +
                                   err.what());
        }
    }
    if (rc != SQLITE_DONE) s.fail("read outbox");
    return out;
}

std::vector<app::delivery_lease> sqlite_store::leases_between(std::int64_t from, std::int64_t through) {
    auto& s = *impl_;
    std::vector<app::delivery_lease> out;
    use u{s.select_leases};
    s.bind(u, 1, from);
    s.bind(u, 2, through);
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(u.get())) == SQLITE_ROW) {
        out.push_back({sqlite3_column_int64(u.get(), 0), std::string(column_text(u.get(), 1)),
                       core::timestamp{core::milliseconds{sqlite3_column_int64(u.get(), 2)}}});
    }
    if (rc != SQLITE_DONE) s.fail("read outbox leases");
    return out;
}

std::optional<std::string> sqlite_store::fact(std::string const& key) {
    auto& s = *impl_;
    use u{s.select_fact};
    s.bind(u, 1, key);
    switch (sqlite3_step(u.get())) {
        case SQLITE_ROW:
            return std::string(column_text(u.get(), 0));
        case SQLITE_DONE:
            return std::nullopt;
        default:
            s.fail("read delivery fact");
    }
}

}  // namespace warroom::store
