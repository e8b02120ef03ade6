// The HTTP server against real clients on loopback, server and clients in one io_context: Beast
// for well-formed requests, raw bytes for what no client library would send. Each test runs its
// client to the end, then cancels the server and requires run() to return. At the end, warroom's
// own HTTP client against this server (and against a peer that never answers).
#include <doctest/doctest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "adapters/http/client.hpp"
#include "adapters/http/server.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace wire = boost::beast::http;
using tcp = asio::ip::tcp;
using millis = std::chrono::milliseconds;
using steady = std::chrono::steady_clock;
using warroom::coro::task;
using warroom::coro::tuple_awaitable;
using warroom::http::request;
using warroom::http::response;
using warroom::http::server_settings;
using namespace std::chrono_literals;

using answer_message = wire::response<wire::string_body>;
using request_message = wire::request<wire::string_body>;

server_settings on_loopback() {
    server_settings s;
    s.listen = "127.0.0.1:0";
    s.timeout = millis{5'000};
    return s;
}

// Echoes what it saw; /boom throws, /created answers 201 with JSON.
response answer(request const& r) {
    if (r.target == "/boom") throw std::runtime_error("boom");
    response out;
    if (r.target == "/created") {
        out.status = 201;
        out.content_type = "application/json";
    }
    out.body = r.method + " " + r.target + " " + r.body;
    return out;
}

struct harness {
    explicit harness(server_settings s, std::function<response(request const&)> h = answer)
        : settings(s),
          log(make_log()),
          server(
              ioc.get_executor(), s,
              [this, h](request r) -> warroom::http::task<response> {
                  seen.push_back(r);
                  co_return h(r);
              },
              log) {}

    std::shared_ptr<spdlog::logger> make_log() {
        auto l = std::make_shared<spdlog::logger>("http", std::make_shared<spdlog::sinks::ostream_sink_st>(log_text));
        l->set_level(spdlog::level::debug);
        return l;
    }

    tcp::endpoint at() const {
        auto const host =
            settings.listen.starts_with('[') ? asio::ip::make_address("::1") : asio::ip::make_address("127.0.0.1");
        return {host, server.port()};
    }

    // Runs the server and `client` side by side, cancels the server when the client is done, and
    // returns the client's result once both have ended.
    template <class T>
    T drive(task<T> client) {
        asio::co_spawn(ioc, server.run(), asio::bind_cancellation_slot(stop.slot(), [this](std::exception_ptr e) {
                           server_failure = e;
                           stopped_at = steady::now();
                       }));
        std::optional<T> result;
        std::exception_ptr failure;
        asio::co_spawn(ioc, std::move(client), [&](std::exception_ptr e, T value) {
            failure = e;
            if (!e) result = std::move(value);
            stop.emit(asio::cancellation_type::terminal);
        });
        ioc.run_for(10s);
        if (failure) std::rethrow_exception(failure);
        if (server_failure) std::rethrow_exception(server_failure);
        REQUIRE(stopped_at);
        REQUIRE(result);
        return std::move(*result);
    }

    server_settings settings;
    asio::io_context ioc;
    std::ostringstream log_text;
    std::shared_ptr<spdlog::logger> log;
    std::vector<request> seen;
    warroom::http::server server;
    asio::cancellation_signal stop;
    std::optional<steady::time_point> stopped_at;
    std::exception_ptr server_failure;
};

struct heard {
    std::string text;
    bool closed = false;  // the server closed the connection (rather than our deadline passing)
};

// One client connection: Beast requests, raw bytes, or both.
class peer {
public:
    explicit peer(asio::any_io_executor ex) : stream_(ex) {}

    task<void> connect(tcp::endpoint at) {
        stream_.expires_after(5s);
        co_await stream_.async_connect(at, asio::use_awaitable);
    }

    task<answer_message> ask(request_message req) {
        stream_.expires_after(5s);
        co_await wire::async_write(stream_, req, asio::use_awaitable);
        answer_message res;
        co_await wire::async_read(stream_, buffer_, res, asio::use_awaitable);
        co_return res;
    }

    task<void> send(std::string bytes) {
        stream_.expires_after(5s);
        co_await asio::async_write(stream_, asio::buffer(bytes), asio::use_awaitable);
    }

    // Everything until the server closes the connection, or until `within` has passed.
    task<heard> listen(millis within) {
        heard out;
        stream_.expires_after(within);
        for (;;) {
            auto const [ec, n] = co_await stream_.async_read_some(buffer_.prepare(4096), tuple_awaitable);
            buffer_.commit(n);
            if (ec) {
                out.closed = ec == asio::error::eof;
                break;
            }
        }
        out.text = beast::buffers_to_string(buffer_.data());
        buffer_.consume(buffer_.size());
        co_return out;
    }

    // Everything up to the first blank line: an interim answer such as 100 Continue, or a head.
    task<std::string> head() {
        stream_.expires_after(5s);
        for (;;) {
            auto const text = beast::buffers_to_string(buffer_.data());
            if (auto const end = text.find("\r\n\r\n"); end != std::string::npos) {
                buffer_.consume(end + 4);
                co_return text.substr(0, end + 4);
            }
            auto const n = co_await stream_.async_read_some(buffer_.prepare(4096), asio::use_awaitable);
            buffer_.commit(n);
        }
    }

    void close() { stream_.close(); }

private:
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
};

request_message make_request(wire::verb verb, std::string target, std::string body) {
    request_message req{verb, target, 11};
    req.set(wire::field::host, "localhost");
    req.body() = std::move(body);
    req.prepare_payload();
    return req;
}

task<void> sleep_for(millis d) {
    asio::steady_timer timer{co_await asio::this_coro::executor};
    timer.expires_after(d);
    co_await timer.async_wait(asio::use_awaitable);
}

// Sends the requests in turn on one connection.
task<std::vector<answer_message>> converse(tcp::endpoint at, std::vector<request_message> requests) {
    peer p{co_await asio::this_coro::executor};
    co_await p.connect(at);
    std::vector<answer_message> answers;
    for (auto const& req : requests) {
        auto answer = co_await p.ask(req);
        answers.push_back(std::move(answer));
    }
    co_return answers;
}

// Connects, sends `bytes` and listens until the server closes the connection (5 s at most).
task<heard> raw(tcp::endpoint at, std::string bytes) {
    peer p{co_await asio::this_coro::executor};
    co_await p.connect(at);
    if (!bytes.empty()) co_await p.send(std::move(bytes));
    auto const out = co_await p.listen(5s);
    co_return out;
}

bool has_ipv6_loopback() {
    asio::io_context ioc;
    tcp::acceptor probe{ioc};
    boost::system::error_code ec;
    probe.open(tcp::v6(), ec);
    if (!ec) probe.bind(tcp::endpoint{asio::ip::address_v6::loopback(), 0}, ec);
    return !ec;
}

std::string bind_failure(std::string listen) {
    asio::io_context ioc;
    server_settings s;
    s.listen = std::move(listen);
    auto const log = std::make_shared<spdlog::logger>("http");
    try {
        warroom::http::server{ioc.get_executor(), s,
                              [](request r) -> warroom::http::task<response> { co_return answer(r); }, log};
    } catch (std::runtime_error const& err) {
        return err.what();
    }
    return "no failure";
}

}  // namespace

TEST_CASE("a GET and a POST reach the handler with lower-cased header names") {
    harness h{on_loopback()};
    auto get = make_request(wire::verb::get, "/healthz?verbose=1", "");
    get.set("X-Request-ID", "abc");
    auto post = make_request(wire::verb::post, "/created", R"({"ok":true})");
    post.set(wire::field::content_type, "application/json");
    post.insert("X-Tag", "one");
    post.insert("x-tag", "two");
    std::vector<request_message> requests;
    requests.push_back(get);
    requests.push_back(post);
    auto const answers = h.drive(converse(h.at(), std::move(requests)));

    REQUIRE(answers.size() == 2);
    CHECK(answers[0].result_int() == 200);
    CHECK(answers[0][wire::field::content_type] == "text/plain; charset=utf-8");
    CHECK(answers[0].body() == "GET /healthz?verbose=1 ");
    CHECK(answers[1].result_int() == 201);
    CHECK(answers[1][wire::field::content_type] == "application/json");
    CHECK(answers[1].body() == R"(POST /created {"ok":true})");
    REQUIRE(h.seen.size() == 2);
    CHECK(h.seen[0].method == "GET");
    CHECK(h.seen[0].target == "/healthz?verbose=1");
    CHECK(h.seen[0].headers.at("x-request-id") == "abc");
    CHECK(h.seen[0].headers.at("host") == "localhost");
    CHECK(h.seen[0].remote.starts_with("127.0.0.1:"));
    CHECK(h.seen[1].method == "POST");
    CHECK(h.seen[1].body == R"({"ok":true})");
    CHECK(h.seen[1].headers.at("content-type") == "application/json");
    CHECK(h.seen[1].headers.at("content-length") == "11");
    CHECK(h.seen[1].headers.at("x-tag") == "one, two");
    CHECK_FALSE(h.seen[1].headers.contains("X-Tag"));
}

TEST_CASE("keep-alive serves two requests on one connection") {
    harness h{on_loopback()};
    std::vector<request_message> requests;
    requests.push_back(make_request(wire::verb::get, "/one", ""));
    requests.push_back(make_request(wire::verb::get, "/two", ""));
    auto const answers = h.drive(converse(h.at(), std::move(requests)));

    REQUIRE(answers.size() == 2);
    CHECK(answers[0].keep_alive());
    CHECK(answers[1].body() == "GET /two ");
    REQUIRE(h.seen.size() == 2);
    CHECK(h.seen[0].remote == h.seen[1].remote);
}

TEST_CASE("the debug log names method target and status but never the body") {
    harness h{on_loopback()};
    std::vector<request_message> requests;
    requests.push_back(make_request(wire::verb::post, "/hooks/pagerduty", "token=s3cr3t-webhook-token"));
    h.drive(converse(h.at(), std::move(requests)));

    auto const log = h.log_text.str();
    CAPTURE(log);
    CHECK(log.find("POST /hooks/pagerduty: 200 in ") != std::string::npos);
    CHECK(log.find("s3cr3t") == std::string::npos);
}

TEST_CASE("a body over the limit is answered 413 and the connection closed") {
    auto s = on_loopback();
    s.body_limit = 16;
    harness h{s};
    auto const sent =
        h.drive(raw(h.at(), "POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'x')));
    CHECK(sent.text.starts_with("HTTP/1.1 413 "));
    CHECK(sent.closed);
    CHECK(h.seen.empty());
}

TEST_CASE("a chunked body that grows over the limit is answered 413") {
    auto s = on_loopback();
    s.body_limit = 16;
    harness h{s};
    auto const sent = h.drive(raw(h.at(), "POST /hook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n" +
                                              std::string(32, 'x') + "\r\n0\r\n\r\n"));
    CHECK(sent.text.starts_with("HTTP/1.1 413 "));
    CHECK(sent.closed);
    CHECK(h.seen.empty());
}

TEST_CASE("a header over 8 KiB is answered 431") {
    harness h{on_loopback()};
    auto const sent =
        h.drive(raw(h.at(), "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(10'000, 'a') + "\r\n\r\n"));
    CHECK(sent.text.starts_with("HTTP/1.1 431 "));
    CHECK(sent.closed);
    CHECK(h.seen.empty());
}

TEST_CASE("malformed requests are answered 400 and the connection closed") {
    for (std::string const bytes : {
             "garbage\r\n\r\n",
             "GET / HTTP/1.x\r\nHost: x\r\n\r\n",
             "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n",
             "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
         }) {
        CAPTURE(bytes);
        harness h{on_loopback()};
        auto const sent = h.drive(raw(h.at(), bytes));
        CHECK(sent.text.starts_with("HTTP/1.1 400 "));
        CHECK(sent.closed);
        CHECK(h.seen.empty());
    }
}

TEST_CASE("a handler that throws is answered 500 and the server keeps serving") {
    harness h{on_loopback()};
    std::vector<request_message> requests;
    requests.push_back(make_request(wire::verb::get, "/boom", ""));
    requests.push_back(make_request(wire::verb::get, "/after", ""));
    auto const answers = h.drive(converse(h.at(), std::move(requests)));

    REQUIRE(answers.size() == 2);
    CHECK(answers[0].result_int() == 500);
    CHECK(answers[1].result_int() == 200);
    CHECK(h.log_text.str().find("GET /boom: handler failed: boom") != std::string::npos);
}

TEST_CASE("a status the handler should not answer becomes a 500") {
    harness h{on_loopback(), [](request const&) {
                  response r;
                  r.status = 42;
                  return r;
              }};
    std::vector<request_message> requests;
    requests.push_back(make_request(wire::verb::get, "/", ""));
    auto const answers = h.drive(converse(h.at(), std::move(requests)));
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].result_int() == 500);
    CHECK(h.log_text.str().find("status 42 is not a final status") != std::string::npos);
}

TEST_CASE("an idle or stalled connection is closed after the timeout") {
    for (std::string const bytes : {"", "GET / HTTP/1.1\r\nHost: x\r\n"}) {
        CAPTURE(bytes);
        auto s = on_loopback();
        s.timeout = millis{200};
        harness h{s};
        auto const started = steady::now();
        auto const sent = h.drive(raw(h.at(), bytes));
        auto const waited = steady::now() - started;
        CHECK(sent.closed);
        CHECK(sent.text.empty());
        CHECK(waited >= millis{150});
        CHECK(waited < millis{2'000});
    }
}

namespace {

struct stop_times {
    steady::time_point cancelled;
    heard after;
};

// An idle connection is open when the server is cancelled.
task<stop_times> cancel_while_idle(tcp::endpoint at, asio::cancellation_signal* stop) {
    peer p{co_await asio::this_coro::executor};
    co_await p.connect(at);
    co_await sleep_for(50ms);
    stop_times out{steady::now(), {}};
    stop->emit(asio::cancellation_type::terminal);
    out.after = co_await p.listen(5s);
    co_return out;
}

// Half a request is in when the server is cancelled; the rest follows shortly, or never.
task<stop_times> cancel_mid_request(tcp::endpoint at, asio::cancellation_signal* stop, bool finish) {
    peer p{co_await asio::this_coro::executor};
    co_await p.connect(at);
    std::string const first_half = "POST /late HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab";
    co_await p.send(first_half);
    co_await sleep_for(50ms);
    stop_times out{steady::now(), {}};
    stop->emit(asio::cancellation_type::terminal);
    if (finish) {
        co_await sleep_for(100ms);
        std::string const second_half = "cde";
        co_await p.send(second_half);
    }
    out.after = co_await p.listen(5s);
    co_return out;
}

}  // namespace

TEST_CASE("cancellation stops run promptly with an idle connection open") {
    harness h{on_loopback()};
    auto const t = h.drive(cancel_while_idle(h.at(), &h.stop));
    CHECK(t.after.closed);
    CHECK(*h.stopped_at - t.cancelled < millis{300});
    CHECK(h.log_text.str().find("http: stopped") != std::string::npos);
}

TEST_CASE("a request in flight at cancellation is answered with Connection close") {
    harness h{on_loopback()};
    auto const t = h.drive(cancel_mid_request(h.at(), &h.stop, true));
    CHECK(t.after.closed);
    CHECK(t.after.text.starts_with("HTTP/1.1 200 "));
    CHECK(t.after.text.find("Connection: close\r\n") != std::string::npos);
    CHECK(t.after.text.ends_with("POST /late abcde"));
    CHECK(*h.stopped_at - t.cancelled < millis{1'000});
}

TEST_CASE("a request never completed is cut off one second after cancellation") {
    harness h{on_loopback()};
    auto const t = h.drive(cancel_mid_request(h.at(), &h.stop, false));
    CHECK(t.after.closed);
    CHECK(t.after.text.empty());
    CHECK(*h.stopped_at - t.cancelled >= millis{900});
    CHECK(*h.stopped_at - t.cancelled < millis{1'500});
    CHECK(h.seen.empty());
}

namespace {

struct over_limit {
    unsigned first = 0;
    heard refused;
    unsigned after_first_left = 0;
};

task<over_limit> one_too_many(tcp::endpoint at) {
    auto const ex = co_await asio::this_coro::executor;
    over_limit out;
    peer first{ex};
    co_await first.connect(at);
    auto const to_first = make_request(wire::verb::get, "/first", "");
    auto const first_answer = co_await first.ask(to_first);
    out.first = first_answer.result_int();
    peer second{ex};
    co_await second.connect(at);
    out.refused = co_await second.listen(5s);
    first.close();
    co_await sleep_for(50ms);
    peer third{ex};
    co_await third.connect(at);
    auto const to_third = make_request(wire::verb::get, "/third", "");
    auto const third_answer = co_await third.ask(to_third);
    out.after_first_left = third_answer.result_int();
    co_return out;
}

}  // namespace

TEST_CASE("connections over the limit are answered 503 and closed at once") {
    auto s = on_loopback();
    s.max_connections = 1;
    harness h{s};
    auto const r = h.drive(one_too_many(h.at()));
    CHECK(r.first == 200);
    CHECK(r.refused.text.starts_with("HTTP/1.1 503 "));
    CHECK(r.refused.closed);
    CHECK(r.after_first_left == 200);
}

namespace {

struct continued {
    std::string interim;
    heard rest;
};

task<continued> expect_continue(tcp::endpoint at, std::string content_length) {
    peer p{co_await asio::this_coro::executor};
    co_await p.connect(at);
    auto const headers =
        "POST /upload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " + content_length + "\r\n\r\n";
    co_await p.send(headers);
    continued out;
    out.interim = co_await p.head();
    if (out.interim.starts_with("HTTP/1.1 100 ")) {
        std::string const body = "hello";
        co_await p.send(body);
        out.rest = co_await p.listen(300ms);
    }
    co_return out;
}

}  // namespace

TEST_CASE("Expect 100-continue is answered before the body is sent") {
    auto s = on_loopback();
    s.body_limit = 16;
    harness h{s};
    auto const r = h.drive(expect_continue(h.at(), "5"));
    CHECK(r.interim == "HTTP/1.1 100 Continue\r\n\r\n");
    CHECK(r.rest.text.starts_with("HTTP/1.1 200 "));
    CHECK(r.rest.text.ends_with("POST /upload hello"));
}

TEST_CASE("Expect 100-continue with a body over the limit is answered 413 without the upload") {
    auto s = on_loopback();
    s.body_limit = 16;
    harness h{s};
    auto const r = h.drive(expect_continue(h.at(), "1000"));
    CHECK(r.interim.starts_with("HTTP/1.1 413 "));
    CHECK(h.seen.empty());
}

TEST_CASE("IPv6 loopback is served when the machine has it") {
    if (!has_ipv6_loopback()) {
        MESSAGE("no IPv6 loopback here: skipped");
        return;
    }
    server_settings s = on_loopback();
    s.listen = "[::1]:0";
    harness h{s};
    std::vector<request_message> requests;
    requests.push_back(make_request(wire::verb::get, "/v6", ""));
    auto const answers = h.drive(converse(h.at(), std::move(requests)));
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].result_int() == 200);
    REQUIRE(h.seen.size() == 1);
    CHECK(h.seen[0].remote.starts_with("[::1]:"));
}

TEST_CASE("a failure to listen names the address") {
    harness h{on_loopback()};
    auto const taken = "127.0.0.1:" + std::to_string(h.server.port());
    auto const in_use = bind_failure(taken);
    CAPTURE(in_use);
    CHECK(in_use.starts_with("http: cannot listen on " + taken + ": "));
    CHECK(bind_failure("127.0.0.1") == "http: cannot listen on 127.0.0.1: not host:port");
}

// --- the client ----------------------------------------------------------------------------------

using warroom::http::client;
using warroom::http::client_response;

struct client_side {
    explicit client_side(asio::any_io_executor ex, millis timeout = millis{5'000}) : http(ex, tls, timeout) {}
    asio::ssl::context tls{asio::ssl::context::tls_client};
    client http;
};

response json_answer(request const& r) {
    return {200, "application/json", R"({"ok":true,"seen":")" + r.target + R"("})"};
}

task<std::vector<client_response>> post_twice(client& c, std::string url) {
    std::vector<client_response> out;
    std::string const stray = "bad \xff byte";
    for (int k = 0; k < 2; ++k) {
        nlohmann::json body;
        body["n"] = k;
        body["text"] = stray;
        std::string const authorization = "Token token=abc";
        auto r = co_await c.post_json(url, body, authorization);
        out.push_back(std::move(r));
    }
    co_return out;
}

TEST_CASE("the client posts JSON with its Authorization and reuses the connection") {
    harness h{on_loopback(), json_answer};
    client_side c{h.ioc.get_executor()};
    auto const url = "http://127.0.0.1:" + std::to_string(h.server.port()) + "/v2/enqueue?x=1";
    auto const answers = h.drive(post_twice(c.http, url));
    REQUIRE(answers.size() == 2);
    for (auto const& a : answers) {
        CHECK_FALSE(a.transport);
        CHECK(a.sent);
        CHECK(a.status == 200);
        CHECK(a.body.value("seen", "") == "/v2/enqueue?x=1");
    }
    REQUIRE(h.seen.size() == 2);
    CHECK(h.seen[0].method == "POST");
    CHECK(h.seen[0].headers.at("authorization") == "Token token=abc");
    CHECK(h.seen[0].headers.at("content-type") == "application/json; charset=utf-8");
    // Invalid UTF-8 is replaced rather than refused: a page is never lost to a stray byte.
    CHECK(nlohmann::json::parse(h.seen[1].body).value("text", "") == "bad \xef\xbf\xbd byte");
    CHECK(h.seen[0].remote == h.seen[1].remote);
}

task<client_response> post_once(client& c, std::string url) {
    auto r = co_await c.post_json(url, nlohmann::json::object());
    co_return r;
}

TEST_CASE("the client reports what it could not send as not sent") {
    harness h{on_loopback(), json_answer};
    client_side c{h.ioc.get_executor()};
    auto const malformed = h.drive(post_once(c.http, "ftp://127.0.0.1/x"));
    CHECK(malformed.transport == asio::error::invalid_argument);
    CHECK_FALSE(malformed.sent);
    CHECK(h.seen.empty());
}

TEST_CASE("the client gives up on a refused connection and on a peer that never answers") {
    asio::io_context ioc;
    client_side c{ioc.get_executor(), millis{300}};
    // A port nobody listens on: bind one, note it, close it.
    std::uint16_t closed_port = 0;
    {
        tcp::acceptor probe{ioc, {asio::ip::make_address("127.0.0.1"), 0}};
        closed_port = probe.local_endpoint().port();
    }
    tcp::acceptor mute{ioc, {asio::ip::make_address("127.0.0.1"), 0}};
    tcp::socket held{ioc};
    mute.async_accept(held, [](boost::system::error_code) {});
    std::optional<client_response> refused, unanswered;
    auto const began = steady::now();
    asio::co_spawn(ioc, post_once(c.http, "http://127.0.0.1:" + std::to_string(closed_port) + "/"),
                   [&](std::exception_ptr, client_response r) { refused = std::move(r); });
    asio::co_spawn(ioc, post_once(c.http, "http://127.0.0.1:" + std::to_string(mute.local_endpoint().port()) + "/"),
                   [&](std::exception_ptr, client_response r) { unanswered = std::move(r); });
    ioc.run_for(5s);
    REQUIRE(refused);
    CHECK(refused->transport);
    CHECK_FALSE(refused->sent);
    REQUIRE(unanswered);
    CHECK(unanswered->transport == beast::error::timeout);
    // Written, so it may have reached the server: the caller must treat it as in doubt.
    CHECK(unanswered->sent);
    CHECK(steady::now() - began < 3s);
}
