// The public status page over HTTP: server-rendered HTML at `/`, an Atom feed at `/history.atom`
// and Atlassian Statuspage's public JSON API shape at `/api/v2/{summary,status,incidents}.json` and
// `/api/v2/scheduled-maintenances{,/upcoming,/active}.json`.
// Contract: answer() renders from the published incidents and the maintenance windows only, caches
// the bodies until something is published or scheduled again (or the day turns, a maintenance
// window begins or ends, or an outage's uptime figure moves on), and answers a matching
// If-None-Match with 304. Single-threaded, like the server that calls it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "adapters/http/server.hpp"
#include "core/status_page.hpp"

namespace warroom::status_page {

// The bodies the page serves, rendered from one view.
struct rendered {
    std::string html, atom, summary, status, incidents, maintenances, upcoming, active;
};

rendered render(core::public_page const& view, core::page_settings const& s);

// Where the page reads from: the incidents ever published, the maintenance windows, and a count that
// moves when either changes.
struct source {
    std::function<std::vector<core::incident const*>()> published;
    std::function<std::vector<core::maintenance const*>()> maintenances;
    std::function<std::uint64_t()> generation;
};

class site {
public:
    site(core::page_settings settings, core::policy const& rules, source from);
    http::response answer(http::request const& r, core::timestamp now);
    // Bodies built so far: rebuilt only when something was published, not on every request.
    int builds() const { return builds_; }

private:
    void refresh(core::timestamp now);

    core::page_settings settings_;
    core::policy const& rules_;
    source from_;
    struct cached {
        rendered bodies;
        std::string html_tag, atom_tag, summary_tag, status_tag, incidents_tag, maintenances_tag, upcoming_tag,
            active_tag;
    };
    std::optional<cached> cache_;
    std::uint64_t built_generation_ = 0;
    core::timestamp valid_until_{};
    std::optional<core::timestamp> next_edge_;  // the next maintenance window's start or end
    int builds_ = 0;
};

}  // namespace warroom::status_page
