// A small HTTP/1.1 server for /healthz, /metrics and inbound webhooks. Contract: the handler is
// called once per complete request, on the io_context thread, and its answer is written back; malformed, oversized and excess traffic is answered here without reaching it.
// Single-threaded, one io_context; destroy the server only after run() has returned.
#pragma once

#include <spdlog/fwd.h>

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "adapters/boost/coro.hpp"

namespace warroom::http {

namespace asio = boost::asio;
using coro::task;

struct request {
    std::string method;
    std::string target;                          // path and query, as sent
    std::map<std::string, std::string> headers;  // keys lower-cased; repeated fields joined with ", "
    std::string body;
    std::string remote;  // the peer, "127.0.0.1:50312" or "[::1]:50312"
};

struct response {
    int status = 200;  // 200 to 599; anything else is answered as a handler failure (500)
    std::string content_type = "text/plain; charset=utf-8";  // empty: no Content-Type
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers = {};  // further fields (Retry-After)
};

// Runs on the io_context thread, so it must not block; it may wait (a commit). An exception becomes a 500.
using handler = std::function<task<response>(request)>;

struct server_settings {
    std::string listen;                         // host:port, "[::1]:port" for IPv6; port 0 picks a free one
    std::size_t body_limit = 1 << 20;           // larger bodies are answered 413
    std::chrono::milliseconds timeout{10'000};  // for each request read and each response write, idle included
    int max_connections = 64;                   // more are answered 503 and closed at once
};

class server {
public:
    // Binds now, so the caller knows the port; throws std::runtime_error naming the address.
    server(asio::any_io_executor ex, server_settings s, handler h, std::shared_ptr<spdlog::logger> log);
    ~server();
    server(server const&) = delete;
    server& operator=(server const&) = delete;

    std::uint16_t port() const;
    // Accepts until cancelled through the cancellation slot; then stops accepting, lets requests in
    // flight finish (1 s at most), closes every connection and returns.
    task<void> run();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace warroom::http
