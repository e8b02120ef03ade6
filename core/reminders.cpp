// Due times from state and policy. Nudges count from the later of the last update and the last
// nudge; escalation steps count from declaration, so a severity change re-plans the matrix and
// steps already past fire at once, each target at most once.
#include "core/reminders.hpp"

#include <algorithm>

#include "core/contact.hpp"
#include "core/decide.hpp"

namespace warroom::core {
namespace {

std::string key(std::string_view kind, int incident, std::string_view detail) {
    return std::string(kind) + ":" + std::to_string(incident) + ":" + std::string(detail);
}

// Keys name the second: they were written that way before times had milliseconds, and a key must not change.
std::string epoch(timestamp t) { return std::to_string(std::chrono::floor<seconds>(t).time_since_epoch().count()); }

}  // namespace

std::vector<reminder> pending_reminders(incident const& i, policy const& p) {
    std::vector<reminder> out;
    auto const& sev = p.of(i.sev);
    bool const active = !i.is_resolved() && !i.is_closed();
    if (active && sev.update_every) {
        auto const base = std::max(i.last_update_at, i.last_nudge_at.value_or(i.last_update_at));
        auto const due = i.snoozed_until && *i.snoozed_until > base ? *i.snoozed_until : base + nudge_interval(i, p);
        // Keyed by its due time, which only moves forward while the clock does (an update, a nudge
        // or a reopen each plan from now).
        out.push_back({key("nudge", i.number, epoch(due)), reminder_kind::update_nudge, i.number, due});
    }
    if (active) {
        for (std::size_t s = 0; s < sev.escalation.size(); ++s) {
            auto const& step = sev.escalation[s];
            if (i.escalated_targets.contains(step.target)) continue;
            out.push_back({key("escalation", i.number, step.target), reminder_kind::escalation, i.number,
                           i.declared_at + step.after, static_cast<int>(s)});
        }
    }
    if (active && !i.acknowledged_at && i.pages.contains("primary") && !i.pages.contains("secondary")) {
        auto const* r = p.rotation_of(i.sev);
        auto const on_call = r ? shift_at(*r, i.pages.at("primary").at) : std::nullopt;
        auto const k = key("page-secondary", i.number, "1");
        if (on_call && on_call->secondary && !i.reminders_sent.contains(k)) {
            out.push_back({k, reminder_kind::page_unanswered, i.number, i.pages.at("primary").at + sev.respond_within});
        }
    }
    // Nudges nobody answered: told once per run of silence (an update starts a new run).
    if (active && sev.update_every && p.nudge_back_off_after > 0 && i.unanswered_nudges >= p.nudge_back_off_after) {
        auto const k = key("nudges-unanswered", i.number, epoch(i.last_update_at));
        if (!i.reminders_sent.contains(k)) {
            out.push_back({k, reminder_kind::nudges_unanswered, i.number, i.last_nudge_at.value_or(i.last_update_at)});
        }
    }
    // Nobody acknowledged in time and no page escalates it: the room is told once.
    auto const ack_key = key("unacknowledged", i.number, epoch(i.declared_at));
    if (active && !i.acknowledged_at && i.pages.empty() && !i.reminders_sent.contains(ack_key)) {
        out.push_back({ack_key, reminder_kind::unacknowledged, i.number, respond_by(i.declared_at, i.sev, p)});
    }
    if (i.is_resolved() && !i.is_closed()) {
        // Early enough to act: `remind_before` ahead of the deadline.
        auto const lead = [&](seconds due) { return std::min(p.remind_before, due / 2); };
        auto const resolved = epoch(*i.resolved_at);
        auto const report_key = key("report-due", i.number, resolved);
        if (!i.report_at && !i.reminders_sent.contains(report_key)) {
            out.push_back({report_key, reminder_kind::report_due, i.number,
                           *i.resolved_at + p.report_due - lead(p.report_due)});
        }
        auto const pm_key = key("postmortem-due", i.number, resolved);
        bool const major = i.sev == severity::p0 || i.sev == severity::p1;
        if (major && !i.checks.contains({phase::post_incident, 0}) && !i.reminders_sent.contains(pm_key)) {
            out.push_back({pm_key, reminder_kind::postmortem_due, i.number,
                           *i.resolved_at + p.postmortem_due - lead(p.postmortem_due)});
        }
    }
    for (auto const& a : i.actions) {
        if (!a.due || a.done_at || a.removed) continue;
        // At the start of the owner's working day, not at midnight UTC; once more the day after.
        // Keyed by the date too: a new due date is reminded afresh. A store written before the date
        // was in the key holds the number alone; that reminder was sent, and is not sent again.
        auto const on = std::to_string(a.number) + ":" + format_date(*a.due);
        auto const k = key("action-due", i.number, on);
        auto const late = key("action-overdue", i.number, on);
        auto const sent = [&](char const* kind, std::string const& current) {
            return i.reminders_sent.contains(current) ||
                   i.reminders_sent.contains(key(kind, i.number, std::to_string(a.number)));
        };
        if (!sent("action-due", k)) {
            out.push_back({k, reminder_kind::action_due, i.number, local_time_on(*a.due, p.action_reminder_at, p), 0,
                           a.number});
        } else if (!sent("action-overdue", late)) {
            out.push_back({late, reminder_kind::action_overdue, i.number,
                           local_time_on(*a.due + std::chrono::days{1}, p.action_reminder_at, p), 0, a.number});
        }
    }
    // The regulator clock runs until the regulator is notified, closed or not: a day ahead, at the
    // deadline, then every day after it.
    if (regulated(i, p) && !i.regulator_notified_at) {
        auto const deadline = regulator_clock_start(i, p) + p.regulator_notice;
        auto const ahead = std::min(p.regulator_notice / 2, seconds{std::chrono::hours{24}});
        auto const first_key = key("regulator", i.number, "72h");
        if (!i.reminders_sent.contains(first_key)) {
            out.push_back({first_key, reminder_kind::regulator_notice, i.number, deadline - ahead, 0});
        } else {
            for (int n = 1;; ++n) {
                auto const k = key("regulator", i.number, n == 1 ? "deadline" : "overdue-" + std::to_string(n - 1));
                if (i.reminders_sent.contains(k)) continue;
                out.push_back({k, reminder_kind::regulator_notice, i.number,
                               deadline + (n - 1) * std::chrono::days{1}, n});
                break;
            }
        }
    }
    std::stable_sort(out.begin(), out.end(), [](reminder const& a, reminder const& b) { return a.due < b.due; });
    return out;
}

std::vector<event> fire(incident const& i, reminder const& r, timestamp now, policy const& p) {
    auto const ev = [&](payload what) { return event{i.number, now, bot_user, std::move(what)}; };
    switch (r.kind) {
        case reminder_kind::update_nudge:
            return {ev(nudged{})};
        case reminder_kind::escalation:
            return escalation_events(i, p.of(i.sev).escalation.at(static_cast<std::size_t>(r.step)), false, {},
                                     bot_user, now, p);
        case reminder_kind::page_unanswered: {
            auto const* rot = p.rotation_of(i.sev);
            auto const on_call = rot ? shift_at(*rot, now) : std::nullopt;
            auto const primary = i.pages.at("primary").user;
            // The turn may have changed since: page whoever is secondary now, never the primary again.
            std::optional<user_id> secondary;
            if (on_call && on_call->secondary && *on_call->secondary != primary) {
                secondary = on_call->secondary;
            } else if (on_call && on_call->primary != primary) {
                secondary = on_call->primary;
            }
            if (!secondary) return {ev(reminder_sent{r.key})};  // said in the war room: nobody left to page
            std::vector<event> out{ev(paged{*secondary, "secondary"})};
            if (!i.is_member(*secondary)) out.push_back(ev(invited{{*secondary}}));
            return out;
        }
        case reminder_kind::report_due:
        case reminder_kind::postmortem_due:
        case reminder_kind::action_due:
        case reminder_kind::regulator_notice:
        case reminder_kind::unacknowledged:
        case reminder_kind::action_overdue:
        case reminder_kind::nudges_unanswered:
            return {ev(reminder_sent{r.key})};
    }
    return {};
}

std::vector<std::string> told_of_unanswered_nudges(incident const& i, policy const& p) {
    std::vector<std::string> out = p.access.admins;
    for (auto const& step : p.of(i.sev).escalation) {
        if (step.target != "engineering-manager") continue;
        for (auto const& c : step.notify) {
            auto const parsed = parse_contact(c);
            if (parsed && (parsed->what == contact::kind::user || parsed->what == contact::kind::group) &&
                std::find(out.begin(), out.end(), parsed->id) == out.end()) {
                out.push_back(parsed->id);
            }
        }
    }
    return out;
}

timestamp local_time_on(timestamp day, seconds at, policy const& p) {
    auto const local = std::chrono::floor<std::chrono::days>(day) + at;
    // The offset at the local instant's UTC neighbour: exact except within an hour of a DST switch.
    return local - p.zone->offset(local - p.zone->offset(local));
}

seconds nudge_interval(incident const& i, policy const& p) {
    auto const every = p.of(i.sev).update_every.value_or(seconds{0});
    if (p.nudge_back_off_after <= 0 || i.unanswered_nudges < p.nudge_back_off_after) return every;
    auto interval = every;
    for (int k = p.nudge_back_off_after; k <= i.unanswered_nudges && interval < p.nudge_max_interval; ++k) interval *= 2;
    return std::max(every, std::min(interval, p.nudge_max_interval));
}

timestamp respond_by(timestamp from, severity s, policy const& p) {
    auto const within = p.of(s).respond_within;
    if (within < std::chrono::hours{24}) return from + within;
    // Next business day: the first opening after the day `from` falls on, in local time.
    auto const offset = p.zone->offset(from);
    auto const local_day = std::chrono::floor<std::chrono::days>(from + offset);
    for (int k = 1; k <= 14; ++k) {
        auto const day = local_day + std::chrono::days{k};
        // 1970-01-01 was a Thursday: Monday is index 0.
        auto const weekday = static_cast<std::size_t>((day.time_since_epoch().count() % 7 + 7 + 3) % 7);
        if (!p.hours.days[weekday]) continue;
        auto const opens_local = day + p.hours.opens;
        return opens_local - p.zone->offset(opens_local - offset);
    }
    return from + within;
}

std::vector<handoff> recent_handoffs(policy const& p, timestamp now) {
    std::vector<handoff> out;
    for (auto const& r : p.rotations) {
        auto const at = turn_start(r, now);
        if (at <= r.start || r.members.size() < 2 || now - at >= std::chrono::days{1}) continue;
        out.push_back({"handoff:" + r.name + ":" + epoch(at), at, &r});
    }
    return out;
}

std::optional<timestamp> next_handoff(policy const& p, timestamp now) {
    std::optional<timestamp> best;
    for (auto const& r : p.rotations) {
        if (r.members.size() < 2) continue;
        auto const at = turn_start(r, now) + r.length;
        if (!best || at < *best) best = at;
    }
    return best;
}

std::ostream& operator<<(std::ostream& os, reminder const& r) { return os << r.key << " @ " << format_time(r.due); }

}  // namespace warroom::core
