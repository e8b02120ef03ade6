// Block Kit rendering of the core's view models, and the way back from a submitted modal.
// Pure functions: views in, Slack JSON out. Every payload respects Slack's limits; a view too big
// for one message becomes several, in order, with nothing dropped. Internal to the Slack adapter.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/views.hpp"

namespace warroom::slack {

// The three control characters of mrkdwn: & < > become entities, & first (protocol doc §8).
std::string escape_mrkdwn(std::string_view text);
// The way back, for text Slack sends us (commands are parsed unescaped).
std::string unescape_mrkdwn(std::string_view text);

struct render_context {
    // War-room channel names (without '#') → Slack channel ids, so "#inc-1-api-down" in a view renders as a
    // real channel link <#C123>; names not in the map stay plain text.
    std::map<std::string, std::string, std::less<>> channel_ids;
    // User group handles → their ids, so a mentioned "@security-team" notifies the group.
    std::map<std::string, std::string, std::less<>> group_ids;
};

// In escaped text, a token "@X" standing alone (after start, whitespace or "(", ending at whitespace,
// punctuation or the end) becomes a mention when X is among `mentions` (the bot's own): <@U…> for a
// user, <!subteam^S…> for a user group by id or by a handle in ctx.group_ids. Any other "@…" stays
// text, so a person typing "@U123" or "@S123" pings nobody.
std::string link_mentions(std::string_view escaped, std::vector<std::string> const& mentions,
                          render_context const& ctx = {});

// In escaped text, each time the view shows (core::message_view::times) becomes a date token,
// <!date^<epoch>^{date_short_pretty} {time}|<the text>>, so every reader sees their own local time;
// the text as shown is the fallback.
std::string link_times(std::string_view escaped, std::vector<std::pair<std::string, core::timestamp>> const& times);

// One {"text": fallback, "blocks": [...]} per message, without "channel": the caller adds it.
std::vector<nlohmann::json> message_payloads(core::message_view const& view, render_context const& ctx = {});

// The views.open "view" object of a form: one input block per field, block_id = action_id = field id.
nlohmann::json modal(core::modal_view const& form, std::string const& private_metadata);

// view.state.values of a view_submission → block_id → text. Unknown shapes are skipped.
std::map<std::string, std::string> form_values(nlohmann::json const& state_values);

}  // namespace warroom::slack
