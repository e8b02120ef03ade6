// Shared fixtures for the pure core tests: a fixed clock, `given(events)` folding real events with
// core::apply, and a complete printer for payloads and decisions so a failing check shows values.
#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "core/decide.hpp"
#include "core/events.hpp"
#include "core/incident.hpp"
#include "core/model.hpp"
#include "core/policy.hpp"
#include "core/reminders.hpp"

namespace warroom::core::test {

using namespace std::chrono_literals;

// Monday 2026-03-02 09:00 UTC: every fixture counts from here.
inline timestamp const t0 = timestamp{std::chrono::sys_days{std::chrono::year{2026} / 3 / 2}} + 9h;

// Reminder keys name the second.
inline std::string epoch(timestamp t) { return std::to_string(std::chrono::floor<seconds>(t).time_since_epoch().count()); }

inline event at(timestamp when, user_id by, payload what, int number = 1) {
    return event{number, when, std::move(by), std::move(what)};
}

inline incident given(std::vector<event> const& history) {
    incident i;
    for (auto const& e : history) i = apply(std::move(i), e);
    return i;
}

inline policy const& rules() {
    static policy const p = policy::defaults();
    return p;
}

// Every field of every payload, so comparing descriptions is comparing values.
inline std::string describe(payload const& p) {
    std::ostringstream os;
    auto opt = [](auto const& o) {
        if (!o) return std::string("-");
        if constexpr (std::is_same_v<std::decay_t<decltype(*o)>, timestamp>) {
            return format_time(*o);
        } else {
            return std::string(*o);
        }
    };
    std::visit(
        [&]<typename T>(T const& v) {
            os << event_name(p);
            if constexpr (std::is_same_v<T, declared>) {
                os << "{" << v.title << "|" << v.description << "|" << to_string(v.sev) << "|" << to_string(v.type)
                   << "|" << format_time(v.started_at) << "|" << v.channel << "}";
            } else if constexpr (std::is_same_v<T, update_posted>) {
                os << "{" << to_string(v.st) << "|" << v.text << "|" << v.impact << "}";
            } else if constexpr (std::is_same_v<T, severity_changed>) {
                os << "{" << to_string(v.from) << "→" << to_string(v.to) << "}";
            } else if constexpr (std::is_same_v<T, phase_changed>) {
                os << "{" << to_string(v.from) << "→" << to_string(v.to) << "}";
            } else if constexpr (std::is_same_v<T, role_assigned>) {
                os << "{" << to_string(v.r) << "|" << v.user << "|" << opt(v.previous) << "}";
            } else if constexpr (std::is_same_v<T, note_added>) {
                os << "{" << v.text << "}";
            } else if constexpr (std::is_same_v<T, action_added>) {
                os << "{" << v.number << "|" << v.text << "|" << opt(v.owner) << "|" << opt(v.due) << "}";
            } else if constexpr (std::is_same_v<T, action_completed>) {
                os << "{" << v.number << "}";
            } else if constexpr (std::is_same_v<T, escalated>) {
                os << "{" << v.target << "|" << v.label << "|" << (v.manual ? "manual" : "timer") << "|" << v.reason
                   << "}";
            } else if constexpr (std::is_same_v<T, snoozed>) {
                os << "{" << format_time(v.until) << "}";
            } else if constexpr (std::is_same_v<T, resolved>) {
                os << "{" << v.resolution << "|" << v.root_cause << "}";
            } else if constexpr (std::is_same_v<T, reopened>) {
                os << "{" << v.reason << "}";
            } else if constexpr (std::is_same_v<T, closed>) {
                os << "{" << v.reason << "}";
            } else if constexpr (std::is_same_v<T, checklist_marked>) {
                os << "{" << to_string(v.ph) << "|" << v.item << "|" << (v.checked ? "checked" : "unchecked") << "}";
            } else if constexpr (std::is_same_v<T, reminder_sent>) {
                os << "{" << v.key << "}";
            } else if constexpr (std::is_same_v<T, paged>) {
                os << "{" << v.user << "|" << v.position << "}";
            }
        },
        p);
    return os.str();
}

inline std::string describe(std::vector<payload> const& ps) {
    std::string out;
    for (auto const& p : ps) out += (out.empty() ? "" : "; ") + describe(p);
    return out;
}

inline std::vector<payload> payloads(std::vector<event> const& events) {
    std::vector<payload> out;
    for (auto const& e : events) out.push_back(e.what);
    return out;
}

// What a decision should be: the exact events' payloads, or the exact refusal reason.
struct expected {
    std::vector<payload> events;
    std::optional<std::string> refusal;
};
inline expected emits(std::vector<payload> events) { return {std::move(events), std::nullopt}; }
inline expected refused(std::string reason) { return {{}, std::move(reason)}; }

inline std::string describe(expected const& e) {
    return e.refusal ? "refused: " + *e.refusal : "events: " + describe(e.events);
}
inline std::string describe(decision const& d) {
    if (auto const* r = std::get_if<refusal>(&d)) return "refused: " + r->reason;
    return "events: " + describe(payloads(std::get<std::vector<event>>(d)));
}

}  // namespace warroom::core::test
