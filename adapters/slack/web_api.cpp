// One request per connection at a time; idle keep-alive connections wait in a small pool and are
// checked before reuse, because a server may have closed them meanwhile.
#include "adapters/slack/web_api.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <variant>

namespace warroom::slack {
namespace {

namespace http = beast::http;
constexpr std::size_t max_idle = 8;
constexpr auto idle_limit = std::chrono::seconds{30};

constexpr auto dump_mode = nlohmann::json::error_handler_t::replace;

// Slack's read methods refuse JSON bodies (protocol doc §3.1).
bool takes_json(std::string_view method) {
    constexpr std::string_view form_only[] = {
        "conversations.info", "conversations.list",    "conversations.history",      "conversations.replies",
        "conversations.members", "users.info",         "users.lookupByEmail",        "usergroups.list",
        "usergroups.users.list", "files.getUploadURLExternal", "chat.getPermalink"};
    return std::find(std::begin(form_only), std::end(form_only), method) == std::end(form_only);
}

std::string key_of(url_parts const& u) { return (u.tls ? "https://" : "http://") + u.host + ":" + u.port; }

// application/x-www-form-urlencoded: unreserved characters as they are, everything else %XX.
std::string form_encode(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

}  // namespace

std::string api_response::error() const {
    if (transport) return transport.message();
    if (body.is_object()) {
        if (auto const e = body.find("error"); e != body.end() && e->is_string()) return e->get<std::string>();
    }
    if (status != 200) return "http_" + std::to_string(status);
    return ok() ? std::string{} : std::string("malformed_response");
}

bool api_response::transient() const {
    // 408: the server timed out waiting for the request (a stalled loop on our side): nothing was processed.
    if (transport || status == 408 || status == 429 || status >= 500 || status == 0) return true;
    auto const e = error();
    return e == "internal_error" || e == "fatal_error" || e == "service_unavailable" || e == "request_timeout" ||
           e == "ratelimited" || e == "rate_limited" || e == "malformed_response";
}

struct web_api::connection {
    std::string key;
    std::variant<beast::tcp_stream, ssl::stream<beast::tcp_stream>> stream;
    beast::flat_buffer buffer;
    std::chrono::steady_clock::time_point idle_since;

    beast::tcp_stream& lowest() {
        if (auto* plain = std::get_if<beast::tcp_stream>(&stream)) return *plain;
        return std::get<ssl::stream<beast::tcp_stream>>(stream).next_layer();
    }
    // Still usable: nothing arrived unasked and the peer has not closed its end.
    bool alive() {
        auto& sock = lowest().socket();
        if (!sock.is_open()) return false;
        char byte = 0;
        auto const n = ::recv(sock.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }
};

web_api::web_api(asio::any_io_executor ex, ssl::context& tls, web_api_settings settings,
                 std::shared_ptr<spdlog::logger> log)
    : ex_(std::move(ex)),
      tls_(tls),
      settings_(std::move(settings)),
      log_(std::move(log)),
      limiter_(settings_.rate_scale) {
    auto const parts = split_url(settings_.base_url);
    if (!parts) throw std::invalid_argument("not an http(s) URL: " + settings_.base_url);
    base_ = *parts;
}

web_api::~web_api() = default;

std::unique_ptr<web_api::connection> web_api::take_idle(url_parts const& where) {
    auto const key = key_of(where);
    auto const now = std::chrono::steady_clock::now();
    while (!idle_.empty()) {
        // Newest first: the most recently used connection is the likeliest to be alive.
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        if (conn->key == key && now - conn->idle_since < idle_limit && conn->alive()) return conn;
    }
    return nullptr;
}

task<api_response> web_api::send(url_parts const& where, std::string target, std::string body,
                                 std::string const& authorization, std::string content_type) {
    api_response out;
    auto conn = take_idle(where);
    if (!conn) {
        if (where.tls) {
            conn.reset(new connection{key_of(where), ssl::stream<beast::tcp_stream>{ex_, tls_}, {}, {}});
            out.transport = co_await connect_tls(std::get<1>(conn->stream), where, settings_.timeout);
        } else {
            conn.reset(new connection{key_of(where), beast::tcp_stream{ex_}, {}, {}});
            out.transport = co_await connect_tcp(std::get<0>(conn->stream), where, settings_.timeout);
        }
        if (out.transport) co_return out;
    }

    http::request<http::string_body> req{http::verb::post, target, 11};
    bool const default_port = where.port == (where.tls ? "443" : "80");
    req.set(http::field::host, default_port ? where.host : where.host + ":" + where.port);
    req.set(http::field::user_agent, "warroom/" WARROOM_VERSION);
    req.set(http::field::content_type, content_type);
    req.set(http::field::accept, "application/json");
    if (!authorization.empty()) req.set(http::field::authorization, authorization);
    req.keep_alive(true);
    req.body() = std::move(body);
    req.prepare_payload();

    http::response_parser<http::string_body> parser;
    parser.body_limit(8 * 1024 * 1024);
    out.sent = true;
    conn->lowest().expires_after(settings_.timeout);
    auto const visit_write = [&](auto& s) { return http::async_write(s, req, tuple_awaitable); };
    auto const [wec, written] = co_await std::visit(visit_write, conn->stream);
    if (!wec) {
        auto const visit_read = [&](auto& s) { return http::async_read(s, conn->buffer, parser, tuple_awaitable); };
        auto const [rec, read] = co_await std::visit(visit_read, conn->stream);
        out.transport = rec;
    } else {
        out.transport = wec;
    }
    conn->lowest().expires_never();
    if (out.transport) co_return out;

    auto& res = parser.get();
    out.status = static_cast<int>(res.result_int());
    out.body = nlohmann::json::parse(res.body(), nullptr, false);
    if (out.body.is_discarded()) out.body = nullptr;
    if (auto const ra = res.find(http::field::retry_after); ra != res.end()) {
        try {
            out.retry_after = std::chrono::seconds{std::stoll(std::string(ra->value()))};
        } catch (std::exception const&) {
            out.retry_after.reset();
        }
    }
    if (res.keep_alive() && idle_.size() < max_idle) {
        conn->idle_since = std::chrono::steady_clock::now();
        idle_.push_back(std::move(conn));
    }
    co_return out;
}

task<api_response> web_api::call(std::string method, nlohmann::json args, token_kind token, std::string channel) {
    if (!takes_json(method)) {
        std::string body;
        for (auto const& [name, value] : args.items()) {
            auto const text = value.is_string() ? value.get<std::string>() : value.dump(-1, ' ', false, dump_mode);
            body += (body.empty() ? "" : "&") + form_encode(name) + "=" + form_encode(text);
        }
        co_return co_await shaped(std::move(method), std::move(body), "application/x-www-form-urlencoded", token,
                                  std::move(channel));
    }
    co_return co_await shaped(std::move(method), args.dump(-1, ' ', false, dump_mode),
                              "application/json; charset=utf-8", token, std::move(channel));
}

task<api_response> web_api::shaped(std::string method, std::string body, std::string content_type, token_kind token,
                                   std::string channel) {
    auto const authorization = "Bearer " + (token == token_kind::app ? settings_.app_token : settings_.bot_token);
    asio::steady_timer timer{ex_};
    for (;;) {
        auto const now = std::chrono::steady_clock::now();
        auto const start = limiter_.reserve(method, channel, now);
        if (start > now) {
            log_->debug("slack api {}: shaped, waiting {} ms", method,
                        std::chrono::duration_cast<millis>(start - now).count());
            timer.expires_at(start);
            co_await timer.async_wait(asio::use_awaitable);
        }
        auto const began = std::chrono::steady_clock::now();
        auto r = co_await send(base_, base_.target + method, body, authorization, content_type);
        if (r.status == 0 || r.status >= 500) limiter_.release(method, channel, start);
        auto const took = std::chrono::duration_cast<millis>(std::chrono::steady_clock::now() - began).count();
        if (r.status == 429) {
            // Slack did not process it: wait exactly as long as it asks, then send it again.
            auto const wait = r.retry_after.value_or(std::chrono::seconds{30});
            log_->warn("slack api {}: 429 rate limited, retrying after {} s", method, wait.count());
            limiter_.pause(method, std::chrono::steady_clock::now() + wait);
            continue;
        }
        if (r.ok()) {
            log_->debug("slack api {}: ok in {} ms", method, took);
        } else {
            log_->info("slack api {}: {} (status {}, {} ms)", method, r.error(), r.status, took);
        }
        co_return r;
    }
}

task<api_response> web_api::call_retrying(std::string method, nlohmann::json args, token_kind token, int attempts) {
    backoff delays{millis{500}, millis{30'000}};
    asio::steady_timer timer{ex_};
    for (int k = 1;; ++k) {
        auto r = co_await call(method, args, token);
        if (!r.transient() || k >= attempts) co_return r;
        timer.expires_after(delays.next(std::uniform_real_distribution<double>{0, 1}(random_)));
        co_await timer.async_wait(asio::use_awaitable);
    }
}

task<api_response> web_api::upload_to(std::string url, std::string bytes, std::string content_type) {
    auto const where = split_url(url);
    if (!where) {
        api_response r;
        r.transport = asio::error::invalid_argument;
        co_return r;
    }
    co_return co_await send(*where, where->target, std::move(bytes), {}, std::move(content_type));
}

task<api_response> web_api::post_to(std::string url, nlohmann::json body, std::string authorization) {
    auto const where = split_url(url);
    if (!where) {
        api_response r;
        r.transport = asio::error::invalid_argument;
        co_return r;
    }
    co_return co_await send(*where, where->target, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                            authorization);
}

}  // namespace warroom::slack
