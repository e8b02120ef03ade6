#include "core/maintenance.hpp"

#include <algorithm>
#include <charconv>

#include "core/period_report.hpp"
#include "core/views.hpp"

namespace warroom::core {
namespace {

std::optional<int> number_in(std::string_view s) {
    int v = 0;
    auto const [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || v <= 0 || v >= maintenance_streams) return std::nullopt;
    return v;
}

struct window_applier {
    maintenance& m;
    event const& e;
    void operator()(maintenance_scheduled const& s) {
        m.number = maintenance_of(e.incident);
        m.components = s.components;
        m.from = s.from;
        m.to = s.to;
        m.text = s.text;
        m.scheduled_by = e.by;
        m.scheduled_at = e.at;
    }
    void operator()(maintenance_cancelled const&) {
        m.cancelled_at = e.at;
        m.cancelled_by = e.by;
    }
    // Everything else belongs to incidents and alert groups.
    template <class T>
    void operator()(T const&) {}
};

std::string components_of(maintenance const& m) {
    std::string out;
    for (auto const& c : m.components) out.append(out.empty() ? "" : ", ").append(c);
    return out;
}

std::string window_of(maintenance const& m, time_zone const& z) {
    return format_time(m.from, z) + " to " + format_time(m.end(), z);
}

}  // namespace

std::string_view to_string(maintenance_state s) {
    switch (s) {
        case maintenance_state::scheduled: return "scheduled";
        case maintenance_state::in_progress: return "in_progress";
        case maintenance_state::completed: return "completed";
        case maintenance_state::cancelled: return "cancelled";
    }
    return "scheduled";
}

timestamp maintenance::end() const { return cancelled_at ? std::clamp(*cancelled_at, from, to) : to; }

maintenance_state maintenance::state_at(timestamp now) const {
    if (cancelled_at && *cancelled_at <= now && end() == from) return maintenance_state::cancelled;
    if (now < from) return maintenance_state::scheduled;
    if (now < end()) return maintenance_state::in_progress;
    return maintenance_state::completed;
}

void apply(maintenance_map& all, event const& e) {
    if (!is_maintenance_stream(e.incident)) return;
    auto& m = all[maintenance_of(e.incident)];
    std::visit(window_applier{m, e}, e.what);
    ++m.version;
}

std::string maintenance_ref(int number) { return "MNT-" + std::to_string(number); }

std::optional<int> parse_maintenance_ref(std::string_view token) {
    if (!token.empty() && token.front() == '#') token.remove_prefix(1);
    if (token.size() > 4 && to_lower(token.substr(0, 4)) == "mnt-") token.remove_prefix(4);
    return number_in(token);
}

std::variant<std::string, refusal> configured_component(std::string_view typed, policy const& p) {
    for (auto const& c : p.components) {
        if (c == typed) return c;
    }
    auto const id = slug(typed);
    for (auto const& c : p.components) {
        if (!id.empty() && slug(c) == id) return c;
    }
    if (auto const r = unknown_component({std::string(typed)}, p)) return *r;
    return refusal{"unknown component '" + std::string(typed) + "'"};
}

decision decide_schedule(schedule_maintenance const& m, int number, user_id const& by, timestamp now,
                         policy const& p) {
    auto const component = configured_component(m.component, p);
    if (auto const* r = std::get_if<refusal>(&component)) return *r;
    auto const& z = *p.zone;
    if (m.to <= m.from) {
        return refusal{"the maintenance ends (" + format_time(m.to, z) + ") before it begins (" +
                       format_time(m.from, z) + ")"};
    }
    if (m.to <= now) return refusal{"that window is already over: it ended " + format_time(m.to, z)};
    auto const text = std::string(trim(m.text));
    if (text.empty()) return refusal{"say what the maintenance is: the public text customers read on the status page"};
    if (text.size() > max_text) {
        return refusal{"the public text is " + std::to_string(text.size()) + " characters long; the limit is " +
                       std::to_string(max_text)};
    }
    // Begun already: from now on, so the page's history does not say it was under maintenance before.
    return std::vector<event>{event{maintenance_stream(number), now, by,
                                    maintenance_scheduled{{std::get<std::string>(component)}, std::max(m.from, now),
                                                          m.to, text}}};
}

decision decide_cancel(maintenance const& m, user_id const& by, timestamp now) {
    switch (m.state_at(now)) {
        case maintenance_state::cancelled: return refusal{maintenance_ref(m.number) + " was already cancelled"};
        case maintenance_state::completed: return refusal{maintenance_ref(m.number) + " is already over"};
        case maintenance_state::scheduled:
        case maintenance_state::in_progress: break;
    }
    return std::vector<event>{event{maintenance_stream(m.number), now, by, maintenance_cancelled{}}};
}

std::optional<statuspage_maintenance> statuspage_of(maintenance const& m, policy const& p) {
    if (!p.statuspage) return std::nullopt;
    return statuspage_maintenance{m.number, m.cancelled_at.has_value(), m.text, m.from, m.to, m.components};
}

message_view maintenance_scheduled_view(maintenance const& m, std::string_view slash, time_zone const& z) {
    return note_view("🛠️ " + maintenance_ref(m.number) + " scheduled: " + components_of(m) + " under maintenance " +
                     window_of(m, z) + ". It is on the status page now; `" + std::string(slash) +
                     " maintenance cancel " + std::to_string(m.number) + "` calls it off.");
}

message_view maintenance_cancelled_view(maintenance const& m, timestamp now, time_zone const& z) {
    auto const st = m.state_at(now);
    return note_view("🛠️ " + maintenance_ref(m.number) + (st == maintenance_state::cancelled
                                                               ? " cancelled: it is off the status page."
                                                               : " ended early at " + format_time(m.end(), z) + "."));
}

message_view maintenance_list_view(std::vector<maintenance const*> const& windows, timestamp now, time_zone const& z) {
    std::vector<maintenance const*> shown;
    for (auto const* m : windows) {
        auto const st = m->state_at(now);
        if (st == maintenance_state::scheduled || st == maintenance_state::in_progress) shown.push_back(m);
    }
    std::sort(shown.begin(), shown.end(), [](maintenance const* a, maintenance const* b) {
        return a->from != b->from ? a->from < b->from : a->number < b->number;
    });
    if (shown.empty()) return note_view("No maintenance scheduled.");
    std::string text = "Scheduled maintenance:";
    for (auto const* m : shown) {
        text += "\n• " + maintenance_ref(m->number) + " " + components_of(*m) + ", " + window_of(*m, z) +
                (m->state_at(now) == maintenance_state::in_progress ? " (in progress)" : "") + ": " + m->text;
    }
    return note_view(std::move(text));
}

}  // namespace warroom::core
