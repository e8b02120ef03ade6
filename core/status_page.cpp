// Component statuses are a history of changes, each made by one incident's publication or one
// maintenance window: at any moment a component is in the worst status any of them last gave it (a
// resolved publication gives every component the incident touched back to operational; a window's
// end does the same for its components).
#include "core/status_page.hpp"

#include <algorithm>
#include <map>

namespace warroom::core {
namespace {

using std::chrono::days;

int rank(component_status s) {
    switch (s) {
        case component_status::operational: return 0;
        case component_status::under_maintenance: return 1;
        case component_status::degraded_performance: return 2;
        case component_status::partial_outage: return 3;
        case component_status::major_outage: return 4;
    }
    return 0;
}

struct change {
    timestamp at{};
    int incident = 0;  // the stream that made it: an incident, or a maintenance window
    component_status st{};
};

// One component's changes, oldest first.
class history {
public:
    void add(change c) { changes_.push_back(c); }
    void sort() {
        std::stable_sort(changes_.begin(), changes_.end(), [](change const& a, change const& b) { return a.at < b.at; });
    }
    std::vector<change> const& changes() const { return changes_; }

    // In effect at `t`: the worst of each incident's last change at or before it.
    component_status at(timestamp t) const {
        std::map<int, component_status> last;
        for (auto const& c : changes_) {
            if (c.at > t) break;
            last[c.incident] = c.st;
        }
        auto out = component_status::operational;
        for (auto const& [n, st] : last) out = worse(out, st);
        return out;
    }

private:
    std::vector<change> changes_;
};

// Each component's history: the incidents' publications, and each maintenance window as a change to
// under maintenance at its start and back at its end (its stream number keeps it apart from incidents).
std::map<std::string, history, std::less<>> histories_of(std::vector<incident const*> const& published,
                                                         std::vector<maintenance const*> const& windows,
                                                         std::vector<std::string> const& components) {
    std::map<std::string, history, std::less<>> out;
    for (auto const& c : components) out[c];
    for (auto const* i : published) {
        std::vector<std::string> touched;
        for (auto const& pub : i->publications) {
            if (pub.st == status::resolved) {
                for (auto const& c : touched) out[c].add({pub.at, i->number, component_status::operational});
            } else if (pub.component_st) {
                for (auto const& c : pub.components) {
                    out[c].add({pub.at, i->number, *pub.component_st});
                    if (std::find(touched.begin(), touched.end(), c) == touched.end()) touched.push_back(c);
                }
            }
        }
    }
    for (auto const* m : windows) {
        if (m->end() <= m->from) continue;
        for (auto const& c : m->components) {
            out[c].add({m->from, maintenance_stream(m->number), component_status::under_maintenance});
            out[c].add({m->end(), maintenance_stream(m->number), component_status::operational});
        }
    }
    for (auto& [name, h] : out) h.sort();
    return out;
}

// The statuses in force over [from, to), one call per stretch of one status, in order.
template <class F>
void walk(history const& h, timestamp from, timestamp to, F&& stretch) {
    if (to <= from) return;
    auto start = from;
    auto st = h.at(from);
    for (auto const& ch : h.changes()) {
        if (ch.at <= from || ch.at >= to) continue;
        stretch(start, ch.at, st);
        start = ch.at;
        st = h.at(ch.at);
    }
    stretch(start, to, st);
}

component_availability availability_of(std::string const& name, history const& h, timestamp from, timestamp to) {
    component_availability out{name};
    walk(h, from, to, [&](timestamp a, timestamp b, component_status st) {
        auto const d = b - a;
        switch (st) {
            case component_status::major_outage: out.major += d; break;
            case component_status::partial_outage: out.partial += d; break;
            case component_status::degraded_performance: out.degraded += d; break;
            case component_status::under_maintenance: out.maintenance += d; break;
            case component_status::operational: break;
        }
    });
    auto const total = static_cast<double>((to - from).count());
    auto const lost = static_cast<double>(out.major.count()) + 0.3 * static_cast<double>(out.partial.count());
    out.percent = total > 0 ? std::max(0.0, 100.0 * (1.0 - lost / total)) : 100.0;
    return out;
}

public_maintenance view_of(maintenance const& m, timestamp now) {
    std::string name;
    for (auto const& c : m.components) name.append(name.empty() ? "" : ", ").append(c);
    return {m.number, name + " maintenance", m.text, m.state_at(now), m.scheduled_at, m.from, m.end(), m.components};
}

std::string impact_of(component_status worst) {
    switch (worst) {
        case component_status::major_outage: return "critical";
        case component_status::partial_outage: return "major";
        case component_status::degraded_performance: return "minor";
        default: return "none";
    }
}

public_incident view_of(incident const& i, policy const& p) {
    public_incident v;
    v.number = i.number;
    v.name = public_name(i, p);
    auto const& pubs = i.publications;
    v.st = pubs.back().st;
    v.created_at = pubs.front().at;
    v.updated_at = pubs.back().at;
    for (auto const& pub : pubs) {
        if (pub.st == status::monitoring && !v.monitoring_at) v.monitoring_at = pub.at;
        if (pub.st == status::resolved) v.resolved_at = pub.at;
        for (auto const& c : pub.components) {
            if (std::find(v.components.begin(), v.components.end(), c) == v.components.end()) v.components.push_back(c);
        }
        v.updates.insert(v.updates.begin(), public_update{pub.sequence, pub.at, pub.st, pub.text});
    }
    if (v.st != status::resolved) v.resolved_at.reset();
    v.impact = public_impact(i);
    return v;
}

}  // namespace

std::string public_name(incident const& i, policy const& p) {
    // A private incident's title never leaves its room: it is named by its reference only.
    return p.of(i.type).private_room ? "Incident " + incident_ref(i.number) : i.title;
}

std::string public_impact(incident const& i) {
    auto worst = component_status::operational;
    for (auto const& pub : i.publications) {
        if (pub.component_st && pub.st != status::resolved) worst = worse(worst, *pub.component_st);
    }
    return impact_of(worst);
}

component_status worse(component_status a, component_status b) { return rank(a) >= rank(b) ? a : b; }

std::string component_id(std::string_view name) {
    auto out = slug(name);
    return out.empty() ? "component" : out;
}

public_page status_page(std::vector<incident const*> const& published, std::vector<maintenance const*> const& windows,
                        page_settings const& s, policy const& p, timestamp now) {
    auto const today = std::chrono::floor<days>(now);
    timestamp const window_start{today - days{uptime_days - 1}};
    public_page page;
    page.updated_at = window_start;

    std::vector<std::string> names;
    for (auto const& c : s.components) names.push_back(c.name);
    auto const histories = histories_of(published, windows, names);
    for (auto const* i : published) {
        if (i->publications.empty()) continue;
        for (auto const& pub : i->publications) page.updated_at = std::max(page.updated_at, pub.at);
        auto v = view_of(*i, p);
        if (v.st != status::resolved) {
            page.active.push_back(std::move(v));
        } else if (v.updated_at >= window_start) {
            page.history.push_back(std::move(v));
        }
    }
    auto const newest_first = [](public_incident const& a, public_incident const& b) {
        return a.updated_at != b.updated_at ? a.updated_at > b.updated_at : a.number > b.number;
    };
    std::sort(page.active.begin(), page.active.end(), newest_first);
    std::sort(page.history.begin(), page.history.end(), newest_first);

    for (auto const* m : windows) {
        auto v = view_of(*m, now);
        if (v.st == maintenance_state::cancelled || v.until < window_start) continue;
        // Scheduling it, and its start and end once past, are changes of the page.
        page.updated_at = std::max(page.updated_at, m->scheduled_at);
        for (auto const edge : {v.from, v.until}) {
            if (edge <= now) {
                page.updated_at = std::max(page.updated_at, edge);
            } else if (!page.changes_at || edge < *page.changes_at) {
                page.changes_at = edge;
            }
        }
        page.maintenances.push_back(std::move(v));
    }
    std::sort(page.maintenances.begin(), page.maintenances.end(),
              [](public_maintenance const& a, public_maintenance const& b) {
                  bool const a_past = a.st == maintenance_state::completed, b_past = b.st == maintenance_state::completed;
                  if (a_past != b_past) return b_past;
                  if (a_past) return a.until != b.until ? a.until > b.until : a.number > b.number;
                  return a.from != b.from ? a.from < b.from : a.number < b.number;
              });

    auto overall = component_status::operational;
    int position = 0;
    for (auto const& def : s.components) {
        auto const& h = histories.at(def.name);
        public_component c;
        c.id = component_id(def.name);
        c.def = def;
        c.position = ++position;
        c.st = h.at(now);
        overall = worse(overall, c.st);
        c.updated_at = window_start;
        for (auto const& ch : h.changes()) {
            if (ch.at <= now) c.updated_at = std::max(c.updated_at, ch.at);
        }
        // Each day's worst: what held at its start and after each change during it, up to now.
        for (int d = 0; d < uptime_days; ++d) {
            timestamp const from{window_start + days{d}};
            auto worst = h.at(from);
            walk(h, from, std::min(timestamp{from + days{1}}, now),
                 [&](timestamp, timestamp, component_status st) { worst = worse(worst, st); });
            c.days.push_back({from, worst});
        }
        c.uptime = availability_of(def.name, h, window_start, now).percent;
        page.components.push_back(std::move(c));
    }

    switch (overall) {
        case component_status::major_outage: page.indicator = "critical", page.description = "Major System Outage"; break;
        case component_status::partial_outage: page.indicator = "major", page.description = "Partial System Outage"; break;
        case component_status::degraded_performance:
            page.indicator = "minor", page.description = "Minor Service Outage";
            break;
        case component_status::under_maintenance:
            page.indicator = "maintenance", page.description = "Service Under Maintenance";
            break;
        case component_status::operational:
            if (page.active.empty()) {
                page.indicator = "none", page.description = "All Systems Operational";
            } else {
                page.indicator = "minor", page.description = "Minor Service Outage";
            }
            break;
    }
    return page;
}

std::vector<component_availability> availability(std::vector<incident const*> const& published,
                                                 std::vector<maintenance const*> const& windows,
                                                 std::vector<std::string> const& components, timestamp from,
                                                 timestamp to) {
    auto const histories = histories_of(published, windows, components);
    std::vector<component_availability> out;
    for (auto const& c : components) out.push_back(availability_of(c, histories.at(c), from, to));
    return out;
}

}  // namespace warroom::core
