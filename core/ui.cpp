#include "core/ui.hpp"

#include <charconv>
#include <iterator>

namespace warroom::core::ui {
namespace {

constexpr std::string_view action_ids[] = {"acknowledge", "claim_ic", "post_update",    "advance",
                                           "resolve",     "snooze",   "report",         "check",
                                           "done",        "approve_notice", "regulator_notified",
                                           "upgrade_severity", "edit_notice", "declare_alert",
                                           "decline_alert", "merge_alert", "snooze_alert",
                                           "publish_resolution"};
static_assert(std::size(action_ids) == std::size(all_actions));
constexpr std::string_view form_ids[] = {"declare",         "update",        "resolve",
                                         "customer_notice", "decline_alert", "merge_alert"};
static_assert(std::size(form_ids) == std::size(all_forms));
constexpr std::string_view field_ids[] = {"title",  "severity", "type", "personal_data", "description", "started_at",
                                          "status", "impact",   "text", "resolution",    "root_cause",  "summary",
                                          "services", "notice_text", "reason", "into"};
static_assert(std::size(field_ids) == std::size(all_fields));

template <class E, std::size_t N>
std::optional<E> lookup(std::string_view const (&ids)[N], std::string_view id) {
    for (std::size_t k = 0; k < N; ++k) {
        if (ids[k] == id) return static_cast<E>(k);
    }
    return std::nullopt;
}

std::optional<int> positive(std::string_view s) {
    int v = 0;
    auto const [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || v <= 0) return std::nullopt;
    return v;
}

}  // namespace

bool on_kept_message(action a) {
    return a == action::declare_alert || a == action::decline_alert || a == action::merge_alert ||
           a == action::snooze_alert;
}

std::string_view id(action a) { return action_ids[static_cast<std::size_t>(a)]; }
std::string_view id(form f) { return form_ids[static_cast<std::size_t>(f)]; }
std::string_view id(field f) { return field_ids[static_cast<std::size_t>(f)]; }
std::optional<action> parse_action(std::string_view s) { return lookup<action>(action_ids, s); }
std::optional<form> parse_form(std::string_view s) { return lookup<form>(form_ids, s); }
std::optional<field> parse_field(std::string_view s) { return lookup<field>(field_ids, s); }

std::string value(int incident) { return std::to_string(incident); }

std::string check_value(int incident, phase ph, int item) {
    return value(incident) + ":" + std::string(to_string(ph)) + ":" + std::to_string(item);
}

std::string action_item_value(int incident, int item) { return value(incident) + ":" + std::to_string(item); }

std::string severity_value(int incident, severity sev) { return value(incident) + ":" + std::string(to_string(sev)); }

constexpr std::string_view group_prefix = "group:";

std::string group_value(int group) { return std::string(group_prefix) + std::to_string(group); }

std::optional<int> parse_group_value(std::string_view v) {
    if (!v.starts_with(group_prefix)) return std::nullopt;
    return positive(v.substr(group_prefix.size()));
}

std::optional<target> parse_value(std::string_view v) {
    auto const first = v.find(':');
    target out;
    auto const incident = positive(v.substr(0, first));
    if (!incident) return std::nullopt;
    out.incident = *incident;
    if (first == std::string_view::npos) return out;
    auto const rest = v.substr(first + 1);
    auto const second = rest.find(':');
    if (second == std::string_view::npos) {
        if (auto const item = positive(rest)) {
            out.item = *item;
        } else if (auto const sev = parse_severity(rest)) {
            out.sev = sev;
        } else {
            return std::nullopt;
        }
        return out;
    }
    out.ph = parse_phase(rest.substr(0, second));
    auto const item = positive(rest.substr(second + 1));
    if (!out.ph || !item) return std::nullopt;
    out.item = *item;
    return out;
}

}  // namespace warroom::core::ui
