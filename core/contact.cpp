#include "core/contact.hpp"

#include <algorithm>

namespace warroom::core {
namespace {

bool upper_or_digit(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool handle_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'; }

bool slack_id(std::string_view id, std::string_view first) {
    return id.size() >= 3 && first.find(id.front()) != std::string_view::npos &&
           std::all_of(id.begin(), id.end(), upper_or_digit);
}

}  // namespace

bool is_user_id(std::string_view id) { return slack_id(id, "UW"); }
bool is_group_id(std::string_view id) { return slack_id(id, "S"); }

std::string contact::text() const {
    switch (what) {
        case kind::user:
        case kind::group:
        case kind::handle:
            return "@" + id;
        case kind::channel:
            return "#" + id;
        case kind::email:
            return id;
    }
    return id;
}

std::optional<contact> parse_contact(std::string_view text) {
    if (text.empty()) return std::nullopt;
    if (text.front() == '#') {
        auto const name = text.substr(1);
        if (name.empty() || !std::all_of(name.begin(), name.end(), handle_char)) return std::nullopt;
        return contact{contact::kind::channel, std::string(name)};
    }
    if (auto const at = text.find('@'); at != std::string_view::npos && at > 0) {
        auto const domain = text.substr(at + 1);
        bool const plausible = domain.find('.') != std::string_view::npos && domain.find('@') == std::string_view::npos &&
                               std::none_of(text.begin(), text.end(), [](char c) { return c == ' ' || c == '<'; });
        if (!plausible) return std::nullopt;
        return contact{contact::kind::email, std::string(text)};
    }
    auto const bare = text.front() == '@' ? text.substr(1) : text;
    if (is_user_id(bare)) return contact{contact::kind::user, std::string(bare)};
    if (is_group_id(bare)) return contact{contact::kind::group, std::string(bare)};
    if (text.front() == '@' && !bare.empty() && std::all_of(bare.begin(), bare.end(), handle_char)) {
        return contact{contact::kind::handle, std::string(bare)};
    }
    return std::nullopt;
}

invitees invitees_of(std::vector<std::string> const& contacts) {
    invitees out;
    for (auto const& text : contacts) {
        auto const c = parse_contact(text);
        if (!c) continue;
        // An e-mail address names a person too: the Slack adapter looks it up when it invites.
        if (c->what == contact::kind::user || c->what == contact::kind::email) out.users.push_back(c->id);
        if (c->what == contact::kind::group || c->what == contact::kind::handle) out.groups.push_back(c->id);
    }
    return out;
}

std::vector<std::string> email_addresses(std::vector<std::string> const& contacts) {
    std::vector<std::string> out;
    for (auto const& text : contacts) {
        auto const c = parse_contact(text);
        if (c && c->what == contact::kind::email && std::find(out.begin(), out.end(), c->id) == out.end())
            out.push_back(c->id);
    }
    return out;
}

}  // namespace warroom::core
