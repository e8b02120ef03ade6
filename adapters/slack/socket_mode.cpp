// Frame meanings follow slack-protocol.md §1.3-§1.6; the supervisor follows §1.9-§1.10 (new
// connection before the old one closes, as the Python and Java SDKs do).
#include "adapters/slack/socket_mode.hpp"

#include <algorithm>

namespace warroom::slack {

frame parse_frame(std::string_view text) {
    auto const j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded()) return ignored{"not JSON"};
    if (!j.is_object()) return ignored{std::string("a JSON ") + j.type_name() + ", not an object"};
    auto const type = j.find("type");
    if (type == j.end() || !type->is_string()) return ignored{"no type"};
    auto const name = type->get<std::string>();
    if (name == "hello") {
        hello h;
        if (auto const n = j.find("num_connections"); n != j.end() && n->is_number_integer()) {
            h.num_connections = n->get<int>();
        }
        if (auto const d = j.find("debug_info"); d != j.end() && d->is_object()) {
            if (auto const t = d->find("approximate_connection_time"); t != d->end() && t->is_number_integer()) {
                h.refresh_in = std::chrono::seconds{t->get<std::int64_t>()};
            }
        }
        return h;
    }
    if (name == "disconnect") {
        auto const reason = j.find("reason");
        return disconnect{reason != j.end() && reason->is_string() ? reason->get<std::string>() : std::string{}};
    }
    auto const id = j.find("envelope_id");
    if (id == j.end() || !id->is_string() || id->get_ref<std::string const&>().empty()) {
        return ignored{"message of type \"" + name + "\" without an envelope_id"};
    }
    envelope e;
    e.id = id->get<std::string>();
    e.type = name;
    if (auto const a = j.find("accepts_response_payload"); a != j.end() && a->is_boolean()) {
        e.accepts_response_payload = a->get<bool>();
    }
    if (auto const r = j.find("retry_attempt"); r != j.end() && r->is_number_integer()) {
        e.retry_attempt = r->get<int>();
    }
    if (auto const r = j.find("retry_reason"); r != j.end() && r->is_string()) e.retry_reason = r->get<std::string>();
    if (auto const p = j.find("payload"); p != j.end()) e.payload = *p;
    return e;
}

std::string ack_frame(std::string_view envelope_id, nlohmann::json const* payload) {
    nlohmann::json ack{{"envelope_id", envelope_id}};
    if (payload) ack["payload"] = *payload;
    return ack.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<supervisor::action> supervisor::start(steady_time now) { return open(now); }

std::vector<supervisor::action> supervisor::open(steady_time) {
    int const id = next_id_++;
    connections_[id] = state::connecting;
    retry_at_.reset();
    return {open_connection{id}};
}

int supervisor::ready_count() const {
    return static_cast<int>(std::count_if(connections_.begin(), connections_.end(), [](auto const& c) {
        return c.second == state::ready || c.second == state::replacing;
    }));
}

bool supervisor::connecting() const {
    return std::any_of(connections_.begin(), connections_.end(),
                       [](auto const& c) { return c.second == state::connecting; });
}

std::vector<supervisor::action> supervisor::on_ready(int id, steady_time) {
    auto const it = connections_.find(id);
    if (it == connections_.end() || it->second != state::connecting) return {};
    it->second = state::ready;
    backoff_.reset();
    disabled_backoff_.reset();
    link_disabled_ = false;
    std::vector<action> out;
    for (auto& [other, s] : connections_) {
        if (s == state::replacing) {
            s = state::closing;
            out.push_back(close_connection{other});
        }
    }
    return out;
}

std::vector<supervisor::action> supervisor::on_open_failed(int id, failure why, steady_time now, millis retry_after,
                                                           double unit) {
    connections_.erase(id);
    if (connecting()) return {};
    millis delay = why == failure::fatal ? disabled_backoff_.next(unit) : backoff_.next(unit);
    if (why == failure::rate_limited) delay = std::max(delay, retry_after);
    retry_at_ = now + delay;
    return {};
}

std::vector<supervisor::action> supervisor::on_disconnect(int id, std::string_view reason, steady_time now,
                                                          double unit) {
    auto const it = connections_.find(id);
    if (it == connections_.end()) return {};
    if (reason == "too_many_websockets") {
        // We hold more connections than Slack allows: give this one up, keep the others.
        it->second = state::closing;
        std::vector<action> out{close_connection{id}};
        auto more = ensure_live(now, unit);
        out.insert(out.end(), more.begin(), more.end());
        return out;
    }
    if (it->second == state::ready) it->second = state::replacing;
    if (reason == "link_disabled") {
        // Socket Mode was turned off in the app's settings: retry slowly until someone turns it on.
        link_disabled_ = true;
        if (!retry_at_) retry_at_ = now + disabled_backoff_.next(unit);
        return {};
    }
    bool const live =
        std::any_of(connections_.begin(), connections_.end(), [](auto const& c) { return c.second == state::ready; });
    if (live || connecting()) return {};
    return open(now);
}

std::vector<supervisor::action> supervisor::on_closed(int id, steady_time now, double unit) {
    connections_.erase(id);
    return ensure_live(now, unit);
}

std::vector<supervisor::action> supervisor::ensure_live(steady_time now, double unit) {
    bool const live =
        std::any_of(connections_.begin(), connections_.end(), [](auto const& c) { return c.second == state::ready; });
    if (live || connecting() || retry_at_) return {};
    retry_at_ = now + (link_disabled_ ? disabled_backoff_.next(unit) : backoff_.next(unit));
    return {};
}

std::vector<supervisor::action> supervisor::on_timer(steady_time now) {
    if (!retry_at_ || now < *retry_at_) return {};
    retry_at_.reset();
    if (connecting()) return {};
    return open(now);
}

}  // namespace warroom::slack
