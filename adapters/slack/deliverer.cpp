// Delivery facts kept in the store (keys):
//   room:<name>          {"id": "C…", "name": "<name as created>"}   a war room exists
//   channel:<id>         <name>                                       and back
//   incident:<n>         <name>                                       the incident's war room
//   install              random id of this installation, in every post's metadata
//   message:<key>        {"channel": "C…", "ts": "…"}                a message kept current (post.key)
//   channel-id:<name>    C…                                           a channel named in the config
// A post carries metadata {event_type: "warroom_outbox", event_payload: {install, entry, part}},
// which is how a post whose answer was lost is found again (conversations.history).
#include "adapters/slack/deliverer.hpp"

#include "adapters/slack/blocks.hpp"
#include "adapters/slack/socket_mode.hpp"
#include "core/contact.hpp"

namespace warroom::slack {
namespace {

using nlohmann::json;
constexpr std::size_t max_channel_name = 80;
constexpr int max_name_candidates = 20;
constexpr int max_random_candidates = 5;
constexpr std::size_t max_topic = 250;
constexpr auto history_window = std::chrono::hours{24};
// A delivery whose first call would wait longer for its rate-limit slot is handed back to wait in
// the outbox; shorter waits (a channel's post pace) are waited out in the call.
constexpr millis hand_back_after{500};

// "<name>", then "<name>-2", "<name>-3"...: Slack's names are at most 80 characters.
std::string candidate(std::string const& name, int k) {
    if (k == 1) return name.substr(0, max_channel_name);
    auto const suffix = "-" + std::to_string(k);
    auto base = name.substr(0, max_channel_name - suffix.size());
    while (!base.empty() && base.back() == '-') base.pop_back();
    return base + suffix;
}

// "<name>-x7k2q": four characters nobody can have guessed ahead.
std::string random_candidate(std::string const& name) {
    static constexpr char alphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";
    std::random_device random;
    std::string suffix = "-";
    for (int k = 0; k < 5; ++k) suffix += alphabet[random() % (sizeof alphabet - 1)];
    auto base = name.substr(0, max_channel_name - suffix.size());
    while (!base.empty() && base.back() == '-') base.pop_back();
    return base + suffix;
}

// Cut at a UTF-8 character boundary.
std::string cut(std::string text, std::size_t bytes) {
    if (text.size() <= bytes) return text;
    while (bytes > 0 && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80) --bytes;
    text.resize(bytes);
    return text;
}

}  // namespace

deliverer::deliverer(asio::any_io_executor ex, app::event_store& store, web_api& api,
                     std::shared_ptr<spdlog::logger> log)
    : ex_(ex), store_(store), api_(api), log_(std::move(log)) {}

std::optional<std::string> deliverer::channel_id(std::string const& room) const {
    auto const fact = store_.fact("room:" + room);
    if (!fact) return std::nullopt;
    auto const j = json::parse(*fact, nullptr, false);
    if (!j.is_object() || !j.contains("id")) return std::nullopt;
    return j.value("id", std::string{});
}

std::optional<std::string> deliverer::room_of(std::string const& channel_id) const {
    return store_.fact("channel:" + channel_id);
}

std::string deliverer::install_id() {
    if (!install_.empty()) return install_;
    if (auto const known = store_.fact("install")) return install_ = *known;
    std::string id;
    for (int k = 0; k < 4; ++k) id += std::to_string(random_());
    // On disk before any post carries it: after a crash, the posts are found by it. Once per store,
    // so waiting for this one commit on the loop is harmless. Replicas starting together each make
    // one; the first written is everyone's, or one could not find another's posts when taking over.
    store_.write({app::set_fact{"install", id, true}});
    auto const kept = store_.fact("install");
    if (!kept) throw app::store_error("the installation id was written but cannot be read back");
    return install_ = *kept;
}

std::string deliverer::resolve_channel(std::string const& name) const {
    if (auto const id = channel_id(name)) return *id;
    if (auto const id = store_.fact("channel-id:" + name)) return *id;
    // Not a war room of ours: a channel id, or a name chat.postMessage resolves itself.
    return name;
}

std::optional<deliverer::call_of> deliverer::first_call(app::outbox_entry const& entry) const {
    auto const& what = entry.what;
    if (auto const* room = std::get_if<core::open_war_room>(&what)) {
        if (channel_id(room->name)) return std::nullopt;
        return call_of{"conversations.create", {}};
    }
    if (auto const* p = std::get_if<core::post>(&what)) {
        if (p->view.kind == "report" || p->view.kind == "periodic report") return std::nullopt;
        if (!p->key.empty() && store_.fact("message:" + p->key)) return call_of{"chat.update", {}};
        if (p->edit_only) return std::nullopt;
        return call_of{"chat.postMessage", p->channel};
    }
    if (std::holds_alternative<core::set_topic>(what)) return call_of{"conversations.setTopic", {}};
    if (std::holds_alternative<core::invite>(what)) return call_of{"conversations.invite", {}};
    if (std::holds_alternative<core::archive_room>(what)) return call_of{"conversations.archive", {}};
    if (std::holds_alternative<core::direct_message>(what)) return call_of{"conversations.open", {}};
    return std::nullopt;
}

task<deliverer::attempt> deliverer::deliver(app::outbox_entry const& entry, bool in_doubt) {
    if (auto const first = first_call(entry)) {
        auto const wait =
            std::chrono::ceil<millis>(api_.next_free(first->method, first->channel) - std::chrono::steady_clock::now());
        if (wait > hand_back_after) {
            co_return attempt{verdict::not_yet, std::string(first->method) + ": waiting for a rate-limit slot", false,
                              {}, wait};
        }
    }
    auto const& what = entry.what;
    if (auto const* room = std::get_if<core::open_war_room>(&what)) co_return co_await open_room(*room, in_doubt);
    if (auto const* p = std::get_if<core::post>(&what)) {
        if ((p->view.kind == "report" || p->view.kind == "periodic report") && !p->view.body.empty()) {
            auto channel = p->room ? room_id(p->channel) : std::optional<std::string>(resolve_channel(p->channel));
            if (!channel)
                co_return attempt{verdict::failed, "war room #" + p->channel + " was never created", false, {}};
            bool const is_id =
                std::all_of(channel->begin(), channel->end(), [](char c) { return std::isupper(c) || std::isdigit(c); });
            if (!is_id) {
                // Sharing a file needs the channel's id; a channel named in the config is looked up once.
                auto const id = co_await find_channel(*channel, false);
                if (!id) co_return attempt{verdict::retry, "cannot find channel #" + *channel + " to share a report in", false, {}};
                store_.put_fact("channel-id:" + *channel, *id);
                channel = *id;
            }
            co_return co_await upload_files(entry.id, *channel, p->view, files_of(p->view));
        }
        co_return co_await post_message(entry.id, p->channel, p->view, p->pin, in_doubt, p->key, p->room, p->thread,
                                        p->edit_only);
    }
    if (auto const* t = std::get_if<core::set_topic>(&what)) co_return co_await set_topic(*t);
    if (auto const* inv = std::get_if<core::invite>(&what)) {
        auto const id = room_id(inv->channel);
        if (!id) co_return attempt{verdict::failed, "war room #" + inv->channel + " was never created", false, {}};
        co_return co_await invite_people(*id, inv->incident, inv->who);
    }
    if (auto const* a = std::get_if<core::archive_room>(&what)) co_return co_await archive(*a);
    if (auto const* dm = std::get_if<core::direct_message>(&what))
        co_return co_await direct_message(entry.id, *dm, in_doubt);
    co_return attempt{verdict::failed, "not a deliverable effect", false, {}};
}

namespace {

// Sorts a failed call: transient ones are retried; the call may have reached Slack unless it never
// left (connect failure) or Slack said it did not process it.
deliverer::attempt failed_call(std::string const& method, api_response const& r) {
    auto const detail = method + ": " + r.error();
    if (r.transient()) {
        bool const ambiguous =
            r.sent && (r.transport || r.status >= 500 || r.status == 0 || r.error() == "internal_error" ||
                       r.error() == "fatal_error" || r.error() == "request_timeout");
        return {deliverer::verdict::retry, detail, ambiguous, {}};
    }
    return {deliverer::verdict::failed, detail, false, {}};
}

}  // namespace

task<std::optional<std::string>> deliverer::find_channel(std::string name, bool own) {
    std::string cursor;
    for (int page = 0; page < 50; ++page) {
        json args{{"types", "public_channel,private_channel"}, {"exclude_archived", false}, {"limit", 200}};
        if (!cursor.empty()) args["cursor"] = cursor;
        auto const r = co_await api_.call_retrying("conversations.list", args);
        if (!r.ok()) co_return std::nullopt;
        for (auto const& c : r.body.value("channels", json::array())) {
            if (c.value("name", "") == name && (!own || c.value("creator", "") == bot_user_)) {
                co_return c.value("id", "");
            }
        }
        cursor = r.body.value("/response_metadata/next_cursor"_json_pointer, std::string{});
        if (cursor.empty()) break;
    }
    co_return std::nullopt;
}

task<deliverer::attempt> deliverer::open_room(core::open_war_room room, bool in_doubt) {
    std::vector<std::pair<std::string, std::string>> facts;
    auto id = channel_id(room.name);
    if (!id) {
        for (int k = 1; k <= max_name_candidates + max_random_candidates && !id; ++k) {
            // After the numbered names, a random suffix: a room name someone can guess ahead cannot be
            // squatted on every candidate.
            auto const name = k <= max_name_candidates ? candidate(room.name, k) : random_candidate(room.name);
            json const args{{"name", name}, {"is_private", room.is_private}};
            auto const r = co_await api_.call("conversations.create", args);
            if (r.ok()) {
                id = r.body["channel"].value("id", "");
                log_->info("incident {}: war room #{} created ({})", room.incident, name, *id);
            } else if (r.error() == "name_taken") {
                // Ours from an attempt whose answer was lost, or someone else's: then the next name.
                if (in_doubt) {
                    if (auto const own = co_await find_channel(name, true)) {
                        id = *own;
                        log_->info("incident {}: war room #{} found again ({})", room.incident, name, *id);
                    }
                }
                if (!id) log_->info("incident {}: channel name #{} is taken; trying the next", room.incident, name);
            } else {
                co_return failed_call("conversations.create", r);
            }
            if (id) {
                // Recorded at once: a retry of the rest of this entry must not create another room.
                store_.put_fact("room:" + room.name, json{{"id", *id}, {"name", name}}.dump());
                store_.put_fact("channel:" + *id, room.name);
                store_.put_fact("incident:" + std::to_string(room.incident), room.name);
            }
        }
        if (!id) co_return attempt{verdict::failed, "no free channel name for #" + room.name, false, {}};
    }
    auto const invited = co_await invite_people(*id, room.incident, room.invite);
    if (invited.what == verdict::retry) co_return invited;
    // named: GCC 12 mishandles braced coroutine arguments
    core::set_topic const topic{room.name, room.topic, room.incident};
    auto const t = co_await set_topic(topic);
    if (t.what == verdict::retry) co_return t;
    co_return attempt{verdict::delivered, {}, false, std::move(facts)};
}

task<std::vector<std::string>> deliverer::user_ids(std::vector<std::string> who, int incident) {
    std::vector<std::string> out;
    auto const add = [&](std::string const& u) {
        if (u != bot_user_ && std::find(out.begin(), out.end(), u) == out.end()) out.push_back(u);
    };
    for (auto const& w : who) {
        auto const name = w.starts_with('@') ? w.substr(1) : w;
        if (core::is_user_id(name)) {
            add(name);
        } else if (auto const group = directory_ ? directory_->group_id(name) : std::nullopt) {
            for (auto const& u : directory_->members_of(*group)) add(u);
        } else if (name.find('@') != std::string::npos && directory_) {
            if (auto const u = co_await directory_->user_by_email(name)) {
                add(*u);
            } else {
                log_->warn("incident {}: no Slack user has the e-mail address given as a contact", incident);
            }
        } else {
            log_->warn("incident {}: cannot invite '{}': not a Slack user id or a known user group", incident, name);
        }
    }
    co_return out;
}

task<deliverer::attempt> deliverer::invite_people(std::string channel_id, int incident, std::vector<std::string> who) {
    auto const users = co_await user_ids(std::move(who), incident);
    if (users.empty()) co_return attempt{};
    std::string list;
    for (auto const& u : users) list += (list.empty() ? "" : ",") + u;
    json const args{{"channel", channel_id}, {"users", list}, {"force", true}};
    auto const r = co_await api_.call("conversations.invite", args);
    if (!r.ok() && r.error() != "already_in_channel") {
        if (r.transient()) co_return failed_call("conversations.invite", r);
        log_->warn("incident {}: invite {} to {}: {}", incident, list, channel_id, r.error());
    }
    co_return attempt{};
}

task<deliverer::attempt> deliverer::archive(core::archive_room a) {
    auto const id = room_id(a.channel);
    if (!id) co_return attempt{verdict::failed, "war room #" + a.channel + " was never created", false, {}};
    json args = json::object();  // named: GCC 12 mishandles braced coroutine arguments
    args["channel"] = *id;
    auto const r = co_await api_.call("conversations.archive", args);
    if (r.ok() || r.error() == "already_archived") co_return attempt{};
    co_return failed_call("conversations.archive", r);
}

task<deliverer::attempt> deliverer::set_topic(core::set_topic t) {
    auto const room = t.room ? room_id(t.channel) : std::nullopt;
    if (t.room && !room) co_return attempt{verdict::failed, "war room #" + t.channel + " was never created", false, {}};
    auto const channel = room ? *room : resolve_channel(t.channel);
    json const args{{"channel", channel}, {"topic", cut(t.topic, max_topic)}};
    auto const r = co_await api_.call("conversations.setTopic", args);
    if (r.ok()) co_return attempt{};
    co_return failed_call("conversations.setTopic", r);
}

task<std::optional<std::map<int, std::string>>> deliverer::find_parts(std::string channel, std::int64_t entry,
                                                                      std::string thread_ts) {
    std::map<int, std::string> parts;
    auto const oldest = std::chrono::duration_cast<std::chrono::seconds>(
                            (std::chrono::system_clock::now() - history_window).time_since_epoch())
                            .count();
    // Replies are not in the channel's history; a thread is read on its own.
    json args{{"channel", channel}, {"limit", 200}, {"include_all_metadata", true}};
    if (thread_ts.empty()) {
        args["oldest"] = std::to_string(oldest);
    } else {
        args["ts"] = thread_ts;
    }
    auto const r =
        co_await api_.call_retrying(thread_ts.empty() ? "conversations.history" : "conversations.replies", args);
    if (!r.ok()) co_return std::nullopt;
    for (auto const& m : r.body.value("messages", json::array())) {
        auto const meta = m.value("metadata", json::object());
        if (meta.value("event_type", "") != "warroom_outbox") continue;
        auto const p = meta.value("event_payload", json::object());
        if (p.value("install", "") == install_id() && p.value("entry", std::int64_t{-1}) == entry) {
            parts[p.value("part", 0)] = m.value("ts", "");
        }
    }
    co_return parts;
}

task<deliverer::attempt> deliverer::post_message(std::int64_t entry, std::string channel, core::message_view view,
                                                 bool pin, bool in_doubt, std::string key, int room, std::string thread,
                                                 bool edit_only) {
    render_context ctx;
    // "#<war room>" in the view becomes a link to the channel.
    if (auto const named = store_.fact("incident:" + std::to_string(view.incident))) {
        if (auto const id = channel_id(*named)) ctx.channel_ids.emplace(*named, *id);
    }
    if (directory_) ctx.group_ids = directory_->handles();
    auto const payloads = message_payloads(view, ctx);
    // Paced by the channel's own name for it: the id learned after the first post must not start a
    // second, separate pace for the same channel.
    auto const pace = channel;
    if (room) {
        auto const id = room_id(channel);
        if (!id) co_return attempt{verdict::failed, "war room #" + channel + " was never created", false, {}};
        channel = *id;
    } else {
        channel = resolve_channel(channel);
    }
    if (auto const kept = key.empty() ? std::nullopt : store_.fact("message:" + key)) {
        // Edit the message in place (chat.update is idempotent: a retry after a lost answer is harmless).
        auto const where = json::parse(*kept, nullptr, false);
        auto body = payloads.front();
        body["channel"] = where.value("channel", "");
        body["ts"] = where.value("ts", "");
        auto const r = co_await api_.call("chat.update", body);
        if (r.ok()) co_return attempt{};
        if (r.error() != "message_not_found" && r.error() != "channel_not_found") {
            auto a = failed_call("chat.update", r);
            a.ambiguous = false;
            co_return a;
        }
        if (edit_only) co_return attempt{};
        log_->info("message {} is gone ({}); posting it again", key, r.error());
    }
    // An edit of a message never posted (the update was not announced): nothing to do.
    if (edit_only) co_return attempt{};
    std::string thread_ts;
    if (auto const parent = thread.empty() ? std::nullopt : store_.fact("message:" + thread)) {
        auto const where = json::parse(*parent, nullptr, false);
        channel = where.value("channel", channel);
        thread_ts = where.value("ts", "");
    } else if (!thread.empty()) {
        // The message never went out (its delivery failed for good): the reply stands on its own.
        log_->info("no message {} to reply to; posting in the channel", thread);
    }
    std::map<int, std::string> posted;
    if (in_doubt) {
        // History needs the channel's id; a channel named in the config is looked up once.
        if (!channel.empty() && channel.front() == '#') channel.erase(0, 1);
        bool const is_id =
            std::all_of(channel.begin(), channel.end(), [](char c) { return std::isupper(c) || std::isdigit(c); });
        if (!is_id) {
            auto const id = co_await find_channel(channel, false);
            if (!id)
                co_return attempt{
                    verdict::retry, "cannot find channel #" + channel + " to check for an earlier post", true, {}};
            store_.put_fact("channel-id:" + channel, *id);
            channel = *id;
        }
        auto const found = co_await find_parts(channel, entry, thread_ts);
        // Not knowing is not the same as not posted: try again rather than risk a second post.
        if (!found) co_return attempt{verdict::retry, "cannot check " + channel + " for an earlier post", true, {}};
        posted = *found;
    }
    for (int part = 0; part < static_cast<int>(payloads.size()); ++part) {
        if (posted.contains(part)) continue;
        auto body = payloads[static_cast<std::size_t>(part)];
        body["channel"] = channel;
        body["unfurl_links"] = false;
        if (!thread_ts.empty()) body["thread_ts"] = thread_ts;
        body["metadata"] = {{"event_type", "warroom_outbox"},
                            {"event_payload", {{"install", install_id()}, {"entry", entry}, {"part", part}}}};
        auto const r = co_await api_.call("chat.postMessage", body, token_kind::bot, pace);
        if (!r.ok()) co_return failed_call("chat.postMessage", r);
        posted[part] = r.body.value("ts", "");
        if (part == 0) {
            auto const id = r.body.value("channel", channel);
            // Posting by name works; reading history needs the id: remember it for reconciling.
            if (id != channel) store_.put_fact("channel-id:" + channel, id);
            channel = id;
        }
    }
    if (!key.empty() && posted.contains(0)) {
        store_.put_fact("message:" + key, json{{"channel", channel}, {"ts", posted[0]}}.dump());
    }
    if (pin && posted.contains(0)) {
        json const args{{"channel", channel}, {"timestamp", posted[0]}};
        auto const r = co_await api_.call("pins.add", args);
        if (!r.ok() && r.error() != "already_pinned") {
            if (r.transient()) {
                auto a = failed_call("pins.add", r);
                a.ambiguous = true;  // the posts are out: find them again rather than post again
                co_return a;
            }
            log_->warn("pin {} in {}: {}", posted[0], channel, r.error());
        }
    }
    co_return attempt{};
}

std::vector<deliverer::upload> deliverer::files_of(core::message_view const& view) const {
    if (view.kind == "report") return {{"INC-" + std::to_string(view.incident) + "-report.md", view.body, "text/markdown"}};
    // "# Weekly incident summary — week of 2026-11-30" → "weekly-incident-summary-week-of-2026-11-30"
    std::string slug;
    auto const heading = view.body.substr(0, view.body.find('\n'));
    for (char const c : heading) {
        if (std::isalnum(static_cast<unsigned char>(c))) {
            slug += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else if (!slug.empty() && slug.back() != '-') {
            slug += '-';
        }
    }
    while (!slug.empty() && slug.back() == '-') slug.pop_back();
    std::vector<upload> files{{slug + ".md", view.body, "text/markdown"}};
    if (!render_chart_) return files;
    for (std::size_t k = 0; k < view.charts.size(); ++k)
        files.push_back({slug + "-chart-" + std::to_string(k + 1) + ".png", render_chart_(view.charts[k]), "image/png"});
    return files;
}

task<deliverer::attempt> deliverer::upload_files(std::int64_t entry, std::string channel, core::message_view view,
                                                 std::vector<upload> files) {
    // Each file's id is kept once its bytes are up, so a retry shares those files instead of uploading others.
    json shared = json::array();
    for (std::size_t k = 0; k < files.size(); ++k) {
        auto const fact_key = "report-file:" + std::to_string(entry) + (k == 0 ? "" : ":" + std::to_string(k));
        auto file_id = store_.fact(fact_key).value_or("");
        auto const& f = files[k];
        if (file_id.empty()) {
            json const args{{"filename", f.filename}, {"length", f.bytes.size()}};
            auto const url = co_await api_.call("files.getUploadURLExternal", args);
            if (!url.ok()) co_return failed_call("files.getUploadURLExternal", url);
            auto const up = co_await api_.upload_to(url.body.value("upload_url", ""), f.bytes, f.content_type);
            if (up.transport || up.status != 200) {
                co_return attempt{verdict::retry, "file upload: " + up.error(), false, {}};
            }
            file_id = url.body.value("file_id", "");
            store_.put_fact(fact_key, file_id);
        }
        shared.push_back({{"id", file_id}, {"title", k == 0 ? view.headline : f.filename}});
    }
    json const args{{"files", shared},
                    {"channel_id", channel},
                    {"initial_comment", link_mentions(escape_mrkdwn(view.headline), view.mentions)}};
    auto const r = co_await api_.call("files.completeUploadExternal", args);
    if (!r.ok()) co_return failed_call("files.completeUploadExternal", r);
    co_return attempt{};
}

task<deliverer::attempt> deliverer::direct_message(std::int64_t entry, core::direct_message dm, bool in_doubt) {
    // A contact given as an e-mail address is DMed as the Slack user who has it.
    if (dm.user.find('@') != std::string::npos) {
        std::optional<std::string> user;
        // Not inside a conditional expression: GCC 12 miscompiles a co_await there.
        if (directory_) user = co_await directory_->user_by_email(dm.user);
        if (!user) co_return attempt{verdict::failed, "no Slack user has the e-mail address of a contact", false, {}};
        dm.user = *user;
    }
    json const args{{"users", dm.user}};
    auto const r = co_await api_.call("conversations.open", args);
    if (!r.ok()) co_return failed_call("conversations.open", r);
    co_return co_await post_message(entry, r.body["channel"].value("id", ""), dm.view, false, in_doubt);
}

}  // namespace warroom::slack
