// The alert receivers without I/O: Alertmanager's webhook (version 4) and Grafana's, the generic JSON
// alert, and how each is authenticated (a bearer token; Standard Webhooks signatures). Untrusted
// input in, values out: nothing here throws, and a refusal says what is wrong in one line.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/alerts.hpp"

namespace warroom::alerts {

// Why a delivery cannot be read (the 400's body).
struct bad_delivery {
    std::string reason;
    bool operator==(bad_delivery const&) const = default;
};
using parsed = std::variant<core::alert_delivery, bad_delivery>;

// Alertmanager's webhook (version 4) or Grafana's, which has the same alerts: `status`, `labels`,
// `annotations`, `startsAt`, `endsAt`, `fingerprint`, `generatorURL`; `groupKey` names the group.
// Fields not named are ignored. `source` is the receiver's name ("alertmanager", "grafana"); only
// Alertmanager's payload is checked for its version. An alert without a fingerprint gets one from its
// labels. Control characters in text become spaces.
parsed parse_alertmanager(std::string_view body, std::string const& source);

// The generic receiver's JSON alert: `title` (required), `dedup_key` (required: the alert's identity
// and group), `status` ("firing", the default, or "resolved"), `severity`, `description`, `source`,
// `url`, `labels`. It carries no start time: `now` is when it was received.
parsed parse_generic(std::string_view body, core::timestamp now);

// `Authorization: Bearer <token>` holding `token` (compared in constant time); false for an empty token.
bool bearer_matches(std::string_view authorization, std::string_view token);

// Standard Webhooks: `webhook-signature` is a space-separated list of "v1,<base64 HMAC-SHA256 of
// id.timestamp.body>"; one that matches any of `secrets` ("whsec_<base64 key>", several during a
// rotation) is enough. The timestamp (Unix seconds) must be within `tolerance` of `now`. Nothing when
// the delivery is authentic; else why not (a missing header, a stale timestamp, no matching signature).
inline constexpr std::chrono::seconds signature_tolerance{std::chrono::minutes{5}};
std::optional<std::string> verify_standard_webhook(std::string_view id, std::string_view timestamp,
                                                   std::string_view signature, std::string_view body,
                                                   std::vector<std::string> const& secrets, core::timestamp now);
// The signature header a sender would put on a delivery: "v1,<base64>". For tests and tools.
std::string sign_standard_webhook(std::string_view id, std::string_view timestamp, std::string_view body,
                                  std::string_view secret);

}  // namespace warroom::alerts
