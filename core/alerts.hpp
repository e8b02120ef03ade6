// Alert intake without I/O: alerts as a receiver parsed them go in; which group each belongs to,
// which route it takes, and the events that record it come out — none for a repeat, so a delivery
// sent twice changes nothing. An alert group is a stream of its own (alert_stream()); a critical
// one becomes an incident through decide_declare(), exactly as a declaration typed in Slack.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/effects.hpp"
#include "core/events.hpp"
#include "core/policy.hpp"

namespace warroom::core {

enum class alert_status {
    firing,    // the condition holds
    resolved,  // it no longer does
};

// One alert as its sender described it.
struct alert {
    std::string fingerprint;  // the sender's identity of the alert; the dedup key for the generic receiver
    alert_status status = alert_status::firing;
    std::map<std::string, std::string> labels;
    std::map<std::string, std::string> annotations;
    timestamp starts_at{};
    std::optional<timestamp> ends_at = std::nullopt;
    std::string url = {};  // generatorURL
    bool operator==(alert const&) const = default;
};

// One delivery to a receiver.
struct alert_delivery {
    std::string source;     // "alertmanager", "grafana", "generic"
    std::string group_key;  // the sender's group key (Alertmanager's groupKey); empty when it has none
    std::vector<alert> alerts;
    bool operator==(alert_delivery const&) const = default;
};

// An alert of a group as recorded.
struct alert_record {
    std::string name, summary, url;
    alert_level level{};
    bool firing = true;
    timestamp starts_at{};
    std::optional<timestamp> ends_at;
    bool operator==(alert_record const&) const = default;
};

struct alert_group {
    int number = 0;
    int version = 0;  // events applied, as incident::version
    std::string source, key, title;
    timestamp opened_at{};
    std::map<std::string, alert_record> alerts;  // by fingerprint
    std::optional<int> incident;                 // declared as this incident
    std::optional<timestamp> quiet_since;        // every alert resolved, since then
    bool firing() const;
    alert_level level() const;      // the most urgent level any of its alerts had
    timestamp first_start() const;  // the earliest start of its alerts
    bool operator==(alert_group const&) const = default;
};
using alert_group_map = std::map<int, alert_group>;

// Folds an alert group's event into its group; events of incidents are left alone.
void apply(alert_group_map& all, event const& e);

// Which group a key of a source names: one identity per source and key.
std::string alert_group_identity(std::string_view source, std::string_view key);

// The first [[alerts.routes]] entry whose matchers all hold; else the procedures' table by the
// `severity` label (no label, or one not known: medium), critical at the policy's severity.
alert_route route_of(alert const& a, alert_policy const& p);

// The delivery's alerts by group key, in the order the keys first appear: the configured group_by
// labels' values, else the sender's group key, else the alert's own fingerprint.
std::vector<std::pair<std::string, std::vector<alert>>> group_alerts(alert_delivery const& d, alert_policy const& p);

// Numbers for what a decision opens, asked only when it opens one.
struct alert_numbering {
    int next_group = 1;
    std::function<int()> next_incident;
};

// The events that record `alerts` (all of group key `key`) against `current`, the newest group of
// that key: none for what it already knows. A group quiet for longer than the reopen window is
// followed by a new one; alerts that only resolve open nothing. Once a group has a critical alert
// firing it is declared an incident (the incident's events come first, so its deliveries keep their
// order), and its alerts go onto that incident's timeline from then on.
std::vector<event> decide_alerts(alert_group const* current, std::string const& source, std::string const& key,
                                 std::vector<alert> const& alerts, timestamp now, policy const& p,
                                 alert_numbering const& numbers);

// The alert channel: [alerts] channel, else the announcement channel, without '#'.
std::string alert_channel(policy const& p);
// The key of alert group `n`'s triage post, the one message kept current for it.
std::string triage_key(int group);
message_view triage_view(alert_group const& g, policy const& p);

// What alert group events owe the world: each high or medium group's triage post, posted once and
// edited as its alerts fire and resolve; once declared, the post says which incident it became. A
// group that opens with high routes' addresses (alert_group_opened::emailed) e-mails them once.
std::vector<effect> alert_reactions(std::vector<event> const& batch, alert_group_map const& groups, policy const& p);

}  // namespace warroom::core
