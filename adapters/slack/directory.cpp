#include "adapters/slack/directory.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <algorithm>

namespace warroom::slack {

using nlohmann::json;

directory::directory(asio::any_io_executor ex, web_api& api, std::shared_ptr<spdlog::logger> log)
    : api_(api), log_(std::move(log)), wake_(std::make_unique<asio::steady_timer>(ex)) {}

void directory::refresh() { wake_->cancel(); }

task<void> directory::run(std::chrono::milliseconds every) {
    json args = json::object();  // named: GCC 12 mishandles braced coroutine arguments
    args["include_users"] = true;
    args["include_disabled"] = false;
    for (;;) {
        auto const r = co_await api_.call_retrying("usergroups.list", args, token_kind::bot, 3);
        if (r.ok()) {
            load(r.body);
        } else {
            // A workspace without user groups (or without the scope) still works: groups just match nobody.
            log_->warn("slack: usergroups.list: {}; user groups are not resolved", r.error());
        }
        wake_->expires_after(every);
        co_await wake_->async_wait(tuple_awaitable);
        if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) co_return;
    }
}

void directory::load(json const& body) {
    std::vector<group> fresh;
    for (auto const& g : body.value("usergroups", json::array())) {
        group out{g.value("id", std::string{}), g.value("handle", std::string{}), {}};
        for (auto const& u : g.value("users", json::array())) {
            if (u.is_string()) out.users.push_back(u.get<std::string>());
        }
        if (!out.id.empty()) fresh.push_back(std::move(out));
    }
    groups_ = std::move(fresh);
    if (!loaded_) log_->info("slack: {} user group(s) loaded", groups_.size());
    loaded_ = true;
}

std::vector<std::string> directory::groups_of(core::user_id const& user) const {
    std::vector<std::string> out;
    for (auto const& g : groups_) {
        if (std::find(g.users.begin(), g.users.end(), user) == g.users.end()) continue;
        out.push_back(g.id);
        if (!g.handle.empty()) out.push_back(g.handle);
    }
    return out;
}

std::optional<std::string> directory::group_id(std::string const& id_or_handle) const {
    for (auto const& g : groups_) {
        if (g.id == id_or_handle || g.handle == id_or_handle) return g.id;
    }
    return std::nullopt;
}

std::vector<std::string> directory::members_of(std::string const& group_id) const {
    for (auto const& g : groups_) {
        if (g.id == group_id) return g.users;
    }
    return {};
}

std::map<std::string, std::string, std::less<>> directory::handles() const {
    std::map<std::string, std::string, std::less<>> out;
    for (auto const& g : groups_) {
        if (!g.handle.empty()) out.emplace(g.handle, g.id);
    }
    return out;
}

task<std::optional<std::string>> directory::user_by_email(std::string email) {
    if (auto const it = emails_.find(email); it != emails_.end()) co_return it->second;
    json args = json::object();  // named: GCC 12 mishandles braced coroutine arguments
    args["email"] = email;
    auto const r = co_await api_.call_retrying("users.lookupByEmail", args, token_kind::bot, 3);
    if (!r.ok()) {
        if (r.error() != "users_not_found") log_->warn("slack: users.lookupByEmail: {}", r.error());
        co_return std::nullopt;
    }
    auto const id = r.body.contains("user") ? r.body["user"].value("id", std::string{}) : std::string{};
    if (id.empty()) co_return std::nullopt;
    emails_.emplace(std::move(email), id);
    co_return id;
}

}  // namespace warroom::slack
