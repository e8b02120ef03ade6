// Group commit on a real SQLite file: writes that arrive while a transaction waits for the disk
// (here: for another process's write lock) go together in the next transaction, one conflicting
// write is undone alone, completions come back on the loop's thread in order, and a fact is read
// back before it is on disk.
#include <doctest/doctest.h>

#include <vector>

#include "adapters/store/group_commit.hpp"
#include "adapters/store/sqlite_store.hpp"
#include "tests/store/events.hpp"
#include "tests/store/group_commit_support.hpp"
#include "tests/store/temp_dir.hpp"

namespace {

using namespace warroom;
using namespace std::chrono_literals;
using app::append_result;
using app::write_result;
using store::group_commit;
using store::sqlite_store;
using store::test::loop;
using store::test::note;
using store::test::temp_dir;
using store::test::write_lock;

std::unique_ptr<group_commit> open(std::filesystem::path const& file, loop& l) {
    auto writer = std::make_unique<sqlite_store>(file);
    return std::make_unique<group_commit>(std::move(writer), std::make_unique<sqlite_store>(file), l.post());
}

app::append_batch first_note(int incident, int expected = 0) {
    return {{note(incident, 1)}, {}, {{incident, expected}}};
}

}  // namespace

TEST_CASE(
    "writes that arrive while a transaction waits go together in the next one, and a conflicting one alone is "
    "refused") {
    temp_dir dir;
    auto const file = dir / "warroom.db";
    loop l;
    auto const store = open(file, l);
    std::vector<write_result> results;
    auto const keep = [&](write_result r) { results.push_back(r); };

    write_lock other{file};
    store->submit(first_note(1), keep);
    // The writer has taken it and waits for the lock: everything submitted from now on queues.
    l.run_until([&] { return store->backlog() == 0; });
    constexpr int n = 50;
    for (int k = 2; k <= n + 1; ++k) store->submit(first_note(k), keep);
    store->submit(first_note(1), keep);  // decided on a stale state: incident 1 will have an event
    store->submit(app::set_fact{"room:2", "C2"}, keep);
    CHECK(store->fact("room:2") == "C2");  // read back before it is on disk
    CHECK(results.empty());
    other.release();
    l.run_until([&] { return results.size() == n + 3; });

    auto const counts = store->written();
    CHECK(counts.transactions == 2);
    CHECK(counts.writes == n + 3);
    for (int k = 0; k <= n; ++k) {
        CAPTURE(k);
        CHECK(results[k].written());
    }
    CHECK(results[n + 1].status == append_result::conflict);
    CHECK_FALSE(results[n + 1].failure);
    CHECK(results[n + 2].written());
    // Heads grow by one event per written append, in submission order.
    CHECK(results[0].head == 1);
    CHECK(results[n].head == n + 1);
    CHECK(results[n + 1].head == n + 1);
    auto const events = store->load();
    CHECK(events.size() == n + 1);
    CHECK(store->fact("room:2") == "C2");
    sqlite_store reopened{file};
    CHECK(reopened.load() == events);
    CHECK(reopened.fact("room:2") == "C2");
}

TEST_CASE("write() from a thread that is not the loop waits for its transaction and reports a conflict") {
    temp_dir dir;
    auto const file = dir / "warroom.db";
    loop l;
    auto const store = open(file, l);
    auto const r = store->write({first_note(1), first_note(1), app::set_fact{"install", "T1"}});
    REQUIRE(r.size() == 3);
    CHECK(r[0].written());
    CHECK(r[1].status == append_result::conflict);
    CHECK(r[2].written());
    CHECK(store->written().transactions == 1);
    CHECK(store->load().size() == 1);
    CHECK(store->fact("install") == "T1");
}

TEST_CASE("what was submitted is written before the store closes") {
    temp_dir dir;
    auto const file = dir / "warroom.db";
    {
        loop l;
        auto const store = open(file, l);
        for (int k = 1; k <= 20; ++k) store->submit(first_note(k), {});
    }
    sqlite_store reopened{file};
    CHECK(reopened.load().size() == 20);
}
