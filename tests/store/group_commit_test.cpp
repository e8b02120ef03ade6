// Group commit on a real SQLite file: writes that arrive while a transaction waits for the disk
// (here: for another process's write lock) go together in the next transaction, one conflicting
// write is undone alone, completions come back on the loop's thread in order, and a fact is read
// back before it is on disk.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>
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

namespace {

// The store behind group commit, counting the facts read from it and failing writes when told.
class watched_store final : public app::event_store {
public:
    explicit watched_store(std::filesystem::path const& file) : s_(file) {}
    std::vector<core::event> load() override { return s_.load(); }
    std::vector<core::event> load_between(std::int64_t after, std::int64_t through) override {
        return s_.load_between(after, through);
    }
    bool claimed(std::string const& key) override { return s_.claimed(key); }
    std::int64_t head() override { return s_.head(); }
    std::vector<app::outbox_entry> pending(std::int64_t after, std::size_t limit) override {
        return s_.pending(after, limit);
    }
    std::optional<std::string> fact(std::string const& key) override {
        ++facts_read;
        return s_.fact(key);
    }
    std::vector<write_result> write(std::vector<app::write_op> const& ops) override {
        if (failing) throw app::store_error("disk full");
        return s_.write(ops);
    }
    std::atomic<int> facts_read{0};
    std::atomic<bool> failing{false};

private:
    sqlite_store s_;
};

}  // namespace

TEST_CASE("a fact this process wrote or found missing is known without reading it again, unless its write failed, the first won or another process wrote it") {
    temp_dir dir;
    auto const file = dir / "warroom.db";
    loop l;
    auto writer = std::make_unique<watched_store>(file);
    auto reader = std::make_unique<watched_store>(file);
    auto& w = *writer;
    auto& r = *reader;
    group_commit store{std::move(writer), std::move(reader), l.post()};
    std::vector<write_result> results;
    auto const keep = [&](write_result x) { results.push_back(x); };

    store.submit(app::set_fact{"room:1", "C1"}, keep);
    l.run_until([&] { return results.size() == 1; });
    CHECK(store.fact("room:1") == "C1");
    CHECK(r.facts_read == 0);

    w.failing = true;
    store.submit(app::set_fact{"room:1", "C9"}, keep);
    l.run_until([&] { return results.size() == 2; });
    CHECK(results[1].failure);
    CHECK(store.fact("room:1") == "C1");  // what the disk has
    CHECK(r.facts_read == 1);

    w.failing = false;
    store.submit(app::set_fact{"install", "T1", true}, keep);
    store.submit(app::set_fact{"install", "T2", true}, keep);
    l.run_until([&] { return results.size() == 4; });
    CHECK(store.fact("install") == "T1");  // the first won: read back once
    CHECK(store.fact("install") == "T1");
    CHECK(r.facts_read == 2);

    // Missing is known too, until another process writes it.
    CHECK_FALSE(store.fact("message:k"));
    CHECK_FALSE(store.fact("message:k"));
    CHECK(r.facts_read == 3);
    int turns = 0;
    auto const hear = [&](store::fact_news n) {
        store.news()(std::move(n));
        turns = 0;
        l.run_until([&] { return ++turns > 1; });  // once round the loop: the news is posted to it
    };
    hear({.keys = {"room:2", "message:other"}});
    CHECK_FALSE(store.fact("message:k"));
    CHECK(store.fact("room:1") == "C1");
    CHECK(r.facts_read == 3);  // news of other facts
    hear({.keys = {"message:k"}});
    CHECK_FALSE(store.fact("message:k"));
    CHECK(store.fact("room:1") == "C1");
    CHECK(r.facts_read == 4);
    hear({.all = true});
    CHECK_FALSE(store.fact("message:k"));
    CHECK(store.fact("room:1") == "C1");
    CHECK(r.facts_read == 6);
}

TEST_CASE("a read for later runs on a thread and a connection of its own when given one, and says so on the loop") {
    temp_dir dir;
    auto const file = dir / "warroom.db";
    loop l;
    auto const store = open(file, l);
    REQUIRE(store->append(first_note(1)) == append_result::written);
    auto const loop_thread = std::this_thread::get_id();

    // Without one: at once, on the caller's connection.
    std::int64_t head = 0;
    bool done = false;
    store->read_later([&](app::event_store& s) { head = s.head(); }, [&] { done = true; });
    CHECK(done);
    CHECK(head == 1);

    store->read_in_background(std::make_unique<sqlite_store>(file));
    REQUIRE(store->append(first_note(2)) == append_result::written);
    std::thread::id read_on;
    done = false;
    store->read_later(
        [&](app::event_store& s) {
            read_on = std::this_thread::get_id();
            head = s.head();
        },
        [&] { done = true; });
    CHECK_FALSE(done);  // told on the loop, which has not run yet
    l.run_until([&] { return done; });
    CHECK(read_on != loop_thread);
    CHECK(head == 2);
}

namespace {

// A news feed the test plays itself, through news().
class told_feed final : public store::news_feed {};

}  // namespace

TEST_CASE("news from another process tells the loop the head it wrote, or that it did not tell one") {
    temp_dir dir;
    loop l;
    auto const store = open(dir / "warroom.db", l);
    CHECK_FALSE(store->on_others_wrote([](std::int64_t) {}));  // nobody tells it news: nothing to hear
    store->listen(std::make_unique<told_feed>());
    std::vector<std::int64_t> told;
    REQUIRE(store->on_others_wrote([&](std::int64_t head) { told.push_back(head); }));
    auto const hear = [&](store::fact_news n) {
        auto const before = told.size();
        store->news()(std::move(n));
        l.run_until([&] { return told.size() > before; });
        return told.back();
    };
    CHECK(hear({.head = 3}) == 3);
    CHECK(hear({.all = true}) == 0);                     // a listener that came back: it missed some
    CHECK(hear({.head = 7, .head_untold = true}) == 0);  // one writer of an older build among them
}
