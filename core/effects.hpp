// What the bot owes the world after a command: war rooms, posts, topics, direct messages, pages and
// e-mails (durable: an outbox keeps them until delivered), and answers to the person who asked
// (replies and forms: tied to that request, so they go back with it and are never stored).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/views.hpp"

namespace warroom::core {

struct open_war_room {
    int incident = 0;
    std::string name;
    bool is_private = false;
    // Users, user groups (by id or @handle: their members) and e-mail addresses (looked up).
    std::vector<std::string> invite;
    std::string topic;
    bool operator==(open_war_room const&) const = default;
};
// More people brought into an open war room.
struct invite {
    int incident = 0;
    std::string channel;  // the war room
    std::vector<std::string> who;  // as open_war_room::invite
    bool operator==(invite const&) const = default;
};
// A war room replaced by another (a public room when its incident became private).
struct archive_room {
    int incident = 0;
    std::string channel;
    bool operator==(archive_room const&) const = default;
};
struct post {
    std::string channel;
    message_view view;
    bool pin = false;
    // A message kept current: a later post with the same key edits it instead of adding another.
    std::string key = {};
    // Set for a war room: the incident whose room warroom created. Such a post goes only to that
    // room, never to a channel found by name (someone else may own a channel of that name).
    int room = 0;
    // Set for a reply in the thread of the message kept current under this key.
    std::string thread = {};
    // Only edits the message kept under `key`: when none was ever posted, nothing is posted.
    bool edit_only = false;
    bool operator==(post const&) const = default;
};
// Seen only by the user who asked (ephemeral).
struct reply {
    std::string channel;
    user_id user;
    message_view view;
    bool operator==(reply const&) const = default;
};
struct set_topic {
    std::string channel;
    std::string topic;
    int room = 0;  // as post::room
    bool operator==(set_topic const&) const = default;
};
struct open_form {
    user_id user;
    modal_view form;
    bool operator==(open_form const&) const = default;
};
struct direct_message {
    user_id user;
    message_view view;
    bool operator==(direct_message const&) const = default;
};

// A page through the paging integration (PagerDuty, Opsgenie). One dedup key per incident, so the
// vendor keeps one alert that is triggered, escalated, acknowledged and resolved.
enum class page_action {
    trigger,      // open the vendor's alert (or add the secondary as a responder)
    acknowledge,  // someone took it
    resolve,      // it is over
};
std::string_view to_string(page_action a);  // "trigger"
// The key of incident `n`'s announcement, the one message kept current in the announcement channel.
std::string announcement_key(int incident);
// The key of the announcement channel's copy of incident `n`'s update number `k` (1, 2, …).
std::string announced_update_key(int incident, int update);
// The vendor's dedup key of incident `n`, "warroom-inc-<n>", and back.
std::string page_dedup_key(int incident);
std::optional<int> incident_of_page_key(std::string_view key);
struct page {
    int incident = 0;
    page_action action{};
    std::string dedup_key;  // "warroom-inc-<n>"
    std::string summary;    // "INC-7 P0 outage: Checkout is down"
    severity sev{};
    user_id responder;     // trigger: the rotation member paged (a Slack user id); empty: the vendor routes
    std::string position;  // trigger: "primary" or "secondary"
    std::string room;      // the war-room channel name
    user_id by;            // acknowledge/resolve: who did it
    bool operator==(page const&) const = default;
};

// A ticket in the ticket system ([alerts] ticket_url) for a low alert group, once, when it opens.
struct ticket_alert {
    std::string name, summary, url;
    timestamp starts_at{};
    bool operator==(ticket_alert const&) const = default;
};
// The ticket system's idempotency key of alert group `n`, "warroom-alert-group-<n>": a retry of the
// same ticket carries the same key.
std::string ticket_key(int group);
struct open_ticket {
    int group = 0;
    std::string title;
    std::string level;                          // "low"
    std::string source;                         // the receiver: "alertmanager", "grafana", "generic"
    std::map<std::string, std::string> labels;  // the labels all its alerts share
    std::vector<ticket_alert> alerts;
    bool operator==(open_ticket const&) const = default;
};

// One e-mail to a recipient list (SMTP). Written with the event that caused it, so a retry or a
// delivery after a restart sends the same words; the HTML part is made from `text` when it is sent.
struct email {
    int incident = 0;             // for the log; 0 for an alert group's
    std::vector<std::string> to;  // addresses: one message to all of them
    std::string subject;
    std::string text;
    bool operator==(email const&) const = default;
};

// One publication pushed to Atlassian Statuspage ([status_page.statuspage]): the first of an incident
// opens a Statuspage incident, each later one adds an update to it. Only what was published goes, and
// a private incident is named by its reference, never its title.
struct statuspage_update {
    int incident = 0;
    int sequence = 0;   // the publication's number within the incident: 1, 2, …
    std::string name;   // the Statuspage incident's name: a public incident's title, else "Incident INC-7"
    status st{};        // the incident's status as published
    std::string text;   // the public text
    std::vector<std::string> components;           // as configured ([[status_page.components]] name)
    std::optional<component_status> component_st;  // what they are now; none: named, unchanged
    std::string impact;  // none, minor, major, critical: the worst component status it published, unresolved
    bool operator==(statuspage_update const&) const = default;
};

// A maintenance window pushed to Atlassian Statuspage as a scheduled maintenance: scheduling opens it,
// calling it off (before or while it runs) completes it.
struct statuspage_maintenance {
    int window = 0;
    bool cancelled = false;
    std::string text;  // the window's public text, also the maintenance's name
    timestamp from{}, to{};
    std::vector<std::string> components;  // as configured ([[status_page.components]] name)
    bool operator==(statuspage_maintenance const&) const = default;
};

using effect = std::variant<open_war_room, post, reply, set_topic, open_form, direct_message, page, invite,
                            archive_room, open_ticket, email, statuspage_update, statuspage_maintenance>;

// True for effects that must reach the world even if the process dies right after the command.
inline bool is_durable(effect const& e) {
    return !std::holds_alternative<reply>(e) && !std::holds_alternative<open_form>(e);
}

}  // namespace warroom::core
