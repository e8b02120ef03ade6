// app::service over the real SQLite store on a temp file: open, restart (new store and service
// objects on the same file, as after a crash or deploy), and small readers of outcomes and the log.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/store/open_store.hpp"
#include "app/service.hpp"
#include "tests/core/support.hpp"
#include "tests/store/temp_dir.hpp"

namespace warroom::service_test {

using namespace warroom::core;
using namespace warroom::app;
using namespace warroom::core::test;

// One replica: a store object on the file and the service over it.
class replica {
public:
    explicit replica(std::filesystem::path const& file)
        : store_(store::open_store("sqlite://" + file.string())), service_(*store_, policy::defaults()) {}

    app::service& svc() { return service_; }
    event_store& store() { return *store_; }

private:
    std::unique_ptr<event_store> store_;  // declared first: the service holds a reference to it
    app::service service_;
};

class harness {
public:
    harness() : file_(dir_ / "warroom.db") { start(); }

    void start() { live_.emplace(file_); }
    // Destroys the service and the store, then opens new ones on the same file.
    void restart() {
        live_.reset();
        start();
    }
    replica another() { return replica{file_}; }

    app::service& svc() { return live_->svc(); }
    event_store& store() { return live_->store(); }
    std::filesystem::path const& file() const { return file_; }

    // A command that must be recorded.
    outcome run(user_id const& user, std::string const& channel, timestamp now, std::string const& text) {
        CAPTURE(text);
        auto out = svc().handle({user, channel, now}, text);
        CHECK(out.changed);
        return out;
    }

private:
    store::test::temp_dir dir_;
    std::filesystem::path file_;
    std::optional<replica> live_;
};

// The events appended since `before` events were in the log.
inline std::vector<event> since(event_store& s, std::size_t before) {
    auto all = s.load();
    REQUIRE(all.size() >= before);
    return {all.begin() + static_cast<std::ptrdiff_t>(before), all.end()};
}

inline std::vector<std::string> view_kinds(outcome const& out) {
    std::vector<std::string> kinds;
    for (auto const& e : out.effects) {
        if (auto const* p = std::get_if<post>(&e)) kinds.push_back(p->view.kind);
    }
    return kinds;
}

inline std::string joined(std::vector<std::string> const& parts) {
    std::string out;
    for (auto const& p : parts) out += (out.empty() ? "" : ", ") + p;
    return out;
}

}  // namespace warroom::service_test
