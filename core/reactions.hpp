// What the bot owes the world once events are recorded: a pure table from each event, read with the
// incident's state after its batch, to effects (war rooms, posts, topics, DMs, pages, and the
// confirmation to whoever asked). Nothing here touches a store or a network.
#pragma once

#include <optional>
#include <vector>

#include "core/effects.hpp"
#include "core/incident.hpp"
#include "core/policy.hpp"
#include "core/reminders.hpp"

namespace warroom::core {

struct reaction_context {
    policy const& rules;
    user_id asker;        // who caused the batch (the bot for the clock), for the confirmation
    std::string channel;  // where they asked
    // The reminder whose firing recorded the batch, when the clock did: its post and DMs.
    std::optional<reminder> fired = std::nullopt;
};

// `state` holds every incident the batch names, as it is after the batch.
std::vector<effect> reactions(std::vector<event> const& batch, incident_map const& state,
                              reaction_context const& ctx);

// The paging integration's view of an incident: private incidents tell the vendor their type only.
page vendor_page(incident const& i, page_action action, user_id const& by, policy const& p);

}  // namespace warroom::core
