// Request shapes follow developer.statuspage.io: "Create an incident" (POST
// /v1/pages/{page_id}/incidents), "Update an incident" (PATCH .../incidents/{incident_id}), "Get a
// list of incidents" (GET .../incidents?q=) and "Get an incident", each body {"incident": {...}}.
#include "adapters/statuspage/statuspage.hpp"

#include <ostream>

#include "core/maintenance.hpp"

namespace warroom::statuspage {
namespace {

using json = nlohmann::json;

// Where warroom marks the incidents it opens, so a lost answer finds its incident again.
constexpr char metadata_namespace[] = "warroom";

std::string incidents_url(settings const& s) {
    return s.api_url + "/v1/pages/" + core::url_encode(s.page_id) + "/incidents";
}

std::string incident_url(std::string_view id, settings const& s) {
    return incidents_url(s) + "/" + core::url_encode(id);
}

json component_ids(std::vector<std::string> const& names, settings const& s) {
    json ids = json::array();
    for (auto const& name : names) {
        if (auto const id = s.components.find(name); id != s.components.end()) ids.push_back(id->second);
    }
    return ids;
}

// The fields a publication sets, on opening and on each update.
json incident_body(core::statuspage_update const& u, settings const& s) {
    json incident{{"name", u.name}, {"status", core::api_name(u.st)}, {"body", u.text}, {"deliver_notifications", true}};
    auto ids = component_ids(u.components, s);  // those not on the Statuspage page are left out
    json statuses = json::object();
    if (u.component_st) {
        for (auto const& id : ids) statuses[id.get<std::string>()] = core::api_name(*u.component_st);
    }
    if (!ids.empty()) incident["component_ids"] = std::move(ids);
    if (!statuses.empty()) incident["components"] = std::move(statuses);
    // Resolved, Statuspage's own impact stays as the incident had it.
    if (u.st != core::status::resolved) incident["impact_override"] = u.impact;
    return incident;
}

json metadata(std::string_view key, std::string const& ref) { return {{metadata_namespace, {{key, ref}}}}; }

// The one of `incidents` marked with `key`: `ref` in its metadata, or (when Statuspage does not
// answer metadata) named `name`.
std::optional<std::string> marked(json const& incidents, std::string_view key, std::string const& ref,
                                  std::string const& name) {
    if (!incidents.is_array()) return std::nullopt;
    for (auto const& i : incidents) {
        if (!i.is_object() || !i.contains("id") || !i["id"].is_string()) continue;
        auto const meta = i.find("metadata");
        bool const is_marked = meta != i.end() && meta->is_object() && meta->contains(metadata_namespace) &&
                               (*meta)[metadata_namespace].value(std::string(key), std::string{}) == ref;
        bool const named = (meta == i.end() || meta->is_null()) && i.value("name", std::string{}) == name;
        if (is_marked || named) return i["id"].get<std::string>();
    }
    return std::nullopt;
}

// Whether `incident` has an update of `status`, with `text` unless that is empty.
bool has_status(json const& incident, std::string_view status, std::string_view text) {
    if (!incident.is_object()) return false;
    auto const updates = incident.find("incident_updates");
    if (updates == incident.end() || !updates->is_array()) return false;
    for (auto const& up : *updates) {
        if (up.is_object() && (text.empty() || up.value("body", std::string{}) == text) &&
            up.value("status", std::string{}) == status)
            return true;
    }
    return false;
}

json maintenance_body(core::statuspage_maintenance const& m, settings const& s) {
    if (m.cancelled) return {{"status", "completed"}, {"body", called_off}};
    json incident{{"name", m.text},
                  {"status", "scheduled"},
                  {"body", m.text},
                  {"scheduled_for", core::format_rfc3339(m.from)},
                  {"scheduled_until", core::format_rfc3339(m.to)},
                  {"scheduled_auto_in_progress", true},
                  {"scheduled_auto_completed", true}};
    if (auto ids = component_ids(m.components, s); !ids.empty()) incident["component_ids"] = std::move(ids);
    return incident;
}

}  // namespace

request open_incident(core::statuspage_maintenance const& m, settings const& s) {
    auto incident = maintenance_body(m, s);
    incident["metadata"] = metadata("maintenance", core::maintenance_ref(m.window));
    return {http::method::post, incidents_url(s), json{{"incident", std::move(incident)}}};
}

request update_incident(core::statuspage_maintenance const& m, std::string_view id, settings const& s) {
    return {http::method::patch, incident_url(id, s), json{{"incident", maintenance_body(m, s)}}};
}

request search_incidents(core::statuspage_maintenance const& m, settings const& s) {
    return {http::method::get, incidents_url(s) + "?q=" + core::url_encode(m.text), nullptr};
}

std::optional<std::string> opened_for(json const& incidents, core::statuspage_maintenance const& m) {
    return marked(incidents, "maintenance", core::maintenance_ref(m.window), m.text);
}

bool has_update(json const& incident, core::statuspage_maintenance const& m) {
    if (m.cancelled) return has_status(incident, "completed", "");
    return incident.is_object() && incident.contains("id");
}

std::ostream& operator<<(std::ostream& os, request const& r) {
    constexpr char const* verbs[] = {"GET", "POST", "PATCH"};
    os << verbs[static_cast<int>(r.verb)] << ' ' << r.url;
    if (!r.body.is_null()) os << ' ' << r.body.dump(-1, ' ', false, json::error_handler_t::replace);
    return os;
}

std::string authorization(settings const& s) { return "OAuth " + s.api_key; }

request open_incident(core::statuspage_update const& u, settings const& s) {
    auto incident = incident_body(u, s);
    incident["metadata"] = metadata("incident", core::incident_ref(u.incident));
    return {http::method::post, incidents_url(s), json{{"incident", std::move(incident)}}};
}

request update_incident(core::statuspage_update const& u, std::string_view id, settings const& s) {
    return {http::method::patch, incident_url(id, s), json{{"incident", incident_body(u, s)}}};
}

request search_incidents(core::statuspage_update const& u, settings const& s) {
    return {http::method::get, incidents_url(s) + "?q=" + core::url_encode(u.name), nullptr};
}

request get_incident(std::string_view id, settings const& s) {
    return {http::method::get, incident_url(id, s), nullptr};
}

std::optional<std::string> opened_for(json const& incidents, core::statuspage_update const& u) {
    return marked(incidents, "incident", core::incident_ref(u.incident), u.name);
}

bool has_update(json const& incident, core::statuspage_update const& u) {
    return has_status(incident, core::api_name(u.st), u.text);
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
