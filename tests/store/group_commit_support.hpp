// For group-commit tests: the event loop played by the test's thread, and another process's
// connection holding the write lock so that writes queue behind it.
#pragma once

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "adapters/store/group_commit.hpp"

namespace warroom::store::test {

// The event loop, played by the test's thread: completions wait here until run.
class loop {
public:
    group_commit::post_fn post() {
        return [this](std::function<void()> fn) {
            std::lock_guard lock{mutex_};
            posted_.push_back(std::move(fn));
        };
    }
    // Runs what was posted until `done` holds; fails after a few seconds.
    void run_until(std::function<bool()> const& done) {
        auto const until = std::chrono::steady_clock::now() + std::chrono::seconds{10};
        while (!done()) {
            REQUIRE(std::chrono::steady_clock::now() < until);
            std::vector<std::function<void()>> ready;
            {
                std::lock_guard lock{mutex_};
                ready.swap(posted_);
            }
            for (auto& fn : ready) fn();
            std::this_thread::sleep_for(std::chrono::milliseconds{1});
        }
    }

private:
    std::mutex mutex_;
    std::vector<std::function<void()>> posted_;
};

// Another process's connection holding the write lock, as a second replica inside a transaction.
class write_lock {
public:
    explicit write_lock(std::filesystem::path const& file) {
        REQUIRE(sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
        exec("BEGIN IMMEDIATE");
    }
    ~write_lock() { sqlite3_close(db_); }
    write_lock(write_lock const&) = delete;
    write_lock& operator=(write_lock const&) = delete;
    void exec(char const* sql) { REQUIRE(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK); }
    void release() { exec("COMMIT"); }

private:
    sqlite3* db_ = nullptr;
};

}  // namespace warroom::store::test
