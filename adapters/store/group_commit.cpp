#include "adapters/store/group_commit.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace warroom::store {

group_commit::group_commit(std::unique_ptr<app::event_store> writer, std::unique_ptr<app::event_store> reader,
                           post_fn post, std::chrono::microseconds linger, std::size_t max_writes)
    : writer_(std::move(writer)),
      reader_(std::move(reader)),
      post_(std::move(post)),
      linger_(linger),
      max_writes_(std::max<std::size_t>(1, max_writes)),
      thread_([this] { writer_loop(); }) {}

group_commit::~group_commit() {
    feed_.reset();
    stop_background();
    {
        std::lock_guard lock{mutex_};
        stopping_ = true;
    }
    work_.notify_one();
    thread_.join();
}

void group_commit::read_in_background(std::unique_ptr<app::event_store> background) {
    stop_background();
    background_ = std::make_unique<background_reads>();
    background_->store = std::move(background);
    background_->thread = std::thread([b = background_.get(), this] {
        for (;;) {
            std::unique_lock lock{b->mutex};
            b->work.wait(lock, [&] { return b->stopping || !b->queue.empty(); });
            if (b->queue.empty()) return;
            auto [read, done] = std::move(b->queue.front());
            b->queue.pop_front();
            lock.unlock();
            read(*b->store);
            post_(std::move(done));
        }
    });
}

void group_commit::stop_background() {
    if (!background_) return;
    {
        std::lock_guard lock{background_->mutex};
        background_->stopping = true;
        background_->queue.clear();  // not read: their callers are going too
    }
    background_->work.notify_one();
    background_->thread.join();
    background_.reset();
}

void group_commit::read_later(std::function<void(app::event_store&)> read, std::function<void()> done) {
    if (!background_) {
        read(*reader_);
        done();
        return;
    }
    {
        std::lock_guard lock{background_->mutex};
        background_->queue.emplace_back(std::move(read), std::move(done));
    }
    background_->work.notify_one();
}

namespace {

constexpr std::size_t facts_kept = 16'384;

}  // namespace

std::optional<std::string> group_commit::fact(std::string const& key) {
    if (auto const it = unwritten_facts_.find(key); it != unwritten_facts_.end()) return it->second.first;
    if (auto const it = known_facts_.find(key); it != known_facts_.end()) return it->second;
    auto value = reader_->fact(key);
    remember_fact(key, value);
    return value;
}

void group_commit::remember_fact(std::string const& key, std::optional<std::string> value) {
    if (known_facts_.size() >= facts_kept) known_facts_.clear();
    known_facts_.insert_or_assign(key, std::move(value));
}

std::function<void(fact_news)> group_commit::news() {
    return [this](fact_news changed) {
        post_([this, changed = std::move(changed)] {
            if (changed.all) {
                known_facts_.clear();
            } else {
                for (auto const& key : changed.keys) known_facts_.erase(key);
            }
            if (others_wrote_) others_wrote_(changed.head_untold ? 0 : changed.head);
        });
    };
}

bool group_commit::on_others_wrote(std::function<void(std::int64_t)> fn) {
    if (!feed_) return false;
    others_wrote_ = std::move(fn);
    return true;
}

void group_commit::settle_facts(app::write_op const& op, bool written) {
    app::for_each_fact(op, [&](std::string const& key, std::string const&, bool first_wins) {
        known_facts_.erase(key);
        // A first-wins fact may not be the value submitted: it is read back once written.
        if (first_wins) return;
        auto const it = unwritten_facts_.find(key);
        // The newest value submitted is the last written: it stays until every write of the key is done.
        if (it == unwritten_facts_.end() || --it->second.second > 0) return;
        if (written) remember_fact(key, it->second.first);
        unwritten_facts_.erase(it);
    });
}

std::vector<app::write_result> group_commit::write(std::vector<app::write_op> const& ops) {
    if (ops.empty()) return {};
    auto call = std::make_shared<waiting_call>();
    call->results.resize(ops.size());
    call->remaining = ops.size();
    {
        std::lock_guard lock{mutex_};
        for (std::size_t k = 0; k < ops.size(); ++k) queue_.push_back({ops[k], {}, call, k});
    }
    // Waited for: no lingering on its account.
    work_.notify_one();
    std::unique_lock lock{mutex_};
    synced_.wait(lock, [&] { return call->remaining == 0; });
    for (auto const& op : ops) {
        app::for_each_fact(op, [this](std::string const& key, std::string const&, bool) { known_facts_.erase(key); });
    }
    for (auto const& r : call->results) {
        if (r.failure) throw app::store_error(*r.failure);
    }
    return std::move(call->results);
}

void group_commit::submit(app::write_op op, std::function<void(app::write_result)> done) {
    app::for_each_fact(op, [this](std::string const& key, std::string const& value, bool first_wins) {
        if (first_wins) return;  // kept in memory only once read back
        auto& [v, in_flight] = unwritten_facts_[key];
        v = value;
        ++in_flight;
    });
    bool wake = false;
    {
        std::lock_guard lock{mutex_};
        queue_.push_back({std::move(op), std::move(done)});
        // A lingering writer is not woken for each write, only once there is a transaction's worth.
        wake = writer_idle_ || queue_.size() >= max_writes_;
    }
    if (wake) work_.notify_one();
}

group_commit::counts group_commit::written() const {
    std::lock_guard lock{mutex_};
    return counts_;
}

std::size_t group_commit::backlog() const {
    std::lock_guard lock{mutex_};
    return queue_.size();
}

void group_commit::measure(metrics::registry& r) {
    auto& h =
        r.durations("warroom_store_commit_seconds", "Time to commit one store transaction, in seconds.",
                    {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
    std::lock_guard lock{mutex_};
    commit_seconds_ = &h;
}

void group_commit::writer_loop() {
    for (;;) {
        std::vector<queued> batch;
        metrics::histogram* timed = nullptr;
        {
            std::unique_lock lock{mutex_};
            writer_idle_ = true;
            work_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            writer_idle_ = false;
            if (queue_.empty()) return;  // stopping, and everything submitted is written
            bool const waited_for =
                std::any_of(queue_.begin(), queue_.end(), [](queued const& q) { return q.call != nullptr; });
            if (!waited_for && !stopping_) {
                work_.wait_for(lock, linger_, [&] { return stopping_ || queue_.size() >= max_writes_; });
            }
            auto const n = std::min(queue_.size(), max_writes_);
            batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.begin() + n));
            queue_.erase(queue_.begin(), queue_.begin() + n);
            timed = commit_seconds_;
        }
        std::vector<app::write_op> ops;
        ops.reserve(batch.size());
        for (auto& q : batch) ops.push_back(std::move(q.op));
        std::vector<app::write_result> results;
        auto const began = std::chrono::steady_clock::now();
        try {
            results = writer_->write(ops);
        } catch (std::exception const& err) {
            // The transaction is undone whole: every write in it failed, none is on disk.
            results.assign(batch.size(), app::write_result{.failure = err.what()});
        }
        if (timed) timed->observe(std::chrono::steady_clock::now() - began);
        for (std::size_t k = 0; k < batch.size(); ++k) batch[k].op = std::move(ops[k]);
        bool woke_call = false;
        {
            std::lock_guard lock{mutex_};
            ++counts_.transactions;
            counts_.writes += batch.size();
            for (std::size_t k = 0; k < batch.size(); ++k) {
                if (!batch[k].call) continue;
                batch[k].call->results[batch[k].index] = results[k];
                woke_call = --batch[k].call->remaining == 0 || woke_call;
            }
        }
        if (woke_call) synced_.notify_all();
        std::vector<std::pair<queued, app::write_result>> finished;
        for (std::size_t k = 0; k < batch.size(); ++k) {
            if (!batch[k].call) finished.emplace_back(std::move(batch[k]), std::move(results[k]));
        }
        if (finished.empty()) continue;
        post_([this, finished = std::move(finished)]() mutable {
            for (auto& [q, result] : finished) {
                settle_facts(q.op, result.written());
                // Without a completion, a failure is seen by the writes after it: they fail the same way.
                if (q.done) q.done(std::move(result));
            }
        });
    }
}

}  // namespace warroom::store
