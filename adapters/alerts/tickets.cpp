#include "adapters/alerts/tickets.hpp"

#include <chrono>
#include <cstdio>

namespace warroom::alerts {
namespace {

// "2026-01-05T09:00:00.123Z", as the receivers read it.
std::string rfc3339(core::timestamp t) {
    using namespace std::chrono;
    auto const day = floor<days>(t);
    year_month_day const date{day};
    hh_mm_ss const time{t - day};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                  static_cast<int>(time.seconds().count()), static_cast<int>(time.subseconds().count()));
    return buf;
}

}  // namespace

nlohmann::json ticket_body(core::open_ticket const& t) {
    auto alerts = nlohmann::json::array();
    for (auto const& a : t.alerts) {
        alerts.push_back(
            {{"name", a.name}, {"summary", a.summary}, {"startsAt", rfc3339(a.starts_at)}, {"url", a.url}});
    }
    return {{"title", t.title}, {"level", t.level},   {"severity", t.level},        {"source", t.source},
            {"group", t.group}, {"labels", t.labels}, {"alerts", std::move(alerts)}};
}

}  // namespace warroom::alerts
