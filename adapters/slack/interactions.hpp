// Envelopes in, service calls out: slash commands, button presses, modal submissions and events
// become core requests, decided at once and acknowledged once their write is on disk (the ack
// carries the reply when it can); many wait for the same commit.
// Each request carries a once-key (the envelope, the event or the view), so a redelivery changes
// nothing. Forms open with views.open right away, before the 3-second trigger expires.
#pragma once

#include <spdlog/logger.h>

#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>
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
    // Pins the bot makes itself (the declaration) are not timeline material.
    void set_bot_user(std::string id) { bot_user_ = std::move(id); }
    // Called when Slack says a user group changed (the directory reloads).
    void on_groups_changed(std::function<void()> f) { groups_changed_ = std::move(f); }

private:
    // What handling an envelope came to: the ack, and what to do once its write is on disk.
    struct handled {
        handled(ack_decision a = {}) : ack(std::move(a)) {}  // NOLINT: an ack alone is a whole answer
        ack_decision ack;
        app::ticket recorded = 0;
        bool person = true;                         // someone waits for the answer; false for an event
        std::optional<core::ui::field> form_field;  // a submission's: where an error is shown
        std::string event_key;                      // remembered once acknowledged
        std::vector<std::pair<task<void>, std::string>> then;  // calls to make, with what they are for
    };
    // Waits (bounded) for write `t` to settle; false when it did not in time.
    task<bool> durable(app::ticket t);
    // Awaits the service's read_before(`once`): a request's claim and the others' news, read without
    // stopping the loop (a database server's round trips); past the deadline the request reads them.
    task<void> read_before(std::string once);
    handled dispatch(envelope const& e);
    handled slash_command(envelope const& e);
    handled block_actions(envelope const& e);
    handled view_submission(envelope const& e);
    task<handled> event(envelope e);
    handled recorded_event(app::outcome const& out, std::string const& event_id);
    // The text and author of a war-room message, for the timeline; nullopt when Slack cannot say in time.
    task<std::optional<nlohmann::json>> fetch_message(std::string channel, std::string ts);
    // Replies and forms of an outcome: the first reply in the ack when allowed, the rest by
    // response_url or chat.postEphemeral; forms with views.open.
    handled membership(envelope const& e, std::string const& event_id, nlohmann::json const& ev, bool joined);
    void log_denial(envelope const& e, app::outcome const& out) const;
    handled answer(app::outcome const& out, envelope const& e, std::string const& channel_id,
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
    std::function<void()> groups_changed_;
    std::shared_ptr<spdlog::logger> log_;
    std::unordered_set<std::string> recent_;
    std::deque<std::string> recent_order_;
};

}  // namespace warroom::slack
