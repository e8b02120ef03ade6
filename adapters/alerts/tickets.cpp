#include "adapters/alerts/tickets.hpp"

namespace warroom::alerts {

nlohmann::json ticket_body(core::open_ticket const& t) {
    auto alerts = nlohmann::json::array();
    for (auto const& a : t.alerts) {
        alerts.push_back(
            {{"name", a.name}, {"summary", a.summary}, {"startsAt", core::format_rfc3339(a.starts_at)}, {"url", a.url}});
    }
    return {{"title", t.title}, {"level", t.level},   {"severity", t.level},        {"source", t.source},
            {"group", t.group}, {"labels", t.labels}, {"alerts", std::move(alerts)}};
}

}  // namespace warroom::alerts
