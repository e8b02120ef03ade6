// The Slack Web API over the HTTP client's keep-alive connections (plain HTTP for a local
// simulator): JSON bodies with the bot token, Slack's `ok:false`/`error` convention as values,
// proactive rate shaping, 429 Retry-After honoured exactly, and a `sent` flag that tells the caller
// whether a failed call may still have reached Slack (the deliverer reconciles those before retrying).
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "adapters/http/client.hpp"
#include "adapters/metrics/metrics.hpp"
#include "adapters/slack/net.hpp"
#include "adapters/slack/rate_limiter.hpp"

namespace warroom::slack {

// A response read with Slack's conventions. `sent`: the request may have reached Slack.
struct api_response : http::client_response {
    bool ok() const { return status == 200 && body.is_object() && body.value("ok", false); }
    // Slack's error code, "http_<status>", or the transport failure: for logs and decisions.
    std::string error() const;
    // Worth trying again later: transport failures, 5xx, Slack's internal errors.
    bool transient() const;
};

enum class token_kind {
    bot,  // xoxb: every method the bot calls
    app,  // xapp: apps.connections.open
};

struct web_api_settings {
    std::string base_url;  // ends with '/': base_url + method is the request URL
    std::string bot_token;
    std::string app_token;
    double rate_scale = 1.0;
    std::chrono::milliseconds timeout{10'000};  // per connect, write and read
};

class web_api {
public:
    web_api(asio::any_io_executor ex, ssl::context& tls, web_api_settings settings,
            std::shared_ptr<spdlog::logger> log);
    ~web_api();

    // One call, shaped by the rate limiter. A 429 pauses the method and the call waits out
    // Retry-After and goes again (Slack did not process it); any other failure is returned. Read
    // methods that take no JSON body (conversations.history, files.getUploadURLExternal...) get
    // their arguments form-encoded, objects and arrays as JSON text, as Slack's SDKs do.
    task<api_response> call(std::string method, nlohmann::json args, token_kind token = token_kind::bot,
                            std::string channel = {});
    // The same, also retrying transient failures with backoff: only for calls safe to repeat.
    task<api_response> call_retrying(std::string method, nlohmann::json args, token_kind token = token_kind::bot,
                                     int attempts = 8);
    // When a call of `method` (to `channel`, for chat.postMessage) made now would start, booking
    // nothing: work that would wait long for its slot can be handed back instead.
    steady_time next_free(std::string_view method, std::string_view channel = {});
    // `processes` replicas call Slack for this app: each keeps to its share of every method's limit.
    void share_budget(int processes) { limiter_.share_among(processes); }
    // POST JSON to an absolute URL Slack gave (a response_url), no token.
    task<api_response> post_to(std::string url, nlohmann::json body);
    // POST raw bytes to an absolute URL (a file upload URL), no token.
    task<api_response> upload_to(std::string url, std::string bytes, std::string content_type);
    // Counts every Web API request in `r` from now on, by method: calls, 429s, and the other failures
    // by kind (no answer, an HTTP status, Slack's ok:false).
    void measure(metrics::registry& r);

private:
    task<api_response> shaped(std::string method, std::string body, std::string content_type, token_kind token,
                              std::string channel);
    struct instruments;
    void count(std::string_view method, api_response const& r);

    asio::any_io_executor ex_;
    web_api_settings settings_;
    url_parts base_;
    std::shared_ptr<spdlog::logger> log_;
    rate_limiter limiter_;
    http::client client_;
    std::minstd_rand random_{std::random_device{}()};
    std::unique_ptr<instruments> metrics_;  // null until measure()
};

}  // namespace warroom::slack
