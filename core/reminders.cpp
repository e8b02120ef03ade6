// Due times from state and policy. Nudges count from the later of the last update and the last
// nudge; escalation steps count from declaration, so a severity change re-plans the matrix and
// steps already past fire at once, each target at most once.
#include "core/reminders.hpp"

#include <algorithm>

namespace warroom::core {
namespace {

std::string key(std::string_view kind, int incident, std::string_view detail) {
    return std::string(kind) + ":" + std::to_string(incident) + ":" + std::string(detail);
}

std::string epoch(sys_seconds t) { return std::to_string(t.time_since_epoch().count()); }

}  // namespace

std::vector<reminder> pending_reminders(incident const& i, policy const& p) {
    std::vector<reminder> out;
    auto const& sev = p.of(i.sev);
    bool const active = !i.is_resolved() && !i.is_closed();
    if (active && sev.update_every) {
        auto const base = std::max(i.last_update_at, i.last_nudge_at.value_or(i.last_update_at));
        auto const due = i.snoozed_until && *i.snoozed_until > base ? *i.snoozed_until : base + *sev.update_every;
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
    if (i.is_resolved() && !i.is_closed()) {
        auto const resolved = epoch(*i.resolved_at);
        auto const report_key = key("report-due", i.number, resolved);
        if (!i.report_at && !i.reminders_sent.contains(report_key)) {
            out.push_back({report_key, reminder_kind::report_due, i.number, *i.resolved_at + p.report_due});
        }
        auto const pm_key = key("postmortem-due", i.number, resolved);
        bool const major = i.sev == severity::p0 || i.sev == severity::p1;
        if (major && !i.checks.contains({phase::post_incident, 0}) && !i.reminders_sent.contains(pm_key)) {
            out.push_back({pm_key, reminder_kind::postmortem_due, i.number, *i.resolved_at + p.postmortem_due});
        }
    }
    for (auto const& a : i.actions) {
        auto const k = key("action-due", i.number, std::to_string(a.number));
        if (a.due && !a.done_at && !i.reminders_sent.contains(k)) {
            out.push_back({k, reminder_kind::action_due, i.number, *a.due, 0, a.number});
        }
    }
    auto const reg_key = key("regulator", i.number, "72h");
    bool const regulated = p.of(i.type).regulator_clock || (i.type == incident_type::data_loss && i.personal_data);
    if (regulated && !i.is_closed() && !i.reminders_sent.contains(reg_key)) {
        auto const lead = std::min(p.regulator_notice, seconds{std::chrono::hours{24}});
        out.push_back({reg_key, reminder_kind::regulator_notice, i.number, i.declared_at + p.regulator_notice - lead});
    }
    std::stable_sort(out.begin(), out.end(), [](reminder const& a, reminder const& b) { return a.due < b.due; });
    return out;
}

std::vector<event> fire(incident const& i, reminder const& r, sys_seconds now, policy const& p) {
    auto const ev = [&](payload what) { return event{i.number, now, bot_user, std::move(what)}; };
    switch (r.kind) {
        case reminder_kind::update_nudge:
            return {ev(nudged{})};
        case reminder_kind::escalation: {
            auto const& step = p.of(i.sev).escalation.at(static_cast<std::size_t>(r.step));
            return {ev(escalated{step.target, step.label, false, {}})};
        }
        case reminder_kind::report_due:
        case reminder_kind::postmortem_due:
        case reminder_kind::action_due:
        case reminder_kind::regulator_notice:
            return {ev(reminder_sent{r.key})};
    }
    return {};
}

std::ostream& operator<<(std::ostream& os, reminder const& r) { return os << r.key << " @ " << format_time(r.due); }

}  // namespace warroom::core
