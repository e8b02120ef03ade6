// The Socket Mode transport: Beast websockets (wss, or ws for a local simulator) driven by the
// sans-I/O supervisor. Each connection is one coroutine: apps.connections.open, connect, hello,
// then read → handle → ack until it is asked to close or dies; envelopes are handled side by side. Single-threaded, one io_context.
#pragma once

#include <spdlog/logger.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>

#include <boost/asio/steady_timer.hpp>

#include "adapters/metrics/metrics.hpp"
#include "adapters/slack/net.hpp"
#include "adapters/slack/socket_mode.hpp"
#include "adapters/slack/web_api.hpp"

namespace warroom::slack {

struct ack_decision {
    bool ack = true;  // false: leave it unacknowledged so Slack delivers it again (we could not record it)
    std::optional<nlohmann::json> payload;
};
// Called for every envelope, of any type, without waiting for the ones before it to be answered;
// the ack is due in 3 s, so it must not wait long.
using envelope_handler = std::function<task<ack_decision>(envelope)>;

struct socket_mode_settings {
    millis hello_timeout{10'000};
    millis idle_timeout{20'000};  // no byte for this long, a ping included: the socket is dead
    millis close_grace{1'000};    // Slack may never answer our close frame
    millis retire_grace{10'000};  // a replaced connection is closed by Slack within this, or by us
};

class socket_mode_client {
public:
    socket_mode_client(asio::any_io_executor ex, ssl::context& tls, web_api& api, envelope_handler handler,
                       std::shared_ptr<spdlog::logger> log, socket_mode_settings settings = {});
    ~socket_mode_client();

    // Runs until cancelled, then closes every connection (bounded by close_grace) and returns.
    task<void> run();
    // Connections that said hello and still carry envelopes (a replaced one until it closes).
    int connections_ready() const { return supervisor_.ready_count(); }
    // Called on the loop each time a connection says hello.
    void on_ready(std::function<void()> fn) { on_ready_ = std::move(fn); }
    // Registers in `r` the envelopes by type, how long each took from its frame read to its ack
    // written, and the connections ready; counts into them from now on.
    void measure(metrics::registry& r);

private:
    struct connection;
    void perform(std::vector<supervisor::action> const& actions);
    task<void> connect_and_serve(std::shared_ptr<connection> c);
    template <class Ws>
    task<void> serve(std::shared_ptr<connection> c, Ws& ws, url_parts where);
    template <class Ws>
    task<void> answer(std::shared_ptr<connection> c, Ws& ws, envelope e, steady_time received);
    template <class Ws>
    task<void> write_acks(std::shared_ptr<connection> c, Ws& ws);
    template <class Ws>
    task<void> close_websocket(std::shared_ptr<connection> c, Ws& ws);
    void connection_over(connection& c);
    double unit();

    asio::any_io_executor ex_;
    ssl::context& tls_;
    web_api& api_;
    envelope_handler handler_;
    std::function<void()> on_ready_;
    std::shared_ptr<spdlog::logger> log_;
    socket_mode_settings settings_;
    supervisor supervisor_;
    std::map<int, std::shared_ptr<connection>> connections_;
    std::unique_ptr<asio::steady_timer> wake_;
    struct instruments;
    std::unique_ptr<instruments> metrics_;  // null until measure()
    std::minstd_rand random_{std::random_device{}()};
    bool stopping_ = false;
};

}  // namespace warroom::slack
