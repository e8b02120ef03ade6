// Envelopes in, service calls out: slash commands, button presses, modal submissions and events
// become core requests, recorded before the ack goes back (the ack carries the reply when it can).
// Each request carries a once-key (the envelope, the event or the view), so a redelivery changes
// nothing. Forms open with views.open right away, before the 3-second trigger expires.
#pragma once

#include <spdlog/logger.h>

#include <deque>
#include <memory>
#include <string>
#include <unordered_set>

#include "adapters/slack/deliverer.hpp"
#include "adapters/slack/socket_mode_client.hpp"
#include "adapters/slack/web_api.hpp"
#include "app/service.hpp"

namespace warroom::slack {

class interactions {
public:
    interactions(asio::any_io_executor ex, app::service& svc, deliverer const& rooms, web_api& api, std::string command,
                 std::string timeline_reaction, std::shared_ptr<spdlog::logger> log);

    task<ack_decision> handle(envelope e);
    // Called after a request changed state (the outbox delivers and the scheduler re-plans at once).
    void on_change(std::function<void()> f) { changed_ = std::move(f); }
    // Pins the bot makes itself (the declaration) are not timeline material.
    void set_bot_user(std::string id) { bot_user_ = std::move(id); }
    // Called when Slack says a user group changed (the directory reloads).
    void on_groups_changed(std::function<void()> f) { groups_changed_ = std::move(f); }

private:
    ack_decision dispatch(envelope const& e);
    ack_decision slash_command(envelope const& e);
    ack_decision block_actions(envelope const& e);
    ack_decision view_submission(envelope const& e);
    task<ack_decision> event(envelope e);
    // The text and author of a war-room message, for the timeline; nullopt when Slack cannot say in time.
    task<std::optional<nlohmann::json>> fetch_message(std::string channel, std::string ts);
    // Replies and forms of an outcome: the first reply in the ack when allowed, the rest by
    // response_url or chat.postEphemeral; forms with views.open.
    ack_decision membership(envelope const& e, std::string const& event_id, nlohmann::json const& ev, bool joined);
    void log_denial(envelope const& e, app::outcome const& out) const;
    ack_decision answer(app::outcome const& out, envelope const& e, std::string const& channel_id,
                        std::string const& user, std::string const& trigger_id, std::string const& response_url);
    bool seen(std::string const& key) const;
    void remember(std::string const& key);
    std::string channel_name(std::string const& channel_id) const;
    void spawn(task<void> t, std::string what);
    task<void> open_form(std::string trigger_id, nlohmann::json view, std::string user);
    task<void> respond(std::string response_url, nlohmann::json body);
    task<void> update_message(std::string channel, std::string ts, nlohmann::json body);
    task<void> ephemeral(std::string channel, std::string user, nlohmann::json body);

    asio::any_io_executor ex_;
    app::service& svc_;
    deliverer const& rooms_;
    web_api& api_;
    std::string command_;
    std::string timeline_reaction_;
    std::string bot_user_;
    std::function<void()> changed_;
    std::function<void()> groups_changed_;
    std::shared_ptr<spdlog::logger> log_;
    std::unordered_set<std::string> recent_;
    std::deque<std::string> recent_order_;
};

}  // namespace warroom::slack
