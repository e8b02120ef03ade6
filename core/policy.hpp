// The response policy: what each severity and type demands. defaults() is the team's procedures
// word for word; config/ overrides any number. Pure data, no I/O.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "core/model.hpp"

namespace warroom::core {

struct escalation_step {
    seconds after{};                  // offset from declaration
    std::string target;               // stable key: "on-call", "engineering-manager", ...
    std::string label;                // "Engineering manager notified"
    std::vector<std::string> notify;  // contacts to mention: "@U…" users, "@S…" user groups, "#channels"
    bool dm = false;                  // also DM each user contact
    bool page = false;                // page the on-call primary (rotation, paging integration)
    bool customer_notice = false;     // draft the customer notice for the Communications Lead to approve
    bool operator==(escalation_step const&) const = default;
};

struct severity_policy {
    std::string name;                     // "Critical"
    seconds respond_within{};             // acknowledgement target
    std::string respond_label;            // "Immediate (within 5 minutes)"
    std::optional<seconds> update_every;  // update cadence; none for P2/P3
    std::vector<escalation_step> escalation;
    std::string announce_to;           // audience of the announcement
    std::vector<std::string> on_call;  // responders invited at declaration
    std::string rotation;              // on-call rotation paged; empty: the first one configured
    bool operator==(severity_policy const&) const = default;
};

struct runbook {
    std::string title;               // "Incident: Application Down"
    std::vector<std::string> steps;  // numbered response steps
    bool operator==(runbook const&) const = default;
};

struct type_policy {
    runbook book;
    std::vector<std::string> contacts;  // invited at declaration (security, legal, DBA...)
    bool private_room = false;          // security and privacy: private war room, redacted announcement
    bool regulator_clock = false;       // privacy: 72 h notification clock
    bool operator==(type_policy const&) const = default;
};

// Someone else holds a position of the rotation for a while (a swap, a holiday).
struct rotation_override {
    timestamp from{}, until{};
    user_id user;
    bool secondary = false;
    bool operator==(rotation_override const&) const = default;
};

// Members take turns as primary for `length` each from `start`; the next in line is secondary.
struct rotation {
    std::string name;
    std::vector<user_id> members;
    timestamp start{};
    seconds length{};
    std::vector<rotation_override> overrides;
    std::string handoff_channel;  // hand-off reminders; empty: the announcement channel
    bool operator==(rotation const&) const = default;
};

struct policy {
    std::array<severity_policy, 4> severities;
    std::array<type_policy, 6> types;
    seconds report_due{};        // after resolution
    seconds postmortem_due{};    // after resolution
    seconds regulator_notice{};  // after declaration, privacy incidents
    seconds snooze{};            // Snooze button on nudges
    std::vector<rotation> rotations;
    bool paging = false;  // a paging integration (PagerDuty, Opsgenie) receives page effects
    std::string channel_prefix = "inc";
    std::string announce_channel = "#incidents";

    static policy defaults();
    severity_policy const& of(severity s) const { return severities[static_cast<int>(s)]; }
    severity_policy& of(severity s) { return severities[static_cast<int>(s)]; }
    type_policy const& of(incident_type t) const { return types[static_cast<int>(t)]; }
    type_policy& of(incident_type t) { return types[static_cast<int>(t)]; }
    // The rotation a severity pages, if any.
    rotation const* rotation_of(severity s) const;
    bool operator==(policy const&) const = default;
};

// The procedures' workflow checklist of a phase (empty for closed).
std::vector<std::string> const& checklist(phase p);

}  // namespace warroom::core
