#include "adapters/slack/interactions.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>

#include "adapters/slack/blocks.hpp"

namespace warroom::slack {
namespace {

using nlohmann::json;
constexpr std::size_t recent_capacity = 4096;
// Slack silently drops acks of 20 KB or more (protocol doc §1.6): larger replies go by response_url.
constexpr std::size_t max_ack_payload = 15'000;
// Where a submission's error is shown when nothing of it could be recorded.
core::ui::field first_field(core::ui::form form) {
    switch (form) {
        case core::ui::form::declare: return core::ui::field::title;
        case core::ui::form::update: return core::ui::field::text;
        case core::ui::form::customer_notice: return core::ui::field::notice_text;
        case core::ui::form::decline_alert: return core::ui::field::reason;
        case core::ui::form::merge_alert: return core::ui::field::into;
        case core::ui::form::resolve: break;
    }
    return core::ui::field::resolution;
}

std::string text_at(json const& j, json::json_pointer const& where) {
    if (!j.contains(where)) return {};
    auto const& v = j.at(where);
    return v.is_string() ? v.get<std::string>() : std::string{};
}

// A message ts ("1700000000.000100": seconds and microseconds) as the time it was posted.
core::timestamp message_time(std::string const& ts) {
    auto const dot = ts.find('.');
    auto const micros = dot == std::string::npos ? std::string{} : (ts.substr(dot + 1) + "000000").substr(0, 6);
    return core::timestamp{core::seconds{std::atoll(ts.c_str())} +
                           std::chrono::duration_cast<core::milliseconds>(std::chrono::microseconds{std::atoll(micros.c_str())})};
}

// What a slash command or a button press is claimed by: Slack gives each delivery an envelope id of its own.
std::string envelope_key(envelope const& e) { return "envelope:" + e.id; }
// What an event is claimed by: its id is the same on each of Slack's deliveries of it.
std::string event_key(std::string const& event_id) { return "event:" + event_id; }

json problem_payload(std::string const& text) {
    return {{"response_type", "ephemeral"}, {"text", escape_mrkdwn(text)}};
}

}  // namespace

interactions::interactions(asio::any_io_executor ex, app::service& svc, deliverer const& rooms, web_api& api, std::string command,
                           std::string timeline_reaction, std::shared_ptr<spdlog::logger> log)
    : ex_(std::move(ex)),
      svc_(svc),
      rooms_(rooms),
      api_(api),
      command_(std::move(command)),
      timeline_reaction_(std::move(timeline_reaction)),
      log_(std::move(log)) {}

bool interactions::seen(std::string const& key) const { return recent_.contains(key); }

void interactions::remember(std::string const& key) {
    if (!recent_.insert(key).second) return;
    recent_order_.push_back(key);
    if (recent_order_.size() > recent_capacity) {
        recent_.erase(recent_order_.front());
        recent_order_.pop_front();
    }
}

std::string interactions::channel_name(std::string const& channel_id) const {
    return rooms_.room_of(channel_id).value_or(channel_id);
}

void interactions::spawn(task<void> t, std::string what) {
    asio::co_spawn(ex_, std::move(t), [log = log_, what = std::move(what)](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (std::exception const& err) {
            log->warn("{}: {}", what, err.what());
        }
    });
}

task<void> interactions::read_before(std::string once) {
    co_await coro::called_back(ex_, app::commit_deadline,
                               [&](std::function<void()> done) { svc_.read_before(std::move(once), std::move(done)); });
}

task<bool> interactions::durable(app::ticket t) {
    co_return co_await coro::called_back(ex_, app::commit_deadline,
                                         [&](std::function<void()> done) { svc_.when_settled(t, std::move(done)); });
}

task<ack_decision> interactions::handle(envelope e) {
    if (seen(envelope_key(e))) {
        log_->info("envelope {} ({}): delivered again, already handled", e.id, e.type);
        co_return ack_decision{};
    }
    handled h;
    if (e.type == "events_api" && e.payload.is_object()) {
        bool malformed = false;
        try {
            h = co_await event(e);
        } catch (json::exception const& err) {
            log_->warn("envelope {} (events_api): malformed event: {}; acknowledged and dropped", e.id, err.what());
            malformed = true;
        }
        if (malformed) h = handled{};
    } else {
        // A form's claim is its view's, read where it is handled.
        if (e.type == "slash_commands" || (e.type == "interactive" && e.payload.is_object() &&
                                           e.payload.value("type", std::string{}) == "block_actions")) {
            co_await read_before(envelope_key(e));
        }
        h = dispatch(e);
    }
    // Nothing goes out before what it reports is on disk, nor before the writes its answer may show.
    if (auto const tail = svc_.unsettled_tail(); tail != 0) {
        bool const on_disk = co_await durable(tail);
        if (!on_disk) {
            log_->error("envelope {} ({}): the store did not commit within {} s; not acknowledged", e.id, e.type,
                        app::commit_deadline.count());
            co_return ack_decision{false, std::nullopt};
        }
    }
    if (auto const why = svc_.lost(h.recorded)) {
        log_->warn("envelope {} ({}): nothing recorded: {}", e.id, e.type, *why);
        // An event is delivered again by Slack; a person is told to try again.
        if (!h.person) co_return ack_decision{false, std::nullopt};
        h.then.clear();
        auto const text = "⚠️ " + *why + "; nothing was done. Please try again.";
        h.ack = h.form_field ? ack_decision{true, json{{"response_action", "errors"},
                                                       {"errors", {{std::string(core::ui::id(*h.form_field)), text}}}}}
                             : ack_decision{true, problem_payload(text)};
    }
    for (auto& [call, what] : h.then) spawn(std::move(call), std::move(what));
    if (!h.ack.ack) co_return h.ack;
    // Remembered only once handled: an envelope left unacknowledged after a failure must be
    // handled when it comes again.
    remember(envelope_key(e));
    if (!h.event_key.empty()) remember(h.event_key);
    co_return h.ack;
}

interactions::handled interactions::dispatch(envelope const& e) {
    if (!e.payload.is_object()) {
        log_->warn("envelope {} ({}): payload is not an object; acknowledged and dropped", e.id, e.type);
        return {};
    }
    try {
        if (e.type == "slash_commands") return slash_command(e);
        if (e.type == "interactive") {
            auto const kind = e.payload.value("type", std::string{});
            if (kind == "block_actions") return block_actions(e);
            if (kind == "view_submission") return view_submission(e);
            log_->info("envelope {}: interactive {} not used by warroom; acknowledged", e.id, kind);
            return {};
        }
    } catch (json::exception const& err) {
        log_->warn("envelope {} ({}): malformed payload: {}; acknowledged and dropped", e.id, e.type, err.what());
        return {};
    }
    log_->info("envelope {}: type {} not used by warroom; acknowledged", e.id, e.type);
    return {};
}

interactions::handled interactions::slash_command(envelope const& e) {
    auto const& p = e.payload;
    auto const command = p.value("command", std::string{});
    auto const user = p.value("user_id", std::string{});
    auto const channel_id = p.value("channel_id", std::string{});
    if (command != command_) {
        return ack_decision{true, problem_payload("warroom answers " + command_ + ", not " + command)};
    }
    if (user.empty() || channel_id.empty()) {
        log_->warn("envelope {}: slash command without user_id or channel_id", e.id);
        return ack_decision{true, problem_payload("this command came without a user or channel; nothing was done")};
    }
    auto const text = unescape_mrkdwn(p.value("text", std::string{}));
    app::outcome out;
    try {
        out = svc_.handle({user, channel_name(channel_id), wall_clock_now(), envelope_key(e)}, text);
    } catch (app::store_error const& err) {
        log_->error("envelope {}: store: {}", e.id, err.what());
        return ack_decision{true, problem_payload("⚠️ warroom could not record this command (its store failed); "
                                                  "nothing changed. Please try again.")};
    }
    log_->info("envelope {}: {} {} by {} in {}{}", e.id, command, text.substr(0, text.find(' ')), user, channel_id,
               out.duplicate ? " (already handled)" : "");
    return answer(out, e, channel_id, user, p.value("trigger_id", std::string{}),
                  p.value("response_url", std::string{}));
}

interactions::handled interactions::block_actions(envelope const& e) {
    auto const& p = e.payload;
    auto const user = text_at(p, "/user/id"_json_pointer);
    auto channel_id = text_at(p, "/channel/id"_json_pointer);
    if (channel_id.empty()) channel_id = text_at(p, "/container/channel_id"_json_pointer);
    auto const actions = p.value("actions", json::array());
    if (user.empty() || !actions.is_array() || actions.empty() || !actions[0].is_object()) {
        log_->warn("envelope {}: block_actions without a user or an action", e.id);
        return {};
    }
    auto const& a = actions[0];
    auto action = a.value("action_id", std::string{});
    action = action.substr(0, action.find('#'));  // blocks.cpp makes repeated ids unique with "#k"
    auto value = a.value("value", std::string{});
    bool const checkboxes = a.value("type", std::string{}) == "checkboxes";
    if (checkboxes) {
        // A checkboxes element reports what is selected now; the item pressed is the one whose
        // state differs from the incident's. (A "check" button, as on the post-mortem reminder,
        // carries its item in its value.)
        value.clear();
        std::unordered_set<std::string> selected;
        for (auto const& o : a.value("selected_options", json::array())) selected.insert(o.value("value", ""));
        auto const find_options = [&](json const& blocks) {
            for (auto const& b : blocks) {
                for (auto const& el : b.value("elements", json::array())) {
                    if (el.value("action_id", "") == a.value("action_id", ""))
                        return el.value("options", json::array());
                }
                if (auto const acc = b.value("accessory", json::object());
                    acc.value("action_id", "") == a.value("action_id", "")) {
                    return acc.value("options", json::array());
                }
            }
            return json::array();
        };
        for (auto const& o : find_options(p.value("/message/blocks"_json_pointer, json::array()))) {
            auto const v = o.value("value", std::string{});
            auto const target = core::ui::parse_value(v);
            auto const* i = target && target->ph ? svc_.find(target->incident) : nullptr;
            if (!i) continue;
            bool const checked = i->checks.contains({*target->ph, target->item - 1});
            if (checked != selected.contains(v)) {
                value = v;
                break;
            }
        }
        if (value.empty()) return {};
    }
    app::outcome out;
    auto const pressed = core::ui::parse_action(action);
    if (!pressed) {
        log_->warn("envelope {}: unknown button {}", e.id, action);
        return ack_decision{true, problem_payload("⚠️ this button is not one of warroom's; nothing was done")};
    }
    try {
        out = svc_.press({user, channel_name(channel_id), wall_clock_now(), envelope_key(e)}, *pressed, value);
    } catch (app::store_error const& err) {
        log_->error("envelope {}: store: {}", e.id, err.what());
        out.effects.push_back(
            core::reply{channel_id, user, core::note_view("⚠️ warroom could not record this; try again")});
    }
    log_->info("envelope {}: button {} ({}) by {}{}", e.id, action, value, user, out.changed ? "" : " (no change)");
    auto const message_ts = text_at(p, "/container/message_ts"_json_pointer);
    std::optional<task<void>> pressed_note;
    if (out.changed && !checkboxes && !core::ui::on_kept_message(*pressed) && !message_ts.empty() &&
        p.contains("message")) {
        // The pressed button gives way to who pressed it, so the room never shows a stale prompt. (Checkboxes keep
        // their element: Slack already shows the new state.)
        auto const& original = p.at("message");
        json blocks = json::array();
        for (auto b : original.value("blocks", json::array())) {
            if (b.value("type", "") == "actions") {
                auto& elements = b["elements"];
                if (!elements.is_array()) continue;
                auto const pressed = a.value("action_id", "");
                elements.erase(std::remove_if(elements.begin(), elements.end(),
                                              [&](json const& el) { return el.value("action_id", "") == pressed; }),
                               elements.end());
                if (elements.empty()) continue;
            }
            blocks.push_back(std::move(b));
        }
        auto const label = text_at(a, "/text/text"_json_pointer);
        json const note{{"type", "mrkdwn"},
                        {"text", "✓ " + escape_mrkdwn(label.empty() ? action : label) + " — <@" + user + ">"}};
        blocks.push_back({{"type", "context"}, {"elements", json::array({note})}});
        json body{{"text", original.value("text", std::string{})}, {"blocks", std::move(blocks)}};
        pressed_note = update_message(channel_id, message_ts, std::move(body));
    }
    auto h = answer(out, e, channel_id, user, p.value("trigger_id", std::string{}),
                    p.value("response_url", std::string{}));
    if (pressed_note) h.then.emplace_back(std::move(*pressed_note), "chat.update");
    return h;
}

interactions::handled interactions::view_submission(envelope const& e) {
    auto const& p = e.payload;
    auto const user = text_at(p, "/user/id"_json_pointer);
    auto const& view = p.at("view");
    auto const meta = json::parse(view.value("private_metadata", std::string{}), nullptr, false);
    auto const channel_id = meta.is_object() ? meta.value("channel", std::string{}) : std::string{};
    auto const callback = view.value("callback_id", std::string{});
    auto const form = core::ui::parse_form(callback);
    if (!form) {
        log_->warn("envelope {}: submission of an unknown form {}", e.id, callback);
        return {};
    }
    auto const incident = meta.is_object() ? meta.value("incident", 0) : 0;
    app::form_values values;
    for (auto& [block, text] : form_values(p.value("/view/state/values"_json_pointer, json::object()))) {
        if (auto const field = core::ui::parse_field(block)) values[*field] = std::move(text);
    }
    // One submission per view, however often it arrives (a double click submits twice).
    auto const once = "view:" + view.value("id", e.id);
    app::outcome out;
    try {
        out = svc_.submit({user, channel_name(channel_id), wall_clock_now(), once}, *form, incident, values);
    } catch (app::store_error const& err) {
        log_->error("envelope {}: store: {}", e.id, err.what());
        return ack_decision{true, json{{"response_action", "errors"},
                                       {"errors", {{std::string(core::ui::id(first_field(*form))),
                                                    "warroom could not record this; try again"}}}}};
    }
    log_->info("envelope {}: form {} submitted by {}{}", e.id, callback, user,
               out.field_errors.empty() ? "" : " with field errors");
    if (!out.field_errors.empty()) {
        json errors = json::object();
        for (auto const& [field, message] : out.field_errors) errors[std::string(core::ui::id(field))] = message;
        return ack_decision{true, json{{"response_action", "errors"}, {"errors", errors}}};
    }
    auto h = answer(out, e, channel_id, user, {}, {});
    h.form_field = first_field(*form);
    return h;
}

task<std::optional<json>> interactions::fetch_message(std::string channel, std::string ts) {
    using namespace asio::experimental::awaitable_operators;
    json const args{{"channel", channel}, {"latest", ts}, {"inclusive", true}, {"limit", 1}};
    asio::steady_timer deadline{ex_};
    deadline.expires_after(std::chrono::milliseconds{1500});
    auto const got = co_await (api_.call("conversations.history", args) || deadline.async_wait(tuple_awaitable));
    if (got.index() != 0) co_return std::nullopt;
    auto const& r = std::get<0>(got);
    if (!r.ok()) co_return std::nullopt;
    for (auto const& m : r.body.value("messages", json::array())) {
        if (m.value("ts", "") == ts) co_return m;
    }
    co_return std::nullopt;
}

task<interactions::handled> interactions::event(envelope e) {
    auto const event_id = e.payload.value("event_id", std::string{});
    if (!event_id.empty() && seen(event_key(event_id))) {
        log_->info("envelope {}: event {} delivered again (attempt {}), already handled", e.id, event_id,
                   e.retry_attempt);
        co_return ack_decision{};
    }
    auto const ev = e.payload.value("event", json::object());
    auto const type = ev.value("type", std::string{});
    auto const user = ev.value("user", std::string{});
    if (type == "member_joined_channel" || type == "member_left_channel") {
        co_return membership(e, event_id, ev, type == "member_joined_channel");
    }
    if (type == "subteam_members_changed" || type == "subteam_updated" || type == "subteam_created") {
        if (groups_changed_) groups_changed_();
        if (!event_id.empty()) remember(event_key(event_id));
        co_return ack_decision{};
    }
    bool const reaction = type == "reaction_added" || type == "reaction_removed";
    bool const pin = type == "pin_added" || type == "pin_removed";
    auto const item = ev.value("item", json::object());
    auto const channel =
        reaction ? item.value("channel", std::string{}) : ev.value("channel_id", item.value("channel", std::string{}));
    auto const ts = reaction ? item.value("ts", std::string{}) : text_at(item, "/message/ts"_json_pointer);
    auto const room = rooms_.room_of(channel);
    bool const timeline = (reaction && ev.value("reaction", "") == timeline_reaction_) || (pin && user != bot_user_);
    if (!timeline || !room || ts.empty() || item.value("type", "message") != "message") {
        if (!event_id.empty()) remember(event_key(event_id));
        log_->debug("envelope {}: event {} ({}) not used by warroom", e.id, event_id, type);
        co_return ack_decision{};
    }
    app::origin const o{user, *room, wall_clock_now(), event_id.empty() ? std::string{} : event_key(event_id)};
    auto const ref = channel + "/" + ts;
    app::outcome out;
    try {
        if (type == "reaction_removed" || type == "pin_removed") {
            out = svc_.unmark(o, ref);
        } else {
            auto message = pin ? std::optional<json>(item.value("message", json::object())) : std::nullopt;
            if (!pin) message = co_await fetch_message(channel, ts);
            auto const text = message ? unescape_mrkdwn(message->value("text", std::string{}))
                                      : std::string("(message text unavailable)");
            auto author = message ? message->value("user", std::string{}) : std::string{};
            if (author.empty()) author = ev.value("item_user", std::string{});
            if (author.empty()) author = message && message->contains("bot_id") ? "warroom" : "unknown";
            out = svc_.mark(o, ref, author, message_time(ts), text);
        }
    } catch (app::store_error const& err) {
        // Unacknowledged: Slack delivers the event again later.
        log_->error("envelope {}: event {}: store: {}", e.id, event_id, err.what());
        co_return ack_decision{false, std::nullopt};
    }
    log_denial(e, out);
    log_->info("envelope {}: {} on {} in {}{}", e.id, type, ts, *room, out.changed ? ": timeline updated" : "");
    co_return recorded_event(out, event_id);
}

interactions::handled interactions::recorded_event(app::outcome const& out, std::string const& event_id) {
    handled h;
    h.recorded = out.recorded;
    h.person = false;
    if (!event_id.empty()) h.event_key = event_key(event_id);
    return h;
}

interactions::handled interactions::membership(envelope const& e, std::string const& event_id, json const& ev,
                                               bool joined) {
    auto const member = ev.value("user", std::string{});
    auto const room = rooms_.room_of(ev.value("channel", std::string{}));
    if (!room || member.empty() || member == bot_user_) {
        if (!event_id.empty()) remember(event_key(event_id));
        return {};
    }
    // Slack is the authority on who is in a channel: recorded as a fact, by whoever made it happen.
    auto const by = ev.value("inviter", member);
    app::origin const o{by, *room, wall_clock_now(), event_id.empty() ? std::string{} : event_key(event_id)};
    app::outcome out;
    try {
        out = joined ? svc_.joined(o, member) : svc_.left(o, member);
    } catch (app::store_error const& err) {
        log_->error("envelope {}: event {}: store: {}", e.id, event_id, err.what());
        return ack_decision{false, std::nullopt};
    }
    log_->info("envelope {}: {} {} #{}", e.id, member, joined ? "joined" : "left", *room);
    return recorded_event(out, event_id);
}

void interactions::log_denial(envelope const& e, app::outcome const& out) const {
    if (!out.denied) return;
    auto const& d = *out.denied;
    log_->warn("envelope {}: refused: {} {} on {}: {}", e.id, d.user, d.what,
               d.incident ? core::incident_ref(d.incident) : std::string("-"), d.reason);
}

interactions::handled interactions::answer(app::outcome const& out, envelope const& e,
                                           std::string const& channel_id, std::string const& user,
                                           std::string const& trigger_id, std::string const& response_url) {
    log_denial(e, out);
    handled h;
    h.recorded = out.recorded;
    auto& ack = h.ack;
    for (auto const& effect : out.effects) {
        if (auto const* form = std::get_if<core::open_form>(&effect)) {
            if (trigger_id.empty()) continue;
            json const meta{{"channel", channel_id}, {"incident", form->form.incident}};
            h.then.emplace_back(open_form(trigger_id, modal(form->form, meta.dump()), user), "views.open");
            continue;
        }
        auto const* r = std::get_if<core::reply>(&effect);
        if (!r) continue;
        for (auto payload : message_payloads(r->view)) {
            payload["response_type"] = "ephemeral";
            if (e.accepts_response_payload && !ack.payload && payload.dump().size() < max_ack_payload) {
                ack.payload = std::move(payload);
            } else if (!response_url.empty()) {
                h.then.emplace_back(respond(response_url, std::move(payload)), "response_url");
            } else if (!channel_id.empty()) {
                h.then.emplace_back(ephemeral(channel_id, user, std::move(payload)), "chat.postEphemeral");
            }
        }
    }
    return h;
}

task<void> interactions::open_form(std::string trigger_id, json view, std::string user) {
    json args = json::object();
    args["trigger_id"] = trigger_id;
    args["view"] = std::move(view);
    auto const r = co_await api_.call("views.open", args);
    if (!r.ok()) log_->warn("views.open for {}: {}", user, r.error());
}

task<void> interactions::respond(std::string response_url, json body) {
    auto const r = co_await api_.post_to(response_url, std::move(body));
    if (r.transport || r.status != 200) log_->warn("response_url: {}", r.error());
}

task<void> interactions::update_message(std::string channel, std::string ts, json body) {
    body["channel"] = channel;
    body["ts"] = ts;
    auto const r = co_await api_.call("chat.update", body, token_kind::bot);
    if (!r.ok()) log_->warn("chat.update of {} in {}: {}", ts, channel, r.error());
}

task<void> interactions::ephemeral(std::string channel, std::string user, json body) {
    body["channel"] = channel;
    body["user"] = user;
    body.erase("response_type");
    auto const r = co_await api_.call("chat.postEphemeral", body);
    if (!r.ok()) log_->warn("chat.postEphemeral to {} in {}: {}", user, channel, r.error());
}

}  // namespace warroom::slack
