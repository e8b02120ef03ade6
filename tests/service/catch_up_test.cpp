// Two replicas on one store: what one writes, the other learns by reading only the events it has not
// seen (a refresh before a request, or its own write landing after the other's), never the whole log
// again; its war-room index and its reminders follow.
#include <doctest/doctest.h>

#include "tests/service/support.hpp"

namespace {

using namespace warroom::service_test;

// Counts full loads; its head can be held where it was, as for a replica that looked just before
// the other wrote.
class watched_store final : public event_store {
public:
    explicit watched_store(event_store& inner) : inner_(inner) {}
    std::vector<event> load() override {
        ++loads;
        return inner_.load();
    }
    std::vector<event> load_between(std::int64_t after, std::int64_t through) override {
        return inner_.load_between(after, through);
    }
    std::vector<write_result> write(std::vector<write_op> const& ops) override { return inner_.write(ops); }
    bool claimed(std::string const& key) override { return inner_.claimed(key); }
    std::int64_t head() override {
        ++heads;
        return held_ ? *held_ : inner_.head();
    }
    std::vector<outbox_entry> pending(std::int64_t after, std::size_t limit) override {
        return inner_.pending(after, limit);
    }
    std::optional<std::string> fact(std::string const& key) override { return inner_.fact(key); }
    void hold_head() { held_ = inner_.head(); }

    int loads = 0;
    int heads = 0;

private:
    event_store& inner_;
    std::optional<std::int64_t> held_;
};

}  // namespace

TEST_CASE("a replica learns what another wrote by reading only the events it has not seen") {
    harness a;
    auto other = a.another();
    watched_store watched{other.store()};
    warroom::app::service b{watched, policy::defaults(), "/incident", false, warroom::app::user_limits{{}, {}, {}}};
    REQUIRE(watched.loads == 1);  // at start

    a.run("alice", "incidents", t0, "declare P1 type:performance Search is slow");
    // B's next request looks at the head first: INC-1 is read, alone.
    auto const status = b.handle({"alice", "incidents", t0 + 1min}, "status 1");
    REQUIRE(b.find(1) != nullptr);
    CHECK(b.by_channel(a.svc().find(1)->channel) == b.find(1));
    // Its reminders are B's to fire too, should A not fire them in time.
    CHECK(b.next_due() == *a.svc().next_due() + 3s);

    // B looked before A wrote INC-2; B's own write then lands after A's, and its settling reads INC-2.
    watched.hold_head();
    a.run("alice", "incidents", t0 + 2min, "declare P2 Checkout is slow");
    auto const noted = b.handle({"alice", "incidents", t0 + 3min}, "note 1 the cache hit rate fell at 09:00");
    CHECK(noted.changed);
    REQUIRE(b.find(2) != nullptr);
    CHECK(b.find(2)->title == "Checkout is slow");
    CHECK(b.by_channel(a.svc().find(2)->channel) == b.find(2));
    CHECK(b.find(1)->version == 1 + a.svc().find(1)->version);  // B's note on top of what A knows

    CHECK(watched.loads == 1);  // never the whole log again
}

TEST_CASE("a reminder is fired by the replica that wrote its incident last, another fires it only after a grace") {
    harness a;
    auto other = a.another();
    watched_store watched{other.store()};
    warroom::app::service b{watched, policy::defaults(), "/incident", false, warroom::app::user_limits{{}, {}, {}}};

    a.run("alice", "incidents", t0, "declare P1 type:performance Search is slow");
    b.handle({"alice", "incidents", t0 + 1s}, "status 1");
    auto const due = *a.svc().next_due();
    REQUIRE(b.next_due() == due + 3s);

    // At the due time only A fires; B, looking later, finds it done and does not race for the claim.
    CHECK(b.tick(due).effects.empty());
    auto const fired = a.svc().tick(due);
    CHECK(fired.changed);
    CHECK(b.tick(due + 3s).effects.empty());
    CHECK(b.find(1)->version == a.svc().find(1)->version);
    CHECK(watched.loads == 1);  // no refused write, so no reload

    // A falls silent: B fires the next one once the grace has passed, and A, back, finds it done.
    auto const next = *a.svc().next_due();
    REQUIRE(b.next_due() == next + 3s);
    CHECK(b.tick(next + 2s).effects.empty());
    CHECK(b.tick(next + 3s).changed);
    CHECK_FALSE(a.svc().tick(next + 4s).changed);
    CHECK(a.svc().find(1)->version == b.find(1)->version);
    CHECK(watched.loads == 1);
}

TEST_CASE("a replica told the head with another's news catches up without asking the store for it") {
    harness a;
    auto other = a.another();
    watched_store watched{other.store()};
    warroom::app::service b{watched, policy::defaults(), "/incident", false, warroom::app::user_limits{{}, {}, {}}};
    b.told_of_others();
    auto const heads = watched.heads;

    a.run("alice", "incidents", t0, "declare P1 type:performance Search is slow");
    // Nothing told yet: B decides on what it has, without a round trip.
    b.handle({"alice", "incidents", t0 + 1s}, "status 1");
    CHECK(b.find(1) == nullptr);
    b.others_wrote(a.store().head());
    b.handle({"alice", "incidents", t0 + 2s}, "status 1");
    REQUIRE(b.find(1) != nullptr);
    CHECK(watched.heads == heads);

    // News without a head: B looks for itself.
    a.run("alice", "incidents", t0 + 3s, "declare P2 Checkout is slow");
    b.others_wrote(0);
    b.handle({"alice", "incidents", t0 + 4s}, "status 2");
    CHECK(b.find(2) != nullptr);
    CHECK(watched.heads == heads + 1);
    CHECK(watched.loads == 1);
}
