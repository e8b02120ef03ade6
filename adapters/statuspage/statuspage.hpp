// Atlassian Statuspage's REST API (v1) without I/O: the calls that push one publication
// (core::statuspage_update) to a page, and how to read the answers. The first publication of an
// incident opens a Statuspage incident (POST), each later one PATCHes it, which Statuspage records
// as an incident update; a lost answer is reconciled by finding the incident and the update again.
#pragma once

#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "adapters/http/client.hpp"
#include "core/effects.hpp"

namespace warroom::statuspage {

inline constexpr std::string_view default_api_url = "https://api.statuspage.io";
// Statuspage's documented limit per API key; 420 and 429 answer calls beyond it.
inline constexpr std::chrono::milliseconds min_interval{1000};

struct settings {
    std::string api_url{default_api_url};  // without a trailing '/'
    std::string page_id;
    std::string api_key;
    // [[status_page.components]] name -> its Statuspage component id; components without one are
    // not on the Statuspage page.
    std::map<std::string, std::string> components;
};

struct request {
    http::method verb = http::method::get;
    std::string url;
    nlohmann::json body;  // null for GET
    bool operator==(request const&) const = default;
};
// "PATCH <url> <body>": the key travels in a header, never here, so a request is safe to log.
std::ostream& operator<<(std::ostream& os, request const& r);

// "OAuth <key>", the Authorization header of every call.
std::string authorization(settings const& s);

// A maintenance window is a scheduled maintenance, which Statuspage keeps as an incident too: opened
// with status "scheduled" and its window (Statuspage moves it to in_progress and completed on its
// own), and completed early by a PATCH when called off. Completing, not deleting (DELETE .../incidents/
// {id}): the docs' way to end a maintenance is its "completed" status, and a window that was announced
// stays in the page's history as announced, as on the built-in page.
request open_incident(core::statuspage_maintenance const& m, settings const& s);
request update_incident(core::statuspage_maintenance const& m, std::string_view id, settings const& s);
request search_incidents(core::statuspage_maintenance const& m, settings const& s);
std::optional<std::string> opened_for(nlohmann::json const& incidents, core::statuspage_maintenance const& m);
// A scheduled window: the maintenance exists; a cancelled one: it is completed.
bool has_update(nlohmann::json const& incident, core::statuspage_maintenance const& m);
// The words of the update that completes a window called off.
inline constexpr std::string_view called_off = "This maintenance was called off.";

// Opens the Statuspage incident with `u` as its first update.
request open_incident(core::statuspage_update const& u, settings const& s);
// Adds `u` to Statuspage incident `id` as an update (status, text and components).
request update_incident(core::statuspage_update const& u, std::string_view id, settings const& s);
// The page's incidents whose name matches `u`'s, to find one a lost answer opened.
request search_incidents(core::statuspage_update const& u, settings const& s);
request get_incident(std::string_view id, settings const& s);

// Among the incidents search_incidents() answered, the one opened for `u`'s incident: marked with its
// reference in the metadata, or (when Statuspage does not answer metadata) of the same name.
std::optional<std::string> opened_for(nlohmann::json const& incidents, core::statuspage_update const& u);
// Whether the incident get_incident() answered already has `u` as an update.
bool has_update(nlohmann::json const& incident, core::statuspage_update const& u);

enum class verdict {
    delivered,  // 2xx
    retry,      // 420 or 429 (rate limited), 5xx, no answer: later, after Retry-After when given
    give_up,    // any other answer (bad key, unknown page or component): sending again cannot help
};
verdict judge(int http_status);
// "HTTP 422: <Statuspage's error>", one line for the log.
std::string failure_reason(int http_status, nlohmann::json const& body);

}  // namespace warroom::statuspage
