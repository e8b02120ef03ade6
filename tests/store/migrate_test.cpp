// migrate-store's copy: a store built by the real service (incidents declared, updated, resolved,
// declined; action items; reminders fired; redelivery keys; outbox entries delivered, given up,
// leased and pending, with facts) copied SQLite → PostgreSQL → SQLite, in batches smaller than the
// tables. After each copy every incident's report is byte-equal, every table's rows are equal, and
// the next declaration takes the next number. A target that is not empty, counts that disagree and
// a table this build does not know are refused with nothing written. Without a PostgreSQL server
// the round trip is SQLite → SQLite → SQLite.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/store/copy_tables.hpp"
#include "adapters/store/open_store.hpp"
#include "app/service.hpp"
#include "core/report.hpp"
#include "tests/store/pg_support.hpp"
#include "tests/store/temp_dir.hpp"

namespace {

using namespace warroom;
using namespace std::chrono_literals;
using store::test::temp_dir;

core::timestamp const t0 = core::timestamp{std::chrono::sys_days{std::chrono::year{2026} / 3 / 2}} + 9h;
core::timestamp const as_of = t0 + 48h;

// The service as the daemon runs it (outbox mode), without rate limits: the script runs at one instant.
struct served {
    explicit served(std::string const& url)
        : store(store::open_store(url)),
          svc(*store, core::policy::defaults(), "/incident", true, app::user_limits{{}, {}, {}}) {}
    std::unique_ptr<app::event_store> store;
    app::service svc;

    void run(std::string const& text, core::timestamp at, std::string const& once = {}) {
        CAPTURE(text);
        REQUIRE(svc.handle({"U111", "incidents", at, once}, text).changed);
    }
};

void build(std::string const& url) {
    served s{url};
    s.run("declare P1 type:outage started:-20m API down", t0, "envelope-1");
    s.run("update 1 status:identified impact:\"checkout fails\" Bad deploy found", t0 + 10min, "envelope-2");
    s.run("action 1 Add a canary stage @U222 due:2026-03-09", t0 + 12min);
    s.run("action 1 Alert on 5xx rate", t0 + 13min);
    s.run("done 1 1", t0 + 14min);
    s.run("note 1 went well: rollback took two minutes", t0 + 15min);
    s.run("resolve 1 Rolled back root cause: a config flag flipped in the deploy", t0 + 30min);
    s.run("declare P0 type:security Leaked token", t0 + 40min);
    s.run("declare P2 Search results stale", t0 + 50min);
    s.run("decline 3 a cache warm-up, not an incident", t0 + 55min);
    s.run("declare P1 type:performance Slow dashboards", t0 + 60min);
    s.run("assign 4 comms @U333", t0 + 61min);
    // Reminders due by now fire once each, with their claims.
    REQUIRE(s.svc.tick(t0 + 5h).changed);

    auto const owed = s.store->pending(0, 1000);
    REQUIRE(owed.size() > 6);
    s.store->finish(owed[0].id, "ok", {{"room:1", "C0001"}, {"ts:1:announce", "1772442000.000100"}});
    s.store->finish(owed[1].id, "gave up: channel_not_found", {});
    REQUIRE(s.store->start_delivery(owed[2].id, "replica-a", t0 + 5h, 30s));
    s.store->put_fact("socket-mode:cursor", "42");
}

std::map<int, std::string> reports(std::string const& url) {
    served s{url};
    std::map<int, std::string> out;
    for (auto const& [n, i] : s.svc.incidents()) out[n] = core::render_report(i, s.svc.rules(), as_of);
    return out;
}

std::map<std::string, std::vector<store::row>> rows(std::string const& url) {
    auto const s = store::open_tables(url, store::open_mode::existing);
    auto const r = s->read_tables();
    std::map<std::string, std::vector<store::row>> out;
    for (auto const& t : store::tables()) out[std::string(t.name)] = r->rows(t, {}, 1'000'000);
    return out;
}

std::vector<store::table_copied> migrate(std::string const& from, std::string const& to, std::size_t batch = 1000) {
    auto const source = store::open_tables(from, store::open_mode::existing);
    auto const target = store::open_tables(to);
    return store::copy_tables(*source, *target, batch);
}

std::string refusal(std::string const& from, std::string const& to) {
    try {
        migrate(from, to);
    } catch (store::copy_refused const& e) {
        return e.what();
    }
    return "(copied)";
}

// A PostgreSQL database when the test command's server is there, else another SQLite file.
std::string second_store(temp_dir const& dir, std::string const& name) {
    if (auto const pg = store::test::fresh_pg_database()) return *pg;
    return "sqlite://" + (dir / name).string();
}

void sqlite_exec(std::filesystem::path const& file, char const* sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    auto const rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
}

}  // namespace

TEST_CASE("migrate-store round trip: every row copied, every report byte-equal, the next number next") {
    temp_dir dir;
    auto const source = "sqlite://" + (dir / "source.db").string();
    auto const middle = second_store(dir, "middle.db");
    auto const back = "sqlite://" + (dir / "back.db").string();
    build(source);
    auto const before = reports(source);
    REQUIRE(before.size() == 4);
    auto const before_rows = rows(source);
    for (auto const& [table, r] : before_rows) {
        auto const table_name = table;  // CAPTURE's lambda cannot capture a structured binding (clang 14)
        CAPTURE(table_name);
        CHECK(r.size() > 2);  // more than a batch below
    }

    for (auto const& [from, to] : {std::pair{source, middle}, std::pair{middle, back}}) {
        auto const target_start = to.substr(0, 10);
        CAPTURE(target_start);
        auto const counts = migrate(from, to, 2);
        REQUIRE(counts.size() == store::tables().size());
        for (auto const& c : counts) {
            CAPTURE(c.table);
            auto const expected = static_cast<std::int64_t>(before_rows.at(std::string(c.table)).size());
            CHECK(c.source == expected);
            CHECK(c.copied == expected);
            CHECK(c.target == expected);
        }
        CHECK(rows(to) == before_rows);
        CHECK(reports(to) == before);

        // What the daemon reads through the port: the log with its positions, the outbox with its
        // delivery state, the claims and the facts.
        auto const a = store::open_store(source, store::open_mode::existing);
        auto const b = store::open_store(to, store::open_mode::existing);
        CHECK(b->load() == a->load());
        CHECK(b->head() == a->head());
        CHECK(b->load_between(3, 9) == a->load_between(3, 9));
        CHECK(b->pending(0, 1000) == a->pending(0, 1000));
        CHECK(b->fact("room:1") == std::optional<std::string>("C0001"));
        CHECK(b->fact("socket-mode:cursor") == std::optional<std::string>("42"));
        CHECK(b->claimed("envelope-2"));
    }

    // The next declaration on a copy: the next number, at the next position, its outbox entries
    // after the copied ones (PostgreSQL's sequences moved past what was copied).
    for (auto const& url : {middle, back}) {
        served s{url};
        auto const head = s.store->head();
        s.run("declare P2 After the move", as_of);
        CHECK(s.svc.find(5) != nullptr);
        CHECK(s.store->head() > head);
        CHECK(s.store->pending(0, 1000).back().lane == 5);
        // PostgreSQL numbers from its sequence, which the copy moved on: asked for any number, it
        // gives the one after.
        if (url.starts_with("postgresql://")) CHECK(s.store->next_incident(1) == 6);
    }
}

TEST_CASE("migrate-store refuses a target that is not empty and leaves it as it was") {
    temp_dir dir;
    auto const source = "sqlite://" + (dir / "source.db").string();
    build(source);
    std::vector<std::string> targets{"sqlite://" + (dir / "busy.db").string()};
    if (auto const pg = store::test::fresh_pg_database()) targets.push_back(*pg);
    for (auto const& target : targets) {
        CAPTURE(target.substr(0, 10));
        {
            served busy{target};
            busy.run("declare P3 Already here", t0);
        }
        auto const held = rows(target);
        CHECK(refusal(source, target) ==
              "the target is not empty (events: " + std::to_string(held.at("events").size()) +
                  " rows); migrate-store copies only into an empty store; nothing was "
                  "written");
        CHECK(rows(target) == held);
        // A store copied into itself is not empty either.
        CHECK(refusal(target, target).starts_with("the target is not empty"));
    }
}

namespace {

// A source whose reader says the outbox has one row more than it gives: counts that disagree.
class miscounting final : public store::table_store {
public:
    explicit miscounting(std::string const& url) : real_(store::open_tables(url, store::open_mode::existing)) {}

    std::vector<std::pair<std::string, std::string>> catalog() override { return real_->catalog(); }
    std::unique_ptr<store::table_reader> read_tables() override {
        struct reader final : store::table_reader {
            std::unique_ptr<store::table_reader> real;
            std::int64_t count(store::table const& t) override { return real->count(t) + (t.name == "outbox"); }
            std::vector<store::row> rows(store::table const& t, store::cell const& after, std::size_t limit) override {
                return real->rows(t, after, limit);
            }
        };
        auto r = std::make_unique<reader>();
        r->real = real_->read_tables();
        return r;
    }
    std::unique_ptr<store::table_writer> write_tables() override { return real_->write_tables(); }

    std::vector<core::event> load() override { return real_->load(); }
    std::vector<core::event> load_between(std::int64_t after, std::int64_t through) override {
        return real_->load_between(after, through);
    }
    bool claimed(std::string const& key) override { return real_->claimed(key); }
    std::int64_t head() override { return real_->head(); }
    std::vector<app::outbox_entry> pending(std::int64_t after, std::size_t limit) override {
        return real_->pending(after, limit);
    }
    std::optional<std::string> fact(std::string const& key) override { return real_->fact(key); }
    std::vector<app::write_result> write(std::vector<app::write_op> const& ops) override { return real_->write(ops); }

private:
    std::unique_ptr<store::table_store> real_;
};

}  // namespace

TEST_CASE("migrate-store writes nothing when a table's counts disagree, the tables copied before it included") {
    temp_dir dir;
    auto const source = "sqlite://" + (dir / "source.db").string();
    build(source);
    auto const target = second_store(dir, "target.db");
    miscounting from{source};
    auto const to = store::open_tables(target);
    std::string why;
    try {
        store::copy_tables(from, *to, 3);
    } catch (store::copy_refused const& e) {
        why = e.what();
    }
    auto const outbox = std::to_string(rows(source).at("outbox").size());
    CHECK(why == "outbox: the source has " + std::to_string(std::stoi(outbox) + 1) + " rows, " + outbox +
                     " were copied and the target has " + outbox + "; nothing was written");
    for (auto const& [table, r] : rows(target)) {
        auto const table_name = table;
        CAPTURE(table_name);
        CHECK(r.empty());
    }
    // The refused copy left the target usable: a copy now succeeds.
    CHECK_NOTHROW(migrate(source, target));
}

TEST_CASE("migrate-store refuses a store with a table or column it would not copy") {
    temp_dir dir;
    auto const file = dir / "source.db";
    auto const source = "sqlite://" + file.string();
    build(source);
    sqlite_exec(file, "CREATE TABLE escalations (incident INTEGER); ALTER TABLE outbox ADD COLUMN channel TEXT");
    CHECK(refusal(source, "sqlite://" + (dir / "target.db").string()) ==
          "the source's tables are not those this build copies (not copied: escalations.incident, outbox.channel; "
          "missing: none); nothing was written");
}
