// Each connection is one coroutine: wait (idle) for the first byte of a request, read the header,
// answer a 100-continue, read the body, call the handler, write the answer, and again while
// keep-alive holds. Every read and write runs under the timeout (tcp_stream closes the socket when
// it expires). On shutdown idle connections are closed at once and busy ones may finish their
// request, answered with Connection: close, until the grace runs out.
#include "adapters/http/server.hpp"

#include <spdlog/logger.h>

#include <algorithm>
#include <array>
#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <optional>
#include <set>
#include <stdexcept>

namespace warroom::http {
namespace {

namespace beast = boost::beast;
namespace wire = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using millis = std::chrono::milliseconds;
using steady = std::chrono::steady_clock;
using coro::tuple_awaitable;

constexpr std::size_t header_limit = 8 * 1024;  // Beast's default, named because exceeding it is answered 431
constexpr millis shutdown_grace{1'000};         // for requests in flight, and for each lingering close

struct connection {
    explicit connection(tcp::socket socket) : stream(std::move(socket)) {}
    beast::tcp_stream stream;
    std::string remote;
    bool idle = true;      // no request under way: shutdown closes it at once
    bool refused = false;  // over max_connections: answered 503, not counted
};

std::string describe(tcp::endpoint const& e) {
    auto const address = e.address().to_string();
    auto const port = std::to_string(e.port());
    return e.address().is_v6() ? "[" + address + "]:" + port : address + ":" + port;
}

tcp::acceptor listen_on(asio::any_io_executor ex, std::string const& listen) {
    auto const failure = [&](std::string const& why) {
        return std::runtime_error("http: cannot listen on " + listen + ": " + why);
    };
    std::string host, port;
    if (listen.starts_with('[')) {
        auto const close = listen.find("]:");
        if (close != std::string::npos) {
            host = listen.substr(1, close - 1);
            port = listen.substr(close + 2);
        }
    } else if (auto const colon = listen.rfind(':'); colon != std::string::npos) {
        host = listen.substr(0, colon);
        port = listen.substr(colon + 1);
    }
    if (host.empty() || port.empty()) throw failure("not host:port");
    error_code ec;
    tcp::resolver resolver{ex};
    auto const found = resolver.resolve(host, port, tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec) throw failure(ec.message());
    for (auto const& entry : found) {
        tcp::acceptor acceptor{ex};
        acceptor.open(entry.endpoint().protocol(), ec);
        if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
        if (!ec) acceptor.bind(entry.endpoint(), ec);
        if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
        if (!ec) return acceptor;
    }
    throw failure(ec.message());
}

std::string lower(beast::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

request to_request(wire::request<wire::string_body>&& m, std::string remote) {
    request r;
    r.method = std::string(m.method_string());
    r.target = std::string(m.target());
    for (auto const& field : m) {
        auto const [at, fresh] = r.headers.try_emplace(lower(field.name_string()), field.value());
        if (!fresh) at->second += ", " + std::string(field.value());
    }
    r.body = std::move(m.body());
    r.remote = std::move(remote);
    return r;
}

wire::response<wire::string_body> to_message(response const& r, unsigned version, bool keep_alive) {
    if (r.status < 200 || r.status > 599) {
        throw std::out_of_range("status " + std::to_string(r.status) + " is not a final status");
    }
    wire::response<wire::string_body> m{static_cast<wire::status>(r.status), version};
    if (!r.content_type.empty()) m.set(wire::field::content_type, r.content_type);
    for (auto const& [name, value] : r.headers) m.set(name, value);
    m.body() = r.body;
    m.keep_alive(keep_alive);
    m.prepare_payload();
    return m;
}

response text(int status, std::string body) {
    response r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

wire::response<wire::string_body> plain(int status, std::string body) {
    return to_message(text(status, std::move(body)), 11, false);
}

// What the exception being handled says; only inside a catch block.
std::string current_error() {
    try {
        throw;
    } catch (std::exception const& err) {
        return err.what();
    } catch (...) {
        return "an exception not derived from std::exception";
    }
}

// The answer to a request that could not be read; nothing when the peer left or was too slow.
std::optional<wire::response<wire::string_body>> refusal_for(error_code ec) {
    if (ec == wire::error::body_limit) return plain(413, "request body too large\n");
    if (ec == wire::error::header_limit) return plain(431, "request header too large\n");
    if (ec == wire::error::end_of_stream || ec == wire::error::partial_message) return std::nullopt;
    if (ec.category() == wire::make_error_code(wire::error::bad_method).category()) {
        return plain(400, "malformed request\n");
    }
    return std::nullopt;
}

}  // namespace

struct server::impl {
    impl(asio::any_io_executor executor, server_settings s, handler h, std::shared_ptr<spdlog::logger> l)
        : ex(executor),
          settings(std::move(s)),
          handle(std::move(h)),
          log(std::move(l)),
          acceptor(listen_on(ex, settings.listen)),
          port(acceptor.local_endpoint().port()),
          pause(ex),
          drained(ex) {}

    asio::any_io_executor ex;
    server_settings settings;
    handler handle;
    std::shared_ptr<spdlog::logger> log;
    tcp::acceptor acceptor;
    std::uint16_t port;
    asio::steady_timer pause;    // after a failed accept
    asio::steady_timer drained;  // cancelled when the last connection ends during shutdown
    std::set<std::shared_ptr<connection>> connections;
    int serving = 0;  // connections not refused
    bool stopping = false;
    bool full = false;  // refusing; warned once until a connection ends

    void admit(tcp::socket socket);
    void forget(std::shared_ptr<connection> const& c);
    task<void> serve(std::shared_ptr<connection> c);
    task<void> refuse(std::shared_ptr<connection> c);
    task<void> linger_close(std::shared_ptr<connection> c);
    task<void> drain(millis at_most);
    task<void> shut_down();
};

server::server(asio::any_io_executor ex, server_settings s, handler h, std::shared_ptr<spdlog::logger> log)
    : impl_(std::make_unique<impl>(ex, std::move(s), std::move(h), std::move(log))) {
    impl_->log->info("http: listening on {}", describe(impl_->acceptor.local_endpoint()));
}

server::~server() = default;

std::uint16_t server::port() const { return impl_->port; }

task<void> server::run() {
    auto& s = *impl_;
    auto const state = co_await asio::this_coro::cancellation_state;
    while (state.cancelled() == asio::cancellation_type::none) {
        auto [ec, socket] = co_await s.acceptor.async_accept(tuple_awaitable);
        if (!ec) {
            s.admit(std::move(socket));
        } else if (state.cancelled() == asio::cancellation_type::none) {
            // Out of file descriptors, typically: pausing lets connections end instead of spinning.
            s.log->warn("http: accept: {}", ec.message());
            s.pause.expires_after(millis{100});
            co_await s.pause.async_wait(tuple_awaitable);
        }
    }
    // Shutdown is bounded by itself: a second cancellation has nothing to cut short.
    co_await asio::this_coro::reset_cancellation_state(asio::disable_cancellation());
    co_await s.shut_down();
}

void server::impl::admit(tcp::socket socket) {
    error_code ec;
    auto const peer = socket.remote_endpoint(ec);
    if (ec) return;  // gone already
    auto c = std::make_shared<connection>(std::move(socket));
    c->remote = describe(peer);
    c->refused = serving >= settings.max_connections;
    if (!c->refused) {
        ++serving;
    } else if (!full) {
        full = true;
        log->warn("http: {} connections open; answering new ones 503", serving);
    }
    connections.insert(c);
    auto work = c->refused ? refuse(c) : serve(c);
    asio::co_spawn(ex, std::move(work), [this, c](std::exception_ptr e) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (...) {
                log->error("http: connection from {}: {}", c->remote, current_error());
            }
        }
        forget(c);
    });
}

void server::impl::forget(std::shared_ptr<connection> const& c) {
    connections.erase(c);
    if (!c->refused) {
        --serving;
        full = false;
    }
    if (stopping && connections.empty()) drained.cancel();
}

task<void> server::impl::serve(std::shared_ptr<connection> c) {
    beast::flat_buffer buffer;
    for (;;) {
        if (buffer.size() == 0) {
            c->idle = true;
            c->stream.expires_after(settings.timeout);
            auto const [ec, n] = co_await c->stream.async_read_some(buffer.prepare(4096), tuple_awaitable);
            if (ec) co_return;  // the peer left, was silent too long, or shutdown closed the socket
            buffer.commit(n);
        }
        c->idle = false;
        auto const started = steady::now();
        wire::request_parser<wire::string_body> parser;
        parser.header_limit(header_limit);
        parser.body_limit(settings.body_limit);
        c->stream.expires_after(settings.timeout);
        auto [ec, n] = co_await wire::async_read_header(c->stream, buffer, parser, tuple_awaitable);
        if (!ec && !parser.is_done() && beast::iequals(parser.get()[wire::field::expect], "100-continue")) {
            // The client waits for this before sending the body (a 413 instead saves it the upload).
            wire::response<wire::empty_body> const go_on{wire::status::continue_, parser.get().version()};
            std::tie(ec, n) = co_await wire::async_write(c->stream, go_on, tuple_awaitable);
        }
        if (!ec && !parser.is_done()) {
            std::tie(ec, n) = co_await wire::async_read(c->stream, buffer, parser, tuple_awaitable);
        }
        if (ec) {
            auto const refusal = refusal_for(ec);
            if (!refusal) co_return;
            log->debug("http: {}: {} ({})", c->remote, refusal->result_int(), ec.message());
            c->stream.expires_after(settings.timeout);
            auto const [wec, written] = co_await wire::async_write(c->stream, *refusal, tuple_awaitable);
            if (!wec) co_await linger_close(c);
            co_return;
        }

        auto const version = parser.get().version();
        bool const keep_alive = parser.get().keep_alive() && !stopping;
        auto const req = to_request(parser.release(), c->remote);
        wire::response<wire::string_body> answer;
        try {
            auto const handled = co_await handle(req);
            answer = to_message(handled, version, keep_alive);
        } catch (...) {
            log->error("http: {} {}: handler failed: {}", req.method, req.target, current_error());
            answer = to_message(text(500, "internal error\n"), version, keep_alive);
        }
        c->stream.expires_after(settings.timeout);
        auto const [wec, written] = co_await wire::async_write(c->stream, answer, tuple_awaitable);
        auto const ms = std::chrono::duration_cast<millis>(steady::now() - started).count();
        log->debug("http: {} {} {}: {} in {} ms", c->remote, req.method, req.target, answer.result_int(), ms);
        if (wec) co_return;
        if (!keep_alive || stopping) {
            co_await linger_close(c);
            co_return;
        }
    }
}

task<void> server::impl::refuse(std::shared_ptr<connection> c) {
    auto const answer = plain(503, "too many connections\n");
    c->stream.expires_after(settings.timeout);
    auto const [ec, n] = co_await wire::async_write(c->stream, answer, tuple_awaitable);
    if (!ec) co_await linger_close(c);
}

// Half-close, then read until the peer closes too (bounded): closing with unread input makes the
// kernel reset the connection, which can destroy the answer still on its way to the client.
task<void> server::impl::linger_close(std::shared_ptr<connection> c) {
    c->idle = true;
    error_code ignored;
    c->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    c->stream.expires_after(std::min(settings.timeout, shutdown_grace));
    std::array<char, 4096> discard;
    for (;;) {
        auto const [ec, n] = co_await c->stream.async_read_some(asio::buffer(discard), tuple_awaitable);
        if (ec) break;
    }
    c->stream.close();
}

task<void> server::impl::drain(millis at_most) {
    auto const until = steady::now() + at_most;
    while (!connections.empty() && steady::now() < until) {
        drained.expires_at(until);
        co_await drained.async_wait(tuple_awaitable);
    }
}

task<void> server::impl::shut_down() {
    stopping = true;
    error_code ignored;
    acceptor.close(ignored);
    // Closing completes the pending operations later, through the loop: the set is not changed here.
    for (auto const& c : connections) {
        if (c->idle) c->stream.close();
    }
    co_await drain(shutdown_grace);
    if (!connections.empty()) log->warn("http: closing {} connection(s) still busy", connections.size());
    for (auto const& c : connections) c->stream.close();
    // Their operations fail at once now; wait for the coroutines, which use this object, to end.
    co_await drain(shutdown_grace);
    log->info("http: stopped");
}

}  // namespace warroom::http
