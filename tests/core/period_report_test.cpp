// Periodic reports: period boundaries in a zone with DST, when each report is due, the claim keys,
// medians and p90 by severity, declined incidents left out, private incidents without their words.
#include <doctest/doctest.h>

#include "core/chart.hpp"
#include "core/period_report.hpp"

namespace {

using namespace warroom::core;
using namespace std::chrono_literals;

// Europe/Berlin in 2025–2027 by the EU rule: summer time from the last Sunday of March 01:00 UTC to
// the last Sunday of October 01:00 UTC.
struct berlin_zone : time_zone {
    std::string name() const override { return "Europe/Berlin"; }
    seconds offset(timestamp t) const override { return summer(t) ? 2h : 1h; }
    std::string abbreviation(timestamp t) const override { return summer(t) ? "CEST" : "CET"; }
    static bool summer(timestamp t) {
        for (auto const& [from, to] : {std::pair{"2025-03-30T01:00Z", "2025-10-26T01:00Z"},
                                       std::pair{"2026-03-29T01:00Z", "2026-10-25T01:00Z"},
                                       std::pair{"2027-03-28T01:00Z", "2027-10-31T01:00Z"}}) {
            if (t >= *parse_time(from) && t < *parse_time(to)) return true;
        }
        return false;
    }
};
berlin_zone const berlin;

timestamp at(char const* text) { return *parse_time(text); }

incident made(int number, severity sev, incident_type type, char const* declared, std::string title = "Checkout down") {
    incident i;
    i.number = number;
    i.sev = sev;
    i.type = type;
    i.title = std::move(title);
    i.declared_at = i.detected_at = i.started_at = at(declared);
    return i;
}

std::vector<incident const*> pointers(std::vector<incident> const& all) {
    std::vector<incident const*> out;
    for (auto const& i : all) out.push_back(&i);
    return out;
}

}  // namespace

TEST_CASE("a week runs Monday to Monday at local midnight, 167 hours across the spring change") {
    auto const w = period_containing(period_kind::week, at("2026-03-25T12:00Z"), berlin);
    CHECK(format_date(timestamp{w.first}) == "2026-03-23");
    CHECK(w.from == at("2026-03-22T23:00Z"));  // Monday 00:00 CET
    CHECK(w.to == at("2026-03-29T22:00Z"));    // Monday 00:00 CEST
    CHECK(w.to - w.from == 167h);
    CHECK(w.label == "week of 2026-03-23");
    // Its report: Monday 09:00 CEST.
    CHECK(report_due(w, berlin) == at("2026-03-30T07:00Z"));
    CHECK(latest_due(period_kind::week, at("2026-03-30T06:59Z"), berlin).first == w.first - std::chrono::days{7});
    CHECK(latest_due(period_kind::week, at("2026-03-30T07:00Z"), berlin) == w);
    // The autumn change: 169 hours.
    auto const autumn = period_containing(period_kind::week, at("2026-10-21T12:00Z"), berlin);
    CHECK(autumn.to - autumn.from == 169h);
    CHECK(autumn.to == at("2026-10-25T23:00Z"));
    // Sunday 23:30 local is still the week before; Monday 00:30 local the next.
    CHECK(period_containing(period_kind::week, at("2026-11-29T22:30Z"), berlin).first ==
          period_containing(period_kind::week, at("2026-11-25T12:00Z"), berlin).first);
    CHECK(format_date(timestamp{period_containing(period_kind::week, at("2026-11-29T23:30Z"), berlin).first}) ==
          "2026-11-30");
}

TEST_CASE("months, quarters and years, and the one before each") {
    auto const t = at("2026-01-01T00:30Z");  // 01:30 on New Year's Day in Berlin, still 2025 in UTC
    auto const m = period_containing(period_kind::month, t, berlin);
    CHECK(m.label == "January 2026");
    CHECK(m.from == at("2025-12-31T23:00Z"));
    CHECK(period_before(m, berlin).label == "December 2025");
    CHECK(period_containing(period_kind::month, t, utc_zone()).label == "January 2026");
    CHECK(period_containing(period_kind::month, at("2025-12-31T23:30Z"), utc_zone()).label == "December 2025");
    auto const q = period_containing(period_kind::quarter, at("2026-05-15T12:00Z"), berlin);
    CHECK(q.label == "Q2 2026");
    CHECK(format_date(timestamp{q.end}) == "2026-07-01");
    CHECK(period_before(period_containing(period_kind::quarter, t, berlin), berlin).label == "Q4 2025");
    auto const y = period_containing(period_kind::year, at("2026-06-01T00:00Z"), berlin);
    CHECK(y.label == "2026");
    CHECK(period_before(y, berlin).label == "2025");
    CHECK(report_due(period_before(y, berlin), berlin) == at("2026-01-01T08:00Z"));
}

TEST_CASE("each period has one claim key, and the next report due is the earliest of any kind") {
    auto const w = period_containing(period_kind::week, at("2026-11-25T12:00Z"), utc_zone());
    CHECK(report_key(w) == "report:weekly:2026-11-23");
    CHECK(report_key(period_containing(period_kind::month, at("2026-11-25T12:00Z"), utc_zone())) ==
          "report:monthly:2026-11-01");
    CHECK(report_key(period_containing(period_kind::quarter, at("2026-11-25T12:00Z"), utc_zone())) ==
          "report:quarterly:2026-10-01");
    CHECK(report_key(period_containing(period_kind::year, at("2026-11-25T12:00Z"), utc_zone())) ==
          "report:annual:2026-01-01");
    // The key of a period is the same whenever it is asked for, so a restart claims the same one.
    CHECK(report_key(latest_due(period_kind::week, at("2026-12-01T10:00Z"), utc_zone())) ==
          report_key(latest_due(period_kind::week, at("2026-12-06T23:00Z"), utc_zone())));
    CHECK(next_report_due(at("2026-11-29T12:00Z"), utc_zone()) == at("2026-11-30T09:00Z"));
    CHECK(next_report_due(at("2026-11-30T09:00Z"), utc_zone()) == at("2026-12-01T09:00Z"));  // monthly
    CHECK(next_report_due(at("2026-12-01T09:00Z"), utc_zone()) == at("2026-12-07T09:00Z"));
    CHECK(next_report_due(at("2026-12-31T12:00Z"), berlin) == at("2027-01-01T08:00Z"));
}

TEST_CASE("medians and p90 by severity, declined incidents count nowhere") {
    std::vector<incident> all;
    int n = 0;
    // P1 acknowledged after 1, 2, 3, 4, 10 minutes; resolved after 1, 2, 3, 4, 10 hours.
    for (int const k : {1, 2, 3, 4, 10}) {
        auto i = made(++n, severity::p1, incident_type::outage, "2026-11-24T10:00Z");
        i.acknowledged_at = i.detected_at + std::chrono::minutes{k};
        i.resolved_at = i.detected_at + std::chrono::hours{k};
        all.push_back(i);
    }
    auto p0 = made(++n, severity::p0, incident_type::security, "2026-11-25T10:00Z");
    p0.acknowledged_at = p0.detected_at + 2min;
    all.push_back(p0);
    auto declined = made(++n, severity::p0, incident_type::outage, "2026-11-25T11:00Z");
    declined.acknowledged_at = declined.detected_at + 1h;
    declined.declined = true;
    all.push_back(declined);
    auto outside = made(++n, severity::p1, incident_type::outage, "2026-11-30T00:00Z");  // next week
    all.push_back(outside);

    auto const b = figures_between(pointers(all), at("2026-11-23T00:00Z"), at("2026-11-30T00:00Z"), "w");
    CHECK(b.incidents == 6);
    CHECK(b.by_severity.at(severity::p1) == 5);
    CHECK(b.by_severity.at(severity::p0) == 1);
    CHECK(b.mtta.at(severity::p1).median == milliseconds{3min});
    CHECK(b.mtta.at(severity::p1).p90 == milliseconds{10min});
    CHECK(b.mttr.at(severity::p1).median == milliseconds{3h});
    CHECK(b.mttr.at(severity::p1).p90 == milliseconds{10h});
    CHECK(b.mtta.at(severity::p0).median == milliseconds{2min});
    CHECK_FALSE(b.mttr.contains(severity::p0));
    CHECK(b.all_mtta.count == 6);  // the declined one's hour is nowhere

    auto const week = period_containing(period_kind::week, at("2026-11-25T12:00Z"), utc_zone());
    auto const r = build_period_report(week, pointers(all), at("2026-11-30T09:00Z"), policy::defaults(), utc_zone());
    CHECK(r.declined == 1);
    CHECK(r.incidents.size() == 6);
    CHECK(r.still_open == 1);
    REQUIRE(r.buckets.size() == 7);
    CHECK(r.buckets[1].label == "11-24");
    CHECK(r.buckets[1].incidents == 5);
    auto const text = render_period_report(r, policy::defaults(), utc_zone());
    CHECK(text.starts_with("# Weekly incident summary — week of 2026-11-23\n"));
    CHECK(text.find("| P1 High | 5 | 3m | 10m | 3h | 10h |") != std::string::npos);
    CHECK(text.find("Declined (not incidents, not counted): 1") != std::string::npos);
}

TEST_CASE("a private incident's title and action items stay out of a report, its number, severity and type are in") {
    auto const p = policy::defaults();
    std::vector<incident> all;
    auto breach = made(1, severity::p0, incident_type::security, "2026-11-24T10:00Z", "Leaked keys of ACME");
    breach.roles[role::incident_commander] = {"U5"};
    breach.actions.push_back({1, "Rotate ACME's keys", user_id{"U9"}, at("2026-11-25T00:00Z"), "U1", breach.declared_at, {}, {}, false});
    all.push_back(breach);
    auto outage = made(2, severity::p2, incident_type::outage, "2026-11-25T10:00Z", "Search slow");
    outage.actions.push_back({1, "Add a search canary", user_id{"U7"}, at("2026-11-27T00:00Z"), "U1", outage.declared_at, {}, {}, false});
    outage.resolved_at = outage.declared_at + 90min;
    all.push_back(outage);
    auto const week = period_containing(period_kind::week, at("2026-11-25T12:00Z"), utc_zone());
    auto const r = build_period_report(week, pointers(all), at("2026-11-30T09:00Z"), p, utc_zone());
    auto const text = render_period_report(r, p, utc_zone());
    CAPTURE(text);
    CHECK(text.find("ACME") == std::string::npos);
    CHECK(text.find("U9") == std::string::npos);
    CHECK(text.find("INC-1 · P0 · security · private incident — open (Detection)") != std::string::npos);
    CHECK(text.find("INC-1: 1 open action item (private incident)") != std::string::npos);
    CHECK(text.find("INC-2 · P2 · outage · Search slow — resolved in 1h 30m") != std::string::npos);
    CHECK(text.find("INC-2 #1 Add a search canary — @U7, due 2026-11-27 (**overdue**)") != std::string::npos);
    CHECK(text.find("2 open, 2 overdue.") != std::string::npos);
    auto const d = build_dashboard(pointers(all), pointers(all), pointers(all), at("2026-11-30T09:00Z"), p, utc_zone());
    REQUIRE(d.open.size() == 2);
    CHECK(d.open[0].title == "private incident");
    CHECK_FALSE(d.open[0].ic);
    CHECK(d.weeks.size() == static_cast<std::size_t>(dashboard_weeks));
    CHECK(d.weeks.back().label == "11-30");
    CHECK(d.weeks[d.weeks.size() - 2].incidents == 2);
}

TEST_CASE("charts: round ticks, one bar per non-zero value with its value as text, legends for every series") {
    CHECK(axis_ticks(0) == std::vector<double>{0, 1});
    CHECK(axis_ticks(3) == std::vector<double>{0, 1, 2, 3});
    CHECK(axis_ticks(7) == std::vector<double>{0, 2, 4, 6, 8});
    CHECK(axis_ticks(130) == std::vector<double>{0, 50, 100, 150});
    bucket_figures a{"11-23", {}, {}, 3, {{severity::p1, 2}, {severity::p2, 1}}, {}, {}, {}, {}, {}, {}};
    bucket_figures b{"11-30", {}, {}, 1, {{severity::p1, 1}}, {}, {}, {}, {}, {}, {}};
    auto const c = incidents_by_severity({a, b}, "Incidents per week", "week");
    CHECK(c.series.size() == 4);
    CHECK(c.description == "Incidents per week over 2 weeks. Largest: P1 in week 11-23, 2 incidents.");
    CHECK(incidents_by_severity({b}, "Incidents", "week").description ==
          "Incidents over 1 week. Largest: P1 in week 11-30, 1 incident.");
    auto const s = lay_out(c, 640, 280);
    CHECK(s.rects.size() == 3 + 4);  // three bars, four legend boxes
    int labelled = 0;
    for (auto const& t : s.texts) labelled += t.text == "P0" || t.text == "P1" || t.text == "P2" || t.text == "P3";
    CHECK(labelled == 4);
    for (auto const& r : s.rects) {
        CHECK(r.x >= 0);
        CHECK(r.y >= 0);
        CHECK(r.x + r.w <= 640);
        CHECK(r.y + r.h <= 280);
    }
}
