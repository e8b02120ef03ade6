#include "adapters/http/net.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/url/parse.hpp>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <regex>
#include <stdexcept>
#include <utility>

namespace warroom::http {
namespace {

// The system's certificate directory when it is indexed by subject hash (c_rehash, as
// update-ca-certificates leaves it): OpenSSL then reads a certificate only when a chain needs it.
std::optional<std::string> hashed_cert_dir() {
    auto const* env = std::getenv(X509_get_default_cert_dir_env());
    std::string const dir = env && *env ? env : X509_get_default_cert_dir();
    static std::regex const hashed{"[0-9a-f]{8}\\.[0-9]+"};
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(dir, ec); !ec && it != std::filesystem::directory_iterator{};
         it.increment(ec)) {
        if (std::regex_match(it->path().filename().string(), hashed)) return dir;
    }
    return std::nullopt;
}

bool is_ip_literal(std::string const& host) {
    error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

}  // namespace

std::optional<url_parts> split_url(std::string_view text) {
    auto const parsed = boost::urls::parse_uri(text);
    if (!parsed) return std::nullopt;
    auto const& u = *parsed;
    auto const scheme = u.scheme();
    url_parts out;
    std::string_view default_port;
    if (scheme == "https" || scheme == "wss") {
        out.tls = true;
        default_port = "443";
    } else if (scheme == "http" || scheme == "ws") {
        default_port = "80";
    } else {
        return std::nullopt;
    }
    out.host = u.host_type() == boost::urls::host_type::ipv6 ? std::string(u.encoded_host_address())
                                                             : std::string(u.host_address());
    if (out.host.empty()) return std::nullopt;
    if (out.host.front() == '[' && out.host.back() == ']') out.host = out.host.substr(1, out.host.size() - 2);
    out.port = u.has_port() ? std::string(u.port()) : std::string(default_port);
    out.target = std::string(u.encoded_path());
    if (out.target.empty()) out.target = "/";
    if (u.has_query()) out.target += "?" + std::string(u.encoded_query());
    return out;
}

ssl::context make_tls_context(std::string const& ca_file) {
    ssl::context ctx{ssl::context::tls_client};
    ctx.set_verify_mode(ssl::verify_peer);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    error_code ec;
    if (ca_file.empty()) {
        // Loading the whole bundle up front would keep every authority in memory (1.2 MiB resident).
        if (auto const dir = hashed_cert_dir()) {
            ctx.add_verify_path(*dir, ec);
        } else {
            ctx.set_default_verify_paths(ec);
        }
    } else {
        ctx.load_verify_file(ca_file, ec);
    }
    if (ec) {
        throw std::runtime_error("cannot load TLS certificate authorities from " +
                                 (ca_file.empty() ? std::string("the system store") : ca_file) + ": " + ec.message());
    }
    return ctx;
}

task<error_code> connect_tcp(beast::tcp_stream& stream, url_parts const& where, std::chrono::milliseconds timeout) {
    // getaddrinfo runs on Asio's resolver thread and cannot be interrupted: wait for it at most
    // `timeout`, and let a late answer land in state this coroutine no longer waits on.
    struct lookup {
        explicit lookup(asio::any_io_executor ex) : resolver(ex), deadline(ex) {}
        tcp::resolver resolver;
        asio::steady_timer deadline;
        std::optional<std::pair<error_code, tcp::resolver::results_type>> answer;
    };
    auto const state = std::make_shared<lookup>(stream.get_executor());
    state->deadline.expires_after(timeout);
    state->resolver.async_resolve(where.host, where.port, [state](error_code ec, tcp::resolver::results_type found) {
        state->answer.emplace(ec, std::move(found));
        state->deadline.cancel();
    });
    auto const [stopped] = co_await state->deadline.async_wait(tuple_awaitable);
    if (!state->answer) {
        state->resolver.cancel();
        // Cancelled from outside (shutdown) rather than out of time.
        co_return stopped ? error_code(asio::error::operation_aborted) : error_code(asio::error::timed_out);
    }
    auto const& [rec, endpoints] = *state->answer;
    if (rec) co_return rec;
    stream.expires_after(timeout);
    auto const [cec, endpoint] = co_await stream.async_connect(endpoints, tuple_awaitable);
    stream.expires_never();
    if (!cec) stream.socket().set_option(tcp::no_delay(true));
    co_return cec;
}

task<error_code> connect_tls(ssl::stream<beast::tcp_stream>& stream, url_parts const& where,
                             std::chrono::milliseconds timeout) {
    if (auto const ec = co_await connect_tcp(stream.next_layer(), where, timeout)) co_return ec;
    // SNI carries DNS names only (RFC 6066 §3).
    if (!is_ip_literal(where.host) && !SSL_set_tlsext_host_name(stream.native_handle(), where.host.c_str())) {
        co_return error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
    }
    stream.set_verify_mode(ssl::verify_peer);
    stream.set_verify_callback(ssl::host_name_verification(where.host));
    stream.next_layer().expires_after(timeout);
    auto const [ec] = co_await stream.async_handshake(ssl::stream_base::client, tuple_awaitable);
    stream.next_layer().expires_never();
    co_return ec;
}

}  // namespace warroom::http
