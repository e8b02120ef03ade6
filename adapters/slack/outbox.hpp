// Delivers the store's outbox to Slack: entries of one incident strictly in order, incidents in
// parallel; each entry exactly once. A delivery that may have reached Slack before the process
// died (or the network failed) is reconciled first: posts are found again by the metadata they
// carry, a war room by its name and creator, so nothing is posted twice and no incident gets two
// channels. Transient failures (Slack down, 5xx, timeouts) wait and retry; permanent ones are
// logged and given up, so one bad entry never blocks an incident's lane for good.
#pragma once

#include <spdlog/logger.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "adapters/slack/directory.hpp"
#include "adapters/slack/net.hpp"
#include "adapters/slack/web_api.hpp"
#include "app/store_port.hpp"

namespace warroom::slack {

enum class delivery_verdict {
    delivered,
    failed,  // permanent: logged and given up
    retry,   // transient: try again after a delay
};
struct delivery_attempt {
    delivery_verdict what = delivery_verdict::delivered;
    std::string detail;
    bool ambiguous = false;  // the call may have reached Slack: reconcile before the next try
    std::vector<std::pair<std::string, std::string>> facts;
};

struct outbox_settings {
    std::string owner;  // this process, for delivery leases between replicas: "<host>:<pid>:<random>"
    // Long enough for any one call (a Retry-After wait included), short enough that a restart
    // after a crash resumes deliveries soon; a clean stop releases its leases at once.
    std::chrono::seconds lease{20};
    millis poll{1000};  // how often to look for entries another replica wrote
    millis max_retry_delay{30'000};
    // True while envelopes are being acknowledged: deliveries wait, so a burst of commands is acked
    // first (one thread does both, and every delivery step commits to the store).
    std::function<bool()> busy = {};
    // Delivers a page to the paging integration (PagerDuty, Opsgenie); pages are given up without one.
    std::function<task<delivery_attempt>(core::page)> pager = {};
};

class outbox {
public:
    outbox(asio::any_io_executor ex, app::event_store& store, web_api& api, std::shared_ptr<spdlog::logger> log,
           outbox_settings settings);

    // Learned from auth.test at start: reconciling a war room compares its creator with it.
    void set_bot_user(std::string id) { bot_user_ = std::move(id); }
    // User groups and e-mail addresses, for inviting groups and contacts and rendering group mentions.
    void set_directory(directory* d) { directory_ = d; }
    // New entries were written: look now instead of at the next poll.
    void wake();
    // Runs until cancelled; then lets deliveries in flight finish their current call, bounded.
    task<void> run();

    // War-room name → Slack channel id, once the room exists; and back.
    std::optional<std::string> channel_id(std::string const& room) const;
    std::optional<std::string> room_of(std::string const& channel_id) const;
    std::size_t in_flight() const;

    using verdict = delivery_verdict;
    using attempt = delivery_attempt;

private:
    struct lane {
        std::deque<app::outbox_entry> queue;
        bool active = false;
        std::shared_ptr<asio::cancellation_signal> stop;
    };

    task<void> run_lane(int lane_id);
    task<bool> deliver(app::outbox_entry entry);
    task<attempt> try_once(app::outbox_entry entry, bool in_doubt);
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
    // The report goes up as a Markdown file shared in the war room (files v2 upload flow).
    task<attempt> upload_report(std::int64_t entry, std::string channel, core::message_view view);
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
    // An earlier entry of another lane goes to the same channel (the announcement channel): wait for it,
    // so a channel shared by incidents gets its messages in the order they were written.
    bool waits_for_earlier(int lane_id, app::outbox_entry const& entry) const;
    void fetch();
    // Leases of an earlier process on this host that is gone (killed) need not be waited out.
    void take_over_from_dead_predecessor();
    void start_lanes();
    std::string install_id();

    asio::any_io_executor ex_;
    app::event_store& store_;
    web_api& api_;
    std::shared_ptr<spdlog::logger> log_;
    outbox_settings settings_;
    std::string bot_user_;
    directory* directory_ = nullptr;
    std::string install_;
    std::map<int, lane> lanes_;
    std::int64_t seen_ = 0;
    std::unique_ptr<asio::steady_timer> wake_;
    std::minstd_rand random_{std::random_device{}()};
    bool stopping_ = false;
};

}  // namespace warroom::slack
