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

#include "core/decide.hpp"
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
    std::optional<int> incident;                 // declared as this incident, or merged into it
    bool merged = false;                         // `incident` was declared before, and the group merged into it
    std::optional<timestamp> quiet_since;        // every alert resolved, since then
    std::optional<std::string> declined;         // why it is not an incident, until an alert fires again
    user_id declined_by;                         // a person, or the bot (all alerts resolved first)
    std::optional<timestamp> snoozed_until;
    user_id snoozed_by;
    std::vector<std::string> emailed;  // every address told of it by e-mail
    // Waiting for a person: neither an incident nor declined.
    bool in_triage() const { return !incident && !declined; }
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
// followed by a new one; alerts that only resolve open nothing. A group in triage whose alerts have
// all resolved is declined automatically. Once a group has a critical alert
// firing it is declared an incident (the incident's events come first, so its deliveries keep their
// order), and its alerts go onto that incident's timeline from then on.
std::vector<event> decide_alerts(alert_group const* current, std::string const& source, std::string const& key,
                                 std::vector<alert> const& alerts, timestamp now, policy const& p,
                                 alert_numbering const& numbers);

// What noticed an incident the group became: "alertmanager: HighErrorRate" (its first alert).
std::string detected_by(alert_group const& g);

// Why the group takes no more triage answers (it is an incident, or declined); nothing while it does.
std::optional<refusal> triage_refusal(alert_group const& g);
// Triage, a person's answer to a group's post; a refusal when the group is no longer in triage.
// Declares the group as incident `number` as `d` says, detected when its first alert started: the
// incident's events with the group's alerts on its timeline, then the group's alert_group_declared.
decision decide_declare_group(alert_group const& g, declare d, int number, user_id const& by, timestamp now,
                              policy const& p);
// The group's alerts go onto incident `into`'s timeline, and the group's later alerts with them.
decision decide_merge_group(alert_group const& g, incident const& into, user_id const& by, timestamp now);
decision decide_decline_group(alert_group const& g, std::string const& reason, user_id const& by, timestamp now);
// Put off for the policy's snooze.
decision decide_snooze_group(alert_group const& g, user_id const& by, timestamp now, policy const& p);
// The triage forms: the declare form filled in from the group, why it is not an incident, and which
// incident it belongs to. Each carries the group's stream number (alert_stream()) as its incident.
modal_view declare_group_modal(alert_group const& g, policy const& p);
modal_view decline_group_modal(int group);
modal_view merge_group_modal(int group);

// The alert channel: [alerts] channel, else the announcement channel, without '#'.
std::string alert_channel(policy const& p);
// The key of alert group `n`'s triage post, the one message kept current for it.
std::string triage_key(int group);
// The post lists at most this many alerts, firing ones first.
inline constexpr std::size_t triage_lines = 20;
message_view triage_view(alert_group const& g, policy const& p);

// A snoozed group still firing when its snooze ends is brought back: a reply under its triage post
// naming who snoozed it, once (its claim key).
std::string snooze_key(int group, timestamp until);
post snooze_over(alert_group const& g, policy const& p);

// What alert group events owe the world: each high or medium group's triage post, posted once and
// edited as its alerts fire and resolve; once declared, the post says which incident it became. The
// high routes' addresses a batch tells (alert_group_emailed) get one e-mail. A low
// group opened in `batch` gets a ticket when a ticket system is configured, with the labels all of
// `received` (the alerts the batch records) share.
std::vector<effect> alert_reactions(std::vector<event> const& batch, alert_group_map const& groups, policy const& p,
                                    std::vector<alert> const& received);

}  // namespace warroom::core
