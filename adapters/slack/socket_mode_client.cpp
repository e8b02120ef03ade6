// Connections report to the supervisor (hello, disconnect, closed, failed) and perform what it
// answers. Closing is a close frame sent while the read stays pending (Beast allows one read and
// one write at a time, so it waits for an ack being written); the read then ends with the peer's
// answer, or is interrupted when the peer never answers. A replaced connection keeps reading until
// Slack closes it (Slack delivers on it until then), or for retire_grace at most.
#include "adapters/slack/socket_mode_client.hpp"

#include <deque>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace warroom::slack {
namespace {

namespace websocket = beast::websocket;

// Slack's own errors for which retrying soon cannot help (node SDK's UnrecoverableSocketModeStartError).
bool unrecoverable(std::string const& error) {
    return error == "not_authed" || error == "invalid_auth" || error == "account_inactive" ||
           error == "user_removed_from_team" || error == "team_disabled" || error == "not_allowed_token_type";
}

}  // namespace

struct socket_mode_client::connection {
    connection(int id_, asio::any_io_executor ex) : id(id_), hello_timer(ex), retire_timer(ex) {}
    int id;
    bool ready = false;
    bool reading = false;
    bool writing = false;
    int handling = 0;  // envelopes read and not yet answered
    struct ack {
        std::string envelope, type, frame;
        steady_time received;  // when its frame was read
    };
    std::deque<ack> acks;  // ready, waiting for the write before them
    bool close_requested = false;
    bool closing = false;                 // our close frame is on its way: no more writes
    bool closed = false;                  // the close exchange is over (answered, or given up)
    asio::cancellation_signal interrupt;  // cancels the pending read only
    asio::steady_timer hello_timer;
    asio::steady_timer retire_timer;
    std::function<void()> begin_close;  // set by serve() once the websocket exists

    void request_close() {
        close_requested = true;
        if (closing) return;
        if (begin_close) {
            if (!writing) begin_close();
        } else if (reading) {
            interrupt.emit(asio::cancellation_type::terminal);
        }
    }
};

struct socket_mode_client::instruments {
    metrics::label type;
    metrics::counter_family& envelopes;
    metrics::histogram& ack;
};

void socket_mode_client::measure(metrics::registry& r) {
    metrics::label const type{"type", {"events_api", "slash_commands", "interactive", "other"}};
    metrics_.reset(new instruments{
        type, r.counters("warroom_envelopes_total", "Socket Mode envelopes received, by type.", {type}),
        // Slack wants the ack within 3 s: a bucket ends there.
        r.durations("warroom_envelope_ack_seconds",
                    "Time from reading a Socket Mode envelope to writing its acknowledgement, in seconds.",
                    {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10})});
    r.read("warroom_socket_mode_connections",
           "Socket Mode connections that said hello and carry envelopes (0: none, warroom hears nothing).",
           metrics::kind::gauge, [this] { return connections_ready(); });
}

socket_mode_client::socket_mode_client(asio::any_io_executor ex, ssl::context& tls, web_api& api,
                                       envelope_handler handler, std::shared_ptr<spdlog::logger> log,
                                       socket_mode_settings settings)
    : ex_(ex),
      tls_(tls),
      api_(api),
      handler_(std::move(handler)),
      log_(std::move(log)),
      settings_(settings),
      wake_(std::make_unique<asio::steady_timer>(ex)) {}

socket_mode_client::~socket_mode_client() = default;

double socket_mode_client::unit() { return std::uniform_real_distribution<double>{0, 1}(random_); }

void socket_mode_client::perform(std::vector<supervisor::action> const& actions) {
    for (auto const& a : actions) {
        if (auto const* open = std::get_if<supervisor::open_connection>(&a)) {
            if (stopping_) continue;
            auto c = std::make_shared<connection>(open->id, ex_);
            connections_[open->id] = c;
            asio::co_spawn(ex_, connect_and_serve(c), [log = log_, id = open->id](std::exception_ptr e) {
                if (!e) return;
                try {
                    std::rethrow_exception(e);
                } catch (std::exception const& err) {
                    log->error("socket mode connection {}: {}", id, err.what());
                }
            });
        } else if (auto const* close = std::get_if<supervisor::close_connection>(&a)) {
            if (auto const it = connections_.find(close->id); it != connections_.end()) {
                log_->info("socket mode connection {}: replaced; it closes when Slack closes it or in {} ms", close->id,
                           settings_.retire_grace.count());
                auto c = it->second;
                c->retire_timer.expires_after(settings_.retire_grace);
                c->retire_timer.async_wait([c](error_code ec) {
                    if (!ec) c->request_close();
                });
            }
        }
    }
    // The supervisor's deadline may have changed.
    wake_->cancel();
}

void socket_mode_client::connection_over(connection& c) {
    connections_.erase(c.id);
    auto const now = std::chrono::steady_clock::now();
    if (stopping_) return;
    if (c.ready) {
        perform(supervisor_.on_closed(c.id, now, unit()));
    } else {
        perform(supervisor_.on_open_failed(c.id, supervisor::failure::retry, now, millis{0}, unit()));
    }
}

task<void> socket_mode_client::run() {
    perform(supervisor_.start(std::chrono::steady_clock::now()));
    for (;;) {
        auto const deadline = supervisor_.next_deadline();
        wake_->expires_at(deadline.value_or(std::chrono::steady_clock::now() + std::chrono::hours{1}));
        auto const [ec] = co_await wake_->async_wait(tuple_awaitable);
        if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) break;
        if (!ec) perform(supervisor_.on_timer(std::chrono::steady_clock::now()));
    }
    // Shutdown: stop reading everywhere, let each connection send its close frame, bounded.
    co_await asio::this_coro::reset_cancellation_state();
    stopping_ = true;
    std::vector<std::shared_ptr<connection>> open;
    for (auto const& [id, c] : connections_) open.push_back(c);
    for (auto const& c : open) {
        c->retire_timer.cancel();
        c->request_close();
    }
    asio::steady_timer poll{ex_};
    auto const until = std::chrono::steady_clock::now() + settings_.close_grace * 2;
    while (!connections_.empty() && std::chrono::steady_clock::now() < until) {
        poll.expires_after(millis{20});
        co_await poll.async_wait(tuple_awaitable);
    }
    log_->info("socket mode: stopped");
}

task<void> socket_mode_client::connect_and_serve(std::shared_ptr<connection> c) {
    auto const now = [] { return std::chrono::steady_clock::now(); };
    auto const opened = co_await api_.call("apps.connections.open", nlohmann::json::object(), token_kind::app);
    if (c->close_requested) {
        connection_over(*c);
        co_return;
    }
    std::optional<url_parts> where;
    if (opened.ok()) {
        auto const url = opened.body.value("url", std::string{});
        where = split_url(url);
    }
    if (!where) {
        auto const error = opened.ok() ? std::string("no usable url in the answer") : opened.error();
        bool const fatal = unrecoverable(error);
        (fatal ? log_->error("socket mode: apps.connections.open failed: {}; check SLACK_APP_TOKEN", error)
               : log_->warn("socket mode: apps.connections.open failed: {}", error));
        connections_.erase(c->id);
        if (!stopping_) {
            perform(supervisor_.on_open_failed(c->id, fatal ? supervisor::failure::fatal : supervisor::failure::retry,
                                               now(), millis{0}, unit()));
        }
        co_return;
    }
    if (where->tls) {
        websocket::stream<ssl::stream<beast::tcp_stream>> ws{ex_, tls_};
        auto const ec = co_await connect_tls(ws.next_layer(), *where, settings_.hello_timeout);
        if (ec) {
            log_->warn("socket mode connection {}: connect to {} failed: {}", c->id, where->host, ec.message());
            connection_over(*c);
            co_return;
        }
        co_await serve(c, ws, *where);
    } else {
        websocket::stream<beast::tcp_stream> ws{ex_};
        auto const ec = co_await connect_tcp(ws.next_layer(), *where, settings_.hello_timeout);
        if (ec) {
            log_->warn("socket mode connection {}: connect to {} failed: {}", c->id, where->host, ec.message());
            connection_over(*c);
            co_return;
        }
        co_await serve(c, ws, *where);
    }
}

template <class Ws>
task<void> socket_mode_client::serve(std::shared_ptr<connection> c, Ws& ws, url_parts where) {
    using namespace asio::experimental::awaitable_operators;
    auto const now = [] { return std::chrono::steady_clock::now(); };
    ws.set_option(websocket::stream_base::timeout{settings_.hello_timeout, settings_.idle_timeout, true});
    ws.set_option(websocket::stream_base::decorator(
        [](websocket::request_type& req) { req.set(beast::http::field::user_agent, "warroom/" WARROOM_VERSION); }));
    bool const default_port = where.port == (where.tls ? "443" : "80");
    // Named, not a temporary in the co_await expression: GCC 12 frees such temporaries twice.
    std::string const host = default_port ? where.host : where.host + ":" + where.port;
    auto const [hec] = co_await ws.async_handshake(host, where.target, tuple_awaitable);
    if (hec) {
        log_->warn("socket mode connection {}: websocket handshake failed: {}", c->id, hec.message());
        connection_over(*c);
        co_return;
    }
    c->hello_timer.expires_after(settings_.hello_timeout);
    c->hello_timer.async_wait([c, log = log_](error_code ec) {
        if (ec || c->ready) return;
        log->warn("socket mode connection {}: no hello within the deadline", c->id);
        c->request_close();
    });

    c->begin_close = [this, c, &ws] {
        c->closing = true;
        asio::co_spawn(ex_, close_websocket(c, ws), asio::detached);
    };
    if (c->close_requested) c->begin_close();
    beast::flat_buffer buffer;
    for (;;) {
        c->reading = true;
        auto const [rec, n] =
            co_await ws.async_read(buffer, asio::bind_cancellation_slot(c->interrupt.slot(), tuple_awaitable));
        c->reading = false;
        if (rec) {
            if (!c->close_requested && rec != websocket::error::closed) {
                log_->warn("socket mode connection {}: {}", c->id, rec.message());
            }
            break;
        }
        if (!ws.got_text()) {
            log_->warn("socket mode connection {}: ignored a binary frame of {} bytes", c->id, n);
            buffer.consume(n);
            continue;
        }
        auto const received = now();
        auto const text = beast::buffers_to_string(buffer.data());
        buffer.consume(buffer.size());
        auto const f = parse_frame(text);
        if (auto const* h = std::get_if<hello>(&f)) {
            if (!c->ready) {
                c->ready = true;
                c->hello_timer.cancel();
                log_->info("socket mode connection {}: ready ({} connection(s); refresh in about {} s)", c->id,
                           h->num_connections, h->refresh_in.count());
                perform(supervisor_.on_ready(c->id, now()));
                if (on_ready_) on_ready_();
            }
        } else if (auto const* d = std::get_if<disconnect>(&f)) {
            log_->info("socket mode connection {}: Slack asks to disconnect ({})", c->id, d->reason);
            perform(supervisor_.on_disconnect(c->id, d->reason, now(), unit()));
        } else if (auto* e = std::get_if<envelope>(&f)) {
            // Handled beside the reading: while one waits for its commit, the next is read and decided.
            if (metrics_) metrics_->envelopes.at(metrics_->type.index_of(e->type)).add();
            ++c->handling;
            asio::co_spawn(ex_, answer(c, ws, std::move(*e), received), [c](std::exception_ptr) { --c->handling; });
        } else {
            log_->warn("socket mode connection {}: ignored a frame ({}, {} bytes)", c->id, std::get<ignored>(f).why,
                       text.size());
        }
    }
    c->hello_timer.cancel();
    c->retire_timer.cancel();
    c->close_requested = true;
    if (!c->closing && !c->writing && ws.is_open()) c->begin_close();
    // The close exchange and the envelopes being answered use the stream: they must be over before
    // it goes away. Each answer has its own deadline (its commit's).
    asio::steady_timer wait{ex_};
    while ((c->closing && !c->closed) || c->handling > 0 || c->writing) {
        wait.expires_after(millis{5});
        co_await wait.async_wait(tuple_awaitable);
    }
    c->begin_close = nullptr;
    log_->info("socket mode connection {}: closed", c->id);
    connection_over(*c);
}

template <class Ws>
task<void> socket_mode_client::answer(std::shared_ptr<connection> c, Ws& ws, envelope e, steady_time received) {
    ack_decision decision;
    try {
        decision = co_await handler_(e);
    } catch (std::exception const& err) {
        // Unacknowledged, Slack delivers an event again; a command's user sees Slack's timeout.
        log_->error("envelope {} ({}): not handled: {}", e.id, e.type, err.what());
        decision.ack = false;
    }
    if (!decision.ack) co_return;
    if (c->closing || !ws.is_open()) {
        // Our close frame is out: Slack delivers this one again (events) or the user retries.
        log_->warn("envelope {} ({}): answered while connection {} was closing; not acknowledged", e.id, e.type,
                   c->id);
        co_return;
    }
    c->acks.push_back({e.id, e.type, ack_frame(e.id, decision.payload ? &*decision.payload : nullptr), received});
    if (!c->writing) co_await write_acks(c, ws);
}

template <class Ws>
task<void> socket_mode_client::write_acks(std::shared_ptr<connection> c, Ws& ws) {
    // One write at a time on a websocket: acks ready meanwhile queue behind it, in the order they were ready.
    c->writing = true;
    while (!c->acks.empty() && !c->closing) {
        auto const a = std::move(c->acks.front());
        c->acks.pop_front();
        auto const [wec, written] = co_await ws.async_write(asio::buffer(a.frame), tuple_awaitable);
        if (wec) {
            log_->warn("socket mode connection {}: ack of envelope {} failed: {}", c->id, a.envelope, wec.message());
            c->acks.clear();
            c->close_requested = true;
            if (c->reading) c->interrupt.emit(asio::cancellation_type::terminal);
            break;
        }
        if (metrics_) metrics_->ack.observe(std::chrono::steady_clock::now() - a.received);
        log_->debug("envelope {} ({}): acked on connection {}", a.envelope, a.type, c->id);
    }
    c->writing = false;
    if (c->close_requested && !c->closing && c->begin_close && ws.is_open()) c->begin_close();
}

template <class Ws>
task<void> socket_mode_client::close_websocket(std::shared_ptr<connection> c, Ws& ws) {
    using namespace asio::experimental::awaitable_operators;
    // Bounded: Slack sometimes never answers a close frame (protocol doc §1.4).
    asio::steady_timer grace{ex_};
    grace.expires_after(settings_.close_grace);
    auto const done =
        co_await (ws.async_close(websocket::close_code::normal, tuple_awaitable) || grace.async_wait(tuple_awaitable));
    if (done.index() == 1 || std::get<0>(done) != std::tuple<error_code>{}) {
        if (c->reading) c->interrupt.emit(asio::cancellation_type::terminal);
    }
    c->closed = true;
}

}  // namespace warroom::slack
