// Who is in which Slack user group, and who has which e-mail address: what incident admins named as
// groups, invited groups and contacts given by @handle or e-mail need. Groups come from
// usergroups.list (with their users), loaded at start, again every ten minutes and whenever Slack
// says a group changed; addresses from users.lookupByEmail, remembered once found.
#pragma once

#include <spdlog/logger.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/slack/net.hpp"
#include "adapters/slack/web_api.hpp"
#include "app/service.hpp"

namespace warroom::slack {

class directory final : public app::directory {
public:
    directory(asio::any_io_executor ex, web_api& api, std::shared_ptr<spdlog::logger> log);

    // Loads the groups now and then every `every`, or at once after refresh(); until cancelled.
    task<void> run(std::chrono::milliseconds every = std::chrono::minutes{10});
    void refresh();

    std::vector<std::string> groups_of(core::user_id const& user) const override;
    // A group named by id or handle → its id; nullopt when Slack has no such group (or the list is not loaded).
    std::optional<std::string> group_id(std::string const& id_or_handle) const;
    std::vector<std::string> members_of(std::string const& group_id) const;
    // Handles → ids, for rendering mentions of groups named by handle.
    std::map<std::string, std::string, std::less<>> handles() const;
    // The user with this e-mail address, asked of Slack once; nullopt when there is none (or Slack could not say).
    task<std::optional<std::string>> user_by_email(std::string email);
    bool loaded() const { return loaded_; }

private:
    struct group {
        std::string id, handle;
        std::vector<std::string> users;
    };
    void load(nlohmann::json const& usergroups_list);

    web_api& api_;
    std::shared_ptr<spdlog::logger> log_;
    std::unique_ptr<asio::steady_timer> wake_;
    std::vector<group> groups_;
    std::map<std::string, std::string> emails_;
    bool loaded_ = false;
};

}  // namespace warroom::slack
