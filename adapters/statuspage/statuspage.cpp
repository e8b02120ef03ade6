// Request shapes follow developer.statuspage.io: "Create an incident" (POST
// /v1/pages/{page_id}/incidents), "Update an incident" (PATCH .../incidents/{incident_id}), "Get a
// list of incidents" (GET .../incidents?q=) and "Get an incident", each body {"incident": {...}}.
#include "adapters/statuspage/statuspage.hpp"

#include <ostream>

namespace warroom::statuspage {
namespace {

using json = nlohmann::json;

// Where warroom marks the incidents it opens, so a lost answer finds its incident again.
constexpr char metadata_namespace[] = "warroom";

std::string incidents_url(settings const& s) {
    return s.api_url + "/v1/pages/" + core::url_encode(s.page_id) + "/incidents";
}

// The fields a publication sets, on opening and on each update.
json incident_body(core::statuspage_update const& u, settings const& s) {
    json incident{{"name", u.name}, {"status", core::api_name(u.st)}, {"body", u.text}, {"deliver_notifications", true}};
    json ids = json::array();
    json statuses = json::object();
    for (auto const& name : u.components) {
        auto const id = s.components.find(name);
        if (id == s.components.end()) continue;  // not on the Statuspage page
        ids.push_back(id->second);
        if (u.component_st) statuses[id->second] = core::api_name(*u.component_st);
    }
    if (!ids.empty()) incident["component_ids"] = std::move(ids);
    if (!statuses.empty()) incident["components"] = std::move(statuses);
    // Resolved, Statuspage's own impact stays as the incident had it.
    if (u.st != core::status::resolved) incident["impact_override"] = u.impact;
    return incident;
}

}  // namespace

std::ostream& operator<<(std::ostream& os, request const& r) {
    constexpr char const* verbs[] = {"GET", "POST", "PATCH"};
    os << verbs[static_cast<int>(r.verb)] << ' ' << r.url;
    if (!r.body.is_null()) os << ' ' << r.body.dump(-1, ' ', false, json::error_handler_t::replace);
    return os;
}

std::string authorization(settings const& s) { return "OAuth " + s.api_key; }

request open_incident(core::statuspage_update const& u, settings const& s) {
    auto incident = incident_body(u, s);
    incident["metadata"] = {{metadata_namespace, {{"incident", core::incident_ref(u.incident)}}}};
    return {http::method::post, incidents_url(s), json{{"incident", std::move(incident)}}};
}

request update_incident(core::statuspage_update const& u, std::string_view id, settings const& s) {
    return {http::method::patch, incidents_url(s) + "/" + core::url_encode(id), json{{"incident", incident_body(u, s)}}};
}

request search_incidents(core::statuspage_update const& u, settings const& s) {
    return {http::method::get, incidents_url(s) + "?q=" + core::url_encode(u.name), nullptr};
}

request get_incident(std::string_view id, settings const& s) {
    return {http::method::get, incidents_url(s) + "/" + core::url_encode(id), nullptr};
}

std::optional<std::string> opened_for(json const& incidents, core::statuspage_update const& u) {
    if (!incidents.is_array()) return std::nullopt;
    auto const ref = core::incident_ref(u.incident);
    for (auto const& i : incidents) {
        if (!i.is_object() || !i.contains("id") || !i["id"].is_string()) continue;
        auto const meta = i.find("metadata");
        bool const marked = meta != i.end() && meta->is_object() && meta->contains(metadata_namespace) &&
                            (*meta)[metadata_namespace].value("incident", std::string{}) == ref;
        bool const named = (meta == i.end() || meta->is_null()) && i.value("name", std::string{}) == u.name;
        if (marked || named) return i["id"].get<std::string>();
    }
    return std::nullopt;
}

bool has_update(json const& incident, core::statuspage_update const& u) {
    if (!incident.is_object()) return false;
    auto const updates = incident.find("incident_updates");
    if (updates == incident.end() || !updates->is_array()) return false;
    for (auto const& up : *updates) {
        if (up.is_object() && up.value("body", std::string{}) == u.text &&
            up.value("status", std::string{}) == core::api_name(u.st))
            return true;
    }
    return false;
}

verdict judge(int http_status) {
    if (http_status >= 200 && http_status < 300) return verdict::delivered;
    if (http_status == 0 || http_status == 420 || http_status == 429 || http_status >= 500) return verdict::retry;
    return verdict::give_up;
}

std::string failure_reason(int http_status, json const& body) {
    std::string out = http_status == 0 ? "no answer" : "HTTP " + std::to_string(http_status);
    // Statuspage says {"error": "…"} or {"error": ["…", …]}.
    std::string said;
    if (body.is_object()) {
        auto const e = body.find("error");
        if (e != body.end() && e->is_string()) said = e->get<std::string>();
        if (e != body.end() && e->is_array()) {
            for (auto const& item : *e) {
                if (item.is_string()) said += (said.empty() ? "" : "; ") + item.get<std::string>();
            }
        }
    }
    for (char& c : said) {
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    }
    if (said.size() > 300) said.resize(300);
    return said.empty() ? out : out + ": " + said;
}

}  // namespace warroom::statuspage
