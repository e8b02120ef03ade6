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
    // Without rate limits: tests replay many requests at one instant (authority_test has its own).
    explicit replica(std::filesystem::path const& file, policy rules = policy::defaults())
        : store_(store::open_store("sqlite://" + file.string())),
          service_(*store_, std::move(rules), "/incident", false, app::user_limits{{}, {}, {}}) {}

    app::service& svc() { return service_; }
    event_store& store() { return *store_; }

private:
    std::unique_ptr<event_store> store_;  // declared first: the service holds a reference to it
    app::service service_;
};

class harness {
public:
    explicit harness(policy rules = policy::defaults()) : file_(dir_ / "warroom.db"), rules_(std::move(rules)) {
        start();
    }

    void start() { live_.emplace(file_, rules_); }
    // Destroys the service and the store, then opens new ones on the same file.
    void restart() {
        live_.reset();
        start();
    }
    replica another() { return replica{file_, rules_}; }

    app::service& svc() { return live_->svc(); }
    event_store& store() { return live_->store(); }
    std::filesystem::path const& file() const { return file_; }

    // `user` joins the war room `room` (Slack's member_joined_channel).
    void join(user_id const& user, std::string const& room, timestamp now) {
        REQUIRE(svc().joined({user, room, now}, user).changed);
    }

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
    policy rules_;
    std::optional<replica> live_;
};

// The procedures without the declarer taking the lead: the P0/P1 "needs an IC" guard is reachable.
inline policy without_lead() {
    auto p = policy::defaults();
    p.declarer_leads = false;
    return p;
}

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
