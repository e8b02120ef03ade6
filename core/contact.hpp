// Who the bot notifies or invites, as the configuration names them, typed once: a Slack user or
// user group by id, a user group by its @handle, a person by e-mail (both resolved by the Slack
// adapter at run time), or a channel (mentioned, never invited or sent a DM).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warroom::core {

struct contact {
    enum class kind {
        user,     // "@U0123ABC" / "U0123ABC" (also W…, Enterprise Grid)
        group,    // "@S0123ABC": a user group by id
        handle,   // "@security-team": a user group by handle
        email,    // "security@example.com": a person, looked up by e-mail
        channel,  // "#security": mentioned only
    };
    kind what{};
    std::string id;  // without its "@" or "#"

    std::string text() const;  // as the config wrote it: "@U0123ABC", "#security", "a@b.c"
    bool operator==(contact const&) const = default;
};

// nullopt for anything that is none of the kinds above.
std::optional<contact> parse_contact(std::string_view text);
// Slack's id shapes: a user (U…, W…) or a user group (S…), upper-case letters and digits.
bool is_user_id(std::string_view id);
bool is_group_id(std::string_view id);

// The people among `contacts`, by user id or by e-mail address (looked up by the Slack adapter when
// it invites them), and the user groups, by id or handle. Channels are never invited.
struct invitees {
    std::vector<std::string> users, groups;
};
invitees invitees_of(std::vector<std::string> const& contacts);
// The e-mail addresses among `contacts`, each once, in their order: who is also told by e-mail.
std::vector<std::string> email_addresses(std::vector<std::string> const& contacts);

}  // namespace warroom::core
