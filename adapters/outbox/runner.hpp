// Runs the delivery engine on the event loop: reads new outbox entries from the store, and for each
// entry whose turn has come carries out the engine's actions (lease and record in the store, each
// step waiting for its commit without holding the loop; deliver
// through the deliverer, wait on a timer) until the entry is done. Deliverers (Slack, paging) plug in
// through the interface below and answer with values; they never see the engine.
#pragma once

#include <spdlog/logger.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "adapters/boost/coro.hpp"
#include "adapters/metrics/metrics.hpp"
#include "adapters/outbox/engine.hpp"

namespace warroom::outbox {

using coro::task;

class deliverer {
public:
    virtual ~deliverer() = default;
    // One try at what `entry` owes the world. `in_doubt`: an earlier try may have reached it, so find
    // what it left (a post, a channel) before doing it again.
    virtual task<attempt> deliver(app::outbox_entry const& entry, bool in_doubt) = 0;
};

// Submits `op` and waits until the store has it on disk, refused it or failed; nothing past `deadline`.
task<std::optional<app::write_result>> durably(boost::asio::any_io_executor ex, app::event_store& store,
                                               app::write_op op,
                                               std::chrono::milliseconds deadline = app::commit_deadline);

struct runner_settings {
    std::string owner;  // this process, for delivery leases between replicas: "<host>:<pid>:<random>"
    // Renewed by a heartbeat every third of it while this process holds any, so only a process
    // that stopped loses its entries: to the others within one lease. A clean stop releases them at once.
    std::chrono::seconds lease{6};
    millis poll{1000};  // how often to look for entries another replica wrote
    // Entries driven at once. Their steps share the loop with the websocket's reader: with 64
    // commands in flight, 128 drivers held acks to 1,342 a second, 32 let 2,384 through.
    std::size_t max_in_flight = 32;
    // Acks before deliveries: each time the loop runs a timer later than `loop_lag_limit` (the
    // machine is short of CPU, and a frame read waits behind every step queued), half as many drive
    // at once, down to `min_in_flight`; each `lag_step` the loop keeps time, one more. A survivor of
    // fail-over with 32 drivers on a starved machine read its frames 2.5 s late and missed Slack's
    // 3-s deadline for every command. At 25 ms, three replicas on PostgreSQL sharing 2 cores were
    // held back for nothing: war-room posts came 6 s late instead of 1 s, acks no sooner.
    std::size_t min_in_flight = 2;
    millis loop_lag_limit{100};
    millis lag_step{100};
    settings engine = {};
};

class runner {
public:
    runner(boost::asio::any_io_executor ex, app::event_store& store, deliverer& to, std::shared_ptr<spdlog::logger> log,
           runner_settings s);

    // New entries were written: look now instead of at the next poll.
    void wake();
    // Runs until cancelled; then lets deliveries in flight finish their current call, bounded.
    task<void> run();
    std::size_t in_flight() const { return engine_.queued(); }
    // Since when the entry that got its turn (first of its incident and of its target) longest ago
    // waits to be finished; nothing when none does. An outbox that stops moving shows here, a long
    // queue behind a moving head does not.
    std::optional<std::chrono::steady_clock::time_point> oldest_since() const;
    // Registers in `r` the entries to deliver, how long ago this process read the oldest of them, and
    // how many may drive at once.
    void measure(metrics::registry& r);
    // Entries driven at once, at most: fewer than max_in_flight while the loop has run late.
    std::size_t places() const { return places_; }

private:
    task<void> drive(std::int64_t id);
    task<news> carry_out(std::int64_t id, action const& a, boost::asio::steady_timer& timer);
    task<void> fetch();
    // Asks the store about the entries other processes hold (those ours wait behind more often than
    // the rest): finished ones leave, lapsed ones are taken over.
    void check_held();
    void lease_early(std::int64_t id);
    // True when the early lease of `id` was granted recently enough to deliver on; it is used once.
    task<bool> early_lease_holds(std::int64_t id);
    void start_ready();
    // Every third of a lease while entries are ours: all our leases run one more lease from now.
    void renew_leases();
    // Leases of an earlier process on this host that is gone (killed) need not be waited out.
    void take_over_from_dead_predecessor();

    boost::asio::any_io_executor ex_;
    app::event_store& store_;
    deliverer& to_;
    std::shared_ptr<spdlog::logger> log_;
    runner_settings settings_;
    engine engine_;
    std::unique_ptr<boost::asio::steady_timer> wake_;
    bool woken_ = false;  // wake() was called since the last look began
    std::minstd_rand random_{std::random_device{}()};
    std::map<std::int64_t, std::shared_ptr<boost::asio::cancellation_signal>> driving_;
    std::set<std::int64_t> waiting_;      // driven entries waiting on a timer, or for a place after it
    // Ready, not yet driven: waiting for a free place, the oldest entry first. A channel's posts go one
    // at a time, each ready only once the one before is out; taken in the order they became ready,
    // each would wait behind every entry that became ready meanwhile.
    std::set<std::int64_t> turn_come_;
    // Drivers holding one of the places (at most places_): not those waiting on a timer, which take no
    // work from the loop.
    std::set<std::int64_t> placed_;
    // Drivers whose wait is over, waiting for a place, first come first served; each is woken by
    // cancelling its timer.
    std::deque<std::pair<std::int64_t, boost::asio::steady_timer*>> want_place_;
    // Gives free places to drivers back from a wait first, then to entries whose turn has come.
    void give_places();
    // Gives `id` a place, and watches the loop while any is taken.
    void place(std::int64_t id);
    // While any place is taken: how late a timer on the loop fires, which sets places_.
    task<void> watch_loop();
    bool watching_ = false;
    std::size_t places_ = 0;                              // drivers allowed at once, now
    std::chrono::steady_clock::time_point changed_at_{};  // when places_ last changed
    // The lease an entry was born with (written by this process), or one taken when the entry was
    // read, before its turn: no commit is then on the way from one delivery of a lane or channel to
    // the next.
    struct early_lease {
        bool settled = false;
        bool granted = false;
        core::timestamp at{};
        std::vector<std::function<void()>> waiting;
    };
    std::map<std::int64_t, std::shared_ptr<early_lease>> early_;
    struct heartbeat {
        core::timestamp sent{};     // the renewal on its way, if any
        core::timestamp renewed{};  // every lease held at this time runs a lease from it
    };
    // Shared with the store's completion, which may come after this runner is gone.
    std::shared_ptr<heartbeat> heartbeat_ = std::make_shared<heartbeat>();
    std::map<std::int64_t, std::chrono::steady_clock::time_point> turn_since_;  // its turn came, not yet finished
    // When each entry the engine holds was read, in id order (the order they are read in); entries
    // finished are dropped from the front, so the front is the oldest still to deliver.
    std::deque<std::pair<std::int64_t, std::chrono::steady_clock::time_point>> read_at_;
    void forget_finished();  // drops the front of read_at_ while its entries are gone
    std::chrono::steady_clock::time_point held_checked_{};  // when check_held() last read leases
    std::chrono::steady_clock::time_point held_scanned_{};  // when it last read all of them
    bool stopping_ = false;
};

}  // namespace warroom::outbox
