// The public status page as data: what it shows, computed from the published incidents, the
// scheduled maintenance, the configured components and the time. Only publications are read: an
// incident's own words (the title of a private one above all) reach the page only as someone
// published them. Maintenance is not downtime: it shows, but costs a component no uptime.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/incident.hpp"
#include "core/maintenance.hpp"
#include "core/policy.hpp"

namespace warroom::core {

struct component_def {
    std::string name;
    std::string group;        // shown under this heading; empty: ungrouped
    std::string description;  // a line under its name
    bool operator==(component_def const&) const = default;
};

struct page_settings {
    std::string name = "Status";  // the page's title
    std::string url;              // where it is reached, for links and the feed ("https://status.example.com")
    std::vector<component_def> components;
    bool operator==(page_settings const&) const = default;
};

inline constexpr int uptime_days = 90;  // the bars, the uptime figure and the history

struct day_bar {
    timestamp day{};             // midnight UTC
    component_status worst{};    // the worst status in effect that day
    bool operator==(day_bar const&) const = default;
};

struct public_component {
    std::string id;  // stable: from the name ("api-gateway")
    component_def def;
    int position = 0;  // 1, 2, … as configured
    component_status st = component_status::operational;
    timestamp updated_at{};     // its last change; the window's first day when none
    std::vector<day_bar> days;  // uptime_days bars, oldest first, the last one today
    double uptime = 100.0;      // percent over the window, as availability() counts it
    bool operator==(public_component const&) const = default;
};

struct public_update {
    int sequence = 0;
    timestamp at{};
    status st{};
    std::string text;
    bool operator==(public_update const&) const = default;
};

struct public_incident {
    int number = 0;
    std::string name;        // a public incident's title; a private one's reference only
    status st{};             // as last published
    std::string impact;      // Statuspage's words: none, minor, major, critical
    timestamp created_at{};  // its first publication
    timestamp updated_at{};  // its last publication
    std::optional<timestamp> monitoring_at, resolved_at;
    std::vector<public_update> updates;       // newest first
    std::vector<std::string> components;    // as published
    bool operator==(public_incident const&) const = default;
};

struct public_maintenance {
    int number = 0;
    std::string name;  // "API maintenance"
    std::string text;  // as scheduled
    maintenance_state st{};
    timestamp scheduled_at{}, from{}, until{};  // until: its end, or when it was ended early
    std::vector<std::string> components;
    bool operator==(public_maintenance const&) const = default;
};

struct public_page {
    timestamp updated_at{};   // the newest publication; the window's first day when none
    std::string indicator;    // Statuspage's words: none, minor, major, critical, maintenance
    std::string description;  // "All Systems Operational", …
    std::vector<public_component> components;
    std::vector<public_incident> active;   // not resolved on the page, newest first
    std::vector<public_incident> history;  // resolved within the window, newest first
    // Not cancelled, and scheduled or ended within the window: soonest first, then the past ones newest first.
    std::vector<public_maintenance> maintenances;
    // The next moment a maintenance window begins or ends: the page changes then without a publication.
    std::optional<timestamp> changes_at;
    bool operator==(public_page const&) const = default;
};

// `published`: the incidents with publications (others are ignored), in any order; `windows`: the
// maintenance windows, in any order.
public_page status_page(std::vector<incident const*> const& published, std::vector<maintenance const*> const& windows,
                        page_settings const& s, policy const& p, timestamp now);

// How a component fared over [from, to): the share of the time it was up, where a major outage
// counts fully as down, a partial one 30%, and degraded performance and maintenance not at all
// (Statuspage's convention). The status page's uptime and the annual report's availability.
struct component_availability {
    std::string name;
    double percent = 100.0;
    milliseconds major{}, partial{}, degraded{}, maintenance{};  // time spent in each
    bool operator==(component_availability const&) const = default;
};
std::vector<component_availability> availability(std::vector<incident const*> const& published,
                                                 std::vector<maintenance const*> const& windows,
                                                 std::vector<std::string> const& components, timestamp from,
                                                 timestamp to);

// The name an incident is published under: its title, a private incident's reference only.
std::string public_name(incident const& i, policy const& p);
// Statuspage's impact words (none, minor, major, critical) for the worst component status an
// incident published while unresolved.
std::string public_impact(incident const& i);

// "API Gateway" → "api-gateway": ids for the API and the page's anchors.
std::string component_id(std::string_view name);
// The worse of two statuses: major outage > partial > degraded > maintenance > operational.
component_status worse(component_status a, component_status b);

}  // namespace warroom::core
