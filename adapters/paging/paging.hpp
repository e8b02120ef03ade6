// Paging without I/O: the HTTP calls that deliver a core::page effect to PagerDuty (Events API v2)
// or Opsgenie (Alert API v2), and how to treat the vendor's answer. The daemon's outbox sends the
// requests (POST, body serialized as application/json) and retries or gives up as judge() says.
#pragma once

#include <chrono>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/effects.hpp"

namespace warroom::paging {

enum class vendor {
    pagerduty,  // Events API v2: one alert per dedup key, routed by the integration's routing key
    opsgenie,   // Alert API v2: one alert per alias, responders added by username
};

struct settings {
    vendor kind = vendor::pagerduty;
    // Ends with '/' (one is added when missing); empty: https://events.pagerduty.com/ or
    // https://api.opsgenie.com/ (EU accounts set https://api.eu.opsgenie.com/).
    std::string base_url;
    std::string key;  // PagerDuty Events v2 routing key / Opsgenie API key (GenieKey)
    // Slack user id -> Opsgenie username (email). PagerDuty routes by its own schedules: there the
    // name is only shown in custom_details.
    std::map<std::string, std::string> users;
    std::string source = "warroom";
};

struct request {
    std::string url;                                           // absolute: base_url + path (+ query)
    std::vector<std::pair<std::string, std::string>> headers;  // e.g. Authorization: GenieKey ...
    nlohmann::json body;
    bool operator==(request const&) const = default;
};
// "POST <url> [<header>: <value>] <body>", with the API key and routing key redacted: safe to log.
std::ostream& operator<<(std::ostream& os, request const& r);

// The HTTP calls that deliver one page effect, in order (usually one). Always POST.
std::vector<request> requests_for(core::page const& p, settings const& s);

// How to treat the vendor's answer to one request.
enum class verdict {
    delivered,  // 2xx (Opsgenie answers 202 and processes the request asynchronously)
    retry,      // 429, 5xx, or no answer at all (status 0): try again later, after retry_after() when given
    give_up,    // anything else (4xx: bad key, invalid event, unknown alias): retrying cannot help
};
verdict judge(int http_status);
std::ostream& operator<<(std::ostream& os, verdict v);  // "retry"

// A Retry-After header in delta-seconds. nullopt when absent, malformed or an HTTP date: the
// sender's own backoff applies then.
std::optional<std::chrono::seconds> retry_after(std::string_view header);

// One line for the log when a request is given up: the status and the vendor's own words, e.g.
// "HTTP 400: Event object is invalid ('routing_key' is invalid)".
std::string failure_reason(int http_status, std::string_view body);


}  // namespace warroom::paging
