// PagerDuty Webhooks v3 coming in, without I/O: is the body signed with our secret, and what
// happened (acknowledged, resolved, ...) to which incident. Untrusted input in, values out: no
// input makes these throw.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "core/model.hpp"

namespace warroom::paging {

// X-PagerDuty-Signature is "v1=<hex>[,v1=<hex>...]": HMAC-SHA256 of the raw body, one per signing
// secret while PagerDuty rotates them. True when any v1 signature matches `secret` (compared in
// constant time); false for a missing or malformed header, or an empty secret.
bool verify_signature(std::string_view body, std::string_view header, std::string_view secret);

struct webhook_event {
    std::string type;            // event.event_type: "incident.acknowledged", "incident.resolved", ...
    std::string incident_key;    // event.data.incident_key: our dedup key when we triggered it; may be empty
    std::string pd_incident_id;  // PagerDuty's incident id ("PGR0VU2"); empty for events about no incident
    std::string agent;           // event.agent.summary: who did it ("Tenex Engineer"); empty for PagerDuty itself
    std::string service_id;      // event.data.service.id: the PagerDuty service the incident belongs to
    std::optional<core::timestamp> occurred_at;  // event.occurred_at; nullopt when absent or unreadable
    bool operator==(webhook_event const&) const = default;
};
std::ostream& operator<<(std::ostream& os, webhook_event const& e);

// nullopt for anything that is not a JSON object with a string event.event_type; fields of the
// wrong type are left empty.
std::optional<webhook_event> parse_webhook(std::string_view body);

}  // namespace warroom::paging
