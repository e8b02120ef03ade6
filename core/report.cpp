// Every section of the template is always present; what the timeline does not say is marked as
// not recorded rather than left out, so a reader sees the gap.
#include "core/report.hpp"

#include <algorithm>
#include <cctype>

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

}  // namespace

std::string render_report(incident const& i, policy const& p) {
    auto const end = i.resolved_at.value_or(i.closed_at.value_or(i.last_update_at));
    auto const lead = i.holder(role::incident_commander);
    std::string out;
    out += "# Incident Report - " + i.title + "\n\n";
    out += "**Incident**: " + incident_ref(i.number) + "\n";
    out += "**Date**: " + format_date(i.started_at) + "\n";
    out += "**Severity**: " + str(to_string(i.sev)) + " (" + p.of(i.sev).name + ")\n";
    out += "**Type**: " + str(display_name(i.type)) + "\n";
    out += "**Duration**: " + format_time(i.started_at) + " - " + format_time(end) + "\n";
    out += "**Lead**: " + (lead ? "@" + *lead : std::string("unassigned")) + "\n";
    out += "**Status**: " + str(display_name(i.st)) + "\n\n";

    out += "## Summary\n";
    out += (i.description.empty() ? i.title : i.description) + "\n";
    if (!i.resolution.empty()) out += "\nResolved by: " + i.resolution + "\n";

    out += "\n## Impact\n";
    out += "- **Users Affected**: " + (i.impact.empty() ? std::string("not recorded") : i.impact) + "\n";
    out += "- **Services Affected**: " + i.title + "\n";
    out += "- **Duration**: " + format_duration(end - i.started_at) + "\n";
    out += "- **Financial Impact**: not recorded\n";

    out += "\n## Key Times\n";
    auto const key_time = [&](std::optional<timestamp> t, std::string const& what) {
        out += "- **" + (t ? format_time(*t) : std::string("not recorded")) + "**: " + what + "\n";
    };
    auto const find = [](auto const& map, auto key) -> std::optional<timestamp> {
        auto const it = map.find(key);
        if (it == map.end()) return std::nullopt;
        return it->second;
    };
    // Notified means a page went out (or someone already had it in hand): not merely that a step was due.
    std::optional<timestamp> notified;
    for (auto const& [position, page] : i.pages) {
        if (!notified || page.at < *notified) notified = page.at;
    }
    if (i.acknowledged_at && (!notified || *i.acknowledged_at < *notified)) notified = i.acknowledged_at;
    std::optional<timestamp> fix = find(i.status_since, status::implementing_fix);
    if (!fix) fix = i.mitigated_at;
    key_time(i.started_at, "Impact started");
    key_time(i.detected_at, "Incident detected");
    key_time(notified, "On-call notified");
    key_time(find(i.phase_since, phase::investigation), "Investigation began");
    key_time(find(i.status_since, status::identified), "Root cause identified");
    key_time(fix, "Fix implemented");
    key_time(i.resolved_at, "Verified resolved");

    out += "\n## Response Metrics\n";
    out += "- **Time to detect**: " + format_duration(i.detected_at - i.started_at) + "\n";
    out += "- **Time to acknowledge**: " + since(i.acknowledged_at, i.detected_at) + "\n";
    out += "- **Time to mitigate**: " + since(i.mitigated_at, i.detected_at) + "\n";
    out += "- **Time to resolve**: " + since(i.resolved_at, i.detected_at) + "\n";
    out += "- **Updates posted**: " + std::to_string(i.updates) + "\n";

    out += "\n## Timeline\n";
    for (auto const& entry : i.timeline) {
        out += "- **" + format_time(entry.at) + "** (@" + entry.by + "): " + entry.text + "\n";
    }

    out += "\n## Root Cause\n";
    out += (i.root_cause.empty() ? std::string("Not yet determined.") : i.root_cause) + "\n";
    out += "\n## Resolution\n";
    out += (i.resolution.empty() ? std::string("Not resolved.") : i.resolution) + "\n";

    out += "\n## Action Items\n";
    if (i.actions.empty()) out += "- none recorded\n";
    for (auto const& a : i.actions) {
        out += std::string(a.done_at ? "- [x] " : "- [ ] ") + a.text +
               " - Owner: " + (a.owner ? "@" + *a.owner : std::string("unassigned")) +
               " - Due: " + (a.due ? format_date(*a.due) : std::string("none")) + "\n";
    }

    out += "\n## Lessons Learned\n**What Went Well**:\n";
    bullets(out, tagged_notes(i, {"went well:", "well:"}), "to be discussed at the post-mortem");
    out += "\n**What Could Be Improved**:\n";
    bullets(out, tagged_notes(i, {"improve:", "could be improved:"}), "to be discussed at the post-mortem");
    out += "\n## Recommendations\n";
    auto const recs = tagged_notes(i, {"recommend:", "recommendation:"});
    if (recs.empty()) out += "1. to be discussed at the post-mortem\n";
    for (std::size_t n = 0; n < recs.size(); ++n) out += std::to_string(n + 1) + ". " + recs[n] + "\n";
    return out;
}

}  // namespace warroom::core
