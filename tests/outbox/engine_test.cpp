// The delivery engine stepped without sockets, store or clock: the test plays the driver, feeding
// each action's news back and checking the next action.
#include <doctest/doctest.h>

#include <algorithm>

#include "adapters/outbox/engine.hpp"

namespace {

using namespace warroom;
using namespace warroom::outbox;
using namespace std::chrono_literals;

app::outbox_entry to_channel(std::int64_t id, int lane, std::string channel, int attempts = 0) {
    return {id, lane, core::post{std::move(channel), core::message_view{}}, attempts};
}
app::outbox_entry invite_in(std::int64_t id, int lane) { return {id, lane, core::invite{lane, "inc-room", {"U1"}}, 0}; }

attempt const ok{verdict::delivered, "", false, {{"message:k", "{}"}}};
attempt retry(std::string why, bool ambiguous = false) { return {verdict::retry, std::move(why), ambiguous, {}}; }

template <class T>
T const& as(action const& a) {
    REQUIRE(std::holds_alternative<T>(a));
    return std::get<T>(a);
}

// Leased, delivered: the action the engine asks for after the delivery answered `result`.
action lease_and_deliver(engine& e, std::int64_t id, attempt const& result, bool in_doubt = false) {
    as<lease>(e.start(id));
    CHECK(as<deliver>(e.resume(id, leased{true}, 0.5)).in_doubt == in_doubt);
    return e.resume(id, attempted{result}, 0.5);
}

void deliver_fully(engine& e, std::int64_t id) {
    auto const f = as<finish>(lease_and_deliver(e, id, ok));
    CHECK(f.result == "delivered");
    as<done>(e.resume(id, finished{}, 0.5));
}

std::vector<std::int64_t> sorted(std::vector<std::int64_t> v) {
    std::sort(v.begin(), v.end());
    return v;
}

TEST_CASE("one incident's entries go one at a time in id order, incidents go side by side") {
    engine e;
    for (auto const& x : {to_channel(1, 1, "inc-1"), to_channel(2, 2, "inc-2"), to_channel(3, 1, "inc-1"),
                          invite_in(4, 1), to_channel(5, 2, "inc-2")}) {
        e.add(x);
    }
    CHECK(sorted(e.ready()) == std::vector<std::int64_t>{1, 2});
    CHECK(e.ready().empty());  // each entry is handed out once
    deliver_fully(e, 2);
    CHECK(e.ready() == std::vector<std::int64_t>{5});
    deliver_fully(e, 1);
    CHECK(e.ready() == std::vector<std::int64_t>{3});
    deliver_fully(e, 3);
    CHECK(e.ready() == std::vector<std::int64_t>{4});
    deliver_fully(e, 4);
    deliver_fully(e, 5);
    CHECK(e.ready().empty());
    CHECK(e.queued() == 0);
}

TEST_CASE("the next entry of a lane and of a channel goes once the world has the one before, while it is recorded") {
    engine e;
    e.add(to_channel(1, 1, "incidents"));
    e.add(to_channel(2, 1, "inc-1"));
    e.add(to_channel(3, 2, "incidents"));
    CHECK(e.ready() == std::vector<std::int64_t>{1});
    as<lease>(e.start(1));
    as<deliver>(e.resume(1, leased{true}, 0.5));
    CHECK(e.ready().empty());  // not before Slack answered
    as<finish>(e.resume(1, attempted{ok}, 0.5));
    CHECK(sorted(e.ready()) == std::vector<std::int64_t>{2, 3});
    // A store that fails to record it asks again; the others are not held back meanwhile.
    as<wait>(e.resume(1, store_failed{"disk I/O error"}, 0.5));
    deliver_fully(e, 3);
    as<finish>(e.resume(1, waited{}, 0.5));
    as<done>(e.resume(1, finished{}, 0.5));
    deliver_fully(e, 2);
    CHECK(e.queued() == 0);
    CHECK(e.ready().empty());
}

TEST_CASE("a channel shared by incidents gets their entries in the order they were written") {
    engine e;
    e.add(to_channel(1, 1, "inc-1"));
    e.add(to_channel(2, 1, "incidents"));
    e.add(to_channel(3, 2, "incidents"));
    e.add(to_channel(4, 3, "incidents"));
    e.add(to_channel(5, 3, "inc-3"));
    // Incident 2's announcement waits for incident 1's, which waits behind incident 1's room post.
    CHECK(e.ready() == std::vector<std::int64_t>{1});
    deliver_fully(e, 1);
    CHECK(e.ready() == std::vector<std::int64_t>{2});
    deliver_fully(e, 2);
    CHECK(e.ready() == std::vector<std::int64_t>{3});
    deliver_fully(e, 3);
    CHECK(e.ready() == std::vector<std::int64_t>{4});
    deliver_fully(e, 4);
    CHECK(e.ready() == std::vector<std::int64_t>{5});
}

TEST_CASE("an entry read again from the store is not queued twice") {
    engine e;
    e.add(to_channel(1, 1, "inc-1"));
    e.add(to_channel(1, 1, "inc-1"));
    CHECK(e.queued() == 1);
    deliver_fully(e, 1);
    e.add(to_channel(1, 1, "inc-1"));
    CHECK(e.queued() == 0);
    CHECK(e.ready().empty());
}

TEST_CASE("a transient failure waits with a growing delay, then leases and delivers again") {
    engine e{settings{millis{500}, millis{4000}, millis{1000}}};
    e.add(to_channel(1, 1, "inc-1"));
    REQUIRE(e.ready() == std::vector<std::int64_t>{1});
    std::vector<millis> delays;
    auto next = lease_and_deliver(e, 1, retry("chat.postMessage: service_unavailable"));
    for (int k = 0; k < 5; ++k) {
        auto const w = as<wait>(next);
        CHECK(w.why == "chat.postMessage: service_unavailable");
        delays.push_back(w.delay);
        as<lease>(e.resume(1, waited{}, 0.99));
        // Slack said it did not process the call: nothing to reconcile.
        CHECK_FALSE(as<deliver>(e.resume(1, leased{true}, 0.99)).in_doubt);
        next = e.resume(1, attempted{retry("chat.postMessage: service_unavailable")}, 0.99);
    }
    // Equal jitter: half the base plus up to half again; the base doubles up to the cap.
    CHECK(delays[0] >= millis{250});
    CHECK(delays[0] <= millis{500});
    for (std::size_t k = 1; k < delays.size(); ++k) CHECK(delays[k] >= delays[k - 1]);
    CHECK(delays.back() <= millis{4000});
    CHECK(delays.back() >= millis{3900});
    as<lease>(e.resume(1, waited{}, 0.5));
    as<deliver>(e.resume(1, leased{true}, 0.5));
    CHECK(as<finish>(e.resume(1, attempted{ok}, 0.5)).result == "delivered");
}

TEST_CASE("a lost answer is reconciled before the next try") {
    engine e;
    e.add(to_channel(1, 1, "inc-1"));
    REQUIRE(e.ready().size() == 1);
    as<wait>(lease_and_deliver(e, 1, retry("chat.postMessage: timed out", true)));
    as<lease>(e.resume(1, waited{}, 0.5));
    CHECK(as<deliver>(e.resume(1, leased{true}, 0.5)).in_doubt);

    SUBCASE("an entry an earlier process started is in doubt from the first try") {
        engine fresh;
        fresh.add(to_channel(7, 1, "inc-1", 1));
        REQUIRE(fresh.ready().size() == 1);
        as<finish>(lease_and_deliver(fresh, 7, ok, true));
    }
}

TEST_CASE("a receiver's Retry-After is waited for when it is longer than the backoff, never less than the backoff") {
    engine e;
    e.add(to_channel(1, 1, "inc-1"));
    REQUIRE(e.ready().size() == 1);
    auto asked = retry("ticket: HTTP 429");
    asked.retry_after = millis{7000};
    CHECK(as<wait>(lease_and_deliver(e, 1, asked)).delay == millis{7000});
    as<lease>(e.resume(1, waited{}, 0.5));
    as<deliver>(e.resume(1, leased{true}, 0.5));
    asked.retry_after = millis{1};
    CHECK(as<wait>(e.resume(1, attempted{asked}, 0.5)).delay >= millis{250});
}

TEST_CASE("an entry the receiver cannot take yet waits as long as it says, then delivers again without a new lease") {
    engine e{settings{millis{500}, millis{4000}, millis{1000}}};
    e.add(to_channel(1, 1, "inc-1"));
    e.add(to_channel(2, 2, "inc-1"));
    REQUIRE(e.ready() == std::vector<std::int64_t>{1});
    attempt const later{verdict::not_yet, "conversations.create: waiting for a rate-limit slot", false, {}, millis{42'000}};
    auto const w = as<wait>(lease_and_deliver(e, 1, later));
    CHECK(w.delay == millis{42'000});
    CHECK_FALSE(w.failed);
    // It keeps its place in its lane and channel while it waits.
    CHECK(e.ready().empty());
    CHECK_FALSE(as<deliver>(e.resume(1, waited{}, 0.5)).in_doubt);
    CHECK(as<wait>(e.resume(1, attempted{later}, 0.5)).delay == millis{42'000});
    as<deliver>(e.resume(1, waited{}, 0.5));
    // A failure after it backs off from the start: the slot waits did not grow the backoff.
    auto const failed = as<wait>(e.resume(1, attempted{retry("chat.postMessage: service_unavailable")}, 0.99));
    CHECK(failed.failed);
    CHECK(failed.delay <= millis{500});
    as<lease>(e.resume(1, waited{}, 0.5));
    as<deliver>(e.resume(1, leased{true}, 0.5));
    as<finish>(e.resume(1, attempted{ok}, 0.5));
    CHECK(e.ready() == std::vector<std::int64_t>{2});
}

TEST_CASE("a permanent error gives the entry up and the lane goes on") {
    engine e;
    e.add(to_channel(1, 1, "inc-1"));
    e.add(to_channel(2, 1, "inc-1"));
    REQUIRE(e.ready() == std::vector<std::int64_t>{1});
    auto const f = as<finish>(lease_and_deliver(e, 1, {verdict::failed, "chat.postMessage: channel_not_found"}));
    CHECK(f.result == "failed: chat.postMessage: channel_not_found");
    as<done>(e.resume(1, finished{}, 0.5));
    CHECK(e.ready() == std::vector<std::int64_t>{2});
}

TEST_CASE("leases: an entry another replica holds is watched in its lane's order and taken over in doubt when let go") {
    engine e;
    core::timestamp const now{std::chrono::hours{24 * 20000}};
    e.add(to_channel(1, 1, "inc-1"));
    e.add(to_channel(2, 2, "inc-2"));
    REQUIRE(sorted(e.ready()) == std::vector<std::int64_t>{1, 2});
    as<lease>(e.start(1));
    as<watch>(e.resume(1, leased{false, true}, 0.5));  // refused: another holds it, so it is only watched
    as<lease>(e.start(2));
    as<done>(e.resume(2, leased{false, false}, 0.5));  // refused: another finished it

    e.add(to_channel(3, 1, "inc-1"));  // ours, behind the watched one in its lane
    e.add(to_channel(4, 3, "incidents"), /*held_elsewhere=*/true);
    e.add(to_channel(5, 4, "incidents"));  // ours: another's channel does not hold it up
    e.add(to_channel(6, 5, "inc-5"), true);
    CHECK(e.ready() == std::vector<std::int64_t>{5});
    REQUIRE(e.held() == std::pair<std::int64_t, std::int64_t>{1, 6});
    // Only 1 holds up an entry of ours (3): 4 and 6 are alone in their lanes.
    CHECK(e.blocking() == std::set<std::int64_t>{1});

    // Still held: nothing moves.
    CHECK(e.watched({1, 6}, {{1, "B", now + 10s}, {4, "B", now + 10s}, {6, "B", now + 10s}}, now) == 0);
    CHECK(e.ready().empty());
    // A look at part of them tells nothing of the rest.
    CHECK(e.watched({1, 1}, {{1, "B", now + 10s}}, now) == 0);
    CHECK(e.held() == std::pair<std::int64_t, std::int64_t>{1, 6});
    // 4 is finished (gone from the store), 1 let go by a clean stop, 6's lease lapsed: 1 and 6 are ours.
    CHECK(e.watched({1, 6}, {{1, "", {}}, {6, "B", now}}, now) == 2);
    CHECK(sorted(e.ready()) == std::vector<std::int64_t>{1, 6});
    CHECK_FALSE(e.held());
    CHECK(e.blocking().empty());
    // Its holder may have posted before letting go: look before posting. Then 3 follows it.
    as<lease>(e.start(1));
    CHECK(as<deliver>(e.resume(1, leased{true}, 0.5)).in_doubt);
    CHECK(as<finish>(e.resume(1, attempted{ok}, 0.5)).result == "delivered");
    CHECK(e.ready() == std::vector<std::int64_t>{3});
}

TEST_CASE("leases: a watched entry blocks ours while first in its lane, and the next watched one takes its place") {
    engine e;
    core::timestamp const now{std::chrono::hours{24 * 20000}};
    e.add(to_channel(1, 1, "inc-1"), true);
    e.add(to_channel(2, 1, "inc-1"), true);
    CHECK(e.blocking().empty());  // nothing of ours behind them
    e.add(to_channel(3, 1, "inc-1"));
    CHECK(e.blocking() == std::set<std::int64_t>{1});
    CHECK(e.ready().empty());
    // 1 finished by its holder: 2 is first now, and 3 still waits behind it.
    CHECK(e.watched({1, 1}, {}, now) == 0);
    CHECK(e.blocking() == std::set<std::int64_t>{2});
    CHECK(e.ready().empty());
    CHECK(e.watched({2, 2}, {}, now) == 0);
    CHECK(e.blocking().empty());
    CHECK(e.ready() == std::vector<std::int64_t>{3});
    // Refused its lease: held elsewhere, and what comes after it in its lane waits behind it.
    e.add(to_channel(4, 1, "inc-1"));
    as<lease>(e.start(3));
    as<watch>(e.resume(3, leased{false, true}, 0.5));
    CHECK(e.blocking() == std::set<std::int64_t>{3});
    CHECK(e.ready().empty());
    // Let go: ours again, in doubt, and first.
    CHECK(e.watched({3, 3}, {{3, "", {}}}, now) == 1);
    CHECK(e.blocking().empty());
    CHECK(e.ready() == std::vector<std::int64_t>{3});
}

TEST_CASE("leases: an entry watched unread is read when it becomes this engine's, and leaves if it was finished meanwhile") {
    engine e;
    core::timestamp const now{std::chrono::hours{24 * 20000}};
    auto unread = [](app::outbox_entry x) {
        x.what = {};
        x.unread = true;
        return x;
    };
    e.add(unread(to_channel(1, 1, "inc-1")), true);
    e.add(unread(to_channel(2, 2, "inc-2")), true);
    e.add(to_channel(3, 1, "inc-1"));
    e.add(to_channel(4, 2, "inc-2"));
    CHECK_THROWS_AS(e.add(unread(to_channel(5, 3, "inc-3"))), std::logic_error);  // ours to deliver: never unread
    CHECK(e.add(to_channel(5, 3, "inc-3")));  // the refusal left nothing behind
    CHECK(e.ready() == std::vector<std::int64_t>{5});
    // Both lapse: to be read before they go, and until then ours wait behind them.
    CHECK(e.watched({1, 2}, {{1, "B", now}, {2, "B", now}}, now) == 0);
    CHECK(e.unread() == std::set<std::int64_t>{1, 2});
    CHECK(e.ready().empty());
    e.read(to_channel(1, 1, "inc-1"));
    e.gone(2);  // finished by its holder before it lapsed
    CHECK(e.unread().empty());
    CHECK(sorted(e.ready()) == std::vector<std::int64_t>{1, 4});
    as<lease>(e.start(1));
    CHECK(as<deliver>(e.resume(1, leased{true}, 0.5)).in_doubt);
    CHECK(as<finish>(e.resume(1, attempted{ok}, 0.5)).result == "delivered");
    CHECK(e.ready() == std::vector<std::int64_t>{3});
}

TEST_CASE("a store failure repeats the store step: a delivered entry is recorded again, never delivered again") {
    engine e;
    e.add(to_channel(1, 1, "inc-1"));
    REQUIRE(e.ready().size() == 1);
    as<lease>(e.start(1));
    as<wait>(e.resume(1, store_failed{"disk I/O error"}, 0.5));
    as<lease>(e.resume(1, waited{}, 0.5));
    as<deliver>(e.resume(1, leased{true}, 0.5));
    auto const f = as<finish>(e.resume(1, attempted{ok}, 0.5));
    CHECK(as<wait>(e.resume(1, store_failed{"database is locked"}, 0.5)).why == "store: database is locked");
    auto const again = as<finish>(e.resume(1, waited{}, 0.5));
    CHECK(again.result == f.result);
    CHECK(again.learned == f.learned);
    as<done>(e.resume(1, finished{}, 0.5));
}

TEST_CASE("news out of step is a bug, not a guess") {
    engine e;
    e.add(to_channel(1, 1, "inc-1"));
    REQUIRE(e.ready().size() == 1);
    as<lease>(e.start(1));
    CHECK_THROWS_AS(e.resume(1, finished{}, 0.5), std::logic_error);
    CHECK_THROWS_AS(e.start(1), std::logic_error);
}

TEST_CASE("targets: a room, a channel by name and a person's DM, invites and pages have none") {
    CHECK(target_of(core::post{"incidents", {}}) == "#incidents");
    CHECK(target_of(core::set_topic{"inc-1-x", "topic"}) == "#inc-1-x");
    CHECK(target_of(core::open_war_room{1, "inc-1-x", false, {}, {}}) == "#inc-1-x");
    CHECK(target_of(core::direct_message{"U1", {}}) == "@U1");
    CHECK(target_of(core::invite{1, "inc-1-x", {"U1"}}).empty());
}

}  // namespace

namespace {

app::outbox_entry kept(std::int64_t id, int lane, std::string key, bool edit_only = false, bool pin = false) {
    core::post p{"alerts", core::message_view{}, pin, std::move(key)};
    p.edit_only = edit_only;
    return {id, lane, std::move(p), 0};
}

}  // namespace

TEST_CASE("an edit of a message kept current that a later edit of its lane covers is finished unsent") {
    engine e;
    // A storm edits triage post k1 four times; k2 is another message of the same lane.
    for (auto const& x : {kept(1, -1, "k1"), kept(2, -1, "k2"), kept(3, -1, "k1"), kept(4, -1, "k1", true),
                          kept(5, -1, "k1"), kept(6, -2, "k1")}) {
        e.add(x);
    }
    REQUIRE(e.ready() == std::vector<std::int64_t>{1});  // one channel: one at a time
    // No lease, no call: the later entry 3 posts it in full if it never was.
    CHECK(as<finish>(e.start(1)).result == std::string(superseded) + "3");
    CHECK(e.ready() == std::vector<std::int64_t>{2});  // its turn passed on at once
    as<done>(e.resume(1, finished{}, 0.5));
    deliver_fully(e, 2);
    // 4 only edits (it would not post a message never posted), so it covers nothing; 5 covers 3.
    CHECK(e.ready() == std::vector<std::int64_t>{3});
    CHECK(as<finish>(e.start(3)).result == std::string(superseded) + "5");
    as<done>(e.resume(3, finished{}, 0.5));
    CHECK(e.ready() == std::vector<std::int64_t>{4});
    CHECK(as<finish>(e.start(4)).result == std::string(superseded) + "5");  // an edit, covered by a full one
    as<done>(e.resume(4, finished{}, 0.5));
    CHECK(e.ready() == std::vector<std::int64_t>{5});
    deliver_fully(e, 5);  // the newest is delivered
    CHECK(e.ready() == std::vector<std::int64_t>{6});
    deliver_fully(e, 6);  // another lane's message of the same key is its own

    // A pinned post is covered only by one that pins too.
    engine pins;
    pins.add(kept(1, 1, "decl", false, true));
    pins.add(kept(2, 1, "decl"));
    REQUIRE(pins.ready() == std::vector<std::int64_t>{1});
    as<lease>(pins.start(1));
}

TEST_CASE("an edit of a message already made keeps its lane's order, not its channel's: new posts go past it") {
    engine e;
    // Triage posts of groups -1 and -2 in #alerts; -1's post is made, then edited while -2's waits.
    e.add(kept(1, -1, "triage"));
    e.add(kept(2, -2, "triage"));
    REQUIRE(e.ready() == std::vector<std::int64_t>{1});
    as<lease>(e.start(1));
    as<deliver>(e.resume(1, leased{true}, 0.5));
    e.add(kept(3, -1, "triage"));  // read while 1 is in the world's hands: queued in #alerts' order
    as<finish>(e.resume(1, attempted{ok}, 0.5));
    CHECK(sorted(e.ready()) == std::vector<std::int64_t>{2, 3});  // 3 only edits: out of the channel's queue
    as<lease>(e.start(2));
    as<deliver>(e.resume(2, leased{true}, 0.5));
    // -2's post is still going out; -1's later edits and a third group's post do not wait for each other.
    e.add(kept(4, -3, "triage"));
    e.add(kept(5, -1, "other"));  // a message of -1 never made: a post, in the channel's order
    CHECK(e.ready().empty());     // 3 is handed out already; 4 and 5 wait for 2, the channel's first
    as<finish>(e.resume(2, attempted{ok}, 0.5));
    CHECK(e.ready() == std::vector<std::int64_t>{4});
    deliver_fully(e, 4);
    deliver_fully(e, 3);
    CHECK(e.ready() == std::vector<std::int64_t>{5});
    // An edit-only entry never posts, so it has no place in its channel's order to keep.
    engine only;
    only.add(kept(1, -1, "triage"));
    only.add(kept(2, -2, "triage", true));
    CHECK(sorted(only.ready()) == std::vector<std::int64_t>{1, 2});
}
