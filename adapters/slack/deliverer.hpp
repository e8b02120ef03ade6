// Delivers outbox entries to Slack, one try at a time, for the outbox engine (adapters/outbox),
// which owns order, leases and retries. A delivery that may have reached Slack before the process
// died (or the network failed) is reconciled first: posts are found again by the metadata they
// carry, a war room by its name and creator, so nothing is posted twice and no incident gets two
// channels. Each try is sorted as delivered, failed (permanent) or retry (transient).
#pragma once

#include <spdlog/logger.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "adapters/outbox/runner.hpp"
#include "adapters/slack/directory.hpp"
#include "adapters/slack/net.hpp"
#include "adapters/slack/web_api.hpp"
#include "app/store_port.hpp"

namespace warroom::slack {

class deliverer final : public outbox::deliverer {
public:
    using attempt = outbox::attempt;
    using verdict = outbox::verdict;

    deliverer(asio::any_io_executor ex, app::event_store& store, web_api& api, std::shared_ptr<spdlog::logger> log);

    // Learned from auth.test at start: reconciling a war room compares its creator with it.
    void set_bot_user(std::string id) { bot_user_ = std::move(id); }
    // User groups and e-mail addresses, for inviting groups and contacts and rendering group mentions.
    void set_directory(directory* d) { directory_ = d; }
    // Draws a message's charts as PNG files for upload; without it a periodic report goes up without them.
    using chart_renderer = std::function<std::string(core::chart const&)>;
    void set_chart_renderer(chart_renderer r) { render_chart_ = std::move(r); }
    task<attempt> deliver(app::outbox_entry const& entry, bool in_doubt) override;

    // War-room name → Slack channel id, once the room exists; and back.
    std::optional<std::string> channel_id(std::string const& room) const;
    std::optional<std::string> room_of(std::string const& channel_id) const;

private:
    task<attempt> open_room(core::open_war_room room, bool in_doubt);
    // `thread`: the key of a message kept current; the post is a reply in its thread.
    task<attempt> post_message(std::int64_t entry, std::string channel, core::message_view view, bool pin,
                               bool in_doubt, std::string key = {}, int room = 0, std::string thread = {},
                               bool edit_only = false);
    task<attempt> set_topic(core::set_topic t);
    task<attempt> invite_people(std::string channel_id, int incident, std::vector<std::string> who);
    task<attempt> archive(core::archive_room a);
    // Slack user ids for people named by id, user group (id or handle) or e-mail address.
    task<std::vector<std::string>> user_ids(std::vector<std::string> who, int incident);
    // A report goes up as a Markdown file, with its charts as PNG files, shared in one message (files v2
    // upload flow): an incident's in its war room, a periodic one in the reports channel.
    struct upload {
        std::string filename, bytes, content_type;
    };
    task<attempt> upload_files(std::int64_t entry, std::string channel, core::message_view view,
                               std::vector<upload> files);
    std::vector<upload> files_of(core::message_view const& view) const;
    task<attempt> direct_message(std::int64_t entry, core::direct_message dm, bool in_doubt);
    // The id of the channel called `name` (created by the bot, when `own`); nullopt when there is none
    // or Slack could not say.
    task<std::optional<std::string>> find_channel(std::string name, bool own);
    // The parts of entry `entry` already posted in `channel`; nullopt when Slack could not say.
    task<std::optional<std::map<int, std::string>>> find_parts(std::string channel, std::int64_t entry,
                                                               std::string thread_ts = {});
    std::string resolve_channel(std::string const& name) const;
    // A war room's id: only the channel warroom created for it, never one found by name.
    std::optional<std::string> room_id(std::string const& name) const { return channel_id(name); }
    std::string install_id();
    // The Web API call delivering `entry` begins with (its method and the channel its posts are
    // paced by), as the rate limiter counts it; nothing when it makes none worth asking about.
    struct call_of {
        std::string_view method;
        std::string channel;
    };
    std::optional<call_of> first_call(app::outbox_entry const& entry) const;

    asio::any_io_executor ex_;
    app::event_store& store_;
    web_api& api_;
    std::shared_ptr<spdlog::logger> log_;
    std::string bot_user_;
    directory* directory_ = nullptr;
    chart_renderer render_chart_;
    std::string install_;
    std::minstd_rand random_{std::random_device{}()};
};

}  // namespace warroom::slack
