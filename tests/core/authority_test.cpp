// The one authority check: who may see and change a public and a private incident, what the
// privileged actions need, what a paging vendor may do, and how a refusal names who can.
#include <doctest/doctest.h>

#include "core/authority.hpp"
#include "core/contact.hpp"
#include "tests/core/support.hpp"

namespace {

using namespace warroom::core;
using namespace warroom::core::test;

// Declared by alice (the IC, she leads), bob invited as SME, carol joined, the security team invited.
incident with(incident_type type) {
    auto const room = type == incident_type::security ? "inc-1-security" : "inc-1-api-down";
    return given({at(t0, "alice", declared{"API down", "", severity::p1, type, t0, room}),
                  at(t0, "alice", role_assigned{role::incident_commander, "alice", std::nullopt}),
                  at(t0, "alice", invited{{"alice"}, {"S0SEC"}}),
                  at(t0 + 1min, "alice", role_assigned{role::subject_matter_expert, "bob", std::nullopt}),
                  at(t0 + 1min, "alice", invited{{"bob"}}),
                  at(t0 + 2min, "carol", member_joined{"carol"})});
}

policy with_admin() {
    auto p = rules();
    p.access.admins = {"U0ADMIN", "S0SRE"};
    return p;
}

principal person(std::string user, std::vector<std::string> groups = {}) { return {std::move(user), std::move(groups)}; }

std::string why(std::optional<refusal> const& r) { return r ? r->reason : "allowed"; }

}  // namespace

TEST_CASE("a public incident is seen by anyone and changed by its people") {
    auto const i = with(incident_type::outage);
    auto const p = with_admin();
    for (auto const* who : {"alice", "bob", "carol", "mallory", "U0ADMIN"}) {
        CAPTURE(who);
        CHECK_FALSE(authorize(i, person(who), privilege::see, p));
    }
    for (auto const* who : {"alice", "bob", "carol", "U0ADMIN"}) {
        CAPTURE(who);
        CHECK_FALSE(authorize(i, person(who), privilege::respond, p));
    }
    CHECK(why(authorize(i, person("mallory"), privilege::respond, p)) ==
          "only the people in INC-1's war room can change it: join #inc-1-api-down first");
    // A member of an invited group counts as invited; an admin group makes an admin.
    CHECK_FALSE(authorize(i, person("dave", {"S0SEC"}), privilege::respond, p));
    CHECK_FALSE(authorize(i, person("erin", {"S0SRE"}), privilege::close, p));
}

TEST_CASE("a private incident does not exist for outsiders, whatever they ask") {
    auto const i = with(incident_type::security);
    auto const p = with_admin();
    auto const closed_to = "INC-1 is private: only its war room's members and the incident admins can see or change it";
    for (auto const what : {privilege::see, privilege::respond, privilege::close, privilege::approve_customer_notice}) {
        CAPTURE(to_string(what));
        CHECK(why(authorize(i, person("mallory"), what, p)) == closed_to);
        CHECK_FALSE(authorize(i, person("U0ADMIN"), what, p));
    }
    CHECK_FALSE(authorize(i, person("carol"), privilege::see, p));
    CHECK_FALSE(authorize(i, person("dave", {"security-team", "S0SEC"}), privilege::respond, p));
}

TEST_CASE("closing, reopening, lowering severity and changing the IC need the IC, the declarer or an admin") {
    auto const i = with(incident_type::outage);
    auto const p = with_admin();
    for (auto const what : {privilege::close, privilege::reopen, privilege::lower_severity, privilege::change_ic}) {
        CAPTURE(to_string(what));
        CHECK_FALSE(authorize(i, person("alice"), what, p));
        CHECK_FALSE(authorize(i, person("U0ADMIN"), what, p));
        CHECK(authorize(i, person("bob"), what, p));
        CHECK(authorize(i, person("carol"), what, p));
    }
    CHECK(why(authorize(i, person("bob"), privilege::close, p)) ==
          "only the Incident Commander (@alice), the declarer (@alice) or an incident admin can close INC-1");
    CHECK(why(authorize(i, person("bob"), privilege::reopen_closed, p)) ==
          "only an incident admin can reopen INC-1 after it was closed");
    // The grants are the configuration's.
    auto members_close = p;
    members_close.access.grants[privilege::close] = {grantee::member};
    CHECK_FALSE(authorize(i, person("carol"), privilege::close, members_close));
    CHECK(why(authorize(i, person("mallory"), privilege::close, members_close)) ==
          "only a member of #inc-1-api-down or an incident admin can close INC-1");
}

TEST_CASE("what a command needs depends on what it does to the incident") {
    auto const privilege_of_ = [](command const& c, incident const& inc) { return privilege_of(c, inc, rules()); };
    auto const i = with(incident_type::outage);
    CHECK(privilege_of_(change_severity{severity::p0}, i) == privilege::respond);
    CHECK(privilege_of_(change_severity{severity::p3}, i) == privilege::lower_severity);
    CHECK(privilege_of_(assign_role{role::incident_commander, "bob"}, i) == privilege::change_ic);
    CHECK(privilege_of_(assign_role{role::scribe, "bob"}, i) == privilege::respond);
    CHECK(privilege_of_(close{"x"}, i) == privilege::close);
    CHECK(privilege_of_(reopen{"x"}, i) == privilege::reopen);
    CHECK(privilege_of_(approve_customer_notice{}, i) == privilege::approve_customer_notice);
    CHECK(privilege_of_(acknowledge{}, i) == privilege::respond);
    auto closed_one = i;
    closed_one.ph = phase::closed;
    CHECK(privilege_of_(reopen{"x"}, closed_one) == privilege::reopen_closed);
    // With no IC, taking the role is ordinary help.
    auto leaderless = given({at(t0, "alice", declared{"API down", "", severity::p1, incident_type::outage, t0, "r"})});
    CHECK(privilege_of_(assign_role{role::incident_commander, "bob"}, leaderless) == privilege::respond);
    // Closing by any path needs the close privilege.
    CHECK(privilege_of_(move_phase{phase::closed}, i) == privilege::close);
    CHECK(privilege_of_(move_phase{phase::recovery}, i) == privilege::respond);
    CHECK(privilege_of_(decline{"false alarm"}, i) == privilege::close);
    auto post_incident = i;
    post_incident.ph = phase::post_incident;
    CHECK(privilege_of_(advance{}, post_incident) == privilege::close);
    CHECK(privilege_of_(advance{}, i) == privilege::respond);
    // Naming the Communications Lead is approving the notice by proxy.
    CHECK(privilege_of_(assign_role{role::communications_lead, "bob"}, i) == privilege::approve_customer_notice);
    // Leaving a private type makes the title public.
    auto const secret = with(incident_type::security);
    CHECK(privilege_of_(change_type{incident_type::outage}, secret) == privilege::make_public);
    CHECK(privilege_of_(change_type{incident_type::privacy}, secret) == privilege::respond);
    CHECK(privilege_of_(change_type{incident_type::security}, i) == privilege::respond);
    CHECK(privilege_of_(edit_customer_notice{"x"}, i) == privilege::approve_customer_notice);
}

TEST_CASE("a paging vendor may only acknowledge what warroom paged it about, until it is resolved") {
    auto i = with(incident_type::outage);
    principal const vendor{"Ada (PagerDuty)", {}, true};
    auto const p = with_admin();
    CHECK(why(authorize(i, vendor, privilege::respond, p)) ==
          "the paging integration may only acknowledge an incident warroom paged, until it is resolved");
    i = apply(i, at(t0 + 3min, bot_user, paged{"UONCALL", "primary"}));
    CHECK_FALSE(authorize(i, vendor, privilege::respond, p));
    CHECK(authorize(i, vendor, privilege::close, p));
    i = apply(i, at(t0 + 9min, "alice", resolved{"fixed", ""}));
    CHECK(authorize(i, vendor, privilege::respond, p));
}

TEST_CASE("grantee names read back") {
    for (auto const g : {grantee::ic, grantee::declarer, grantee::comms, grantee::member}) {
        CHECK(parse_grantee(to_string(g)) == g);
    }
    CHECK_FALSE(parse_grantee("admin"));
}

TEST_CASE("contacts are typed from the configuration's words") {
    struct row {
        std::string text;
        std::optional<contact> want;
    };
    for (auto const& r : std::vector<row>{
             {"@U0123ABC", contact{contact::kind::user, "U0123ABC"}},
             {"W0123ABC", contact{contact::kind::user, "W0123ABC"}},
             {"@S0SEC", contact{contact::kind::group, "S0SEC"}},
             {"@security-team", contact{contact::kind::handle, "security-team"}},
             {"dpo@example.com", contact{contact::kind::email, "dpo@example.com"}},
             {"#security", contact{contact::kind::channel, "security"}},
             {"security team", std::nullopt},
             {"@", std::nullopt},
             {"#", std::nullopt},
             {"a@b", std::nullopt},
             {"<@U123>", std::nullopt},
             {"", std::nullopt},
         }) {
        CAPTURE(r.text);
        CHECK(parse_contact(r.text) == r.want);
        if (r.want) CHECK(parse_contact(r.want->text()) == r.want);
    }
    // A person given by e-mail is invited too (Slack looks the address up); a channel never is.
    auto const people = invitees_of({"@U0A", "@S0B", "@ops", "x@y.io", "#general", "junk"});
    CHECK(people.users == std::vector<std::string>{"U0A", "x@y.io"});
    CHECK(people.groups == std::vector<std::string>{"S0B", "ops"});
}
