#include "adapters/outbox/runner.hpp"

#include <signal.h>

#include <algorithm>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <cerrno>
#include <limits>

namespace warroom::outbox {
namespace {

namespace asio = boost::asio;
using coro::tuple_awaitable;

constexpr std::size_t fetch_batch = 256;
constexpr millis drain_poll{20};
// After a stop, how long deliveries in flight may take to finish the call they are making.
constexpr auto drain_limit = std::chrono::seconds{3};

core::timestamp wall_now() { return std::chrono::floor<core::milliseconds>(std::chrono::system_clock::now()); }

// A delivery step that did not reach the disk, in words; nothing when it did.
std::optional<std::string> step_failed(std::optional<app::write_result> const& r) {
    if (!r) return "the store did not commit within " + std::to_string(app::commit_deadline.count()) + " s";
    return r->failure;
}

}  // namespace

task<std::optional<app::write_result>> durably(asio::any_io_executor ex, app::event_store& store, app::write_op op,
                                               std::chrono::milliseconds deadline) {
    auto result = std::make_shared<std::optional<app::write_result>>();
    co_await coro::called_back(ex, deadline, [&](std::function<void()> done) {
        store.submit(std::move(op), [result, done = std::move(done)](app::write_result r) {
            *result = std::move(r);
            done();
        });
    });
    co_return std::move(*result);
}

runner::runner(asio::any_io_executor ex, app::event_store& store, deliverer& to, std::shared_ptr<spdlog::logger> log,
               runner_settings s)
    : ex_(ex),
      store_(store),
      to_(to),
      log_(std::move(log)),
      settings_(std::move(s)),
      engine_(settings_.engine),
      wake_(std::make_unique<asio::steady_timer>(ex)) {
    heartbeat_->renewed = wall_now();  // no lease of this process is older
    places_ = settings_.max_in_flight;
}

void runner::wake() {
    woken_ = true;
    wake_->cancel();
}

task<void> runner::fetch() {
    for (;;) {
        auto const wall = wall_now();
        // Read off the loop where the store can: a database server's answer can take a while.
        struct read {
            std::vector<app::outbox_entry> entries;
            std::optional<std::string> failure;
        };
        auto got = std::make_shared<read>();
        bool const answered = co_await coro::called_back(ex_, app::commit_deadline, [&](std::function<void()> done) {
            store_.read_later(
                [got, owner = settings_.owner, wall, after = engine_.newest()](app::event_store& s) {
                    try {
                        got->entries = s.pending_for(owner, wall, after, fetch_batch);
                    } catch (app::store_error const& err) {
                        got->failure = err.what();
                    }
                },
                std::move(done));
        });
        if (!answered) {
            if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) co_return;
            throw app::store_error("the outbox was not read within " + std::to_string(app::commit_deadline.count()) +
                                   " s");
        }
        if (got->failure) throw app::store_error(*got->failure);
        auto& fresh = got->entries;
        auto const now = std::chrono::steady_clock::now();
        for (auto& e : fresh) {
            // Born leased to this process, which decided it: the attempt counted is the one to come.
            bool const born_ours = e.owner == settings_.owner && e.attempts == 1;
            if (born_ours) e.attempts = 0;
            // Another process decided it and is delivering it: watched (unread) until it is done or let go.
            bool const held = !born_ours && !e.owner.empty() && e.owner != settings_.owner && e.lease_until > wall;
            if (!engine_.add(e, held)) continue;
            read_at_.emplace_back(e.id, now);
            if (born_ours) {
                auto const el = std::make_shared<early_lease>();
                el->settled = el->granted = true;
                el->at = e.lease_until - settings_.lease;
                early_.emplace(e.id, el);
            } else if (!held) {
                lease_early(e.id);
            }
        }
        if (fresh.size() < fetch_batch) break;
    }
}

void runner::check_held() {
    auto const now = std::chrono::steady_clock::now();
    std::size_t taken = 0;
    // Every write of this process wakes the loop: the leases are read at most every lease_busy,
    // and all of them only every held_scan.
    if (auto const range = engine_.held(); range && now - held_scanned_ >= settings_.engine.held_scan) {
        held_scanned_ = held_checked_ = now;
        taken = engine_.watched(*range, store_.leases_between(range->first, range->second), wall_now());
    } else if (!engine_.blocking().empty() && now - held_checked_ >= settings_.engine.lease_busy) {
        held_checked_ = now;
        // Copied: a look may change the set.
        for (auto const id : std::vector<std::int64_t>(engine_.blocking().begin(), engine_.blocking().end())) {
            taken += engine_.watched({id, id}, store_.leases_between(id, id), wall_now());
        }
    }
    // Those taken over unread are read now, a batch of rows at a time (a dead replica leaves many);
    // one finished meanwhile leaves.
    std::vector<std::int64_t> const unread(engine_.unread().begin(), engine_.unread().end());
    for (std::size_t k = 0; k < unread.size();) {
        auto const rows = store_.pending(unread[k] - 1, fetch_batch);
        // What these rows say nothing of is read with the next batch.
        auto const through = rows.size() < fetch_batch ? std::numeric_limits<std::int64_t>::max() : rows.back().id;
        auto row = rows.begin();
        for (; k < unread.size() && unread[k] <= through; ++k) {
            while (row != rows.end() && row->id < unread[k]) ++row;
            if (row == rows.end() || row->id != unread[k]) {
                engine_.gone(unread[k]);
                continue;
            }
            engine_.read(*row);
            ++taken;
        }
    }
    if (taken > 0) log_->info("outbox: took over {} entries from another process (its leases lapsed or were let go)", taken);
    forget_finished();  // the ones their holder finished left the engine
}

void runner::renew_leases() {
    auto const now = wall_now();
    auto& h = *heartbeat_;
    if (engine_.queued() == 0 || h.sent != core::timestamp{} || now - h.renewed < settings_.lease / 3) return;
    h.sent = now;
    store_.submit(app::renew_deliveries{settings_.owner, now + settings_.lease}, [h = heartbeat_](app::write_result r) {
        if (!r.failure) h->renewed = h->sent;
        h->sent = {};
    });
}

void runner::lease_early(std::int64_t id) {
    auto const el = std::make_shared<early_lease>();
    el->at = wall_now();
    early_.emplace(id, el);
    store_.submit(app::lease_delivery{id, settings_.owner, el->at, settings_.lease}, [el](app::write_result r) {
        el->settled = true;
        el->granted = !r.failure && r.status == app::append_result::written;
        for (auto& wake : el->waiting) wake();
        el->waiting.clear();
    });
}

task<bool> runner::early_lease_holds(std::int64_t id) {
    auto const it = early_.find(id);
    if (it == early_.end()) co_return false;
    auto const el = it->second;
    early_.erase(it);
    if (!el->settled) {
        co_await coro::called_back(ex_, app::commit_deadline,
                                   [&](std::function<void()> done) { el->waiting.push_back(std::move(done)); });
    }
    // Half the lease left at least, for the call and a Retry-After wait; otherwise it is renewed.
    co_return el->settled && el->granted && (wall_now() - std::max(el->at, heartbeat_->renewed) < settings_.lease / 2);
}

void runner::measure(metrics::registry& r) {
    r.read("warroom_outbox_backlog", "Outbox entries read and not yet delivered (or given up).", metrics::kind::gauge,
           [this] { return static_cast<double>(engine_.queued()); });
    r.read("warroom_outbox_places", "Outbox entries delivered at once, at most: fewer while the event loop runs late.",
           metrics::kind::gauge, [this] { return static_cast<double>(places_); });
    r.read("warroom_outbox_oldest_entry_age_seconds",
           "Seconds since this process read the oldest outbox entry still to deliver (0: none).", metrics::kind::gauge,
           [this] {
               if (read_at_.empty()) return 0.0;
               return std::chrono::duration<double>(std::chrono::steady_clock::now() - read_at_.front().second).count();
           });
}

std::optional<std::chrono::steady_clock::time_point> runner::oldest_since() const {
    auto const oldest = std::ranges::min_element(turn_since_, {}, [](auto const& t) { return t.second; });
    if (oldest == turn_since_.end()) return std::nullopt;
    return oldest->second;
}

void runner::start_ready() {
    if (stopping_) return;
    for (auto const id : engine_.ready()) {
        turn_come_.insert(id);
        turn_since_.emplace(id, std::chrono::steady_clock::now());
    }
    give_places();
}

task<void> runner::watch_loop() {
    constexpr millis every{10};
    asio::steady_timer timer{ex_};
    while (!placed_.empty() && !stopping_) {
        auto const due = std::chrono::steady_clock::now() + every;
        timer.expires_at(due);
        co_await timer.async_wait(tuple_awaitable);
        auto const now = std::chrono::steady_clock::now();
        // A halving shows in the loop only once the drivers placed before it finish their step.
        if (now - changed_at_ < settings_.lag_step) continue;
        if (now - due > settings_.loop_lag_limit && places_ > settings_.min_in_flight) {
            auto const level = places_ == settings_.max_in_flight ? spdlog::level::info : spdlog::level::debug;
            places_ = std::max(settings_.min_in_flight, places_ / 2);
            changed_at_ = now;
            log_->log(level, "outbox: the loop runs {} ms late; {} deliveries at once",
                      std::chrono::duration_cast<millis>(now - due).count(), places_);
        } else if (now - due <= settings_.loop_lag_limit && places_ < settings_.max_in_flight) {
            ++places_;
            changed_at_ = now;
            if (places_ == settings_.max_in_flight) log_->info("outbox: the loop keeps time; {} deliveries at once", places_);
            give_places();
        }
    }
    watching_ = false;
}

void runner::place(std::int64_t id) {
    placed_.insert(id);
    if (!watching_ && !stopping_) {
        watching_ = true;
        asio::co_spawn(ex_, watch_loop(), asio::detached);
    }
}

void runner::give_places() {
    // Drivers back from a wait go first: their entries have had their turn longest.
    while (!want_place_.empty() && placed_.size() < places()) {
        auto const [id, timer] = want_place_.front();
        want_place_.pop_front();
        place(id);
        timer->cancel();
    }
    while (!turn_come_.empty() && placed_.size() < places()) {
        auto const id = *turn_come_.begin();
        turn_come_.erase(turn_come_.begin());
        auto stop = std::make_shared<asio::cancellation_signal>();
        driving_.emplace(id, stop);
        place(id);
        asio::co_spawn(ex_, drive(id), asio::bind_cancellation_slot(stop->slot(), [this, id](std::exception_ptr e) {
                           if (e) {
                               try {
                                   std::rethrow_exception(e);
                               } catch (boost::system::system_error const& err) {
                                   if (err.code() != asio::error::operation_aborted) {
                                       log_->error("outbox entry {}: {}", id, err.what());
                                   }
                               } catch (std::exception const& err) {
                                   log_->error("outbox entry {}: {}", id, err.what());
                               }
                           }
                           driving_.erase(id);
                           placed_.erase(id);
                           waiting_.erase(id);
                           // Its lane or its channel may hold the next entry.
                           start_ready();
                       }));
    }
}

task<void> runner::drive(std::int64_t id) {
    asio::steady_timer timer{ex_};
    auto next = engine_.start(id);
    while (!std::holds_alternative<done>(next) && !std::holds_alternative<watch>(next)) {
        auto const n = co_await carry_out(id, next, timer);
        // Stopping: the entry stays in the store, leased to nobody once the leases are released.
        if (stopping_ && std::holds_alternative<waited>(n)) co_return;
        next = engine_.resume(id, n, std::uniform_real_distribution<double>{0, 1}(random_));
        // Delivered: the next of its lane or target may start. Spawned drivers begin only after a
        // post, so this one submits its record (and the facts the next reads back) first.
        if (std::holds_alternative<finish>(next)) start_ready();
    }
    turn_since_.erase(id);
    forget_finished();
}

void runner::forget_finished() {
    while (!read_at_.empty() && !engine_.holds(read_at_.front().first)) read_at_.pop_front();
}

task<news> runner::carry_out(std::int64_t id, action const& a, asio::steady_timer& timer) {
    auto const& e = engine_.entry(id);
    if (std::holds_alternative<lease>(a)) {
        bool const early = co_await early_lease_holds(id);
        if (early) co_return leased{true, true};
        // Named, not a temporary in the co_await expression: GCC 12 frees such temporaries twice.
        app::write_op take{app::lease_delivery{id, settings_.owner, wall_now(), settings_.lease}};
        auto const r = co_await durably(ex_, store_, std::move(take));
        if (auto const why = step_failed(r)) {
            log_->error("outbox entry {} (incident {}): store: {}", id, e.lane, *why);
            co_return store_failed{*why};
        }
        if (r->status == app::append_result::written) co_return leased{true, true};
        try {
            auto const still = store_.pending(id - 1, 1);
            co_return leased{false, !still.empty() && still.front().id == id};
        } catch (app::store_error const& err) {
            log_->error("outbox entry {} (incident {}): store: {}", id, e.lane, err.what());
            co_return store_failed{err.what()};
        }
    }
    if (auto const* d = std::get_if<deliver>(&a)) {
        std::optional<std::string> store_down;
        try {
            // Awaited on its own line: GCC 12 miscompiles co_await inside a braced initializer.
            auto result = co_await to_.deliver(e, d->in_doubt);
            co_return attempted{std::move(result)};
        } catch (app::store_error const& err) {
            store_down = err.what();
        }
        // A deliverer reads its facts from the store (a restarting database): tried again later,
        // reconciled first, as its calls may have reached the world before the read failed.
        log_->error("outbox entry {} (incident {}): store: {}", id, e.lane, *store_down);
        co_return attempted{attempt{verdict::retry, "store: " + *store_down, true}};
    }
    if (auto const* w = std::get_if<wait>(&a)) {
        if (w->failed) {
            log_->warn("outbox entry {} (incident {}): {}; retrying in {} ms", id, e.lane, w->why, w->delay.count());
        } else {
            log_->debug("outbox entry {} (incident {}): {}; again in {} ms", id, e.lane, w->why, w->delay.count());
        }
        if (stopping_) co_return waited{};
        // Its place goes to the next entry meanwhile: 120 war rooms waiting minutes for Slack's
        // conversations.create slots held every place and stopped every other channel's posts.
        placed_.erase(id);
        waiting_.insert(id);
        give_places();
        timer.expires_after(w->delay);
        co_await timer.async_wait(tuple_awaitable);
        if (!stopping_) {
            if (want_place_.empty() && placed_.size() < places()) {
                place(id);
            } else {
                // Bounded by the deliveries in flight, each of which has its deadlines; a stop wakes it too.
                want_place_.emplace_back(id, &timer);
                timer.expires_at(std::chrono::steady_clock::time_point::max());
                co_await timer.async_wait(tuple_awaitable);
                // Woken by a stop, not by a place given.
                if (!placed_.contains(id)) std::erase_if(want_place_, [id](auto const& w) { return w.first == id; });
            }
        }
        waiting_.erase(id);
        co_return waited{};
    }
    auto const& f = std::get<finish>(a);
    if (f.result.starts_with("failed"))
        log_->error("outbox entry {} (incident {}): given up: {}", id, e.lane, f.result);
    app::write_op record{app::finish_delivery{id, f.result, f.learned}};
    auto const r = co_await durably(ex_, store_, std::move(record));
    if (auto const why = step_failed(r)) {
        log_->error("outbox entry {} (incident {}): store: {}", id, e.lane, *why);
        co_return store_failed{*why};
    }
    co_return finished{};
}

void runner::take_over_from_dead_predecessor() {
    auto const host = settings_.owner.substr(0, settings_.owner.find(':'));
    auto const key = "outbox-owner:" + host;
    if (auto const previous = store_.fact(key); previous && *previous != settings_.owner) {
        auto const from = previous->find(':');
        auto const to = previous->find(':', from + 1);
        auto const pid = from == std::string::npos ? 0 : std::atoi(previous->substr(from + 1, to - from - 1).c_str());
        if (pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH) {
            store_.release(*previous);
            log_->info("outbox: took over the deliveries of {} (no longer running)", *previous);
        }
    }
    store_.put_fact(key, settings_.owner);
}

task<void> runner::run() {
    try {
        take_over_from_dead_predecessor();
    } catch (app::store_error const& err) {
        log_->warn("outbox: {}", err.what());
    }
    for (;;) {
        woken_ = false;  // this look sees what the wakes so far were for
        try {
            co_await fetch();
            check_held();
            renew_leases();
        } catch (app::store_error const& err) {
            log_->error("outbox: cannot read the store: {}", err.what());
        }
        start_ready();
        // Entries another replica holds are looked at often while one of ours waits behind one, and
        // now and then otherwise; while any are ours, the heartbeat keeps their leases.
        auto next = settings_.poll;
        if (engine_.held()) next = std::min(next, settings_.engine.held_scan);
        if (!engine_.blocking().empty()) next = std::min(next, settings_.engine.lease_busy);
        if (engine_.queued() > 0) next = std::min<millis>(next, settings_.lease / 3);
        // Woken while it looked (the read is awaited): it looks again at once.
        if (!woken_) {
            wake_->expires_after(next);
            co_await wake_->async_wait(tuple_awaitable);
        }
        if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) break;
    }
    co_await asio::this_coro::reset_cancellation_state();
    stopping_ = true;
    // Deliveries waiting to retry stop now; one making a call may finish it (bounded), then the rest stop.
    for (auto const id : waiting_) driving_.at(id)->emit(asio::cancellation_type::terminal);
    asio::steady_timer poll{ex_};
    auto const until = std::chrono::steady_clock::now() + drain_limit;
    while (!driving_.empty() && std::chrono::steady_clock::now() < until) {
        poll.expires_after(drain_poll);
        co_await poll.async_wait(tuple_awaitable);
    }
    for (auto& [id, stop] : driving_) stop->emit(asio::cancellation_type::terminal);
    // The loop's watcher too: it ends at its next look, and must not outlive this runner.
    while (!driving_.empty() || watching_) {
        poll.expires_after(drain_poll);
        co_await poll.async_wait(tuple_awaitable);
    }
    try {
        store_.release(settings_.owner);
    } catch (app::store_error const& err) {
        log_->warn("outbox: could not release delivery leases: {}", err.what());
    }
    log_->info("outbox: stopped with {} entries still to deliver", in_flight());
}

}  // namespace warroom::outbox
