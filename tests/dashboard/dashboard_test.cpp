// The dashboard's SVG charts are well-formed XML with a title and description a screen reader reads,
// the page names a private incident only as such, and the token guard.
#include <doctest/doctest.h>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <sstream>

#include "adapters/dashboard/page.hpp"
#include "adapters/dashboard/svg.hpp"
#include "core/chart.hpp"

namespace {

using namespace warroom;
using namespace std::chrono_literals;

core::timestamp at(char const* text) { return *core::parse_time(text); }

core::incident made(int number, core::severity sev, core::incident_type type, char const* declared, std::string title) {
    core::incident i;
    i.number = number;
    i.sev = sev;
    i.type = type;
    i.title = std::move(title);
    i.declared_at = i.detected_at = i.started_at = at(declared);
    i.acknowledged_at = i.detected_at + 4min;
    return i;
}

boost::property_tree::ptree parsed(std::string const& xml) {
    std::istringstream in{xml};
    boost::property_tree::ptree tree;
    boost::property_tree::read_xml(in, tree);  // throws on anything not well-formed
    return tree;
}

}  // namespace

TEST_CASE("every chart of the dashboard parses as XML, with <title>, <desc> and a text legend") {
    auto const p = core::policy::defaults();
    std::vector<core::incident> all{made(1, core::severity::p1, core::incident_type::outage, "2026-11-24T10:00Z", "A <b>&\"bold\" title"),
                                    made(2, core::severity::p0, core::incident_type::security, "2026-11-25T10:00Z", "Keys of ACME leaked")};
    all[0].resolved_at = all[0].detected_at + 2h;
    std::vector<core::incident const*> ptrs{&all[0], &all[1]};
    auto const d = core::build_dashboard({&all[1]}, ptrs, ptrs, at("2026-11-30T09:00Z"), p, core::utc_zone());
    for (auto const& c : {core::incidents_by_severity(d.weeks, "Incidents per week by severity", "week"),
                          core::incidents_by_type(d.weeks, "Incidents per week by type", "week"),
                          core::response_times(d.weeks, core::response_metric::mtta, "week"),
                          core::response_times(d.weeks, core::response_metric::mttr, "week")}) {
        CAPTURE(c.title);
        auto const svg = dashboard::render_svg(c, "c1");
        auto const tree = parsed(svg);
        auto const& root = tree.get_child("svg");
        CHECK(root.get<std::string>("<xmlattr>.role") == "img");
        CHECK(root.get<std::string>("<xmlattr>.aria-labelledby") == "c1-title c1-desc");
        CHECK(root.get<std::string>("title") == c.title);
        CHECK(root.get<std::string>("desc") == c.description);
        int texts = 0;
        for (auto const& [name, child] : root) texts += name == "text";
        CHECK(texts > static_cast<int>(c.series.size()));
    }
    auto const html = dashboard::render_html(d, p, core::utc_zone());
    CHECK(html.find("ACME") == std::string::npos);
    CHECK(html.find("private incident") != std::string::npos);
    CHECK(html.find("<h1>Incident dashboard</h1>") != std::string::npos);
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("A &lt;b&gt;&amp;&quot;bold&quot; title") == std::string::npos);  // resolved: not open
    auto const json = dashboard::render_json(d, p);
    CHECK(json.find("ACME") == std::string::npos);
    CHECK(json.find("\"title\": \"private incident\"") != std::string::npos);
}

TEST_CASE("the dashboard asks for its token, and without one is served only on loopback") {
    using dashboard::access;
    CHECK(dashboard::check_access(std::nullopt, "s3cret", false) == access::unauthorized);
    CHECK(dashboard::check_access("Bearer s3cret", "s3cret", false) == access::allowed);
    CHECK(dashboard::check_access("Bearer s3cre", "s3cret", true) == access::unauthorized);
    CHECK(dashboard::check_access("Bearer s3cretX", "s3cret", true) == access::unauthorized);
    CHECK(dashboard::check_access("Basic s3cret", "s3cret", true) == access::unauthorized);
    CHECK(dashboard::check_access(std::nullopt, "", true) == access::allowed);
    CHECK(dashboard::check_access("Bearer anything", "", false) == access::off);
}
