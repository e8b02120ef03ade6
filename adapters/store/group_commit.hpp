// Group commit in front of a store: writes submitted while a transaction is in flight are written
// together in the next one, by a writer thread that owns its own connection, so the event loop
// never waits for a disk. Reads go to a second connection on the caller's thread; a fact set but
// not yet on disk is read back from memory. Completions run on the loop, in submission order.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "adapters/metrics/metrics.hpp"
#include "app/store_port.hpp"

namespace warroom::store {

// What other processes' writes changed of the delivery facts: any of them (`all`), or `keys` only;
// and the store's head after the newest of them, unless one did not tell it (`head_untold`).
struct fact_news {
    bool all = false;
    std::vector<std::string> keys = {};
    std::int64_t head = 0;
    bool head_untold = false;
};

// Tells, from a thread of its own, when other processes wrote to the database; it stops when destroyed.
class news_feed {
public:
    virtual ~news_feed() = default;
};

class group_commit final : public app::event_store {
public:
    // Runs a completion on the loop's thread.
    using post_fn = std::function<void(std::function<void()>)>;
    // `writer` is used only by the writer thread from now on, `reader` only by the caller's.
    // `max_writes` bounds one transaction, so a backlog cannot make one commit take long. `linger`:
    // how long the writer waits, once a write has come, for more to share its fsync (a disk commits
    // in well under a millisecond, so without it most transactions would hold one write).
    group_commit(std::unique_ptr<app::event_store> writer, std::unique_ptr<app::event_store> reader, post_fn post,
                 std::chrono::microseconds linger = std::chrono::microseconds{2000}, std::size_t max_writes = 1024);
    // Gives read_later() a connection of its own (`background`) and a thread to use it on; without
    // one, read_later() reads at once on the caller's connection.
    void read_in_background(std::unique_ptr<app::event_store> background);
    // Writes what was submitted, then stops the writer thread; completions not yet run are dropped.
    ~group_commit() override;
    group_commit(group_commit const&) = delete;
    group_commit& operator=(group_commit const&) = delete;

    std::vector<core::event> load() override { return reader_->load(); }
    std::vector<core::event> load_between(std::int64_t after, std::int64_t through) override {
        return reader_->load_between(after, through);
    }
    bool claimed(std::string const& key) override { return reader_->claimed(key); }
    std::int64_t head() override { return reader_->head(); }
    std::vector<app::outbox_entry> pending(std::int64_t after, std::size_t limit) override {
        return reader_->pending(after, limit);
    }
    std::vector<app::outbox_entry> pending_for(std::string const& reader, core::timestamp now, std::int64_t after,
                                               std::size_t limit) override {
        return reader_->pending_for(reader, now, after, limit);
    }
    std::vector<app::delivery_lease> leases_between(std::int64_t from, std::int64_t through) override {
        return reader_->leases_between(from, through);
    }
    // From memory once read: a delivery reads its war room's and message's facts at every step.
    std::optional<std::string> fact(std::string const& key) override;
    // What a news_feed calls, from its thread, when another process wrote: the facts it names are
    // read again, and on_others_wrote() subscribers hear of it on the loop, with the head it told.
    std::function<void(fact_news)> news();
    void listen(std::unique_ptr<news_feed> feed) { feed_ = std::move(feed); }
    bool on_others_wrote(std::function<void(std::int64_t)> fn) override;
    int next_incident(int at_least) override { return reader_->next_incident(at_least); }
    int live_processes(core::timestamp now) override { return reader_->live_processes(now); }
    void read_later(std::function<void(app::event_store&)> read, std::function<void()> done) override;
    // Waits for the writer thread; not for the loop's thread, which would stop reading frames.
    std::vector<app::write_result> write(std::vector<app::write_op> const& ops) override;
    void submit(app::write_op op, std::function<void(app::write_result)> done) override;

    struct counts {
        std::uint64_t transactions = 0;
        std::uint64_t writes = 0;
    };
    // Transactions committed (or failed) and the writes they held: writes / transactions is how much
    // each fsync carried.
    counts written() const;
    // Writes submitted and not yet taken by the writer.
    std::size_t backlog() const;
    // Registers in `r` how long each transaction takes to commit (or fail), and times them from now on.
    void measure(metrics::registry& r);

private:
    // A write() call, waiting for its writes.
    struct waiting_call {
        std::vector<app::write_result> results;
        std::size_t remaining = 0;
    };
    struct queued {
        app::write_op op;
        std::function<void(app::write_result)> done;  // run on the loop
        std::shared_ptr<waiting_call> call = {};      // or the write() call it belongs to
        std::size_t index = 0;
    };
    void writer_loop();

    // Stopped first: its news posts to this object.
    std::unique_ptr<news_feed> feed_;
    // read_later()'s thread and its queue; stopped next, before the writer.
    struct background_reads {
        std::unique_ptr<app::event_store> store;
        std::mutex mutex;
        std::condition_variable work;
        std::deque<std::pair<std::function<void(app::event_store&)>, std::function<void()>>> queue;
        bool stopping = false;
        std::thread thread;
    };
    std::unique_ptr<background_reads> background_;
    void stop_background();
    std::function<void(std::int64_t)> others_wrote_;
    std::unique_ptr<app::event_store> writer_;
    std::unique_ptr<app::event_store> reader_;
    post_fn post_;
    std::chrono::microseconds linger_;
    std::size_t max_writes_;
    // Facts submitted and not yet confirmed on disk, with how many writes of each are in flight.
    std::map<std::string, std::pair<std::string, int>, std::less<>> unwritten_facts_;
    // Facts on disk as last read or written, and those read missing (the loop's thread only); each
    // forgotten when another process writes it. Bounded by forgetting all at once: the busy ones come back.
    std::unordered_map<std::string, std::optional<std::string>> known_facts_;
    void remember_fact(std::string const& key, std::optional<std::string> value);
    // `op` is settled: what it wrote (`written`) is known, a first-wins fact is read back.
    void settle_facts(app::write_op const& op, bool written);

    mutable std::mutex mutex_;
    std::condition_variable work_;
    std::condition_variable synced_;
    std::vector<queued> queue_;
    bool writer_idle_ = false;  // waiting for a first write: the one to wake it
    bool stopping_ = false;
    counts counts_;
    metrics::histogram* commit_seconds_ = nullptr;  // set under the mutex; the writer reads it there too
    std::thread thread_;  // last: started once everything above exists
};

}  // namespace warroom::store
