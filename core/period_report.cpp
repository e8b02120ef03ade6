// Periods are local calendar days turned into instants at local midnight, so a week across a DST
// change is 167 or 169 hours long and still starts at Monday 00:00 on the wall clock.
#include "core/period_report.hpp"

#include <algorithm>

#include "core/chart.hpp"
#include <cstdio>

namespace warroom::core {
namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

constexpr std::string_view month_names[] = {"January", "February", "March",     "April",   "May",      "June",
                                            "July",    "August",   "September", "October", "November", "December"};

std::string str(std::string_view s) { return std::string(s); }

sys_days local_day(timestamp t, time_zone const& z) { return std::chrono::floor<days>(t + z.offset(t)); }

timestamp midnight(sys_days d, time_zone const& z) { return local_to_utc(timestamp{d}, z); }

sys_days first_of(std::chrono::year y, unsigned month) { return sys_days{y / std::chrono::month{month} / 1}; }

// The first day of the period of `k` holding local day `d`, and the first day after it.
std::pair<sys_days, sys_days> bounds(period_kind k, sys_days d) {
    year_month_day const ymd{d};
    auto const m = static_cast<unsigned>(ymd.month());
    switch (k) {
        case period_kind::week: {
            auto const monday = d - days{std::chrono::weekday{d}.iso_encoding() - 1};
            return {monday, monday + days{7}};
        }
        case period_kind::month: {
            auto const first = first_of(ymd.year(), m);
            return {first, sys_days{year_month_day{first} + std::chrono::months{1}}};
        }
        case period_kind::quarter: {
            auto const first = first_of(ymd.year(), (m - 1) / 3 * 3 + 1);
            return {first, sys_days{year_month_day{first} + std::chrono::months{3}}};
        }
        case period_kind::year:
            return {first_of(ymd.year(), 1), first_of(ymd.year() + std::chrono::years{1}, 1)};
    }
    return {d, d + days{1}};
}

std::string label_of(period_kind k, sys_days first) {
    year_month_day const ymd{first};
    auto const year = std::to_string(static_cast<int>(ymd.year()));
    auto const m = static_cast<unsigned>(ymd.month());
    switch (k) {
        case period_kind::week: return "week of " + format_date(timestamp{first});
        case period_kind::month: return str(month_names[m - 1]) + " " + year;
        case period_kind::quarter: return "Q" + std::to_string((m - 1) / 3 + 1) + " " + year;
        case period_kind::year: return year;
    }
    return year;
}

bool declined_or_outside(incident const& i, timestamp from, timestamp to) {
    return i.declared_at < from || i.declared_at >= to;
}

std::string figure(std::optional<milliseconds> d) { return d ? format_duration(*d) : "–"; }

std::string signed_count(int n) { return (n > 0 ? "+" : "") + std::to_string(n); }

std::string hours(milliseconds d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f h", static_cast<double>(d.count()) / 3'600'000.0);
    return buf;
}

// "99.954%": three decimals tell 99.9% from 99.99% apart, the figures an availability target is in.
std::string percent(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f%%", v);
    return buf;
}
std::string spent(milliseconds d) { return d.count() > 0 ? format_duration(d) : "–"; }

std::string_view heading_of(period_kind k) {
    switch (k) {
        case period_kind::week: return "Weekly incident summary";
        case period_kind::month: return "Monthly incident trends";
        case period_kind::quarter: return "Quarterly incident analysis";
        case period_kind::year: return "Annual reliability report";
    }
    return "Incident report";
}

std::string_view unit_of(period_kind k) {
    switch (k) {
        case period_kind::week: return "week";
        case period_kind::month: return "month";
        case period_kind::quarter: return "quarter";
        case period_kind::year: return "year";
    }
    return "period";
}

// The sub-periods a report's table and chart show: days of a week, weeks of a month or quarter
// (clipped to it), months of a year.
std::vector<std::pair<sys_days, sys_days>> slices(period const& p) {
    std::vector<std::pair<sys_days, sys_days>> out;
    auto const step = [&](sys_days d) -> sys_days {
        switch (p.kind) {
            case period_kind::week: return d + days{1};
            case period_kind::month:
            case period_kind::quarter: return std::min(bounds(period_kind::week, d).second, p.end);
            case period_kind::year: return bounds(period_kind::month, d).second;
        }
        return p.end;
    };
    for (auto d = p.first; d < p.end; d = step(d)) out.emplace_back(d, step(d));
    return out;
}

std::string slice_label(period_kind k, sys_days d) {
    year_month_day const ymd{d};
    if (k == period_kind::year) return str(month_names[static_cast<unsigned>(ymd.month()) - 1]).substr(0, 3);
    return format_date(timestamp{d}).substr(5);  // "11-30"
}

}  // namespace

std::string_view to_string(period_kind k) {
    switch (k) {
        case period_kind::week: return "weekly";
        case period_kind::month: return "monthly";
        case period_kind::quarter: return "quarterly";
        case period_kind::year: return "annual";
    }
    return "weekly";
}

std::string report_key(period const& p) {
    return "report:" + str(to_string(p.kind)) + ":" + format_date(timestamp{p.first});
}

timestamp local_to_utc(timestamp local, time_zone const& z) {
    // The offset in force at the instant first guessed; a second look settles the day of a change.
    auto const guess = local - z.offset(local);
    return local - z.offset(guess);
}

period period_containing(period_kind k, timestamp t, time_zone const& z) {
    auto const [first, end] = bounds(k, local_day(t, z));
    return {k, first, end, midnight(first, z), midnight(end, z), label_of(k, first)};
}

period period_before(period const& p, time_zone const& z) {
    return period_containing(p.kind, p.from - milliseconds{1}, z);
}

timestamp report_due(period const& p, time_zone const& z) {
    return local_to_utc(timestamp{p.end} + std::chrono::duration_cast<milliseconds>(report_hour), z);
}

period latest_due(period_kind k, timestamp now, time_zone const& z) {
    auto const last = period_before(period_containing(k, now, z), z);
    return report_due(last, z) <= now ? last : period_before(last, z);
}

timestamp next_report_due(timestamp now, time_zone const& z) {
    std::optional<timestamp> best;
    for (auto const k : all_period_kinds) {
        auto const current = period_containing(k, now, z);
        auto due = report_due(period_before(current, z), z);
        if (due <= now) due = report_due(current, z);
        if (!best || due < *best) best = due;
    }
    return *best;
}

bucket_figures figures_between(std::vector<incident const*> const& incidents, timestamp from, timestamp to,
                               std::string label) {
    bucket_figures b;
    b.label = std::move(label);
    b.from = from;
    b.to = to;
    std::map<severity, std::vector<milliseconds>> ack, resolve;
    std::vector<milliseconds> all_ack, all_resolve, all_detect;
    for (auto const* i : incidents) {
        if (i->declined || declined_or_outside(*i, from, to)) continue;
        ++b.incidents;
        ++b.by_severity[i->sev];
        ++b.by_type[i->type];
        if (i->detection_known) all_detect.push_back(i->detected_at - i->started_at);
        if (i->acknowledged_at) {
            ack[i->sev].push_back(*i->acknowledged_at - i->detected_at);
            all_ack.push_back(*i->acknowledged_at - i->detected_at);
        }
        if (i->resolved_at) {
            resolve[i->sev].push_back(*i->resolved_at - i->detected_at);
            all_resolve.push_back(*i->resolved_at - i->detected_at);
        }
    }
    for (auto& [s, v] : ack) b.mtta[s] = summarize(std::move(v));
    for (auto& [s, v] : resolve) b.mttr[s] = summarize(std::move(v));
    b.all_mtta = summarize(std::move(all_ack));
    b.all_mttr = summarize(std::move(all_resolve));
    b.all_mttd = summarize(std::move(all_detect));
    return b;
}

listed_incident list_incident(incident const& i, policy const& p) {
    bool const hidden = p.of(i.type).private_room;
    // Who is in a private incident's room is the room's to tell, as its title is.
    return {i.number,      i.sev,         i.type,
            hidden ? "private incident" : i.title,
            hidden,        i.ph,          i.declared_at,
            i.resolved_at, hidden ? std::nullopt : i.holder(role::incident_commander)};
}

std::vector<listed_action> open_actions(std::vector<incident const*> const& incidents, timestamp now,
                                        policy const& p) {
    // Due dates are calendar days written as midnight UTC: overdue once the zone's day is past it.
    auto const today = timestamp{local_day(now, *p.zone)};
    std::vector<listed_action> out;
    for (auto const* i : incidents) {
        bool const hidden = p.of(i->type).private_room;
        for (auto const& a : i->actions) {
            if (a.removed || a.done_at) continue;
            out.push_back({i->number, a.number, hidden ? std::string{} : a.text, hidden ? std::nullopt : a.owner,
                           a.due, a.due && *a.due < today});
        }
    }
    std::sort(out.begin(), out.end(), [](listed_action const& a, listed_action const& b) {
        if (a.overdue != b.overdue) return a.overdue;
        if (a.due != b.due) return a.due.has_value() && (!b.due || *a.due < *b.due);
        return std::pair{a.incident, a.number} < std::pair{b.incident, b.number};
    });
    return out;
}

std::vector<incident const*> report_candidates(incident_map const& all, timestamp from, timestamp to) {
    std::vector<incident const*> out;
    for (auto const& [n, i] : all) {
        bool const open_action = std::any_of(i.actions.begin(), i.actions.end(),
                                             [](action_item const& a) { return !a.removed && !a.done_at; });
        if (open_action || (i.declared_at >= from && i.declared_at < to)) out.push_back(&i);
    }
    return out;
}

period_report build_period_report(period const& of, std::vector<incident const*> const& incidents, timestamp now,
                                  policy const& p, time_zone const& z) {
    period_report r;
    r.of = of;
    r.as_of = now;
    r.totals = figures_between(incidents, of.from, of.to, of.label);
    auto const before = period_before(of, z);
    r.previous = figures_between(incidents, before.from, before.to, before.label);
    for (auto const& [first, end] : slices(of))
        r.buckets.push_back(figures_between(incidents, midnight(first, z), midnight(end, z), slice_label(of.kind, first)));
    std::vector<incident const*> in_period;
    for (auto const* i : incidents) {
        if (declined_or_outside(*i, of.from, of.to)) continue;
        if (i->declined) {
            ++r.declined;
            continue;
        }
        in_period.push_back(i);
        bool const open_then = !i->resolved_at || *i->resolved_at > now;
        if (open_then) ++r.still_open;
        auto const end = open_then ? now : *i->resolved_at;
        if (end > i->started_at) r.impact += end - i->started_at;
    }
    std::sort(in_period.begin(), in_period.end(), [](auto* a, auto* b) { return a->number < b->number; });
    for (auto const* i : in_period) r.incidents.push_back(list_incident(*i, p));
    r.actions = open_actions(incidents, now, p);
    return r;
}

std::string render_period_report(period_report const& r, policy const& p, time_zone const& z) {
    auto const unit = str(unit_of(r.of.kind));
    auto const& t = r.totals;
    std::string out = "# " + str(heading_of(r.of.kind)) + " — " + r.of.label + "\n\n";
    out += "_" + format_date(timestamp{r.of.first}) + " to " + format_date(timestamp{r.of.end - days{1}}) + " (" +
           z.name() + "), as of " + format_time(r.as_of, z) + "_\n\n";

    out += "## Summary\n\n";
    out += "- Incidents: **" + std::to_string(t.incidents) + "** (previous " + unit + ": " +
           std::to_string(r.previous.incidents) + ", " + signed_count(t.incidents - r.previous.incidents) + ")\n";
    out += "- Still open: " + std::to_string(r.still_open) + "\n";
    if (r.declined) out += "- Declined (not incidents, not counted): " + std::to_string(r.declined) + "\n";
    out += "- MTTD median: " + figure(t.all_mttd.median) + " (only incidents with a start or detection time given)\n";
    out += "- MTTA median " + figure(t.all_mtta.median) + ", p90 " + figure(t.all_mtta.p90) + " (previous " + unit +
           ": median " + figure(r.previous.all_mtta.median) + ")\n";
    out += "- MTTR median " + figure(t.all_mttr.median) + ", p90 " + figure(t.all_mttr.p90) + " (previous " + unit +
           ": median " + figure(r.previous.all_mttr.median) + ")\n";
    out += "- Impact: " + hours(r.impact) + " from start of impact to resolution, summed\n\n";

    out += "## By severity\n\n| Severity | Incidents | MTTA median | MTTA p90 | MTTR median | MTTR p90 |\n"
           "|---|---:|---:|---:|---:|---:|\n";
    for (auto const s : all_severities) {
        auto const n = t.by_severity.contains(s) ? t.by_severity.at(s) : 0;
        auto const ack = t.mtta.contains(s) ? t.mtta.at(s) : duration_summary{};
        auto const res = t.mttr.contains(s) ? t.mttr.at(s) : duration_summary{};
        out += "| " + str(to_string(s)) + " " + p.of(s).name + " | " + std::to_string(n) + " | " + figure(ack.median) +
               " | " + figure(ack.p90) + " | " + figure(res.median) + " | " + figure(res.p90) + " |\n";
    }
    out += "\n## By type\n\n";
    if (t.by_type.empty()) out += "none\n";
    for (auto const& [type, n] : t.by_type) out += "- " + str(display_name(type)) + ": " + std::to_string(n) + "\n";

    auto const slice_name = r.of.kind == period_kind::week ? "Day" : r.of.kind == period_kind::year ? "Month" : "Week";
    out += "\n## By " + to_lower(slice_name) + "\n\n| " + slice_name +
           " | Incidents | P0 | P1 | P2 | P3 | MTTR median |\n|---|---:|---:|---:|---:|---:|---:|\n";
    for (auto const& b : r.buckets) {
        out += "| " + b.label + " | " + std::to_string(b.incidents);
        for (auto const s : all_severities)
            out += " | " + std::to_string(b.by_severity.contains(s) ? b.by_severity.at(s) : 0);
        out += " | " + figure(b.all_mttr.median) + " |\n";
    }

    // A week lists every incident; longer periods the P0 and P1 ones, which the analysis is about.
    bool const all = r.of.kind == period_kind::week;
    out += "\n## " + std::string(all ? "Incidents" : "Major incidents (P0, P1)") + "\n\n";
    int listed = 0;
    for (auto const& i : r.incidents) {
        if (!all && i.sev > severity::p1) continue;
        ++listed;
        out += "- " + incident_ref(i.number) + " · " + str(to_string(i.sev)) + " · " + str(to_string(i.type)) + " · " +
               i.title + " — " +
               (i.resolved_at ? "resolved in " + format_duration(*i.resolved_at - i.declared_at)
                              : "open (" + str(display_name(i.ph)) + ")") +
               "\n";
    }
    if (listed == 0) out += "none\n";

    int overdue = 0;
    for (auto const& a : r.actions) overdue += a.overdue ? 1 : 0;
    out += "\n## Open action items\n\n" + std::to_string(r.actions.size()) + " open, " + std::to_string(overdue) +
           " overdue.\n" + (r.actions.empty() ? "" : "\n");
    std::map<int, int> private_counts;
    for (auto const& a : r.actions) {
        if (a.text.empty()) {
            ++private_counts[a.incident];
            continue;
        }
        out += "- " + incident_ref(a.incident) + " #" + std::to_string(a.number) + " " + a.text +
               (a.owner ? " — @" + *a.owner : std::string{}) + (a.due ? ", due " + format_date(*a.due) : std::string{}) +
               (a.overdue ? " (**overdue**)" : "") + "\n";
    }
    for (auto const& [n, count] : private_counts)
        out += "- " + incident_ref(n) + ": " + std::to_string(count) + " open action item" + (count == 1 ? "" : "s") +
               " (private incident)\n";
    if (!r.availability.empty()) {
        out += "\n## Availability per component\n\nFrom the status page's history, " + format_time(r.of.from, z) + " to " +
               format_time(std::min(r.of.to, r.as_of), z) +
               ". A major outage counts fully as down and a partial one 30%; degraded performance and scheduled "
               "maintenance do not count.\n\n| Component | Availability | Major outage | Partial outage | Degraded | "
               "Maintenance |\n|---|---:|---:|---:|---:|---:|\n";
        for (auto const& a : r.availability) {
            out += "| " + a.name + " | " + percent(a.percent) + " | " + spent(a.major) + " | " + spent(a.partial) + " | " +
                   spent(a.degraded) + " | " + spent(a.maintenance) + " |\n";
        }
    }
    out += "\nMedian: the middle value (the mean of the middle two for an even count); p90: nearest rank. "
           "MTTA = acknowledged − detected, MTTR = resolved − detected.\n";
    return out;
}

message_view period_report_view(period_report const& r, policy const& p, time_zone const& z) {
    message_view v;
    v.kind = "periodic report";
    v.headline = "📊 " + str(heading_of(r.of.kind)) + " — " + r.of.label + ": " + std::to_string(r.totals.incidents) +
                 " incident" + (r.totals.incidents == 1 ? "" : "s") + ", MTTR median " +
                 figure(r.totals.all_mttr.median) + ", " + std::to_string(r.actions.size()) + " open action item" +
                 (r.actions.size() == 1 ? "" : "s");
    if (!r.availability.empty()) {
        auto const lowest = std::min_element(r.availability.begin(), r.availability.end(),
                                             [](auto const& a, auto const& b) { return a.percent < b.percent; });
        v.headline += ", lowest availability " + lowest->name + " " + percent(lowest->percent);
    }
    v.body = render_period_report(r, p, z);
    auto const slice = r.of.kind == period_kind::week ? "day" : r.of.kind == period_kind::year ? "month" : "week";
    v.charts.push_back(incidents_by_severity(r.buckets, "Incidents per " + std::string(slice) + " by severity, " + r.of.label, slice));
    return v;
}

dashboard_data build_dashboard(std::vector<incident const*> const& open, std::vector<incident const*> const& recent,
                               std::vector<incident const*> const& with_actions, timestamp now, policy const& p,
                               time_zone const& z) {
    dashboard_data d;
    d.as_of = now;
    for (auto const* i : open) {
        if (!i->declined) d.open.push_back(list_incident(*i, p));
    }
    std::sort(d.open.begin(), d.open.end(), [](listed_incident const& a, listed_incident const& b) {
        return std::pair{a.sev, a.number} < std::pair{b.sev, b.number};
    });
    auto week = period_containing(period_kind::week, now, z);
    std::vector<period> weeks{week};
    for (int k = 1; k < dashboard_weeks; ++k) weeks.push_back(week = period_before(week, z));
    std::reverse(weeks.begin(), weeks.end());
    for (auto const& w : weeks) d.weeks.push_back(figures_between(recent, w.from, w.to, slice_label(period_kind::week, w.first)));
    d.actions = open_actions(with_actions, now, p);
    return d;
}

}  // namespace warroom::core
