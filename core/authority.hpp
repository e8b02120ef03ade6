// Who may do what to an incident: the one check every path goes through (commands, buttons, forms,
// reactions, webhooks). A public incident is seen by anyone and changed by its people (the war
// room's members, its role holders, its declarer); a private one exists only for them. Closing,
// reopening, lowering severity, changing the IC and approving the customer notice need what the
// access policy grants. Incident admins may do everything.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/decide.hpp"

namespace warroom::core {

struct principal {
    user_id user;
    std::vector<std::string> groups;  // the user groups (ids and handles) the user belongs to
    bool integration = false;         // a paging vendor's webhook, authenticated by its signature
};

bool is_admin(principal const& who, policy const& p);
// A member of the war room: invited (by name or through a group), joined, or one of its people.
bool is_involved(incident const& i, principal const& who);

// Nothing when `who` may; otherwise why not, naming who can.
std::optional<refusal> authorize(incident const& i, principal const& who, privilege what, policy const& p);
// What a command needs, given the incident it acts on.
privilege privilege_of(command const& c, incident const& i, policy const& p);
// The check for a command: its privilege, except that an action item's owner may always mark it done
// (its reminder reaches them by DM, wherever they are).
std::optional<refusal> authorize(incident const& i, principal const& who, command const& c, policy const& p);
// The check for answering an alert group's triage post: the configured triagers and the incident
// admins, or anyone when no triagers are named.
std::optional<refusal> authorize_triage(principal const& who, policy const& p);
// The check for scheduling and cancelling status-page maintenance (not tied to an incident): the
// configured maintainers and the incident admins (public words: nobody else, also when none are named).
std::optional<refusal> authorize_maintenance(principal const& who, policy const& p);
std::string_view to_string(privilege p);  // "close", "lower_severity", …
std::string_view to_string(grantee g);    // "ic", "declarer", "comms", "member"
std::optional<grantee> parse_grantee(std::string_view s);

}  // namespace warroom::core
