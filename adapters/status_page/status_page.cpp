// Rendering keeps to what the view holds: the view holds only what was published. Status is told in
// words and a shape, never by colour alone; the HTML needs no script and reads on a phone.
#include "adapters/status_page/status_page.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace warroom::status_page {
namespace {

using nlohmann::json;
namespace c = core;


// A shape for each status, beside its words: ✓ operational, ◆ degraded, ▲ partial, ✕ major, ⚙ maintenance.
std::string_view icon(c::component_status s) {
    switch (s) {
        case c::component_status::operational: return "\xE2\x9C\x93";
        case c::component_status::degraded_performance: return "\xE2\x97\x86";
        case c::component_status::partial_outage: return "\xE2\x96\xB2";
        case c::component_status::major_outage: return "\xE2\x9C\x95";
        case c::component_status::under_maintenance: return "\xE2\x9A\x99";
    }
    return "";
}
// One-letter classes keep 90 bars a component small.
char bar_class(c::component_status s) { return "odpmu"[static_cast<int>(s)]; }

std::string host_of(std::string const& url) {
    auto const scheme = url.find("://");
    auto host = scheme == std::string::npos ? url : url.substr(scheme + 3);
    host = host.substr(0, host.find('/'));
    host = host.substr(0, host.find(':'));
    return host.empty() ? "warroom.invalid" : host;
}

std::string page_id(c::page_settings const& s) { return c::component_id(s.name); }
std::string incident_id(int number) { return "inc-" + std::to_string(number); }
std::string group_id(std::string const& group) { return "group-" + c::component_id(group); }

json page_json(c::public_page const& v, c::page_settings const& s) {
    return {{"id", page_id(s)}, {"name", s.name}, {"url", s.url}, {"time_zone", "Etc/UTC"},
            {"updated_at", c::format_rfc3339(v.updated_at)}};
}

json status_json(c::public_page const& v) { return {{"indicator", v.indicator}, {"description", v.description}}; }

json component_json(c::public_component const& cv, c::page_settings const& s) {
    return {{"id", cv.id},
            {"name", cv.def.name},
            {"status", c::api_name(cv.st)},
            {"created_at", c::format_rfc3339(cv.days.empty() ? cv.updated_at : cv.days.front().day)},
            {"updated_at", c::format_rfc3339(cv.updated_at)},
            {"position", cv.position},
            {"description", cv.def.description.empty() ? json(nullptr) : json(cv.def.description)},
            {"showcase", true},
            {"start_date", nullptr},
            {"group_id", cv.def.group.empty() ? json(nullptr) : json(group_id(cv.def.group))},
            {"page_id", page_id(s)},
            {"group", false},
            {"only_show_if_degraded", false}};
}

json components_json(c::public_page const& v, c::page_settings const& s) {
    auto out = json::array();
    std::vector<std::string> groups;
    for (auto const& cv : v.components) {
        out.push_back(component_json(cv, s));
        if (!cv.def.group.empty() && std::find(groups.begin(), groups.end(), cv.def.group) == groups.end())
            groups.push_back(cv.def.group);
    }
    // Statuspage lists a group as a component of its own, worst of its members, naming them.
    int position = static_cast<int>(v.components.size());
    for (auto const& g : groups) {
        auto st = c::component_status::operational;
        auto updated = v.updated_at;
        auto members = json::array();
        for (auto const& cv : v.components) {
            if (cv.def.group != g) continue;
            st = c::worse(st, cv.st);
            updated = cv.updated_at;
            members.push_back(cv.id);
        }
        out.push_back({{"id", group_id(g)},
                       {"name", g},
                       {"status", c::api_name(st)},
                       {"created_at", c::format_rfc3339(v.components.front().days.front().day)},
                       {"updated_at", c::format_rfc3339(updated)},
                       {"position", ++position},
                       {"description", nullptr},
                       {"showcase", false},
                       {"start_date", nullptr},
                       {"group_id", nullptr},
                       {"page_id", page_id(s)},
                       {"group", true},
                       {"only_show_if_degraded", false},
                       {"components", members}});
    }
    return out;
}

// One entry of an incident's or a maintenance's incident_updates.
json update_json(std::string const& of, std::string const& sequence, std::string_view st, std::string const& body,
                 c::timestamp at) {
    return {{"id", of + "-" + sequence},
            {"status", st},
            {"body", body},
            {"incident_id", of},
            {"created_at", c::format_rfc3339(at)},
            {"updated_at", c::format_rfc3339(at)},
            {"display_at", c::format_rfc3339(at)},
            {"affected_components", nullptr},
            {"deliver_notifications", true},
            {"custom_tweet", nullptr},
            {"tweet_id", nullptr}};
}

json components_named(std::vector<std::string> const& names, c::public_page const& v, c::page_settings const& s) {
    auto out = json::array();
    for (auto const& name : names) {
        for (auto const& cv : v.components) {
            if (cv.def.name == name) out.push_back(component_json(cv, s));
        }
    }
    return out;
}

json incident_json(c::public_incident const& i, c::public_page const& v, c::page_settings const& s) {
    auto const optional_time = [](std::optional<c::timestamp> const& t) { return t ? json(c::format_rfc3339(*t)) : json(nullptr); };
    auto updates = json::array();
    for (auto const& u : i.updates) {
        updates.push_back(update_json(incident_id(i.number), std::to_string(u.sequence), c::api_name(u.st), u.text, u.at));
    }
    auto const components = components_named(i.components, v, s);
    return {{"id", incident_id(i.number)},
            {"name", i.name},
            {"status", c::api_name(i.st)},
            {"created_at", c::format_rfc3339(i.created_at)},
            {"updated_at", c::format_rfc3339(i.updated_at)},
            {"monitoring_at", optional_time(i.monitoring_at)},
            {"resolved_at", optional_time(i.resolved_at)},
            {"impact", i.impact},
            {"shortlink", s.url + "/#" + incident_id(i.number)},
            {"started_at", c::format_rfc3339(i.created_at)},
            {"page_id", page_id(s)},
            {"incident_updates", updates},
            {"components", components}};
}

json incidents_json(std::vector<c::public_incident> const& list, c::public_page const& v, c::page_settings const& s) {
    auto out = json::array();
    for (auto const& i : list) out.push_back(incident_json(i, v, s));
    return out;
}

std::string maintenance_id(int number) { return "mnt-" + std::to_string(number); }

// A maintenance's updates, newest first, as Statuspage's automatic transitions word them: what was
// scheduled, then that it began and that it ended, once each has happened.
struct maintenance_update {
    c::maintenance_state st{};
    c::timestamp at{};
    std::string body;
};
std::vector<maintenance_update> updates_of(c::public_maintenance const& m) {
    std::vector<maintenance_update> out;
    if (m.st == c::maintenance_state::completed) {
        out.push_back({c::maintenance_state::completed, m.until, "The scheduled maintenance has been completed."});
    }
    if (m.st != c::maintenance_state::scheduled) {
        out.push_back({c::maintenance_state::in_progress, m.from, "Scheduled maintenance is currently in progress."});
    }
    out.push_back({c::maintenance_state::scheduled, m.scheduled_at, m.text});
    return out;
}

json maintenance_json(c::public_maintenance const& m, c::public_page const& v, c::page_settings const& s) {
    auto updates = json::array();
    auto const all = updates_of(m);
    for (std::size_t k = 0; k < all.size(); ++k) {
        updates.push_back(update_json(maintenance_id(m.number), std::to_string(all.size() - k),
                                      c::to_string(all[k].st), all[k].body, all[k].at));
    }
    bool const completed = m.st == c::maintenance_state::completed;
    return {{"id", maintenance_id(m.number)},
            {"name", m.name},
            {"status", c::to_string(m.st)},
            {"created_at", c::format_rfc3339(m.scheduled_at)},
            {"updated_at", c::format_rfc3339(all.front().at)},
            {"monitoring_at", nullptr},
            {"resolved_at", completed ? json(c::format_rfc3339(m.until)) : json(nullptr)},
            {"impact", "maintenance"},
            {"shortlink", s.url + "/#" + maintenance_id(m.number)},
            {"started_at", c::format_rfc3339(m.from)},
            {"page_id", page_id(s)},
            {"incident_updates", updates},
            {"components", components_named(m.components, v, s)},
            {"scheduled_for", c::format_rfc3339(m.from)},
            {"scheduled_until", c::format_rfc3339(m.until)}};
}

// The page's maintenances in these states, at most Statuspage's 50.
json maintenances_json(c::public_page const& v, c::page_settings const& s,
                       std::initializer_list<c::maintenance_state> states) {
    auto out = json::array();
    for (auto const& m : v.maintenances) {
        if (out.size() < 50 && std::find(states.begin(), states.end(), m.st) != states.end())
            out.push_back(maintenance_json(m, v, s));
    }
    return out;
}

constexpr std::string_view css =
    "*{box-sizing:border-box}body{margin:0;font:16px/1.5 'DejaVu Sans',system-ui,sans-serif;color:#1b1f24;"
    "background:#fff}header,main,footer{max-width:46rem;margin:0 auto;padding:1rem}h1{font-size:1.6rem;margin:0}"
    "h2{font-size:1.25rem;margin:2rem 0 .5rem}h3{font-size:1.05rem;margin:1rem 0 .25rem}"
    ".banner{border:2px solid #1b1f24;border-radius:6px;padding:.75rem 1rem;font-weight:bold;font-size:1.1rem}"
    ".none{background:#dafbe1}.minor{background:#fff8c5}.major{background:#ffe7cc}.critical{background:#ffebe9}"
    ".maintenance{background:#ddf4ff}ul{list-style:none;padding:0;margin:0}"
    ".c{border-bottom:1px solid #d0d7de;padding:.75rem 0}.row{display:flex;justify-content:space-between;"
    "flex-wrap:wrap;gap:.5rem}.name{font-weight:bold}.desc{color:#4d5561;font-size:.9rem;margin:0}"
    ".st{font-weight:bold}.bars{display:flex;gap:1px;height:2rem;margin:.4rem 0 0}.bars i{flex:1;"
    "background:#1a7f37}.bars .d{background:#9a6700;height:80%;margin-top:auto}.bars .p{background:#bc4c00;"
    "height:90%;margin-top:auto}.bars .m{background:#cf222e}.bars .u{background:#0969da;height:70%;margin-top:auto}"
    ".meta{display:flex;justify-content:space-between;color:#4d5561;font-size:.85rem}"
    "article{border:1px solid #d0d7de;border-radius:6px;padding:.5rem 1rem;margin:.5rem 0}"
    "article li{margin:.5rem 0}time{color:#4d5561;font-size:.85rem}footer{color:#4d5561;font-size:.85rem}";

void html_incident(std::string& out, c::public_incident const& i, std::string_view heading) {
    out += "<article id=\"" + incident_id(i.number) + "\"><" + std::string(heading) + ">" + c::escape_html(i.name) + "</" +
           std::string(heading) + "><ul>";
    for (auto const& u : i.updates) {
        out += "<li><strong>" + std::string(c::display_name(u.st)) + "</strong> — " + c::escape_html(u.text) +
               "<br><time datetime=\"" + c::format_rfc3339(u.at) + "\">" + c::format_time(u.at) + "</time></li>";
    }
    out += "</ul></article>";
}

std::string render_html(c::public_page const& v, c::page_settings const& s) {
    std::string out;
    out.reserve(16 * 1024);
    out += "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
           "content=\"width=device-width,initial-scale=1\"><title>" +
           c::escape_html(s.name) + "</title><link rel=\"alternate\" type=\"application/atom+xml\" href=\"history.atom\" "
           "title=\"" + c::escape_html(s.name) + " history\"><style>" + std::string(css) + "</style></head><body>";
    out += "<header><h1>" + c::escape_html(s.name) + "</h1></header><main>";
    out += "<section aria-labelledby=\"now\"><h2 id=\"now\">Current status</h2><p class=\"banner " + v.indicator +
           "\" role=\"status\">" + c::escape_html(v.description) + "</p></section>";

    out += "<section aria-labelledby=\"active\"><h2 id=\"active\">Active incidents</h2>";
    if (v.active.empty()) out += "<p>No active incidents.</p>";
    for (auto const& i : v.active) html_incident(out, i, "h3");
    out += "</section>";

    // Shown ahead of time, and while in progress; a page without any keeps no empty section.
    bool heading = false;
    for (auto const& m : v.maintenances) {
        if (m.st != c::maintenance_state::scheduled && m.st != c::maintenance_state::in_progress) continue;
        if (!heading) out += "<section aria-labelledby=\"maintenance\"><h2 id=\"maintenance\">Scheduled maintenance</h2>";
        heading = true;
        out += "<article id=\"" + maintenance_id(m.number) + "\"><h3>" + c::escape_html(m.name) + "</h3><p><strong>" +
               (m.st == c::maintenance_state::in_progress ? "In progress" : "Scheduled") + "</strong> — " +
               c::escape_html(m.text) + "</p><p>From <time datetime=\"" + c::format_rfc3339(m.from) + "\">" +
               c::format_time(m.from) + "</time> to <time datetime=\"" + c::format_rfc3339(m.until) + "\">" +
               c::format_time(m.until) + "</time></p></article>";
    }
    if (heading) out += "</section>";

    out += "<section aria-labelledby=\"components\"><h2 id=\"components\">Components</h2>";
    std::vector<std::string> groups;
    for (auto const& cv : v.components) {
        if (std::find(groups.begin(), groups.end(), cv.def.group) == groups.end()) groups.push_back(cv.def.group);
    }
    for (auto const& g : groups) {
        if (!g.empty()) out += "<h3>" + c::escape_html(g) + "</h3>";
        out += "<ul>";
        for (auto const& cv : v.components) {
            if (cv.def.group != g) continue;
            int troubled = 0;
            // Maintenance is not trouble: only days with an incident's status count.
            for (auto const& d : cv.days) {
                troubled += d.worst != c::component_status::operational && d.worst != c::component_status::under_maintenance;
            }
            char uptime[16];
            std::snprintf(uptime, sizeof uptime, "%.2f%%", cv.uptime);
            out += "<li class=\"c\" id=\"" + cv.id + "\"><div class=\"row\"><span class=\"name\">" +
                   c::escape_html(cv.def.name) + "</span><span class=\"st\"><span aria-hidden=\"true\">" +
                   std::string(icon(cv.st)) + "</span> " + std::string(c::display_name(cv.st)) + "</span></div>";
            if (!cv.def.description.empty()) out += "<p class=\"desc\">" + c::escape_html(cv.def.description) + "</p>";
            out += "<div class=\"bars\" aria-hidden=\"true\">";
            // An operational day is a bare <i>: 90 bars for each component stay small.
            for (auto const& d : cv.days) {
                if (d.worst == c::component_status::operational) {
                    out += "<i></i>";
                    continue;
                }
                out += "<i class=\"";
                out += bar_class(d.worst);
                out += "\" title=\"" + c::format_date(d.day) + ": " + std::string(c::display_name(d.worst)) + "\"></i>";
            }
            out += "</div><p class=\"meta\"><span>90 days ago</span><span>" + std::string(uptime) + " uptime, " +
                   (troubled == 0 ? std::string("no incidents") : std::to_string(troubled) + " day(s) with incidents") +
                   "</span><span>Today</span></p></li>";
        }
        out += "</ul>";
    }
    out += "</section>";

    out += "<section aria-labelledby=\"history\"><h2 id=\"history\">Past incidents (90 days)</h2>";
    if (v.history.empty()) out += "<p>No incidents in the last 90 days.</p>";
    for (auto const& i : v.history) html_incident(out, i, "h3");
    out += "</section></main><footer><p>Last updated <time datetime=\"" + c::format_rfc3339(v.updated_at) + "\">" +
           c::format_time(v.updated_at) + "</time>. <a href=\"history.atom\">Atom feed</a> · "
           "<a href=\"api/v2/summary.json\">JSON API</a></p></footer></body></html>\n";
    return out;
}

std::string render_atom(c::public_page const& v, c::page_settings const& s) {
    auto const host = host_of(s.url);
    auto const base = s.url.empty() ? std::string("http://") + host : s.url;
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" "
                      "xml:lang=\"en\"><id>tag:" + host + ",2024:status</id><title>" + c::escape_html(s.name) +
                      " history</title><updated>" + c::format_rfc3339(v.updated_at) + "</updated><author><name>" + c::escape_html(s.name) +
                      "</name></author><link rel=\"alternate\" type=\"text/html\" href=\"" + c::escape_html(base) +
                      "/\"/><link rel=\"self\" type=\"application/atom+xml\" href=\"" + c::escape_html(base) +
                      "/history.atom\"/>";
    std::vector<c::public_incident const*> all;
    for (auto const& i : v.active) all.push_back(&i);
    for (auto const& i : v.history) all.push_back(&i);
    for (auto const* i : all) {
        // A new id with each update: feed readers show the incident again when it changes.
        out += "<entry><id>tag:" + host + "," + c::format_date(i->created_at) + ":incident-" +
               std::to_string(i->number) + "-update-" + std::to_string(i->updates.front().sequence) + "</id><title>" +
               c::escape_html(i->name) + "</title><published>" + c::format_rfc3339(i->created_at) + "</published><updated>" +
               c::format_rfc3339(i->updated_at) + "</updated><link rel=\"alternate\" type=\"text/html\" href=\"" + c::escape_html(base) +
               "/#" + incident_id(i->number) + "\"/><content type=\"html\">";
        std::string body;
        for (auto const& u : i->updates) {
            body += "<p><strong>" + std::string(c::display_name(u.st)) + "</strong> (" + c::format_time(u.at) +
                    ") — " + c::escape_html(u.text) + "</p>";
        }
        out += c::escape_html(body) + "</content></entry>";
    }
    for (auto const& m : v.maintenances) {
        auto const updates = updates_of(m);
        // A new id as it begins and as it ends, as for an incident's updates.
        out += "<entry><id>tag:" + host + "," + c::format_date(m.scheduled_at) + ":maintenance-" +
               std::to_string(m.number) + "-" + std::string(c::to_string(m.st)) + "</id><title>" + c::escape_html(m.name) +
               "</title><published>" + c::format_rfc3339(m.scheduled_at) + "</published><updated>" +
               c::format_rfc3339(updates.front().at) + "</updated><link rel=\"alternate\" type=\"text/html\" href=\"" +
               c::escape_html(base) + "/#" + maintenance_id(m.number) + "\"/><content type=\"html\">";
        std::string body = "<p>" + c::escape_html(c::format_time(m.from)) + " to " + c::escape_html(c::format_time(m.until)) + "</p>";
        for (auto const& u : updates) {
            body += "<p><strong>" + std::string(c::to_string(u.st)) + "</strong> (" + c::format_time(u.at) + ") — " +
                    c::escape_html(u.body) + "</p>";
        }
        out += c::escape_html(body) + "</content></entry>";
    }
    out += "</feed>\n";
    return out;
}

// A strong validator: the body's FNV-1a hash.
std::string etag_of(std::string const& body) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char ch : body) {
        h ^= ch;
        h *= 1099511628211ull;
    }
    char out[24];
    std::snprintf(out, sizeof out, "\"%016llx\"", static_cast<unsigned long long>(h));
    return out;
}

bool matches(std::string const& if_none_match, std::string const& tag) {
    if (if_none_match == "*") return true;
    std::size_t at = 0;
    while (at < if_none_match.size()) {
        auto end = if_none_match.find(',', at);
        if (end == std::string::npos) end = if_none_match.size();
        auto candidate = std::string(c::trim(std::string_view(if_none_match).substr(at, end - at)));
        if (candidate.starts_with("W/")) candidate.erase(0, 2);
        if (candidate == tag) return true;
        at = end + 1;
    }
    return false;
}

}  // namespace

rendered render(c::public_page const& v, c::page_settings const& s) {
    rendered out;
    out.html = render_html(v, s);
    out.atom = render_atom(v, s);
    json summary{{"page", page_json(v, s)},
                 {"components", components_json(v, s)},
                 {"incidents", incidents_json(v.active, v, s)},
                 {"scheduled_maintenances",
                  maintenances_json(v, s, {c::maintenance_state::scheduled, c::maintenance_state::in_progress})},
                 {"status", status_json(v)}};
    out.summary = summary.dump();
    out.status = json{{"page", page_json(v, s)}, {"status", status_json(v)}}.dump();
    std::vector<c::public_incident> all = v.active;
    all.insert(all.end(), v.history.begin(), v.history.end());
    // Statuspage's incidents.json holds the 50 most recent.
    if (all.size() > 50) all.resize(50);
    out.incidents = json{{"page", page_json(v, s)}, {"incidents", incidents_json(all, v, s)}}.dump();
    auto const maintenances = [&](std::initializer_list<c::maintenance_state> states) {
        return json{{"page", page_json(v, s)}, {"scheduled_maintenances", maintenances_json(v, s, states)}}.dump();
    };
    out.maintenances = maintenances({c::maintenance_state::scheduled, c::maintenance_state::in_progress,
                                     c::maintenance_state::completed});
    out.upcoming = maintenances({c::maintenance_state::scheduled});
    out.active = maintenances({c::maintenance_state::in_progress});
    return out;
}

site::site(c::page_settings settings, c::policy const& rules, source from)
    : settings_(std::move(settings)), rules_(rules), from_(std::move(from)) {}

void site::refresh(c::timestamp now) {
    auto const generation = from_.generation();
    if (cache_ && generation == built_generation_ && now < valid_until_) return;
    auto const view = c::status_page(from_.published(), from_.maintenances(), settings_, rules_, now);
    cached fresh;
    fresh.bodies = render(view, settings_);
    auto const& b = fresh.bodies;
    fresh.html_tag = etag_of(b.html);
    fresh.atom_tag = etag_of(b.atom);
    fresh.summary_tag = etag_of(b.summary);
    fresh.status_tag = etag_of(b.status);
    fresh.incidents_tag = etag_of(b.incidents);
    fresh.maintenances_tag = etag_of(b.maintenances);
    fresh.upcoming_tag = etag_of(b.upcoming);
    fresh.active_tag = etag_of(b.active);
    cache_ = std::move(fresh);
    built_generation_ = generation;
    ++builds_;
    // The bars move on at midnight; an outage's uptime figure moves every minute it lasts.
    bool const outage = std::any_of(view.components.begin(), view.components.end(), [](c::public_component const& cv) {
        return cv.st == c::component_status::major_outage || cv.st == c::component_status::partial_outage;
    });
    auto const midnight = c::timestamp{std::chrono::floor<std::chrono::days>(now) + std::chrono::days{1}};
    auto const next_minute = c::timestamp{std::chrono::floor<std::chrono::minutes>(now) + std::chrono::minutes{1}};
    valid_until_ = outage ? std::min(midnight, next_minute) : midnight;
    // A maintenance window beginning or ending changes the page with nothing published.
    if (view.changes_at) valid_until_ = std::min(valid_until_, *view.changes_at);
    next_edge_ = view.changes_at;
}

http::response site::answer(http::request const& r, c::timestamp now) {
    if (r.method != "GET") {
        return {405, "text/plain; charset=utf-8", "only GET is served here\n", {{"Allow", "GET"}}};
    }
    auto const path = r.target.substr(0, r.target.find('?'));
    refresh(now);
    auto const& b = cache_->bodies;
    struct resource {
        std::string const* body;
        std::string const* tag;
        char const* type;
    };
    std::optional<resource> found;
    if (path == "/" || path == "/index.html") found = resource{&b.html, &cache_->html_tag, "text/html; charset=utf-8"};
    if (path == "/history.atom") found = resource{&b.atom, &cache_->atom_tag, "application/atom+xml; charset=utf-8"};
    if (path == "/api/v2/summary.json")
        found = resource{&b.summary, &cache_->summary_tag, "application/json; charset=utf-8"};
    if (path == "/api/v2/status.json") found = resource{&b.status, &cache_->status_tag, "application/json; charset=utf-8"};
    if (path == "/api/v2/incidents.json")
        found = resource{&b.incidents, &cache_->incidents_tag, "application/json; charset=utf-8"};
    if (path == "/api/v2/scheduled-maintenances.json")
        found = resource{&b.maintenances, &cache_->maintenances_tag, "application/json; charset=utf-8"};
    if (path == "/api/v2/scheduled-maintenances/upcoming.json")
        found = resource{&b.upcoming, &cache_->upcoming_tag, "application/json; charset=utf-8"};
    if (path == "/api/v2/scheduled-maintenances/active.json")
        found = resource{&b.active, &cache_->active_tag, "application/json; charset=utf-8"};
    if (!found) return {404, "text/plain; charset=utf-8", "not found\n"};
    // 30 s, but not past a maintenance window's edge, when the page changes with nothing published.
    auto const fresh_for =
        next_edge_ ? std::clamp<long long>(std::chrono::ceil<std::chrono::seconds>(*next_edge_ - now).count(), 0, 30) : 30;
    std::vector<std::pair<std::string, std::string>> headers{
        {"Cache-Control", "public, max-age=" + std::to_string(fresh_for)}, {"ETag", *found->tag}};
    if (auto const it = r.headers.find("if-none-match"); it != r.headers.end() && matches(it->second, *found->tag)) {
        return {304, "", "", std::move(headers)};
    }
    return {200, found->type, *found->body, std::move(headers)};
}

}  // namespace warroom::status_page
