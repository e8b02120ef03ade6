// Tables carry every figure the charts show, so the page reads the same without the pictures.
#include "adapters/dashboard/page.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "adapters/dashboard/svg.hpp"
#include "core/chart.hpp"
#include "core/model.hpp"

namespace warroom::dashboard {
namespace {

// A wide table scrolls inside its box on a phone; the box takes focus so a keyboard can scroll it too.
std::string scroll_box(std::string_view label) {
    return "<div class=\"scroll\" role=\"region\" tabindex=\"0\" aria-label=\"" + std::string(label) + "\">";
}

using nlohmann::json;

std::string str(std::string_view s) { return std::string(s); }

std::string figure(core::duration_summary const& d, bool p90) {
    auto const v = p90 ? d.p90 : d.median;
    return v ? core::format_duration(*v) : "–";
}

json summary_json(core::duration_summary const& d) {
    json j{{"count", d.count}};
    j["median_ms"] = d.median ? json(d.median->count()) : json(nullptr);
    j["p90_ms"] = d.p90 ? json(d.p90->count()) : json(nullptr);
    return j;
}

constexpr std::string_view style_sheet =
    "body{font-family:system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1a1a1a;line-height:1.4}"
    "table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{text-align:left;padding:.3rem .5rem;"
    "border-bottom:1px solid #ccc}caption{text-align:left;font-weight:bold;padding:.3rem 0}"
    ".chart{width:100%;height:auto;max-width:40rem}figure{margin:0 0 1.5rem}"
    ".scroll{overflow-x:auto}a{color:#0b5394}";

}  // namespace

std::string render_html(core::dashboard_data const& d, core::policy const& p, core::time_zone const& z) {
    auto const now = d.as_of;
    std::string out =
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>Incident dashboard — warroom</title><style>" + str(style_sheet) + "</style></head><body>\n";
    out += "<header><h1>Incident dashboard</h1><p>As of " + core::escape_html(core::format_time(now, z)) +
           ". Declined incidents are not counted. <a href=\"/dashboard.json\">The same as JSON</a>.</p></header>\n<main>\n";

    out += "<section aria-labelledby=\"open\"><h2 id=\"open\">Open incidents (" + std::to_string(d.open.size()) + ")</h2>\n";
    if (d.open.empty()) {
        out += "<p>None.</p>";
    } else {
        out += scroll_box("Open incidents") + "<table><thead><tr><th scope=\"col\">Incident</th><th scope=\"col\">Severity</th>"
               "<th scope=\"col\">Type</th><th scope=\"col\">Phase</th><th scope=\"col\">Incident Commander</th>"
               "<th scope=\"col\">Age</th><th scope=\"col\">Title</th></tr></thead><tbody>";
        for (auto const& i : d.open) {
            out += "<tr><th scope=\"row\">" + core::incident_ref(i.number) + "</th><td>" + str(core::to_string(i.sev)) +
                   " " + core::escape_html(p.of(i.sev).name) + "</td><td>" + str(core::to_string(i.type)) + "</td><td>" +
                   str(core::display_name(i.ph)) + "</td><td>" + (i.ic ? core::escape_html("@" + *i.ic) : "none") + "</td><td>" +
                   core::format_duration(now - i.declared_at) + "</td><td>" + core::escape_html(i.title) + "</td></tr>";
        }
        out += "</tbody></table></div>";
    }
    out += "</section>\n";

    out += "<section aria-labelledby=\"response\"><h2 id=\"response\">Response times per week</h2>\n";
    out += "<figure>" + render_svg(core::response_times(d.weeks, core::response_metric::mtta, "week"), "mtta") + "</figure>\n";
    out += "<figure>" + render_svg(core::response_times(d.weeks, core::response_metric::mttr, "week"), "mttr") + "</figure>\n";
    out += "</section>\n";

    out += "<section aria-labelledby=\"volume\"><h2 id=\"volume\">Incidents per week</h2>\n";
    out += "<figure>" + render_svg(core::incidents_by_severity(d.weeks, "Incidents per week by severity", "week"), "by-severity") +
           "</figure>\n";
    out += "<figure>" + render_svg(core::incidents_by_type(d.weeks, "Incidents per week by type", "week"), "by-type") +
           "</figure>\n";
    out += scroll_box("Incidents per week") + "<table><caption>Per week (weeks start on Monday, " + core::escape_html(z.name()) +
           ")</caption><thead><tr><th scope=\"col\">Week of</th><th scope=\"col\">Incidents</th>";
    for (auto const s : core::all_severities) out += "<th scope=\"col\">" + str(core::to_string(s)) + "</th>";
    out += "<th scope=\"col\">MTTA median</th><th scope=\"col\">MTTA p90</th><th scope=\"col\">MTTR median</th>"
           "<th scope=\"col\">MTTR p90</th></tr></thead><tbody>";
    for (auto const& w : d.weeks) {
        out += "<tr><th scope=\"row\">" + core::escape_html(w.label) + "</th><td>" + std::to_string(w.incidents) + "</td>";
        for (auto const s : core::all_severities)
            out += "<td>" + std::to_string(w.by_severity.contains(s) ? w.by_severity.at(s) : 0) + "</td>";
        out += "<td>" + figure(w.all_mtta, false) + "</td><td>" + figure(w.all_mtta, true) + "</td><td>" +
               figure(w.all_mttr, false) + "</td><td>" + figure(w.all_mttr, true) + "</td></tr>";
    }
    out += "</tbody></table></div></section>\n";

    int overdue = 0;
    for (auto const& a : d.actions) overdue += a.overdue ? 1 : 0;
    out += "<section aria-labelledby=\"actions\"><h2 id=\"actions\">Overdue action items (" + std::to_string(overdue) +
           " of " + std::to_string(d.actions.size()) + " open)</h2>\n";
    if (overdue == 0) {
        out += "<p>None overdue.</p>";
    } else {
        out += scroll_box("Overdue action items") + "<table><thead><tr><th scope=\"col\">Item</th><th scope=\"col\">Due</th>"
               "<th scope=\"col\">Owner</th><th scope=\"col\">What</th></tr></thead><tbody>";
        for (auto const& a : d.actions) {
            if (!a.overdue) continue;
            out += "<tr><th scope=\"row\">" + core::incident_ref(a.incident) + " #" + std::to_string(a.number) +
                   "</th><td>" + (a.due ? core::format_date(*a.due) : "") + "</td><td>" +
                   (a.owner ? core::escape_html("@" + *a.owner) : "") + "</td><td>" +
                   (a.text.empty() ? "private incident" : core::escape_html(a.text)) + "</td></tr>";
        }
        out += "</tbody></table></div>";
    }
    out += "</section>\n</main></body></html>\n";
    return out;
}

std::string render_json(core::dashboard_data const& d, core::policy const& p) {
    json j;
    j["as_of"] = core::format_time(d.as_of);
    j["open"] = json::array();
    for (auto const& i : d.open) {
        j["open"].push_back({{"number", i.number},
                             {"severity", core::to_string(i.sev)},
                             {"severity_name", p.of(i.sev).name},
                             {"type", core::to_string(i.type)},
                             {"phase", core::to_string(i.ph)},
                             {"ic", i.ic ? json(*i.ic) : json(nullptr)},
                             {"private", i.is_private},
                             {"title", i.title},
                             {"declared_at", core::format_time(i.declared_at)},
                             {"age_seconds", std::chrono::duration_cast<std::chrono::seconds>(d.as_of - i.declared_at).count()}});
    }
    j["weeks"] = json::array();
    for (auto const& w : d.weeks) {
        json week{{"week_of", w.label}, {"from", core::format_time(w.from)}, {"to", core::format_time(w.to)},
                  {"incidents", w.incidents}, {"mtta", summary_json(w.all_mtta)}, {"mttr", summary_json(w.all_mttr)}};
        for (auto const s : core::all_severities) {
            auto const name = str(core::to_string(s));
            week["by_severity"][name] = w.by_severity.contains(s) ? w.by_severity.at(s) : 0;
            week["mtta_by_severity"][name] = summary_json(w.mtta.contains(s) ? w.mtta.at(s) : core::duration_summary{});
            week["mttr_by_severity"][name] = summary_json(w.mttr.contains(s) ? w.mttr.at(s) : core::duration_summary{});
        }
        for (auto const t : core::all_types)
            week["by_type"][str(core::to_string(t))] = w.by_type.contains(t) ? w.by_type.at(t) : 0;
        j["weeks"].push_back(std::move(week));
    }
    j["action_items"] = json::array();
    for (auto const& a : d.actions) {
        j["action_items"].push_back({{"incident", a.incident},
                                     {"number", a.number},
                                     {"text", a.text.empty() ? json(nullptr) : json(a.text)},
                                     {"owner", a.owner ? json(*a.owner) : json(nullptr)},
                                     {"due", a.due ? json(core::format_date(*a.due)) : json(nullptr)},
                                     {"overdue", a.overdue}});
    }
    return j.dump(2) + "\n";
}

access check_access(std::optional<std::string_view> authorization, std::string_view token, bool loopback) {
    if (token.empty()) return loopback ? access::allowed : access::off;
    constexpr std::string_view scheme = "Bearer ";
    if (!authorization || !authorization->starts_with(scheme)) return access::unauthorized;
    auto const given = authorization->substr(scheme.size());
    // Compared in full whatever matches first, so the time taken tells nothing of the token.
    unsigned char differs = given.size() == token.size() ? 0 : 1;
    for (std::size_t k = 0; k < token.size(); ++k)
        differs |= static_cast<unsigned char>(token[k] ^ (k < given.size() ? given[k] : 0));
    return differs == 0 ? access::allowed : access::unauthorized;
}

}  // namespace warroom::dashboard
