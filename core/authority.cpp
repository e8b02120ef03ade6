#include "core/authority.hpp"

#include <algorithm>

namespace warroom::core {
namespace {

template <class C, class V>
bool has(C const& c, V const& v) {
    return std::find(c.begin(), c.end(), v) != c.end();
}

bool granted(incident const& i, principal const& who, grantee g) {
    switch (g) {
        case grantee::ic: return i.holder(role::incident_commander) == who.user;
        case grantee::declarer: return i.declared_by == who.user;
        case grantee::comms: return i.holder(role::communications_lead) == who.user;
        case grantee::member: return is_involved(i, who);
    }
    return false;
}

std::string named(grantee g, incident const& i) {
    auto const with = [](std::string what, std::optional<user_id> const& u) {
        return u ? what + " (@" + *u + ")" : what;
    };
    switch (g) {
        case grantee::ic: return with("the Incident Commander", i.holder(role::incident_commander));
        case grantee::declarer: return with("the declarer", i.declared_by);
        case grantee::comms: return with("the Communications Lead", i.holder(role::communications_lead));
        case grantee::member: return "a member of #" + i.channel;
    }
    return {};
}

std::string what_of(privilege p, std::string const& ref) {
    switch (p) {
        case privilege::see: return "see " + ref;
        case privilege::respond: return "change " + ref;
        case privilege::close: return "close " + ref;
        case privilege::reopen: return "reopen " + ref;
        case privilege::reopen_closed: return "reopen " + ref + " after it was closed";
        case privilege::lower_severity: return "lower the severity of " + ref;
        case privilege::change_ic: return "hand the Incident Commander role of " + ref + " to someone else";
        case privilege::approve_customer_notice: return "approve the customer notice of " + ref;
        case privilege::make_public: return "make " + ref + " public";
        case privilege::publish: return "publish " + ref + " on the status page";
    }
    return ref;
}

}  // namespace

bool is_admin(principal const& who, policy const& p) {
    return std::any_of(p.access.admins.begin(), p.access.admins.end(),
                       [&](std::string const& a) { return a == who.user || has(who.groups, a); });
}

namespace {
bool named_in(principal const& who, std::vector<std::string> const& names) {
    return std::any_of(names.begin(), names.end(),
                       [&](std::string const& t) { return t == who.user || has(who.groups, t); });
}
}  // namespace

std::optional<refusal> authorize_triage(principal const& who, policy const& p) {
    auto const& triagers = p.alerts.triagers;
    if (triagers.empty() || is_admin(who, p) || named_in(who, triagers)) return std::nullopt;
    return refusal{"only the alert triagers ([alerts] triagers) and the incident admins can answer alerts"};
}

std::optional<refusal> authorize_maintenance(principal const& who, policy const& p) {
    // Words on the public page: nobody's by default but the incident admins'.
    if (!who.integration && (is_admin(who, p) || named_in(who, p.maintainers))) return std::nullopt;
    return refusal{"only the maintainers ([status_page] maintainers) and the incident admins can schedule maintenance"};
}

bool is_involved(incident const& i, principal const& who) {
    if (who.user == i.declared_by || i.is_member(who.user)) return true;
    for (auto const& [r, users] : i.roles) {
        if (has(users, who.user)) return true;
    }
    for (auto const& [position, page] : i.pages) {
        if (page.user == who.user) return true;
    }
    return std::any_of(who.groups.begin(), who.groups.end(),
                       [&](std::string const& g) { return i.invited_groups.contains(g); });
}

std::optional<refusal> authorize(incident const& i, principal const& who, privilege what, policy const& p) {
    auto const ref = incident_ref(i.number);
    if (who.integration) {
        // A paging vendor only acknowledges what warroom paged it about, while that page is open.
        if (what == privilege::respond && !i.pages.empty() && !i.is_resolved()) return std::nullopt;
        return refusal{"the paging integration may only acknowledge an incident warroom paged, until it is resolved"};
    }
    if (is_admin(who, p)) return std::nullopt;
    bool const involved = is_involved(i, who);
    if (p.of(i.type).private_room && !involved) {
        return refusal{ref + " is private: only its war room's members and the incident admins can see or change it"};
    }
    if (what == privilege::see) return std::nullopt;
    if (what == privilege::respond) {
        if (involved) return std::nullopt;
        return refusal{"only the people in " + ref + "'s war room can change it: join #" + i.channel + " first"};
    }
    auto const it = p.access.grants.find(what);
    std::vector<grantee> const none;
    // One voice to the public: the Communications Lead, or the IC while nobody holds that role.
    std::vector<grantee> const speaker{i.holder(role::communications_lead) ? grantee::comms : grantee::ic};
    auto const& grants = what == privilege::publish ? speaker : it == p.access.grants.end() ? none : it->second;
    if (std::any_of(grants.begin(), grants.end(), [&](grantee g) { return granted(i, who, g); })) return std::nullopt;
    std::string who_can;
    for (std::size_t k = 0; k < grants.size(); ++k) who_can += (k ? ", " : "") + named(grants[k], i);
    who_can += (who_can.empty() ? "" : " or ") + std::string("an incident admin");
    return refusal{"only " + who_can + " can " + what_of(what, ref)};
}

std::optional<refusal> authorize(incident const& i, principal const& who, command const& c, policy const& p) {
    if (auto const* done = std::get_if<complete_action>(&c); done && !who.integration) {
        auto const owns = std::any_of(i.actions.begin(), i.actions.end(), [&](action_item const& a) {
            return a.number == done->number && a.owner == who.user;
        });
        if (owns) return std::nullopt;
    }
    return authorize(i, who, privilege_of(c, i, p), p);
}

// What the command does decides what it needs, whichever command does it: `phase closed` and
// `advance` out of Post-Incident close the incident as `close` does.
privilege privilege_of(command const& c, incident const& i, policy const& p) {
    if (auto const* s = std::get_if<change_severity>(&c); s && s->to > i.sev) return privilege::lower_severity;
    if (auto const* a = std::get_if<assign_role>(&c)) {
        auto const ic = i.holder(role::incident_commander);
        if (a->r == role::incident_commander && ic && *ic != a->user) return privilege::change_ic;
        // The Communications Lead approves the customer notice: naming one is that privilege.
        if (a->r == role::communications_lead) return privilege::approve_customer_notice;
    }
    if (auto const* t = std::get_if<change_type>(&c); t && p.of(i.type).private_room && !p.of(t->to).private_room) {
        return privilege::make_public;
    }
    if (auto const* m = std::get_if<move_phase>(&c); m && m->to == phase::closed) return privilege::close;
    if (std::holds_alternative<advance>(c) && i.ph == phase::post_incident) return privilege::close;
    if (std::holds_alternative<close>(c) || std::holds_alternative<decline>(c)) return privilege::close;
    if (std::holds_alternative<edit_customer_notice>(c)) return privilege::approve_customer_notice;
    if (std::holds_alternative<reopen>(c)) return i.is_closed() ? privilege::reopen_closed : privilege::reopen;
    if (std::holds_alternative<approve_customer_notice>(c)) return privilege::approve_customer_notice;
    if (std::holds_alternative<publish>(c) || std::holds_alternative<publish_resolution>(c)) return privilege::publish;
    return privilege::respond;
}

std::string_view to_string(privilege p) {
    switch (p) {
        case privilege::see: return "see";
        case privilege::respond: return "respond";
        case privilege::close: return "close";
        case privilege::reopen: return "reopen";
        case privilege::reopen_closed: return "reopen_closed";
        case privilege::lower_severity: return "lower_severity";
        case privilege::change_ic: return "change_ic";
        case privilege::approve_customer_notice: return "approve_customer_notice";
        case privilege::make_public: return "make_public";
        case privilege::publish: return "publish";
    }
    return "respond";
}

std::string_view to_string(grantee g) {
    switch (g) {
        case grantee::ic: return "ic";
        case grantee::declarer: return "declarer";
        case grantee::comms: return "comms";
        case grantee::member: return "member";
    }
    return "ic";
}

std::optional<grantee> parse_grantee(std::string_view s) {
    for (auto const g : {grantee::ic, grantee::declarer, grantee::comms, grantee::member}) {
        if (to_string(g) == s) return g;
    }
    return std::nullopt;
}

}  // namespace warroom::core
