// The runner on a real SQLite store and a real event loop, with a deliverer that takes a little time
// per call and records what it was handed: every entry delivered once, each incident's in id order,
// never more drivers at once than the runner allows, and nothing left pending.
#include <doctest/doctest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "adapters/outbox/runner.hpp"
#include "adapters/store/group_commit.hpp"
#include "adapters/store/open_store.hpp"
#include "app/service.hpp"
#include "tests/core/support.hpp"
#include "tests/store/adapters.hpp"
#include "tests/store/temp_dir.hpp"

namespace {

namespace asio = boost::asio;
namespace outbox = warroom::outbox;
using namespace std::chrono_literals;
using warroom::core::test::t0;

class slow_world final : public outbox::deliverer {
public:
    explicit slow_world(asio::any_io_executor ex) : ex_(ex) {}
    outbox::task<outbox::attempt> deliver(warroom::app::outbox_entry const& entry, bool in_doubt) override {
        if (in_doubt) ++reconciled;
        ++now_;
        max_ = std::max(max_, now_);
        asio::steady_timer pause{ex_, 1ms};
        co_await pause.async_wait(asio::use_awaitable);
        --now_;
        by_lane[entry.lane].push_back(entry.id);
        ++delivered;
        co_return outbox::attempt{};
    }
    int max_at_once() const { return max_; }
    std::map<int, std::vector<std::int64_t>> by_lane;
    std::size_t delivered = 0;
    std::size_t reconciled = 0;  // deliveries told an earlier try may have reached the world

private:
    asio::any_io_executor ex_;
    int now_ = 0;
    int max_ = 0;
};

// Runs `out` until `done` holds (looked at every 5 ms), then stops it; true once it has stopped.
bool run_until(asio::io_context& ioc, outbox::runner& out, std::function<bool()> const& done) {
    asio::cancellation_signal stop;
    bool stopped = false;
    asio::co_spawn(ioc, out.run(), asio::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr e) {
                       if (e) std::rethrow_exception(e);
                       stopped = true;
                   }));
    asio::steady_timer check{ioc};
    std::function<void()> watch = [&] {
        if (done()) return stop.emit(asio::cancellation_type::terminal);
        check.expires_after(5ms);
        check.async_wait([&](boost::system::error_code) { watch(); });
    };
    watch();
    ioc.run_for(60s);
    return stopped;
}

}  // namespace

TEST_CASE("the runner delivers every entry once, in order per incident, with a bounded number at once") {
    warroom::store::test::temp_dir dir;
    auto store = warroom::store::open_store("sqlite://" + (dir / "w.db").string());
    warroom::app::service svc{*store, warroom::core::policy::defaults(), "/incident", true,
                              warroom::app::user_limits{{}, {}, {}}};
    constexpr int incidents = 60;
    for (int k = 1; k <= incidents; ++k) {
        auto const declarer = "U" + std::to_string(100 + k);
        REQUIRE(svc.handle({declarer, "incidents", t0}, "declare P2 Search is slow " + std::to_string(k)).changed);
    }
    auto const owed = store->pending(0, 100'000).size();
    REQUIRE(owed >= incidents * 4);

    asio::io_context ioc;
    slow_world world{ioc.get_executor()};
    outbox::runner_settings s{"test-host:1:abc"};
    s.max_in_flight = 8;
    outbox::runner out{ioc.get_executor(), *store, world, spdlog::null_logger_mt("runner-test"), s};
    REQUIRE(run_until(ioc, out, [&] { return world.delivered >= owed; }));
    CHECK(world.delivered == owed);
    CHECK(world.max_at_once() <= 8);
    CHECK(world.max_at_once() >= 2);  // incidents do go side by side
    CHECK(world.by_lane.size() == incidents);
    for (auto const& [lane, ids] : world.by_lane) {
        auto const lane_key = lane;  // CAPTURE's lambda cannot capture a structured binding (clang 14)
        CAPTURE(lane_key);
        CHECK(std::is_sorted(ids.begin(), ids.end()));
    }
    CHECK(store->pending(0, 10).empty());
}

// The first three tries of every entry of lanes 1 and 2 find no free slot at the receiver.
class busy_receiver final : public outbox::deliverer {
public:
    explicit busy_receiver(asio::any_io_executor ex) : ex_(ex) {}
    outbox::task<outbox::attempt> deliver(warroom::app::outbox_entry const& entry, bool) override {
        if (entry.lane <= 2 && ++tries_[entry.id] <= 3) {
            co_return outbox::attempt{outbox::verdict::not_yet, "no slot", false, {}, 200ms};
        }
        ++now_;
        max_ = std::max(max_, now_);
        asio::steady_timer pause{ex_, 1ms};
        co_await pause.async_wait(asio::use_awaitable);
        --now_;
        order.push_back(entry.lane);
        co_return outbox::attempt{};
    }
    int max_at_once() const { return max_; }
    std::vector<int> order;  // the lane of each entry delivered, as delivered

private:
    asio::any_io_executor ex_;
    std::map<std::int64_t, int> tries_;
    int now_ = 0;
    int max_ = 0;
};

TEST_CASE("an entry waiting for the receiver's slot leaves its place in flight to others meanwhile") {
    warroom::store::test::temp_dir dir;
    auto store = warroom::store::open_store("sqlite://" + (dir / "w.db").string());
    warroom::app::service svc{*store, warroom::core::policy::defaults(), "/incident", true,
                              warroom::app::user_limits{{}, {}, {}}};
    for (int k = 1; k <= 6; ++k) {
        REQUIRE(svc.handle({"U100", "incidents", t0}, "declare P2 Search is slow " + std::to_string(k)).changed);
    }
    auto const owed = store->pending(0, 100'000).size();

    asio::io_context ioc;
    busy_receiver world{ioc.get_executor()};
    outbox::runner_settings s{"test-host:1:abc"};
    s.max_in_flight = 2;
    outbox::runner out{ioc.get_executor(), *store, world, spdlog::null_logger_mt("runner-slot-test"), s};
    REQUIRE(run_until(ioc, out, [&] { return world.order.size() >= owed; }));
    CHECK(world.order.size() == owed);
    CHECK(world.max_at_once() <= 2);
    // Lanes 3 to 6 went while the first two waited 600 ms for their first delivery.
    auto const first_waiting = std::ranges::find_if(world.order, [](int lane) { return lane <= 2; });
    CHECK(std::count_if(world.order.begin(), first_waiting, [](int lane) { return lane > 2; }) >= 4);
    CHECK(store->pending(0, 10).empty());
}

// Each call holds the loop 40 ms, as steps do on a machine short of CPU, where a frame read then
// waits behind every step queued.
class hogging_world final : public outbox::deliverer {
public:
    explicit hogging_world(asio::any_io_executor ex) : ex_(ex) {}
    outbox::task<outbox::attempt> deliver(warroom::app::outbox_entry const&, bool) override {
        at_start.push_back(++now_);
        std::this_thread::sleep_for(40ms);
        asio::steady_timer pause{ex_, 1ms};
        co_await pause.async_wait(asio::use_awaitable);
        --now_;
        co_return outbox::attempt{};
    }
    std::vector<int> at_start;  // deliveries under way as each began, itself included

private:
    asio::any_io_executor ex_;
    int now_ = 0;
};

TEST_CASE("while the loop runs late, fewer deliveries drive at once, so frames are read and acked first") {
    warroom::store::test::temp_dir dir;
    auto store = warroom::store::open_store("sqlite://" + (dir / "w.db").string());
    warroom::app::service svc{*store, warroom::core::policy::defaults(), "/incident", true,
                              warroom::app::user_limits{{}, {}, {}}};
    for (int k = 1; k <= 8; ++k) {
        REQUIRE(svc.handle({"U100", "incidents", t0}, "declare P2 Search is slow " + std::to_string(k)).changed);
    }
    auto const owed = store->pending(0, 100'000).size();
    REQUIRE(owed >= 24);

    asio::io_context ioc;
    hogging_world world{ioc.get_executor()};
    outbox::runner_settings s{"test-host:1:abc"};
    s.max_in_flight = 8;
    s.min_in_flight = 1;
    s.loop_lag_limit = 25ms;  // each call is 40 ms late at least
    outbox::runner out{ioc.get_executor(), *store, world, spdlog::null_logger_mt("runner-lag-test"), s};
    bool lagged = false;
    REQUIRE(run_until(ioc, out, [&] {
        lagged = lagged || out.places() < 8;
        return world.at_start.size() >= owed;
    }));
    CHECK(lagged);
    // Eight at once until the loop is seen late, then half as many each 100 ms down to one; an on-time
    // look may let a second in, until the next late one.
    REQUIRE(world.at_start.size() == owed);
    CHECK(*std::max_element(world.at_start.begin(), world.at_start.begin() + 8) == 8);
    CHECK(*std::max_element(world.at_start.end() - 12, world.at_start.end()) <= 2);
}

// Its first read of the store fails, as while a database restarts.
class store_away final : public outbox::deliverer {
public:
    outbox::task<outbox::attempt> deliver(warroom::app::outbox_entry const& entry, bool in_doubt) override {
        if (tries_[entry.id]++ == 0) throw warroom::app::store_error("read delivery fact failed: server closed the connection");
        if (in_doubt) ++reconciled;
        ++delivered;
        co_return outbox::attempt{};
    }
    std::size_t delivered = 0;
    std::size_t reconciled = 0;

private:
    std::map<std::int64_t, int> tries_;
};

TEST_CASE("a store failure inside a delivery is retried, reconciled first, never left undriven") {
    warroom::store::test::temp_dir dir;
    auto store = warroom::store::open_store("sqlite://" + (dir / "w.db").string());
    warroom::app::service svc{*store, warroom::core::policy::defaults(), "/incident", true,
                              warroom::app::user_limits{{}, {}, {}}};
    REQUIRE(svc.handle({"U100", "incidents", t0}, "declare P2 Search is slow").changed);
    auto const owed = store->pending(0, 100'000).size();

    asio::io_context ioc;
    store_away world;
    outbox::runner out{ioc.get_executor(), *store, world, spdlog::null_logger_mt("runner-store-away-test"),
                       outbox::runner_settings{"test-host:1:abc"}};
    REQUIRE(run_until(ioc, out, [&] { return world.delivered >= owed; }));
    CHECK(world.delivered == owed);
    CHECK(world.reconciled == owed);
    CHECK(store->pending(0, 10).empty());
}

TEST_CASE("over group commit each entry is leased once, as it is read, and recorded once") {
    warroom::store::test::temp_dir dir;
    auto const file = "sqlite://" + (dir / "w.db").string();
    constexpr int incidents = 20;
    std::size_t owed = 0;
    {
        auto seed = warroom::store::open_store(file);
        warroom::app::service svc{*seed, warroom::core::policy::defaults(), "/incident", true,
                                  warroom::app::user_limits{{}, {}, {}}};
        for (int k = 1; k <= incidents; ++k) {
            REQUIRE(svc.handle({"U100", "incidents", t0}, "declare P2 Search is slow " + std::to_string(k)).changed);
        }
        owed = seed->pending(0, 100'000).size();
    }
    asio::io_context ioc;
    auto store = warroom::store::open_store(file, warroom::store::open_mode::existing,
                                            [&ioc](std::function<void()> fn) { asio::post(ioc, std::move(fn)); });
    auto& writer = dynamic_cast<warroom::store::group_commit&>(*store);
    slow_world world{ioc.get_executor()};
    outbox::runner_settings s{"test-host:1:abc"};
    s.lease = 60s;  // its heartbeat (every 20 s) stays out of the count
    outbox::runner out{ioc.get_executor(), *store, world, spdlog::null_logger_mt("runner-group-test"), s};
    REQUIRE(run_until(ioc, out, [&] { return world.delivered >= owed && store->pending(0, 1).empty(); }));
    CHECK(world.delivered == owed);
    // A lease and a result per entry, the runner's owner fact and its release at the stop: a second
    // lease for an entry whose early one was still on its way would show here.
    CHECK(writer.written().writes == 2 * owed + 2);
}

TEST_CASE("entries born leased to the runner go without a lease write, another's are taken over once it lapses") {
    warroom::store::test::temp_dir dir;
    for (auto const& a : warroom::store::test::adapters(dir)) {
        CAPTURE(a.name);
        std::string const owner = "test-host:1:abc";
        constexpr int ours = 10;
        std::size_t owed_ours = 0;
        std::size_t owed_theirs = 0;
        {
            auto seed = warroom::store::open_store(a.url);
            warroom::app::service svc{*seed, warroom::core::policy::defaults(), "/incident", true,
                                      warroom::app::user_limits{{}, {}, {}}};
            // A process that died right after deciding: its entries' leases lapse in two seconds, so
            // the runner watches them first (on PostgreSQL without reading them) and then takes them over.
            svc.lease_outbox_to({"test-host:2:dead", 2s});
            REQUIRE(svc.handle({"U100", "incidents", t0}, "declare P2 Search is slow").changed);
            owed_theirs = seed->pending(0, 100'000).size();
            svc.lease_outbox_to({owner, 60s});
            for (int k = 1; k <= ours; ++k) {
                REQUIRE(svc.handle({"U100", "incidents", t0}, "declare P2 Search is slow " + std::to_string(k)).changed);
            }
            owed_ours = seed->pending(0, 100'000).size() - owed_theirs;
        }
        asio::io_context ioc;
        auto store = warroom::store::open_store(a.url, warroom::store::open_mode::existing,
                                                [&ioc](std::function<void()> fn) { asio::post(ioc, std::move(fn)); });
        auto& writer = dynamic_cast<warroom::store::group_commit&>(*store);
        slow_world world{ioc.get_executor()};
        outbox::runner_settings s{owner};
        s.lease = 60s;  // its heartbeat (every 20 s) stays out of the count
        outbox::runner out{ioc.get_executor(), *store, world, spdlog::null_logger_mt("runner-born-test-" + a.name), s};
        auto const owed = owed_ours + owed_theirs;
        REQUIRE(run_until(ioc, out, [&] { return world.delivered >= owed && store->pending(0, 1).empty(); }));
        CHECK(world.delivered == owed);
        // Only the dead process's entries may have reached the world before: those are reconciled.
        CHECK(world.reconciled == owed_theirs);
        // A result per entry and one lease for each of the dead process's, taken once its lease lapsed
        // (watched till then, not asked for), the owner fact and the release: none for the entries born ours.
        CHECK(writer.written().writes == owed + owed_theirs + 2);
    }
}

namespace {

// Refuses every delivery as transient while `down`, as Slack does during an outage.
class flaky_world final : public outbox::deliverer {
public:
    outbox::task<outbox::attempt> deliver(warroom::app::outbox_entry const&, bool) override {
        if (down) co_return outbox::attempt{outbox::verdict::retry, "Slack is down"};
        ++delivered;
        co_return outbox::attempt{};
    }
    bool down = true;
    std::size_t delivered = 0;
};

}  // namespace

TEST_CASE("the runner tells since when the head of a queue waits, and nothing once all are delivered") {
    warroom::store::test::temp_dir dir;
    auto store = warroom::store::open_store("sqlite://" + (dir / "w.db").string());
    warroom::app::service svc{*store, warroom::core::policy::defaults(), "/incident", true,
                              warroom::app::user_limits{{}, {}, {}}};
    REQUIRE(svc.handle({"U101", "incidents", t0}, "declare P2 Search is slow").changed);
    auto const owed = store->pending(0, 100).size();

    asio::io_context ioc;
    flaky_world world;
    outbox::runner out{ioc.get_executor(), *store, world, spdlog::null_logger_mt("runner-age-test"),
                       outbox::runner_settings{"test-host:1:abc"}};
    CHECK_FALSE(out.oldest_since());
    std::optional<std::chrono::steady_clock::time_point> first;
    REQUIRE(run_until(ioc, out, [&] {
        if (!world.down) return world.delivered >= owed && !out.oldest_since();
        if (auto const since = out.oldest_since()) {
            if (!first) first = since;
            CHECK(*since == *first);  // the same oldest entry while nothing moves
            if (std::chrono::steady_clock::now() - *first > 100ms) world.down = false;
        }
        return false;
    }));
    REQUIRE(first);
    CHECK(world.delivered == owed);
    CHECK_FALSE(out.oldest_since());
}

namespace {

// One call that takes longer than a lease, as a Slack call waiting out a slow answer does.
class slow_call final : public outbox::deliverer {
public:
    explicit slow_call(asio::any_io_executor ex) : ex_(ex) {}
    outbox::task<outbox::attempt> deliver(warroom::app::outbox_entry const&, bool) override {
        asio::steady_timer pause{ex_, 2500ms};
        co_await pause.async_wait(asio::use_awaitable);
        ++delivered;
        co_return outbox::attempt{};
    }
    std::size_t delivered = 0;

private:
    asio::any_io_executor ex_;
};

}  // namespace

TEST_CASE("a live runner's heartbeat keeps its leases through a call longer than a lease") {
    warroom::store::test::temp_dir dir;
    auto const file = "sqlite://" + (dir / "w.db").string();
    {
        auto seed = warroom::store::open_store(file);
        REQUIRE(seed->append({{}, {}, {}, {{1, warroom::core::post{"incidents", {}}}}}) ==
                warroom::app::append_result::written);
    }
    asio::io_context ioc;
    auto store = warroom::store::open_store(file, warroom::store::open_mode::existing,
                                            [&ioc](std::function<void()> fn) { asio::post(ioc, std::move(fn)); });
    slow_call world{ioc.get_executor()};
    outbox::runner_settings s{"test-host:1:abc"};
    s.lease = 1s;
    outbox::runner out{ioc.get_executor(), *store, world, spdlog::null_logger_mt("runner-heartbeat-test"), s};
    // Past the first lease and deep into a second, the entry is still held by the runner.
    std::vector<bool> held_then;
    asio::steady_timer look{ioc};
    std::function<void(int)> look_at = [&](int k) {
        look.expires_after(k == 0 ? 1500ms : 800ms);
        look.async_wait([&, k](boost::system::error_code) {
            auto const leases = store->leases_between(1, 1);
            auto const now = std::chrono::floor<warroom::core::milliseconds>(std::chrono::system_clock::now());
            held_then.push_back(leases.size() == 1 && leases[0].owner == "test-host:1:abc" && leases[0].until > now);
            if (k == 0) look_at(1);
        });
    };
    look_at(0);
    REQUIRE(run_until(ioc, out, [&] { return world.delivered == 1 && held_then.size() == 2; }));
    CHECK(held_then == std::vector<bool>{true, true});
}
