// Every section of the template is always present; what the timeline does not say is marked as
// not recorded rather than left out, so a reader sees the gap.
#include "core/report.hpp"

#include <algorithm>
#include <cctype>

#include "core/decide.hpp"
#include "core/reminders.hpp"

namespace warroom::core {
namespace {

std::string str(std::string_view s) { return std::string(s); }

bool starts_with_ci(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t k = 0; k < prefix.size(); ++k) {
        if (std::tolower(static_cast<unsigned char>(text[k])) != prefix[k]) return false;
    }
    return true;
}

// Notes tagged for the lessons sections, without their tag.
std::vector<std::string> tagged_notes(incident const& i, std::initializer_list<std::string_view> tags) {
    std::vector<std::string> out;
    constexpr std::string_view note = "Note: ";
    for (auto const& entry : i.timeline) {
        if (entry.text.rfind(note, 0) != 0) continue;
        auto const body = std::string_view(entry.text).substr(note.size());
        for (auto const tag : tags) {
            if (starts_with_ci(body, tag)) {
                auto rest = body.substr(tag.size());
                while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
                out.emplace_back(rest);
                break;
            }
        }
    }
    return out;
}

void bullets(std::string& out, std::vector<std::string> const& items, std::string const& empty) {
    if (items.empty()) out += "- " + empty + "\n";
    for (auto const& item : items) out += "- " + item + "\n";
}

std::string since(std::optional<timestamp> t, timestamp from) {
    if (!t) return "not recorded";
    return format_duration(*t - from);
}

std::string or_not_recorded(std::string const& value, std::string const& how) {
    return value.empty() ? "not recorded (" + how + ")" : value;
}

// Everyone who took part: role holders with their roles first, then whoever else acted.
std::vector<std::string> participants(incident const& i) {
    std::vector<std::pair<user_id, std::string>> people;
    auto const add = [&](user_id const& u, std::string what) {
        if (u.empty() || u == bot_user) return;
        auto const it = std::find_if(people.begin(), people.end(), [&](auto const& p) { return p.first == u; });
        if (it == people.end()) {
            people.emplace_back(u, std::move(what));
        } else if (!what.empty()) {
            it->second += (it->second.empty() ? "" : ", ") + what;
        }
    };
    for (auto const r : all_roles) {
        if (auto const it = i.roles.find(r); it != i.roles.end()) {
            for (auto const& u : it->second) add(u, str(display_name(r)));
        }
    }
    add(i.declared_by, "");
    for (auto const& entry : i.timeline) {
        if (entry.ref.empty()) add(entry.by, "");
    }
    std::vector<std::string> out;
    for (auto const& [u, what] : people) out.push_back("@" + u + (what.empty() ? "" : " (" + what + ")"));
    return out;
}

}  // namespace

std::string render_report(incident const& i, policy const& p, timestamp now) {
    auto const& zone = *p.zone;
    auto const at = [&](timestamp t) { return format_time(t, zone); };
    bool const ongoing = !i.is_resolved() && !i.is_closed();
    auto const end = i.resolved_at.value_or(i.closed_at.value_or(now));
    auto const lasted = format_duration(end - i.started_at);
    auto const lead = i.holder(role::incident_commander);
    std::string out;
    out += "# Incident Report - " + i.title + "\n\n";
    out += "**Incident**: " + incident_ref(i.number) + "\n";
    out += "**Date**: " + format_date(i.started_at, zone) + "\n";
    out += "**Severity**: " + str(to_string(i.sev)) + " (" + p.of(i.sev).name + ")" +
           (i.sev != i.declared_sev ? ", declared " + str(to_string(i.declared_sev)) : std::string{}) + "\n";
    out += "**Type**: " + str(display_name(i.type)) + "\n";
    out += "**Duration**: " + at(i.started_at) + " - " +
           (ongoing ? "ongoing (" + lasted + " so far, as of " + at(now) + ")" : at(end) + " (" + lasted + ")") + "\n";
    out += "**Lead**: " + (lead ? "@" + *lead : std::string("unassigned")) + "\n";
    out += "**Status**: " + (i.declined ? std::string("Declined (not an incident)")
                             : i.is_closed() ? std::string("Closed")
                                             : str(display_name(i.st))) +
           "\n\n";

    out += "## Summary\n";
    out += (!i.summary.empty() ? i.summary
            : !i.description.empty()
                ? i.description
                : std::string("not recorded (the resolve form asks for one)")) +
           "\n";
    if (!i.resolution.empty()) out += "\nResolved by: " + i.resolution + "\n";

    out += "\n## Impact\n";
    if (!i.last_impact.empty()) out += "- **As stated**: " + i.last_impact + "\n";
    out += "- **Users Affected**: " + or_not_recorded(i.users_affected, "`impact users:<n|%>`") + "\n";
    out += "- **Services Affected**: " + or_not_recorded(i.services_affected, "`impact services:<a,b>`") + "\n";
    out += "- **Duration**: " + (ongoing ? "ongoing (" + lasted + " so far)" : lasted) + "\n";
    out += "- **Financial Impact**: " + or_not_recorded(i.financial_impact, "`impact financial:<text>`") + "\n";

    out += "\n## Participants\n";
    bullets(out, participants(i), "nobody recorded");

    out += "\n## Key Times\n";
    auto const key_time = [&](std::optional<timestamp> t, std::string const& what) {
        out += "- **" + (t ? at(*t) : std::string("not recorded")) + "**: " + what + "\n";
    };
    auto const find = [](auto const& map, auto key) -> std::optional<timestamp> {
        auto const it = map.find(key);
        if (it == map.end()) return std::nullopt;
        return it->second;
    };
    // Notified means a page went out: not that a step was due, nor that someone acknowledged unpaged.
    std::optional<timestamp> notified;
    for (auto const& [position, page] : i.pages) {
        if (!notified || page.at < *notified) notified = page.at;
    }
    std::optional<timestamp> fix = find(i.status_since, status::implementing_fix);
    if (!fix) fix = i.mitigated_at;
    key_time(i.detection_known ? std::optional{i.started_at} : std::nullopt, "Impact started");
    key_time(i.detected_at, i.detected_by.empty() ? "Incident detected" : "Incident detected by " + i.detected_by);
    key_time(notified, "On-call notified");
    key_time(find(i.phase_since, phase::investigation), "Investigation began");
    key_time(find(i.status_since, status::identified), "Root cause identified");
    key_time(fix, "Fix implemented");
    key_time(i.resolved_at, "Verified resolved");

    out += "\n## Response Metrics\n";
    out += "- **Time to detect**: " +
           (i.detection_known ? format_duration(i.detected_at - i.started_at)
                              : std::string("not recorded (no start of impact was given)")) +
           "\n";
    out += "- **Time to acknowledge**: " + since(i.acknowledged_at, i.detected_at) + "\n";
    out += "- **Time to mitigate**: " + since(i.mitigated_at, i.detected_at) + "\n";
    out += "- **Time to resolve**: " + (ongoing ? "ongoing" : since(i.resolved_at, i.detected_at)) + "\n";
    out += "- **Updates posted**: " + std::to_string(i.updates) + "\n";

    out += "\n## Communication\n";
    out += "- **Customer notice**: " +
           (i.customer_notice_approved_at
                ? "approved by @" + i.customer_notice_approved_by.value_or("?") + " at " +
                      at(*i.customer_notice_approved_at)
            : i.customer_notice_drafted_at ? std::string("drafted, never approved")
                         : std::string("none (the escalation step that drafts it was not reached)")) +
           "\n";
    if (regulated(i, p)) {
        auto const start = regulator_clock_start(i, p);
        auto const deadline = start + p.regulator_notice;
        out += "- **Regulator notification**: " +
               (i.regulator_notified_at
                    ? "recorded at " + at(*i.regulator_notified_at) + " (" +
                          format_duration(*i.regulator_notified_at - start) +
                          (start == i.declared_at ? " after declaration, "
                                                  : " after the clock started at " + at(start) + ", ") +
                          (*i.regulator_notified_at <= deadline ? "within" : "after") + " the " +
                          format_duration(p.regulator_notice) + " deadline)"
                    : "not recorded; the deadline " + std::string(now > deadline ? "was " : "is ") + at(deadline)) +
               "\n";
    }

    out += "\n## Timeline\n";
    auto const entry_line = [&](timeline_entry const& entry) {
        return "- **" + at(entry.at) + "** (@" + entry.by + "): " + entry.text + "\n";
    };
    for (auto const& entry : i.timeline) {
        if (!entry.bookkeeping) out += entry_line(entry);
    }

    out += "\n## Root Cause\n";
    out += (i.root_cause.empty() ? std::string("Not yet determined.") : i.root_cause) + "\n";
    out += "\n## Resolution\n";
    out += (i.resolution.empty() ? std::string("Not resolved.") : i.resolution) + "\n";

    out += "\n## Action Items\n";
    auto const today = std::chrono::floor<std::chrono::days>(now + zone.offset(now));
    bool any = false;
    for (auto const& a : i.actions) {
        if (a.removed) continue;
        any = true;
        bool const late = a.due && !a.done_at && today > *a.due;
        out += std::string(a.done_at ? "- [x] " : "- [ ] ") + a.text +
               " - Owner: " + (a.owner ? "@" + *a.owner : std::string("unassigned")) +
               " - Due: " + (a.due ? format_date(*a.due) : std::string("none")) + (late ? " (overdue)" : "") + "\n";
    }
    if (!any) out += "- none recorded\n";

    out += "\n## Lessons Learned\n**What Went Well**:\n";
    bullets(out, tagged_notes(i, {"went well:", "well:"}), "to be discussed at the post-mortem");
    out += "\n**What Could Be Improved**:\n";
    bullets(out, tagged_notes(i, {"improve:", "could be improved:"}), "to be discussed at the post-mortem");
    out += "\n## Recommendations\n";
    auto const recs = tagged_notes(i, {"recommend:", "recommendation:"});
    if (recs.empty()) out += "1. to be discussed at the post-mortem\n";
    for (std::size_t n = 0; n < recs.size(); ++n) out += std::to_string(n + 1) + ". " + recs[n] + "\n";

    // Roles, checklist marks, snoozes, action-item changes and report runs: kept, but not the story.
    std::string appendix;
    for (auto const& entry : i.timeline) {
        if (entry.bookkeeping) appendix += entry_line(entry);
    }
    if (!appendix.empty()) out += "\n## Appendix: Bookkeeping\n" + appendix;
    return out;
}

}  // namespace warroom::core
