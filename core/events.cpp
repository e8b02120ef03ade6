// Event names and printing, so failing checks show values.
#include "core/events.hpp"

#include <optional>

namespace warroom::core {

std::string_view event_name(payload const& p) {
    constexpr std::string_view names[] = {"declared",
                                          "update_posted",
                                          "severity_changed",
                                          "phase_changed",
                                          "role_assigned",
                                          "note_added",
                                          "acknowledged",
                                          "mitigated",
                                          "action_added",
                                          "action_completed",
                                          "escalated",
                                          "nudged",
                                          "snoozed",
                                          "resolved",
                                          "reopened",
                                          "report_generated",
                                          "closed",
                                          "checklist_marked",
                                          "reminder_sent",
                                          "message_marked",
                                          "message_unmarked",
                                          "paged",
                                          "customer_notice_approved",
                                          "regulator_notified",
                                          "invited",
                                          "member_joined",
                                          "member_left",
                                          "type_changed",
                                          "room_moved",
                                          "action_edited",
                                          "action_removed",
                                          "impact_recorded",
                                          "declined",
                                          "customer_notice_edited",
                                          "alert_group_opened",
                                          "alert_fired",
                                          "alert_resolved",
                                          "alert_group_declared",
                                          "alert_noted",
                                          "alert_group_merged",
                                          "alert_group_declined",
                                          "alert_group_snoozed",
                                          "alert_group_emailed",
                                          "published",
                                          "maintenance_scheduled",
                                          "maintenance_cancelled"};
    static_assert(std::size(names) == std::variant_size_v<payload>);
    return names[p.index()];
}

std::string alert_note_text(alert_noted const& a) {
    return "Alert " + std::string(a.resolved ? "resolved" : "firing") + " (" + a.source + "): " + a.name +
           (a.summary.empty() || a.summary == a.name ? "" : " — " + a.summary);
}

namespace {

struct field_printer {
    std::ostream& os;
    static std::string q(std::string const& s) { return '"' + s + '"'; }
    static std::string opt(std::optional<std::string> const& s) { return s ? q(*s) : "-"; }
    static std::string opt(std::optional<timestamp> const& t) { return t ? format_time(*t) : "-"; }

    void operator()(declared const& d) const {
        os << q(d.title) << ' ' << to_string(d.sev) << ' ' << to_string(d.type) << " started "
           << format_time(d.started_at) << " #" << d.channel << (d.personal_data ? " pii" : "");
        if (d.detected_at) os << " detected " << format_time(*d.detected_at);
        if (d.detected_by) os << " by " << q(*d.detected_by);
    }
    void operator()(update_posted const& u) const {
        os << to_string(u.st) << ' ' << q(u.text) << " impact " << q(u.impact);
    }
    void operator()(severity_changed const& s) const { os << to_string(s.from) << " -> " << to_string(s.to); }
    void operator()(phase_changed const& p) const { os << to_string(p.from) << " -> " << to_string(p.to); }
    void operator()(role_assigned const& r) const {
        os << to_string(r.r) << ' ' << r.user << " from " << opt(r.previous);
    }
    void operator()(note_added const& n) const {
        os << q(n.text);
        if (n.happened) os << " at " << format_time(*n.happened);
    }
    void operator()(action_edited const& a) const {
        os << '#' << a.number;
        if (a.text) os << " text " << q(*a.text);
        if (a.owner) os << " owner " << *a.owner;
        if (a.due) os << " due " << format_time(*a.due);
        if (a.unassigned) os << " unassigned";
        if (a.undated) os << " undated";
    }
    void operator()(action_removed const& a) const { os << '#' << a.number; }
    void operator()(impact_recorded const& i) const {
        os << "users " << q(i.users) << " services " << q(i.services) << " financial " << q(i.financial);
    }
    void operator()(declined const& d) const { os << q(d.reason); }
    void operator()(customer_notice_edited const& c) const { os << q(c.text); }
    void operator()(action_added const& a) const {
        os << '#' << a.number << ' ' << q(a.text) << " owner " << opt(a.owner) << " due " << opt(a.due);
    }
    void operator()(action_completed const& a) const { os << '#' << a.number; }
    void operator()(escalated const& e) const {
        os << e.target << (e.manual ? " manual " : " timed ") << q(e.reason);
        for (auto const& c : e.notified) os << ' ' << c;
    }
    void operator()(snoozed const& s) const { os << "until " << format_time(s.until); }
    void operator()(resolved const& r) const {
        os << q(r.resolution) << " cause " << q(r.root_cause);
        if (!r.summary.empty()) os << " summary " << q(r.summary);
        if (!r.services.empty()) os << " services " << q(r.services);
    }
    void operator()(reopened const& r) const { os << q(r.reason); }
    void operator()(closed const& c) const { os << q(c.reason); }
    void operator()(checklist_marked const& c) const {
        os << to_string(c.ph) << " #" << c.item + 1 << (c.checked ? " checked" : " unchecked");
    }
    void operator()(reminder_sent const& r) const { os << r.key; }
    void operator()(message_marked const& m) const {
        os << m.ref << " by " << m.author << " at " << format_time(m.posted_at) << ' ' << q(m.text);
    }
    void operator()(message_unmarked const& m) const { os << m.ref; }
    void operator()(paged const& p) const { os << p.position << ' ' << p.user; }
    void operator()(invited const& i) const {
        for (auto const& u : i.users) os << ' ' << u;
        for (auto const& g : i.groups) os << " group " << g;
    }
    void operator()(member_joined const& m) const { os << m.user; }
    void operator()(member_left const& m) const { os << m.user; }
    void operator()(type_changed const& t) const { os << to_string(t.from) << " -> " << to_string(t.to); }
    void operator()(room_moved const& r) const { os << '#' << r.from << " -> #" << r.to; }
    void operator()(alert_group_opened const& a) const {
        os << a.source << ' ' << q(a.key) << ' ' << q(a.title);
        for (auto const& to : a.emailed) os << ' ' << to;
    }
    void operator()(alert_fired const& a) const {
        os << a.fingerprint << ' ' << q(a.name) << ' ' << to_string(a.level) << " since " << format_time(a.starts_at);
    }
    void operator()(alert_resolved const& a) const { os << a.fingerprint << " at " << format_time(a.ends_at); }
    void operator()(alert_group_declared const& a) const { os << incident_ref(a.incident); }
    void operator()(alert_group_merged const& a) const { os << incident_ref(a.incident); }
    void operator()(alert_group_declined const& a) const { os << q(a.reason) << (a.automatic ? " automatic" : ""); }
    void operator()(alert_group_snoozed const& a) const { os << "until " << format_time(a.until); }
    void operator()(alert_group_emailed const& a) const {
        for (auto const& to : a.to) os << (&to == &a.to.front() ? "" : " ") << to;
    }
    void operator()(alert_noted const& a) const {
        os << a.source << ' ' << q(a.name) << (a.resolved ? " resolved" : " firing");
    }
    void operator()(published const& p) const {
        os << to_string(p.st) << ' ' << q(p.text);
        for (auto const& c : p.components) os << " component " << c;
        if (p.component_st) os << " now " << to_string(*p.component_st);
    }
    void operator()(maintenance_scheduled const& m) const {
        os << format_time(m.from) << " to " << format_time(m.to) << ' ' << q(m.text);
        for (auto const& c : m.components) os << " component " << c;
    }
    // Payloads with nothing to say beyond their name.
    void operator()(maintenance_cancelled const&) const {}
    void operator()(acknowledged const&) const {}
    void operator()(mitigated const&) const {}
    void operator()(nudged const&) const {}
    void operator()(report_generated const&) const {}
    void operator()(customer_notice_approved const&) const {}
    void operator()(regulator_notified const&) const {}
};

}  // namespace

std::ostream& operator<<(std::ostream& os, payload const& p) {
    os << event_name(p) << '{';
    std::visit(field_printer{os}, p);
    return os << '}';
}

std::ostream& operator<<(std::ostream& os, event const& e) {
    auto const stream = is_alert_stream(e.incident)         ? "alert group " + std::to_string(-e.incident)
                        : is_maintenance_stream(e.incident) ? "maintenance " + std::to_string(maintenance_of(e.incident))
                                                            : incident_ref(e.incident);
    return os << stream << ' ' << e.what << " by " << e.by << " at " << format_time(e.at);
}

}  // namespace warroom::core
