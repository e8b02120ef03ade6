#include "core/effects.hpp"

#include <charconv>

namespace warroom::core {
namespace {
constexpr std::string_view page_key_prefix = "warroom-inc-";
}

std::string_view to_string(page_action a) {
    switch (a) {
        case page_action::trigger: return "trigger";
        case page_action::acknowledge: return "acknowledge";
        case page_action::resolve: return "resolve";
    }
    return "trigger";
}

std::string announcement_key(int incident) { return "announcement:" + std::to_string(incident); }
std::string announced_update_key(int incident, int update) {
    return announcement_key(incident) + ":update:" + std::to_string(update);
}

std::string page_dedup_key(int incident) { return std::string(page_key_prefix) + std::to_string(incident); }

std::string ticket_key(int group) { return "warroom-alert-group-" + std::to_string(group); }

std::optional<int> incident_of_page_key(std::string_view key) {
    if (!key.starts_with(page_key_prefix)) return std::nullopt;
    key.remove_prefix(page_key_prefix.size());
    // Only the canonical form reverses: no sign, no leading zero.
    if (key.empty() || key.front() < '1' || key.front() > '9') return std::nullopt;
    int n = 0;
    auto const [end, ec] = std::from_chars(key.data(), key.data() + key.size(), n);
    if (ec != std::errc{} || end != key.data() + key.size() || n <= 0) return std::nullopt;
    return n;
}

}  // namespace warroom::core
