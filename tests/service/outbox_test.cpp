// Outbox mode: the durable effects of a command are in the store when the service returns, in the
// order they were produced, and a request with a `once` key is carried out once however often it
// is delivered, also by a second replica.
#include <doctest/doctest.h>

#include "adapters/store/sqlite_store.hpp"
#include "tests/service/support.hpp"

namespace {

using namespace warroom::service_test;
using namespace std::chrono_literals;
namespace store = warroom::store;

user_id const alice = "U111";

std::vector<effect> durable(outcome const& out) {
    std::vector<effect> kept;
    for (auto const& e : out.effects) {
        if (is_durable(e)) kept.push_back(e);
    }
    return kept;
}

std::vector<effect> stored(event_store& s) {
    std::vector<effect> all;
    for (auto const& entry : s.pending(0, 1000)) all.push_back(entry.what);
    return all;
}

}  // namespace

TEST_CASE("a declaration's war room and posts are in the outbox when the command returns") {
    store::test::temp_dir dir;
    auto store = store::open_store("sqlite://" + (dir / "w.db").string());
    service svc{*store, policy::defaults(), "/incident", true};
    auto const out = svc.handle({alice, "incidents", t0}, "declare P1 type:outage Checkout errors");
    REQUIRE(out.changed);
    auto const owed = durable(out);
    REQUIRE(owed.size() >= 4);
    CHECK(std::holds_alternative<open_war_room>(owed.front()));
    CHECK(stored(*store) == owed);
    for (auto const& entry : store->pending(0, 1000)) CHECK(entry.lane == 1);
    // Replies go back with the request and are never stored.
    CHECK(std::any_of(out.effects.begin(), out.effects.end(), [](auto const& e) { return !is_durable(e); }));
}

TEST_CASE("without outbox mode nothing is stored for delivery") {
    store::test::temp_dir dir;
    auto store = store::open_store("sqlite://" + (dir / "w.db").string());
    service svc{*store, policy::defaults()};
    REQUIRE(svc.handle({alice, "incidents", t0}, "declare P1 Checkout errors").changed);
    CHECK(store->pending(0, 10).empty());
}

TEST_CASE("a request delivered twice is carried out once also across replicas") {
    store::test::temp_dir dir;
    auto const url = "sqlite://" + (dir / "w.db").string();
    auto a = store::open_store(url);
    auto b = store::open_store(url);
    service first{*a, policy::defaults(), "/incident", true};
    service second{*b, policy::defaults(), "/incident", true};
    origin const o{alice, "incidents", t0, "envelope:e-1"};
    auto const out = first.handle(o, "declare P2 Slow search");
    REQUIRE(out.changed);
    auto const owed = stored(*a).size();
    auto const again = first.handle(o, "declare P2 Slow search");
    CHECK(again.duplicate);
    CHECK_FALSE(again.changed);
    CHECK(again.effects.empty());
    auto const elsewhere = second.handle({alice, "incidents", t0 + 1s, "envelope:e-1"}, "declare P2 Slow search");
    CHECK(elsewhere.duplicate);
    CHECK(a->load().size() == 3);  // declared, its lead, its people: once
    CHECK(stored(*a).size() == owed);
    // A different key is a different request.
    CHECK(second.handle({alice, "incidents", t0 + 2s, "envelope:e-2"}, "declare P2 Slow search").changed);
}

TEST_CASE("reminders fired by tick are in the outbox with the events that record them") {
    store::test::temp_dir dir;
    auto store = store::open_store("sqlite://" + (dir / "w.db").string());
    service svc{*store, policy::defaults(), "/incident", true};
    REQUIRE(svc.handle({alice, "incidents", t0}, "declare P0 API down").changed);
    auto const before = store->pending(0, 1000).size();
    auto const out = svc.tick(t0 + 6min);
    REQUIRE(out.changed);
    CHECK(store->pending(0, 1000).size() == before + durable(out).size());
    CHECK(durable(out).size() >= 2);
}
