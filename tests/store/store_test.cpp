// The SQLite event store on real files: schema migrations, append and load order, optimistic
// concurrency on versions and reminder claims, atomic batches, and replay after a restart.
#include <doctest/doctest.h>

#include <sqlite3.h>

#include <atomic>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "adapters/store/sqlite_store.hpp"
#include "tests/store/events.hpp"
#include "tests/store/temp_dir.hpp"

namespace {

using namespace warroom;
using namespace std::chrono_literals;
using app::append_batch;
using app::append_result;
using store::sqlite_store;
using store::test::note;
using store::test::t0;
using store::test::temp_dir;

// A second, independent connection: what the tests check is the file, not the object's view.
class raw_db {
public:
    explicit raw_db(std::filesystem::path const& file) {
        REQUIRE(sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
    }
    ~raw_db() { sqlite3_close(db_); }
    raw_db(raw_db const&) = delete;
    raw_db& operator=(raw_db const&) = delete;

    std::string text(char const* sql) const {
        sqlite3_stmt* s = nullptr;
        REQUIRE(sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) == SQLITE_OK);
        REQUIRE(sqlite3_step(s) == SQLITE_ROW);
        auto const* t = sqlite3_column_text(s, 0);
        std::string out = t ? reinterpret_cast<char const*>(t) : "";
        sqlite3_finalize(s);
        return out;
    }
    std::int64_t integer(char const* sql) const { return std::stoll(text(sql)); }
    void exec(char const* sql) const { REQUIRE(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK); }

private:
    sqlite3* db_ = nullptr;
};

}  // namespace

TEST_CASE("a fresh file gets the schema, in WAL mode, inside directories created for it") {
    temp_dir dir;
    auto const file = dir / "nested/dirs/warroom.db";
    { sqlite_store s{file}; }
    raw_db db{file};
    CHECK(db.integer("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                     "('events', 'reminders_fired', 'schema_migrations', 'outbox', 'delivery_facts')") == 5);
    CHECK(db.integer("SELECT COUNT(*) FROM schema_migrations") == 3);
    CHECK(db.integer("SELECT MAX(version) FROM schema_migrations") == 3);
    CHECK(db.integer("SELECT applied_at FROM schema_migrations WHERE version = 1") > 1'700'000'000);
    CHECK(db.text("PRAGMA journal_mode") == "wal");
    // Private incidents live here: only warroom's user may read them.
    auto const mode = [](std::filesystem::path const& p) {
        return std::filesystem::status(p).permissions() & std::filesystem::perms::all;
    };
    using std::filesystem::perms;
    CHECK(mode(file) == (perms::owner_read | perms::owner_write));
    CHECK(mode(dir / "nested") == perms::owner_all);
    CHECK(mode(dir / "nested/dirs") == perms::owner_all);
    CHECK(mode(dir / "nested/dirs/warroom.db-wal") == (perms::owner_read | perms::owner_write));
}

TEST_CASE("reopening a migrated file changes nothing") {
    temp_dir dir;
    auto const file = dir / "warroom.db";
    {
        sqlite_store s{file};
        REQUIRE(s.append({{note(1, 1)}, {}, {{1, 0}}}) == append_result::written);
    }
    std::string before;
    {
        raw_db db{file};
        db.exec("UPDATE schema_migrations SET applied_at = 12345");
        before = db.text("SELECT group_concat(version || ':' || applied_at) FROM schema_migrations");
    }
    sqlite_store s{file};
    CHECK(raw_db{file}.text("SELECT group_concat(version || ':' || applied_at) FROM schema_migrations") == before);
    CHECK(s.load() == std::vector{note(1, 1)});
}

TEST_CASE("a file with a newer schema than this build knows is refused") {
    temp_dir dir;
    auto const file = dir / "warroom.db";
    { sqlite_store s{file}; }
    raw_db{file}.exec("INSERT INTO schema_migrations (version, applied_at) VALUES (99, 0)");
    CHECK_THROWS_WITH_AS(sqlite_store{file}, doctest::Contains("schema version 99 is newer than this build"),
                         app::store_error);
}

TEST_CASE("what cannot be a database is refused at open") {
    temp_dir dir;
    CHECK_THROWS_AS(sqlite_store{dir.path()}, app::store_error);
    auto const junk = dir / "junk.db";
    std::ofstream{junk} << std::string(4096, 'x');
    CHECK_THROWS_WITH_AS(sqlite_store{junk}, doctest::Contains("not a database"), app::store_error);
}

TEST_CASE("load returns events in append order, with versions counted per incident") {
    temp_dir dir;
    auto const file = dir / "warroom.db";
    sqlite_store s{file};
    CHECK(s.load().empty());
    REQUIRE(s.append({{note(1, 1), note(2, 2), note(1, 3)}, {}, {{1, 0}, {2, 0}}}) == append_result::written);
    REQUIRE(s.append({{note(2, 4)}, {}, {{2, 1}}}) == append_result::written);
    REQUIRE(s.append({{note(1, 5), note(1, 6)}, {}, {{1, 2}}}) == append_result::written);
    CHECK(s.load() == std::vector{note(1, 1), note(2, 2), note(1, 3), note(2, 4), note(1, 5), note(1, 6)});
    CHECK(raw_db{file}.text("SELECT group_concat(v, ' ') FROM "
                            "(SELECT incident || ':' || version AS v FROM events ORDER BY seq)") ==
          "1:1 2:1 1:2 2:2 1:3 1:4");
}

TEST_CASE("an in-memory store behaves like a file") {
    auto const s = sqlite_store::in_memory();
    REQUIRE(s->append({{note(1, 1)}, {"k"}, {{1, 0}}}) == append_result::written);
    CHECK(s->append({{note(1, 2)}, {}, {{1, 0}}}) == append_result::conflict);
    CHECK(s->load() == std::vector{note(1, 1)});
    CHECK(s->claimed("k"));
}

TEST_CASE("two writers that saw the same version: one is written, the other conflicts") {
    temp_dir dir;
    auto const file = dir / "warroom.db";
    sqlite_store a{file};
    sqlite_store b{file};
    CHECK(a.append({{note(1, 1)}, {}, {{1, 0}}}) == append_result::written);
    CHECK(b.append({{note(1, 2)}, {}, {{1, 0}}}) == append_result::conflict);
    CHECK(a.load() == std::vector{note(1, 1)});
    CHECK(b.load() == std::vector{note(1, 1)});
    // Having re-read, the loser writes at the version it now knows.
    CHECK(b.append({{note(1, 2)}, {}, {{1, 1}}}) == append_result::written);
    CHECK(a.load() == std::vector{note(1, 1), note(1, 2)});
}

TEST_CASE("any expected version that differs from the log conflicts") {
    auto const s = sqlite_store::in_memory();
    REQUIRE(s->append({{note(1, 1)}, {}, {{1, 0}}}) == append_result::written);
    INFO("ahead of the log");
    CHECK(s->append({{note(1, 2)}, {}, {{1, 5}}}) == append_result::conflict);
    INFO("an incident listed without events still guards the batch");
    CHECK(s->append({{note(2, 2)}, {}, {{2, 0}, {1, 0}}}) == append_result::conflict);
    CHECK(s->append({{}, {"k"}, {{1, 0}}}) == append_result::conflict);
    CHECK_FALSE(s->claimed("k"));
    CHECK(s->load() == std::vector{note(1, 1)});
}

TEST_CASE("a reminder claimed twice: the second batch conflicts and none of its events are written") {
    temp_dir dir;
    auto const file = dir / "warroom.db";
    sqlite_store s{file};
    CHECK_FALSE(s.claimed("inc-1/report-due"));
    REQUIRE(s.append({{note(1, 1)}, {"inc-1/report-due"}, {{1, 0}}}) == append_result::written);
    CHECK(s.claimed("inc-1/report-due"));
    CHECK_FALSE(s.claimed("inc-1/postmortem-due"));

    CHECK(s.append({{note(1, 2), note(2, 3)}, {"inc-1/postmortem-due", "inc-1/report-due"}, {{1, 1}, {2, 0}}}) ==
          append_result::conflict);
    CHECK(s.load() == std::vector{note(1, 1)});
    CHECK_FALSE(s.claimed("inc-1/postmortem-due"));

    REQUIRE(s.append({{}, {"inc-1/postmortem-due"}, {}}) == append_result::written);
    raw_db db{file};
    CHECK(db.integer("SELECT fired_at FROM reminders_fired WHERE key = 'inc-1/report-due'") == 1'780'000'001'000);
    CHECK(db.integer("SELECT fired_at FROM reminders_fired WHERE key = 'inc-1/postmortem-due'") == 0);
}

TEST_CASE("a malformed batch throws before anything is written") {
    auto const s = sqlite_store::in_memory();
    CHECK_THROWS_WITH_AS(s->append({{note(1, 1), note(2, 2)}, {}, {{1, 0}}}),
                         "append: incident 2 has events but no expected version", std::invalid_argument);
    CHECK_THROWS_AS(s->append({{note(1, 1)}, {}, {{1, 0}, {1, 0}}}), std::invalid_argument);
    CHECK_THROWS_AS(s->append({{note(1, 1)}, {"k", "k"}, {{1, 0}}}), std::invalid_argument);
    auto bad_text = note(1, 2);
    bad_text.what = core::note_added{"\xc3\x28"};
    CHECK_THROWS_AS(s->append({{note(1, 1), bad_text}, {"k"}, {{1, 0}}}), app::store_error);
    CHECK(s->load().empty());
    CHECK_FALSE(s->claimed("k"));
}

TEST_CASE("a new store on the same file replays exactly what the old one wrote") {
    temp_dir dir;
    auto const file = dir / "warroom.db";
    std::vector<core::event> written;
    {
        sqlite_store s{file};
        core::event declared{7, t0, "U09",
                             core::declared{"Payments failing", "Stripe 502s", core::severity::p1,
                                            core::incident_type::integration, t0 - 5min, "inc-7-payments"}};
        core::event assigned{7, t0 + 1min, "U09", core::role_assigned{core::role::incident_commander, "U09", {}}};
        core::event action{7, t0 + 2h, "U10", core::action_added{1, "Retry with backoff", "U10", t0 + 48h}};
        REQUIRE(s.append({{declared, assigned}, {}, {{7, 0}}}) == append_result::written);
        REQUIRE(s.append({{note(8, 1)}, {}, {{8, 0}}}) == append_result::written);
        REQUIRE(s.append({{action}, {"inc-7/action-1"}, {{7, 2}}}) == append_result::written);
        written = {declared, assigned, note(8, 1), action};
    }
    sqlite_store s{file};
    CHECK(s.load() == written);
    CHECK(s.claimed("inc-7/action-1"));
    CHECK(s.append({{note(7, 9)}, {}, {{7, 3}}}) == append_result::written);
}

TEST_CASE("a row the codec cannot read names its seq") {
    temp_dir dir;
    auto const file = dir / "warroom.db";
    sqlite_store s{file};
    REQUIRE(s.append({{note(1, 1)}, {}, {{1, 0}}}) == append_result::written);
    raw_db{file}.exec("UPDATE events SET type = 'exploded'");
    CHECK_THROWS_WITH_AS(s.load(),
                         doctest::Contains(R"(event seq 1: cannot decode event: unknown event type "exploded")"),
                         app::store_error);
}

TEST_CASE("several processes opening the same new file at once all get a working store") {
    // Threads stand in for processes: each has its own connection, as each replica would.
    for (int round = 0; round < 20; ++round) {
        CAPTURE(round);
        temp_dir dir;
        auto const file = dir / "shared.db";
        std::atomic<int> ready{0}, failures{0};
        std::vector<std::thread> openers;
        for (int k = 0; k < 4; ++k) {
            openers.emplace_back([&] {
                ++ready;
                while (ready < 4) std::this_thread::yield();
                try {
                    sqlite_store s{file};
                    (void)s.head();
                } catch (std::exception const&) {
                    ++failures;
                }
            });
        }
        for (auto& t : openers) t.join();
        CHECK(failures == 0);
    }
}

TEST_CASE("a file of schema 2 (times in whole seconds) is migrated to milliseconds, bodies included") {
    temp_dir dir;
    auto const file = dir / "old.db";
    {
        sqlite3* raw = nullptr;
        REQUIRE(sqlite3_open(file.c_str(), &raw) == SQLITE_OK);
        // Schema 2 as it was released, with rows written by that release.
        char const* v2 = R"sql(
CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL);
INSERT INTO schema_migrations VALUES (1, 1780000000), (2, 1780000000);
CREATE TABLE events (seq INTEGER PRIMARY KEY, incident INTEGER NOT NULL, version INTEGER NOT NULL,
    type TEXT NOT NULL, at BIGINT NOT NULL, actor TEXT NOT NULL, body TEXT NOT NULL, UNIQUE (incident, version));
CREATE TABLE reminders_fired (key TEXT PRIMARY KEY, fired_at BIGINT NOT NULL);
CREATE TABLE outbox (id INTEGER PRIMARY KEY, lane INTEGER NOT NULL, body TEXT NOT NULL, created_at BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, owner TEXT, lease_until BIGINT, done_at BIGINT, result TEXT);
CREATE INDEX outbox_pending ON outbox (id) WHERE done_at IS NULL;
CREATE TABLE delivery_facts (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO events VALUES (1, 1, 1, 'declared', 1780000000, 'U1',
    '{"title":"API down","description":"","sev":"P1","type":"outage","started_at":1779999400,"channel":"inc-1-api-down","personal_data":false}');
INSERT INTO events VALUES (2, 1, 2, 'action_added', 1780000060, 'U1', '{"number":1,"text":"x","due":1780099200}');
INSERT INTO events VALUES (3, 1, 3, 'snoozed', 1780000120, 'U1', '{"until":1780001020}');
INSERT INTO events VALUES (4, 1, 4, 'message_marked', 1780000180, 'U1', '{"ref":"C1/1.2","author":"U2","posted_at":1780000170,"text":"t"}');
INSERT INTO reminders_fired VALUES ('nudge:1:1780003600', 1780003600);
)sql";
        REQUIRE(sqlite3_exec(raw, v2, nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(raw);
    }
    sqlite_store s{file};
    auto const events = s.load();
    REQUIRE(events.size() == 4);
    using ms = std::chrono::milliseconds;
    auto const at = [](std::int64_t unix_seconds) { return core::timestamp{ms{unix_seconds * 1000}}; };
    CHECK(events[0].at == at(1780000000));
    CHECK(std::get<core::declared>(events[0].what).started_at == at(1779999400));
    CHECK(std::get<core::action_added>(events[1].what).due == at(1780099200));
    CHECK(std::get<core::snoozed>(events[2].what).until == at(1780001020));
    CHECK(std::get<core::message_marked>(events[3].what).posted_at == at(1780000170));
    CHECK(s.claimed("nudge:1:1780003600"));
    raw_db db{file};
    CHECK(db.integer("SELECT fired_at FROM reminders_fired") == 1'780'003'600'000);
    CHECK(db.integer("SELECT MAX(version) FROM schema_migrations") == 3);
}
