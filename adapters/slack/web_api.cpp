#include "adapters/slack/web_api.hpp"

#include <algorithm>
#include <boost/asio/steady_timer.hpp>

namespace warroom::slack {
namespace {

constexpr auto dump_mode = nlohmann::json::error_handler_t::replace;

// Slack's read methods refuse JSON bodies (protocol doc §3.1).
bool takes_json(std::string_view method) {
    constexpr std::string_view form_only[] = {
        "conversations.info", "conversations.list",    "conversations.history",      "conversations.replies",
        "conversations.members", "users.info",         "users.lookupByEmail",        "usergroups.list",
        "usergroups.users.list", "files.getUploadURLExternal", "chat.getPermalink"};
    return std::find(std::begin(form_only), std::end(form_only), method) == std::end(form_only);
}

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

struct web_api::instruments {
    metrics::label method;
    metrics::counter_family& calls;
    metrics::counter_family& rate_limited;
    metrics::counter_family& errors;  // by method and by kind, in this order:
    static constexpr std::size_t no_answer = 0, http_status = 1, not_ok = 2;
};

void web_api::measure(metrics::registry& r) {
    auto names = known_methods();
    names.push_back("other");
    metrics::label const method{"method", std::move(names)};
    metrics_.reset(new instruments{
        method,
        r.counters("warroom_slack_api_calls_total", "Slack Web API requests sent, by method (429s included).",
                   {method}),
        r.counters("warroom_slack_api_rate_limited_total",
                   "Slack Web API requests answered 429 (rate limited), by method.", {method}),
        r.counters("warroom_slack_api_errors_total",
                   "Slack Web API requests that failed, by method and error: transport (no answer), http (a status "
                   "other than 200 and 429) or slack (ok:false).",
                   {method, metrics::label{"error", {"transport", "http", "slack"}}})});
}

void web_api::count(std::string_view method, api_response const& r) {
    if (!metrics_) return;
    auto const m = metrics_->method.index_of(method);
    metrics_->calls.at(m).add();
    if (r.status == 429) {
        metrics_->rate_limited.at(m).add();
    } else if (r.transport) {
        metrics_->errors.at(m, instruments::no_answer).add();
    } else if (r.status != 200) {
        metrics_->errors.at(m, instruments::http_status).add();
    } else if (!r.ok()) {
        metrics_->errors.at(m, instruments::not_ok).add();
    }
}

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

web_api::web_api(asio::any_io_executor ex, ssl::context& tls, web_api_settings settings,
                 std::shared_ptr<spdlog::logger> log)
    : ex_(ex),
      settings_(std::move(settings)),
      log_(std::move(log)),
      limiter_(settings_.rate_scale),
      client_(std::move(ex), tls, settings_.timeout) {
    auto const parts = split_url(settings_.base_url);
    if (!parts) throw std::invalid_argument("not an http(s) URL: " + settings_.base_url);
    base_ = *parts;
}

web_api::~web_api() = default;

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

steady_time web_api::next_free(std::string_view method, std::string_view channel) {
    return limiter_.next_free(method, channel, std::chrono::steady_clock::now());
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
        auto answer = co_await client_.post(base_, base_.target + method, body, authorization, content_type);
        api_response r{std::move(answer)};
        count(method, r);
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
    auto r = co_await client_.post(url, std::move(bytes), {}, content_type);
    co_return api_response{std::move(r)};
}

task<api_response> web_api::post_to(std::string url, nlohmann::json body) {
    auto r = co_await client_.post_json(url, body);
    co_return api_response{std::move(r)};
}

}  // namespace warroom::slack
