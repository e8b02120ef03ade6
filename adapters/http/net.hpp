// Small pieces shared by the outbound transports (the HTTP client, Slack's websocket): URLs, TLS
// settings, connecting with deadlines, and the Asio names they use.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/boost/coro.hpp"
namespace warroom::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;
using coro::task;
using coro::tuple_awaitable;

struct url_parts {
    bool tls = false;  // https or wss
    std::string host;  // without brackets
    std::string port;
    std::string target;  // path and query, "/" at least
};
// http, https, ws and wss URLs only; nullopt for anything else or a malformed URL.
std::optional<url_parts> split_url(std::string_view url);

// TLS client context: peer verification on, TLS 1.2 at least, trusting `ca_file` alone when given
// (SSL_CERT_FILE), else the system store: its hashed directory (SSL_CERT_DIR, else OpenSSL's) read
// certificate by certificate, or the whole default bundle when there is no such directory. Throws
// std::runtime_error naming the file.
ssl::context make_tls_context(std::string const& ca_file);

// Resolve, connect and (for TLS) handshake with SNI and host-name verification, each step within
// `timeout`. On return the stream has no deadline armed.
task<error_code> connect_tcp(beast::tcp_stream& stream, url_parts const& where, std::chrono::milliseconds timeout);
task<error_code> connect_tls(ssl::stream<beast::tcp_stream>& stream, url_parts const& where,
                             std::chrono::milliseconds timeout);

}  // namespace warroom::http
