// The store port's promises, kept by every adapter: the same cases run on a SQLite file and on a
// fresh PostgreSQL database (when the test command's server is there; scripts/test requires it).
// Events in order and refused whole on a stale version or a taken claim; in one write a stale batch
// refused alone; the outbox in order, leased to one deliverer at a time, born leased, finished for
// good, with its facts; a schema newer than the build refused; group commit in front of each.
#include <doctest/doctest.h>

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "adapters/store/group_commit.hpp"
#include "adapters/store/open_store.hpp"
#include "adapters/store/postgres_store.hpp"
#include "tests/store/adapters.hpp"
#include "tests/store/events.hpp"
#include "tests/store/group_commit_support.hpp"
#include "tests/store/pg_support.hpp"
#include "tests/store/temp_dir.hpp"

namespace {

using namespace warroom;
using namespace std::chrono_literals;
using app::append_result;
using store::test::note;
using store::test::t0;
using store::test::adapters;
using store::test::temp_dir;

core::effect post_to(std::string const& channel) {
    core::message_view v;
    v.kind = "update";
    v.headline = "to " + channel;
    return core::post{channel, v, false};
}

}  // namespace

TEST_CASE("every adapter keeps the log in append order, across a reopen, and refuses a stale batch whole") {
    temp_dir dir;
    for (auto const& a : adapters(dir)) {
        CAPTURE(a.name);
        {
            auto s = store::open_store(a.url);
            CHECK(s->head() == 0);
            REQUIRE(s->append({{note(1, 1), note(1, 2)}, {"once:1"}, {{1, 0}}}) == append_result::written);
            REQUIRE(s->append({{note(2, 1)}, {}, {{2, 0}}}) == append_result::written);
            CHECK(s->head() == 3);
            // Decided on a state without note 2 of incident 1, or claiming what is claimed: nothing of it.
            CHECK(s->append({{note(1, 9)}, {"once:2"}, {{1, 1}}}) == append_result::conflict);
            CHECK(s->append({{note(2, 9)}, {"once:1"}, {{2, 1}}}) == append_result::conflict);
            CHECK_FALSE(s->claimed("once:2"));
            CHECK(s->claimed("once:1"));
            CHECK(s->head() == 3);
        }
        auto s = store::open_store(a.url, store::open_mode::existing);
        CHECK(s->load() == std::vector<core::event>{note(1, 1), note(1, 2), note(2, 1)});
        CHECK(s->head() == 3);
    }
}

TEST_CASE("every adapter keeps maintenance windows, alert groups and incidents on streams of their own") {
    temp_dir dir;
    for (auto const& a : adapters(dir)) {
        CAPTURE(a.name);
        core::event const window{core::maintenance_stream(1), t0, "U01",
                                 core::maintenance_scheduled{{"API"}, t0 + 1h, t0 + 3h, "Database upgrade"}};
        core::event const cancelled{core::maintenance_stream(1), t0 + 1s, "U01", core::maintenance_cancelled{}};
        {
            auto s = store::open_store(a.url);
            REQUIRE(s->append({{window}, {}, {{window.incident, 0}}}) == append_result::written);
            // Another writer's window 1, decided without this one: refused, as a stale incident is.
            CHECK(s->append({{window}, {}, {{window.incident, 0}}}) == append_result::conflict);
            REQUIRE(s->append({{note(1, 1)}, {}, {{1, 0}}}) == append_result::written);
            REQUIRE(s->append({{note(core::alert_stream(1), 2)}, {}, {{core::alert_stream(1), 0}}}) ==
                    append_result::written);
            REQUIRE(s->append({{cancelled}, {}, {{window.incident, 1}}}) == append_result::written);
        }
        auto s = store::open_store(a.url, store::open_mode::existing);
        CHECK(s->load() == std::vector<core::event>{window, note(1, 1), note(core::alert_stream(1), 2), cancelled});
        // The windows' numbers are no incident's: the next incident is 2.
        CHECK(s->next_incident(2) == 2);
    }
}

TEST_CASE("every adapter writes a write() in one transaction in which a stale batch is refused alone") {
    temp_dir dir;
    for (auto const& a : adapters(dir)) {
        CAPTURE(a.name);
        auto s = store::open_store(a.url);
        REQUIRE(s->append({{note(1, 1)}, {}, {{1, 0}}}) == append_result::written);
        auto const results = s->write(
            {app::append_batch{{note(2, 1)}, {}, {{2, 0}}}, app::append_batch{{note(1, 2)}, {}, {{1, 0}}},  // stale
             app::set_fact{"room:x", "C1"}, app::append_batch{{note(1, 2)}, {"k"}, {{1, 1}}}});
        REQUIRE(results.size() == 4);
        CHECK(results[0].written());
        CHECK(results[1].status == append_result::conflict);
        CHECK(results[2].written());
        CHECK(results[3].written());
        CHECK(results[3].head > results[0].head);
        CHECK(s->load() == std::vector<core::event>{note(1, 1), note(2, 1), note(1, 2)});
        CHECK(s->fact("room:x") == "C1");
        CHECK_THROWS_AS(s->write({app::append_batch{{note(3, 1)}, {}, {}}}), std::invalid_argument);
    }
}

TEST_CASE("every adapter answers each write of a mixed transaction in its place, and a release follows the appends before it") {
    temp_dir dir;
    for (auto const& a : adapters(dir)) {
        CAPTURE(a.name);
        auto s = store::open_store(a.url);
        auto const now = std::chrono::floor<core::milliseconds>(std::chrono::system_clock::now());
        app::append_batch first{{note(1, 1)}, {}, {{1, 0}}, {{1, post_to("a")}}};
        first.leased_to = app::birth_lease{"replica-a", 60s};
        REQUIRE(s->append(first) == append_result::written);
        auto const held = s->pending(0, 1).at(0).id;
        app::append_batch second{{note(2, 1)}, {}, {{2, 0}}, {{2, post_to("b")}}};
        second.leased_to = app::birth_lease{"replica-c", 60s};
        auto const results = s->write({app::lease_delivery{held, "replica-b", now, 60s},  // replica-a holds it
                                       second, app::set_fact{"room:2", "C2"},
                                       app::lease_delivery{held, "replica-a", now, 60s},
                                       app::append_batch{{note(1, 9)}, {}, {{1, 0}}}});  // stale
        REQUIRE(results.size() == 5);
        CHECK(results[0].status == append_result::conflict);
        CHECK(results[1].written());
        CHECK(results[1].head == 2);
        CHECK(results[2].written());
        CHECK(results[3].written());
        CHECK(results[4].status == append_result::conflict);
        app::append_batch third{{note(3, 1)}, {}, {{3, 0}}, {{3, post_to("c")}}};
        third.leased_to = app::birth_lease{"replica-c", 60s};
        auto const released = s->write({third, app::release_deliveries{"replica-c"}});
        CHECK(released[0].head == 3);
        CHECK(released[1].written());
        auto const owed = s->pending(0, 10);
        REQUIRE(owed.size() == 3);
        CHECK(owed[0].owner == "replica-a");
        CHECK(owed[0].attempts == 2);
        CHECK(owed[1].owner.empty());  // released with replica-c's
        CHECK(owed[2].owner.empty());  // born leased to replica-c in the same transaction, then released
        CHECK(s->fact("room:2") == "C2");
        CHECK(s->load() == std::vector<core::event>{note(1, 1), note(2, 1), note(3, 1)});
    }
}

TEST_CASE("every adapter keeps any text as it was given: quotes, backslashes, braces, commas, lines, NULL") {
    temp_dir dir;
    std::string const awkward = "a \"quoted\", {braced} \\back\\slash\\\nNULL\tü 🚒 '";
    for (auto const& a : adapters(dir)) {
        CAPTURE(a.name);
        auto s = store::open_store(a.url);
        core::event const e{1, t0, "U\"1\\{x}", core::note_added{awkward}};
        REQUIRE(s->append({{e, note(1, 2)}, {"claim " + awkward}, {{1, 0}}, {{1, post_to("#" + awkward)}}}) ==
                append_result::written);
        CHECK(s->load() == std::vector<core::event>{e, note(1, 2)});
        CHECK(s->claimed("claim " + awkward));
        auto const entries = s->pending(0, 10);
        REQUIRE(entries.size() == 1);
        CHECK(entries[0].what == post_to("#" + awkward));
        CHECK(s->append({{note(1, 3)}, {"claim " + awkward}, {{1, 2}}}) == append_result::conflict);
    }
}

TEST_CASE("every adapter keeps the outbox: in order, one deliverer at a time, born leased, finished for good") {
    temp_dir dir;
    for (auto const& a : adapters(dir)) {
        CAPTURE(a.name);
        auto s = store::open_store(a.url);
        REQUIRE(s->append({{note(1, 1)}, {}, {{1, 0}}, {{1, post_to("a")}, {1, post_to("b")}}}) ==
                append_result::written);
        app::append_batch born{{note(2, 1)}, {}, {{2, 0}}, {{2, post_to("c")}}};
        born.leased_to = app::birth_lease{"replica-a", 60s};
        auto const before = std::chrono::floor<core::milliseconds>(std::chrono::system_clock::now());
        REQUIRE(s->append(born) == append_result::written);
        auto const all = s->pending(0, 10);
        REQUIRE(all.size() == 3);
        CHECK(all[0].what == post_to("a"));
        CHECK(all[1].what == post_to("b"));
        CHECK(all[1].id > all[0].id);
        CHECK(all[0].owner.empty());
        CHECK(all[2].lane == 2);
        CHECK(all[2].owner == "replica-a");
        CHECK(all[2].attempts == 1);
        CHECK(all[2].lease_until >= before + 60s);
        CHECK(s->pending(all[0].id, 1).at(0).id == all[1].id);
        // A reader watching what replica-a delivers need not read it; its own and free entries it must.
        auto const as_b = s->pending_for("replica-b", before, 0, 10);
        REQUIRE(as_b.size() == 3);
        CHECK_FALSE(as_b[0].unread);
        CHECK(as_b[0].what == post_to("a"));
        CHECK(as_b[2].owner == "replica-a");
        CHECK(as_b[2].lease_until == all[2].lease_until);
        if (a.name == "postgresql") CHECK(as_b[2].unread);  // the one shared by processes
        CHECK(s->pending_for("replica-a", before, 0, 10) == all);
        CHECK(s->pending_for("replica-b", before + 61s, 0, 10) == all);  // its lease lapsed: to take over

        CHECK(s->start_delivery(all[0].id, "replica-a", t0, 60s));
        CHECK_FALSE(s->start_delivery(all[0].id, "replica-b", t0 + 30s, 60s));
        CHECK(s->start_delivery(all[0].id, "replica-b", t0 + 60s, 60s));
        CHECK_FALSE(s->start_delivery(all[2].id, "replica-b", before, 60s));  // born leased to replica-a
        s->release("replica-a");
        CHECK(s->start_delivery(all[2].id, "replica-b", before, 60s));  // released: free at once

        s->finish(all[0].id, "delivered", {{"room:1", "C1"}, {"ts:1", "1.0001"}});
        CHECK_FALSE(s->start_delivery(all[0].id, "replica-b", t0 + 61s, 60s));
        s->put_fact("room:1", "C2");
        auto const left = s->pending(0, 10);
        REQUIRE(left.size() == 2);
        CHECK(left[0].id == all[1].id);
        CHECK(s->fact("room:1") == "C2");
        CHECK(s->fact("ts:1") == "1.0001");
        CHECK_FALSE(s->fact("missing").has_value());
        // First wins: of processes racing to name the installation, all read back the first one.
        s->submit(app::set_fact{"install", "first", true}, {});
        s->submit(app::set_fact{"install", "second", true}, {});
        CHECK(s->fact("install") == "first");
        s->put_fact("install", "replaced");
        CHECK(s->fact("install") == "replaced");

        // Leases alone, of the undelivered entries in a range: the finished one is gone.
        auto const leases = s->leases_between(all[0].id, all[2].id);
        REQUIRE(leases.size() == 2);
        CHECK(leases[0] == app::delivery_lease{all[1].id, "", core::timestamp{}});
        CHECK(leases[1] == app::delivery_lease{all[2].id, "replica-b", before + 60s});
        CHECK(s->leases_between(all[2].id + 1, all[2].id + 10).empty());
        // A heartbeat lengthens its owner's leases, and only its owner's, never shortens one.
        REQUIRE(s->start_delivery(all[1].id, "replica-c", before, 60s));
        s->submit(app::renew_deliveries{"replica-b", before + 120s}, {});
        s->submit(app::renew_deliveries{"replica-c", before + 1s}, {});
        CHECK(s->leases_between(all[1].id, all[2].id) ==
              std::vector<app::delivery_lease>{{all[1].id, "replica-c", before + 60s},
                                               {all[2].id, "replica-b", before + 120s}});
    }
}

TEST_CASE("every adapter refuses a database whose schema is newer than this build") {
    temp_dir dir;
    for (auto const& a : adapters(dir)) {
        CAPTURE(a.name);
        store::open_store(a.url);
        a.exec("INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)");
        try {
            store::open_store(a.url);
            FAIL("a newer schema was opened");
        } catch (app::store_error const& err) {
            CHECK(std::string(err.what()).find("schema version 999 is newer than this build of warroom knows") !=
                  std::string::npos);
        }
    }
}

TEST_CASE("group commit in front of every adapter: writes queued together, a stale one refused alone") {
    temp_dir dir;
    for (auto const& a : adapters(dir)) {
        CAPTURE(a.name);
        std::vector<std::function<void()>> posted;
        std::mutex m;
        auto s = store::open_store(a.url, store::open_mode::create, [&](std::function<void()> fn) {
            std::lock_guard lock{m};
            posted.push_back(std::move(fn));
        });
        REQUIRE(dynamic_cast<store::group_commit*>(s.get()));
        std::vector<app::write_result> results;
        constexpr int n = 20;
        for (int k = 1; k <= n; ++k) {
            s->submit(app::append_batch{{note(k, 1)}, {}, {{k, 0}}},
                      [&](app::write_result r) { results.push_back(r); });
        }
        s->submit(app::append_batch{{note(1, 1)}, {}, {{1, 0}}}, [&](app::write_result r) { results.push_back(r); });
        for (int tries = 0; tries < 1000 && results.size() < n + 1; ++tries) {
            std::vector<std::function<void()>> now;
            {
                std::lock_guard lock{m};
                now.swap(posted);
            }
            for (auto& fn : now) fn();
            std::this_thread::sleep_for(10ms);
        }
        REQUIRE(results.size() == n + 1);
        for (int k = 0; k < n; ++k) CHECK(results[static_cast<std::size_t>(k)].written());
        CHECK(results.back().status == append_result::conflict);
        CHECK(s->head() == n);
        auto const counts = dynamic_cast<store::group_commit&>(*s).written();
        CHECK(counts.writes == n + 1);
        CHECK(counts.transactions < n + 1);  // they did share transactions
    }
}

TEST_CASE("postgresql: an unreachable server and a wrong password are one-line errors without the password") {
    auto const good = store::test::fresh_pg_database();
    if (!good) return;
    auto const at = good->find('@');
    auto const colon = good->find(':', std::string("postgresql://").size());
    REQUIRE(at != std::string::npos);
    auto const password = good->substr(colon + 1, at - colon - 1);
    REQUIRE(password.size() > 8);
    auto const wrong_password = good->substr(0, colon + 1) + "not-the-password-x9" + good->substr(at);
    try {
        store::open_store(wrong_password);
        FAIL("a wrong password was let in");
    } catch (app::store_error const& err) {
        std::string const why = err.what();
        CAPTURE(why);
        CHECK(why.find("password authentication failed") != std::string::npos);
        CHECK(why.find("not-the-password-x9") == std::string::npos);
        CHECK(why.find(password) == std::string::npos);
        CHECK(why.find('\n') == std::string::npos);
    }
    try {
        store::open_store("postgresql://warroom:" + password + "@127.0.0.1:1/none?connect_timeout=2");
        FAIL("a server that is not there was reached");
    } catch (app::store_error const& err) {
        std::string const why = err.what();
        CAPTURE(why);
        CHECK(why.find("connect failed") != std::string::npos);
        CHECK(why.find(password) == std::string::npos);
        CHECK(why.find('\n') == std::string::npos);
    }
}

TEST_CASE("postgresql: a write the server fails writes none of its batch, and the next write goes through") {
    auto const url = store::test::fresh_pg_database();
    if (!url) return;
    auto s = store::open_store(*url);
    REQUIRE(s->append({{note(1, 1)}, {}, {{1, 0}}}) == append_result::written);
    store::test::pg_exec(*url, "ALTER TABLE delivery_facts RENAME TO facts_away");
    try {
        s->write({app::append_batch{{note(1, 2)}, {"k"}, {{1, 1}}}, app::set_fact{"room:x", "C1"}});
        FAIL("a write to a missing table went through");
    } catch (app::store_error const& err) {
        std::string const why = err.what();
        CAPTURE(why);
        CHECK(why.find("write failed") != std::string::npos);
        CHECK(why.find("delivery_facts") != std::string::npos);
        CHECK(why.find('\n') == std::string::npos);
    }
    store::test::pg_exec(*url, "ALTER TABLE facts_away RENAME TO delivery_facts");
    CHECK(s->head() == 1);
    CHECK_FALSE(s->claimed("k"));
    auto const results = s->write({app::append_batch{{note(1, 2)}, {"k"}, {{1, 1}}}, app::set_fact{"room:x", "C1"}});
    CHECK(results[0].written());
    CHECK(s->load() == std::vector<core::event>{note(1, 1), note(1, 2)});
    CHECK(s->fact("room:x") == "C1");
}

TEST_CASE("postgresql: a database of schema 1 is brought to this schema with its rows, and written to") {
    auto const url = store::test::fresh_pg_database();
    if (!url) return;
    // Schema 1 as it was released, with rows written by that release.
    store::test::pg_exec(*url, R"sql(
CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL);
INSERT INTO schema_migrations VALUES (1, 1780000000000);
CREATE TABLE events (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, incident INTEGER NOT NULL,
    version INTEGER NOT NULL, type TEXT NOT NULL, at BIGINT NOT NULL, actor TEXT NOT NULL, body TEXT NOT NULL,
    UNIQUE (incident, version));
CREATE TABLE reminders_fired (key TEXT PRIMARY KEY, fired_at BIGINT NOT NULL);
CREATE TABLE outbox (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, lane INTEGER NOT NULL, body TEXT NOT NULL,
    created_at BIGINT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, owner TEXT, lease_until BIGINT, done_at BIGINT,
    result TEXT);
CREATE INDEX outbox_pending ON outbox (id) WHERE done_at IS NULL;
CREATE TABLE delivery_facts (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE SEQUENCE incident_numbers;
INSERT INTO events (incident, version, type, at, actor, body)
    VALUES (1, 1, 'note_added', 1780000001000, 'U01', '{"text":"note 1"}');
INSERT INTO reminders_fired VALUES ('nudge:1:1780003600000', 1780003600000);
)sql");
    auto s = store::open_store(*url);
    CHECK(s->load() == std::vector<core::event>{note(1, 1)});
    CHECK(s->claimed("nudge:1:1780003600000"));
    auto const results = s->write({app::append_batch{{note(1, 2)}, {}, {{1, 1}}, {{1, post_to("#a")}}},
                                   app::append_batch{{note(1, 9)}, {"nudge:1:1780003600000"}, {{1, 1}}}});
    CHECK(results[0].written());
    CHECK(results[0].head == 2);
    CHECK(results[1].status == append_result::conflict);
    CHECK(s->load() == std::vector<core::event>{note(1, 1), note(1, 2)});
    CHECK(s->pending(0, 10).size() == 1);
}

TEST_CASE("a store shared by processes numbers each new incident once, any store numbers at least as asked") {
    temp_dir dir;
    for (auto const& a : adapters(dir)) {
        CAPTURE(a.name);
        auto one = store::open_store(a.url);
        auto two = store::open_store(a.url);
        CHECK(one->next_incident(7) >= 7);
        if (a.name == "sqlite") {
            CHECK(one->next_incident(1) == 1);  // one writer at a time decides on what it has read
            continue;
        }
        std::set<int> taken;
        for (int k = 0; k < 10; ++k) {
            taken.insert(one->next_incident(1));
            taken.insert(two->next_incident(1));
        }
        CHECK(taken.size() == 20);
        CHECK(one->next_incident(1000) == 1000);
    }
}

TEST_CASE("group commit hears the other processes' writes on PostgreSQL and reads their facts anew") {
    temp_dir dir;
    for (auto const& a : adapters(dir)) {
        CAPTURE(a.name);
        store::test::loop one_loop, two_loop;
        auto one = store::open_store(a.url, store::open_mode::create, one_loop.post());
        auto two = store::open_store(a.url, store::open_mode::existing, two_loop.post());
        int one_heard = 0, two_heard = 0;
        std::int64_t two_told = 0;
        bool const tells = one->on_others_wrote([&](std::int64_t) { ++one_heard; });
        two->on_others_wrote([&](std::int64_t head) {
            ++two_heard;
            two_told = head;
        });
        // One process on SQLite: nobody else to hear.
        CHECK(tells == (a.name == "postgresql"));
        if (!tells) continue;
        // Each says so once it listens: writes from then on are heard.
        one_loop.run_until([&] { return one_heard == 1; });
        two_loop.run_until([&] { return two_heard == 1; });
        auto const set = [&](std::string const& value) {
            bool done = false;
            one->submit(app::set_fact{"message:k", value}, [&](app::write_result r) { done = r.written(); });
            one_loop.run_until([&] { return done; });
        };
        set("first");
        two_loop.run_until([&] { return two_heard == 2; });
        CHECK(two->fact("message:k") == "first");
        set("second");
        CHECK(two->fact("message:k") == "first");  // as it was read, until the news is heard
        two_loop.run_until([&] { return two_heard == 3; });
        CHECK(two->fact("message:k") == "second");
        // News of other facts leaves it known: a write nobody announces stays unseen.
        store::postgres_store{a.url}.write({app::set_fact{"message:k", "unannounced"}});
        bool done = false;
        one->submit(app::set_fact{"room:1", "C1"}, [&](app::write_result r) { done = r.written(); });
        one_loop.run_until([&] { return done; });
        two_loop.run_until([&] { return two_heard == 4; });
        CHECK(two->fact("message:k") == "second");
        set("third");
        two_loop.run_until([&] { return two_heard == 5; });
        CHECK(two->fact("message:k") == "third");
        // Appends are heard with the head after them: a process need not ask for it.
        auto const append = [&](int incident) {
            bool done = false;
            one->submit(app::append_batch{{note(incident, 1)}, {}, {{incident, 0}}}, [&](app::write_result r) { done = r.written(); });
            one_loop.run_until([&] { return done; });
        };
        append(1);
        two_loop.run_until([&] { return two_heard == 6; });
        CHECK(two_told == one->head());
        append(2);
        append(3);
        two_loop.run_until([&] { return two_told == one->head(); });
        // Its own writes are not news to a process.
        auto const until = std::chrono::steady_clock::now() + 300ms;
        one_loop.run_until([&] { return std::chrono::steady_clock::now() > until; });
        CHECK(one_heard == 1);
    }
}

TEST_CASE("every adapter counts the processes alive by their heartbeats, and a clean stop is one fewer") {
    temp_dir dir;
    for (auto const& a : adapters(dir)) {
        CAPTURE(a.name);
        auto s = store::open_store(a.url);
        auto const now = t0 + 3600s;
        s->write({app::heartbeat{"replica-a", now + 6s}, app::heartbeat{"replica-b", now + 6s},
                  app::heartbeat{"replica-c", now - 1s}});
        if (a.name == "sqlite") {
            CHECK(s->live_processes(now) == 1);  // one process writes a file
            continue;
        }
        CHECK(s->live_processes(now) == 2);
        s->write({app::heartbeat{"replica-c", now + 6s}});
        CHECK(s->live_processes(now) == 3);
        s->release("replica-a");
        CHECK(s->live_processes(now) == 2);
        CHECK(s->live_processes(now + 7s) == 0);
    }
}
