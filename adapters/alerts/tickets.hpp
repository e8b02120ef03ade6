// Tickets without I/O: the JSON a low alert group's ticket is posted as to the ticket system
// ([alerts] ticket_url). The daemon's outbox sends it with the group's idempotency key
// (core::ticket_key) and its bearer token, and retries or gives up by the answer's status.
#pragma once

#include <nlohmann/json.hpp>

#include "core/effects.hpp"

namespace warroom::alerts {

// {"title", "level", "severity" (the same: the procedures' word for it), "source", "group",
//  "labels": {…}, "alerts": [{"name", "summary", "startsAt" (RFC 3339, UTC), "url"}]}
nlohmann::json ticket_body(core::open_ticket const& t);

}  // namespace warroom::alerts
