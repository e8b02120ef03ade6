// The service over a group-commit store (as the daemon runs it): requests are decided at once on
// the state in memory, writes still on their way included; each settles in order; one that another
// replica's change made stale is refused alone (lost()), the state is reloaded, and the others in
// its transaction are on disk.
#include <doctest/doctest.h>

#include <atomic>

#include "adapters/store/sqlite_store.hpp"
#include "tests/service/support.hpp"
#include "tests/store/group_commit_support.hpp"

namespace {

using namespace warroom::service_test;
using warroom::store::test::loop;
using warroom::store::test::write_lock;

std::size_t notes_of(event_store& s, int incident) {
    std::size_t n = 0;
    for (auto const& e : s.load()) n += e.incident == incident && std::holds_alternative<note_added>(e.what);
    return n;
}

}  // namespace

TEST_CASE("a write made stale by another replica is refused alone, and the rest of its transaction is on disk") {
    harness h;  // the other replica, writing at once
    for (int k = 1; k <= 3; ++k) {
        h.run("alice", "incidents", t0, "declare P2 type:performance Queue " + std::to_string(k) + " slow");
    }
    h.run("alice", h.svc().find(2)->channel, t0 + 1min, "note the first note");
    loop l;
    auto const store =
        warroom::store::open_store("sqlite://" + h.file().string(), warroom::store::open_mode::existing, l.post());
    auto& writer = dynamic_cast<warroom::store::group_commit&>(*store);
    warroom::app::service svc{*store, policy::defaults(), "/incident", true, warroom::app::user_limits{{}, {}, {}}};
    std::vector<int> written;
    svc.on_written([&] { written.push_back(1); });

    std::optional<write_lock> other{h.file()};
    auto const note = [&](int incident, std::string const& text) {
        auto const out = svc.handle({"alice", svc.find(incident)->channel, t0 + 2min}, "note " + text);
        REQUIRE(out.changed);
        CHECK(out.recorded != 0);
        return out.recorded;
    };
    auto const first = note(1, "one");
    // The writer has taken it and waits for the lock.
    l.run_until([&] { return writer.backlog() == 0; });
    // Meanwhile the other replica adds a note to incident 2 (a copy of its first one).
    other->exec(
        "INSERT INTO events (incident, version, type, at, actor, body) SELECT 2, "
        "(SELECT MAX(version) + 1 FROM events WHERE incident = 2), type, at, actor, body FROM events "
        "WHERE incident = 2 AND type = 'note_added'");
    auto const stale = note(2, "two");
    auto const before = svc.find(3)->version;
    auto const third = note(3, "three");
    // Decided on what is in memory: incident 3 has its note before the disk has it.
    CHECK(svc.find(3)->version == before + 1);
    CHECK(writer.written().transactions == 0);
    CHECK(svc.unsettled_tail() == third);
    CHECK_FALSE(svc.settled(first));
    bool told = false;
    svc.when_settled(third, [&] { told = true; });
    other->release();
    other.reset();
    l.run_until([&] { return svc.settled(third); });
    CHECK(told);
    CHECK(svc.unsettled_tail() == 0);
    CHECK_FALSE(svc.lost(first));
    CHECK(svc.lost(stale) == "someone else changed this incident at the same moment");
    CHECK_FALSE(svc.lost(third));
    CHECK(written.size() == 2);
    CHECK(writer.written().transactions == 2);  // the first alone, then the two that queued behind it

    CHECK(notes_of(*store, 1) == 1);
    CHECK(notes_of(*store, 2) == 2);  // the first note and the other replica's copy; not "two"
    CHECK(notes_of(*store, 3) == 1);
    // The refusal reloaded the state: incident 2 is what the disk says, the others kept their notes.
    auto const reread = replay(store->load());
    CHECK(svc.find(2)->version == reread.at(2).version);
    CHECK(svc.find(3)->version == reread.at(3).version);
    CHECK(svc.find(1)->version == reread.at(1).version);
}

namespace {

// A connection to the database file, as the group commit holds them: it counts the reads that would
// stop the loop, and while the database is away (a PostgreSQL server restarted) every read and
// every transaction fails with a store error.
class connection final : public event_store {
public:
    explicit connection(std::filesystem::path const& file,
                        std::shared_ptr<std::atomic<bool>> away = std::make_shared<std::atomic<bool>>(false))
        : inner_(file), away_(std::move(away)) {}
    std::vector<event> load() override { return reachable().load(); }
    std::vector<event> load_between(std::int64_t after, std::int64_t through) override {
        ++reads;
        return reachable().load_between(after, through);
    }
    bool claimed(std::string const& key) override {
        ++reads;
        ++claims;
        return reachable().claimed(key);
    }
    std::int64_t head() override {
        ++reads;
        return reachable().head();
    }
    std::vector<outbox_entry> pending(std::int64_t after, std::size_t limit) override {
        return reachable().pending(after, limit);
    }
    std::optional<std::string> fact(std::string const& key) override { return reachable().fact(key); }
    std::vector<write_result> write(std::vector<write_op> const& ops) override { return reachable().write(ops); }
    int reads = 0;
    int claims = 0;

private:
    event_store& reachable() {
        if (*away_) throw store_error("the server closed the connection");
        return inner_;
    }
    warroom::store::sqlite_store inner_;
    std::shared_ptr<std::atomic<bool>> away_;
};

}  // namespace

TEST_CASE("a write that fails while the database is away is lost alone, and the state is read again once it is back") {
    warroom::store::test::temp_dir dir;
    auto const file = dir.path() / "warroom.db";
    auto const away = std::make_shared<std::atomic<bool>>(false);
    loop l;
    warroom::store::group_commit store{std::make_unique<connection>(file, away), std::make_unique<connection>(file, away),
                                       l.post()};
    warroom::app::service svc{store, policy::defaults(), "/incident", true, warroom::app::user_limits{{}, {}, {}}};
    auto const first = svc.handle({"alice", "incidents", t0}, "declare P2 Search is slow");
    REQUIRE(first.changed);
    l.run_until([&] { return svc.settled(first.recorded); });

    // Taken away with a declaration on its way: its transaction fails, and so does the reload that
    // settling it would make. Neither escapes the loop, and whoever waits on it hears.
    auto const second = svc.handle({"alice", "incidents", t0 + 1min}, "declare P2 Checkout is slow");
    REQUIRE(second.changed);
    CHECK(svc.find(2) != nullptr);  // decided on at once, before the disk has it
    *away = true;
    bool told = false;
    svc.when_settled(second.recorded, [&] { told = true; });
    l.run_until([&] { return svc.settled(second.recorded); });
    CHECK(told);
    CHECK(svc.lost(second.recorded) == "warroom could not record this (its store failed)");
    // Nothing is decided on the state the failed write left: a request meets the store error.
    CHECK_THROWS_AS(svc.handle({"alice", "incidents", t0 + 2min}, "status 2"), store_error);

    *away = false;
    auto const status = svc.handle({"alice", "incidents", t0 + 3min}, "status 2");
    CHECK_FALSE(status.changed);
    CHECK(svc.find(2) == nullptr);  // read again: the declaration that failed is not there
    REQUIRE(svc.find(1) != nullptr);
    auto const again = svc.handle({"alice", "incidents", t0 + 4min}, "declare P2 Checkout is slow");
    REQUIRE(again.changed);
    l.run_until([&] { return svc.settled(again.recorded); });
    CHECK_FALSE(svc.lost(again.recorded));
    CHECK(replay(store.load()).size() == 2);
}

TEST_CASE("a request's claim and the other replicas' news are read before it, off the loop, and not again") {
    harness other;  // another replica, writing at once
    loop l;
    auto reader = std::make_unique<connection>(other.file());
    auto& on_loop = *reader;
    warroom::store::group_commit store{std::make_unique<warroom::store::sqlite_store>(other.file()), std::move(reader),
                                       l.post()};
    store.read_in_background(std::make_unique<warroom::store::sqlite_store>(other.file()));
    warroom::app::service svc{store, policy::defaults(), "/incident", false, warroom::app::user_limits{{}, {}, {}}};
    svc.told_of_others();
    auto const at_start = on_loop.reads;  // the state read whole
    auto const read_before = [&](std::string const& once) {
        bool done = false;
        svc.read_before(once, [&] { done = true; });
        l.run_until([&] { return done; });
    };

    other.run("alice", "incidents", t0, "declare P1 type:performance Search is slow");
    svc.others_wrote(other.store().head());
    read_before("envelope:E1");
    REQUIRE(svc.find(1) != nullptr);  // caught up already
    auto const declared = svc.handle({"alice", "incidents", t0 + 1min, "envelope:E1"}, "declare P2 Checkout is slow");
    CHECK(declared.changed);
    CHECK(on_loop.reads == at_start);
    l.run_until([&] { return svc.settled(declared.recorded); });

    // A claim found taken: the request is a duplicate.
    auto const taken = other.svc().handle({"alice", "incidents", t0 + 2min, "envelope:E2"}, "note 1 the cache is cold");
    REQUIRE(taken.changed);
    svc.others_wrote(other.store().head());
    read_before("envelope:E2");
    CHECK(svc.handle({"alice", "incidents", t0 + 2min, "envelope:E2"}, "note 1 the cache is cold").duplicate);
    // Found free once only: a second look reads the store.
    auto const reads = on_loop.reads;
    CHECK(svc.handle({"alice", "incidents", t0 + 3min, "envelope:E1"}, "note 1 again").duplicate);
    CHECK(on_loop.reads == reads + 1);
}

TEST_CASE("the claims of the reminders due are read before the tick that fires them, off the loop") {
    warroom::store::test::temp_dir dir;
    auto const file = dir.path() / "warroom.db";
    loop l;
    auto reader = std::make_unique<connection>(file);
    auto& on_loop = *reader;
    warroom::store::group_commit store{std::make_unique<warroom::store::sqlite_store>(file), std::move(reader), l.post()};
    store.read_in_background(std::make_unique<warroom::store::sqlite_store>(file));
    warroom::app::service svc{store, policy::defaults(), "/incident", false, warroom::app::user_limits{{}, {}, {}}};
    auto const declared = svc.handle({"alice", "incidents", t0}, "declare P1 type:performance Search is slow");
    REQUIRE(declared.changed);
    l.run_until([&] { return svc.settled(declared.recorded); });

    auto const now = *svc.next_due();
    bool done = false;
    svc.read_before_tick(now, [&] { done = true; });
    CHECK_FALSE(done);  // read on the background connection
    l.run_until([&] { return done; });
    auto const claims = on_loop.claims;
    auto const fired = svc.tick(now);
    CHECK(fired.changed);
    CHECK(on_loop.claims == claims);  // the head it reads once a second is another matter
    l.run_until([&] { return svc.settled(fired.recorded); });
    // Nothing due: nothing to read, and told at once.
    done = false;
    svc.read_before_tick(now, [&] { done = true; });
    CHECK(done);
}
