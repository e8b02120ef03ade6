// An HTTP/1.1 client for outbound calls (Slack's Web API, paging vendors, Statuspage, upload URLs): keep-alive
// connections in a small pool, TLS with host-name verification, a deadline on every step, and a
// `sent` flag that tells the caller whether a failed request may still have reached the server.
#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "adapters/http/net.hpp"

namespace warroom::http {

struct client_response {
    int status = 0;                                   // HTTP status; 0 when no response came
    nlohmann::json body;                              // the parsed JSON body; null when there was none
    error_code transport;                             // connect, TLS, write or read failure
    bool sent = false;                                // the request may have reached the server
    std::optional<std::chrono::seconds> retry_after;  // from a 429 or 503
};

inline constexpr char json_content[] = "application/json; charset=utf-8";
// Further request header fields, name and value (an Idempotency-Key).
using header_list = std::vector<std::pair<std::string, std::string>>;

enum class method {
    get,    // reads: no body is sent
    post,   // creates
    patch,  // changes part of a resource
};

class client {
public:
    // `timeout` bounds each of resolve, connect, handshake, write and read.
    client(asio::any_io_executor ex, ssl::context& tls, std::chrono::milliseconds timeout);
    ~client();

    // POST `body` to `target` at `where`, with the given Authorization header value (none when empty).
    task<client_response> post(url_parts const& where, std::string target, std::string body,
                               std::string const& authorization, std::string const& content_type = json_content,
                               header_list const& extra = {});
    // POST to an absolute URL; an unparsable URL is a transport failure (invalid_argument), never sent.
    task<client_response> post(std::string const& url, std::string body, std::string const& authorization,
                               std::string const& content_type = json_content, header_list const& extra = {});
    // POST a JSON value to an absolute URL (invalid UTF-8 in strings is replaced, never refused).
    task<client_response> post_json(std::string const& url, nlohmann::json const& body,
                                    std::string const& authorization = {}, header_list const& extra = {});
    // `m` to an absolute URL with a JSON body (none for GET), as post_json otherwise.
    task<client_response> send_json(method m, std::string const& url, nlohmann::json const& body,
                                    std::string const& authorization = {}, header_list const& extra = {});

private:
    // To an absolute URL; an unparsable one is a transport failure (invalid_argument), never sent.
    task<client_response> send(method m, std::string const& url, std::string body, std::string const& authorization,
                               std::string const& content_type, header_list const& extra);
    task<client_response> exchange(method m, url_parts const& where, std::string target, std::string body,
                                   std::string const& authorization, std::string const& content_type,
                                   header_list const& extra);
    struct connection;
    std::unique_ptr<connection> take_idle(url_parts const& where);

    asio::any_io_executor ex_;
    ssl::context& tls_;
    std::chrono::milliseconds timeout_;
    std::deque<std::unique_ptr<connection>> idle_;
};

}  // namespace warroom::http
