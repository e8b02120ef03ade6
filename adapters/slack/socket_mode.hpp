// Socket Mode without I/O: what a frame from Slack means, what an ack looks like, and when to open
// and close connections. The transport feeds frames and connection news in and performs the
// actions that come out; time is always an argument, so tests step it without sockets.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/outbox/backoff.hpp"

namespace warroom::slack {

using steady_time = std::chrono::steady_clock::time_point;
using millis = std::chrono::milliseconds;

struct envelope {
    std::string id;
    std::string type;  // events_api, slash_commands, interactive, or a type we do not know (still acked)
    bool accepts_response_payload = false;
    int retry_attempt = 0;
    std::string retry_reason;
    nlohmann::json payload;
};
struct hello {
    int num_connections = 0;
    std::chrono::seconds refresh_in{0};  // debug_info.approximate_connection_time, 0 when absent
};
struct disconnect {
    std::string reason;  // warning, refresh_requested, link_disabled, too_many_websockets, ...
};
// A frame that is no message: not JSON, not an object, no type. Logged and dropped, as the SDKs do.
struct ignored {
    std::string why;
};
using frame = std::variant<hello, disconnect, envelope, ignored>;

frame parse_frame(std::string_view text);
// {"envelope_id": id} or {"envelope_id": id, "payload": payload}.
std::string ack_frame(std::string_view envelope_id, nlohmann::json const* payload = nullptr);

using outbox::backoff;

// Keeps one live connection at all times. On `warning` or `refresh_requested` it opens the
// replacement first and closes the old connection only once the new one has said hello, so no
// envelope waits for a reconnect (make before break).
class supervisor {
public:
    struct open_connection {
        int id;
    };
    struct close_connection {
        int id;
    };
    using action = std::variant<open_connection, close_connection>;

    enum class failure {
        retry,         // network error, 5xx, refused upgrade, no hello in time
        rate_limited,  // apps.connections.open answered 429: wait `retry_after`
        fatal,         // invalid_auth and the like: retrying cannot help, keep trying slowly
    };

    std::vector<action> start(steady_time now);
    // The connection said hello: it carries envelopes now.
    std::vector<action> on_ready(int id, steady_time now);
    std::vector<action> on_open_failed(int id, failure why, steady_time now, millis retry_after, double unit);
    std::vector<action> on_disconnect(int id, std::string_view reason, steady_time now, double unit);
    // The socket is gone, for whatever reason (closed by us, by Slack, or dead).
    std::vector<action> on_closed(int id, steady_time now, double unit);
    std::vector<action> on_timer(steady_time now);

    std::optional<steady_time> next_deadline() const { return retry_at_; }
    int ready_count() const;
    bool connecting() const;

private:
    enum class state {
        connecting,  // apps.connections.open, handshake, waiting for hello
        ready,       // delivering envelopes
        replacing,   // asked to go: still delivering until its replacement is ready
        closing,     // we asked it to close
    };
    std::vector<action> open(steady_time now);
    std::vector<action> ensure_live(steady_time now, double unit);

    std::map<int, state> connections_;
    int next_id_ = 1;
    backoff backoff_;
    backoff disabled_backoff_{millis{60'000}, millis{600'000}};
    std::optional<steady_time> retry_at_;
    bool link_disabled_ = false;
};

}  // namespace warroom::slack
