#include "adapters/outbox/engine.hpp"

#include <algorithm>
#include <stdexcept>

namespace warroom::outbox {

std::string target_of(core::effect const& e) {
    if (auto const* p = std::get_if<core::post>(&e)) return "#" + p->channel;
    if (auto const* t = std::get_if<core::set_topic>(&e)) return "#" + t->channel;
    if (auto const* r = std::get_if<core::open_war_room>(&e)) return "#" + r->name;
    if (auto const* d = std::get_if<core::direct_message>(&e)) return "@" + d->user;
    return {};
}

namespace {

// The message kept current a post edits: its key, in its lane ("" when it is no such post).
std::string kept_message(core::effect const& e) {
    auto const* p = std::get_if<core::post>(&e);
    return p && !p->key.empty() ? p->key : std::string{};
}

// Whether delivering `later` leaves the world as delivering `earlier` and then `later` would: the
// same message kept current, rendered anew in full, posted if it never was, pinned if it was to be.
bool covers(core::effect const& later, core::effect const& earlier) {
    auto const* l = std::get_if<core::post>(&later);
    auto const* e = std::get_if<core::post>(&earlier);
    return l && e && l->key == e->key && l->channel == e->channel && l->room == e->room && l->thread == e->thread &&
           !l->edit_only && (l->pin || !e->pin);
}

// Beyond this many, the messages made longest ago are forgotten (see made_).
constexpr std::size_t made_remembered = 10'000;

}  // namespace

void engine::drop_target(std::int64_t id) {
    auto& d = entries_.at(id);
    if (d.target.empty() || d.at != step::queued) return;
    step_aside(targets_, d.target, id);
    d.target.clear();
    candidates_.insert(id);
}

bool engine::add(app::outbox_entry const& e, bool held_elsewhere) {
    // Ids grow with every write, so one at or below the newest seen was seen (and maybe delivered) already.
    if (e.id <= newest_) return false;
    if (e.unread && !held_elsewhere) throw std::logic_error("outbox entry " + std::to_string(e.id) + " to deliver unread");
    newest_ = e.id;
    auto& d = entries_[e.id];
    d.entry = e;
    // attempts > 0: an earlier process started this delivery and may have reached the world.
    d.in_doubt = e.attempts > 0;
    d.delays = backoff{settings_.first_retry, settings_.max_retry};
    lanes_[e.lane].insert(e.id);
    if (auto key = kept_message(e.what); !key.empty()) kept_[{e.lane, std::move(key)}].insert(e.id);
    if (held_elsewhere) {
        d.at = step::held;
        held_.insert(e.id);
        return true;
    }
    count_driven(e.lane, 1);
    note_blocking(e.lane);
    auto const key = kept_message(e.what);
    bool const edits = !key.empty() && (std::get<core::post>(e.what).edit_only || made_.contains({e.lane, key}));
    if (!edits) d.target = target_of(e.what);
    if (!d.target.empty()) targets_[d.target].insert(e.id);
    candidates_.insert(e.id);
    return true;
}

std::optional<std::pair<std::int64_t, std::int64_t>> engine::held() const {
    if (held_.empty()) return std::nullopt;
    return std::pair{*held_.begin(), *held_.rbegin()};
}

void engine::note_blocking(int lane) {
    auto const queue = lanes_.find(lane);
    if (queue == lanes_.end() || !held_.contains(*queue->second.begin())) return;
    if (driven_in_lane_.contains(lane)) blocking_.insert(*queue->second.begin());
}

void engine::count_driven(int lane, int by) {
    if ((driven_in_lane_[lane] += by) == 0) driven_in_lane_.erase(lane);
}

std::size_t engine::watched(std::pair<std::int64_t, std::int64_t> range, std::vector<app::delivery_lease> const& leases,
                            core::timestamp now) {
    std::size_t taken = 0;
    auto lease = leases.begin();
    for (auto it = held_.lower_bound(range.first); it != held_.end() && *it <= range.second;) {
        auto const id = *it;
        while (lease != leases.end() && lease->id < id) ++lease;
        if (lease == leases.end() || lease->id != id) {
            it = held_.erase(it);
            blocking_.erase(id);
            leave(id);
            continue;
        }
        if (!lease->owner.empty() && lease->until > now) {
            ++it;
            continue;
        }
        it = held_.erase(it);
        blocking_.erase(id);
        if (entries_.at(id).entry.unread) {
            unread_.insert(id);  // to be read first; it keeps its lane's turn meanwhile
            continue;
        }
        take(id);
        ++taken;
    }
    return taken;
}

void engine::take(std::int64_t id) {
    auto& d = entries_.at(id);
    count_driven(d.entry.lane, 1);
    d.at = step::queued;
    d.in_doubt = true;  // its holder may have reached the world before it stopped
    d.target = target_of(d.entry.what);
    if (!d.target.empty()) targets_[d.target].insert(id);
    candidates_.insert(id);
}

void engine::read(app::outbox_entry const& e) {
    if (!unread_.erase(e.id) || e.unread) throw std::logic_error("outbox entry " + std::to_string(e.id) + " read out of step");
    auto& d = entries_.at(e.id);
    d.entry = e;
    if (auto key = kept_message(e.what); !key.empty()) kept_[{e.lane, std::move(key)}].insert(e.id);
    take(e.id);
}

void engine::gone(std::int64_t id) {
    if (!unread_.erase(id)) throw std::logic_error("outbox entry " + std::to_string(id) + " gone out of step");
    leave(id);
}

bool engine::turn_of(std::int64_t id) const {
    auto const& d = entries_.at(id);
    if (d.at != step::queued) return false;
    if (*lanes_.at(d.entry.lane).begin() != id) return false;
    return d.target.empty() || *targets_.at(d.target).begin() == id;
}

std::vector<std::int64_t> engine::ready() {
    std::vector<std::int64_t> out;
    for (auto const id : candidates_) {
        if (entries_.contains(id) && turn_of(id)) out.push_back(id);
    }
    candidates_.clear();
    return out;
}

std::optional<std::int64_t> engine::superseded_by(std::int64_t id) const {
    auto const& d = entries_.at(id);
    auto const key = kept_message(d.entry.what);
    if (key.empty()) return std::nullopt;
    auto const& same = kept_.at({d.entry.lane, key});
    for (auto it = same.upper_bound(id); it != same.end(); ++it) {
        if (covers(entries_.at(*it).entry.what, d.entry.what)) return *it;
    }
    return std::nullopt;
}

action engine::start(std::int64_t id) {
    auto& d = entries_.at(id);
    if (d.at != step::queued) throw std::logic_error("outbox entry started twice");
    if (auto const later = superseded_by(id)) {
        // A later edit of the same message says all this one would (an alert storm edits a triage
        // post many times a minute): it is recorded as finished without a call to the world.
        d.outcome = {std::string(superseded) + std::to_string(*later), {}};
        d.at = step::finishing;
        pass_turn(id);
        return d.outcome;
    }
    d.at = step::leasing;
    return lease{};
}

action engine::wait_then(delivery& d, step next, millis delay, std::string why, bool failed) {
    d.at = next;
    return wait{delay, std::move(why), failed};
}

template <class Key>
void engine::step_aside(std::map<Key, std::set<std::int64_t>>& queues, Key const& key, std::int64_t id) {
    auto& queue = queues.at(key);
    queue.erase(id);
    if (queue.empty()) {
        queues.erase(key);
    } else {
        candidates_.insert(*queue.begin());
    }
}

void engine::pass_turn(std::int64_t id) {
    auto& d = entries_.at(id);
    if (d.passed) return;
    d.passed = true;
    if (d.at != step::held) count_driven(d.entry.lane, -1);
    step_aside(lanes_, d.entry.lane, id);
    note_blocking(d.entry.lane);
    if (!d.target.empty()) step_aside(targets_, d.target, id);
}

action engine::hold(std::int64_t id) {
    auto& d = entries_.at(id);
    if (!d.target.empty()) step_aside(targets_, d.target, id);
    d.target.clear();
    d.at = step::held;
    d.in_doubt = true;  // its holder may reach the world before its lease runs out
    held_.insert(id);
    count_driven(d.entry.lane, -1);
    note_blocking(d.entry.lane);
    return watch{};
}

action engine::leave(std::int64_t id) {
    pass_turn(id);
    auto const& d = entries_.at(id);
    if (auto const key = kept_message(d.entry.what); !key.empty()) {
        auto const slot = kept_.find({d.entry.lane, key});
        slot->second.erase(id);
        if (slot->second.empty()) kept_.erase(slot);
    }
    entries_.erase(id);
    return done{};
}

action engine::resume(std::int64_t id, news const& n, double unit) {
    auto& d = entries_.at(id);
    switch (d.at) {
        case step::leasing:
            if (auto const* l = std::get_if<leased>(&n)) {
                if (l->granted) {
                    d.at = step::delivering;
                    return deliver{d.in_doubt};
                }
                if (!l->still_pending) return leave(id);
                return hold(id);
            }
            if (auto const* f = std::get_if<store_failed>(&n)) {
                return wait_then(d, step::waiting_to_lease, d.delays.next(unit), "store: " + f->what);
            }
            break;
        case step::delivering:
            if (auto const* a = std::get_if<attempted>(&n)) {
                auto const& r = a->result;
                // Its lease is kept by the heartbeat meanwhile: no new one, so no try counted.
                if (r.what == verdict::not_yet) return wait_then(d, step::waiting_to_deliver, r.retry_after, r.detail, false);
                if (r.what == verdict::retry) {
                    d.in_doubt = d.in_doubt || r.ambiguous;
                    return wait_then(d, step::waiting_to_lease, std::max(d.delays.next(unit), r.retry_after), r.detail);
                }
                d.outcome = {r.what == verdict::delivered ? "delivered" : "failed: " + r.detail, r.learned};
                d.at = step::finishing;
                if (auto key = kept_message(d.entry.what); !key.empty() && r.what == verdict::delivered) {
                    std::pair<int, std::string> made{d.entry.lane, std::move(key)};
                    for (auto const later : kept_.at(made)) {
                        if (later > id) drop_target(later);
                    }
                    if (made_.insert(made).second) made_order_.push_back(std::move(made));
                    if (made_order_.size() > made_remembered) {
                        made_.erase(made_order_.front());
                        made_order_.pop_front();
                    }
                }
                // The world has it: the next entry of its lane and target may go while the result is
                // recorded. After a crash before the record, this one is reconciled, never repeated,
                // and it still goes first.
                pass_turn(id);
                return d.outcome;
            }
            break;
        case step::finishing:
            if (std::holds_alternative<finished>(n)) return leave(id);
            // Delivered already: record it again, never deliver it again.
            if (auto const* f = std::get_if<store_failed>(&n)) {
                return wait_then(d, step::waiting_to_finish, d.delays.next(unit), "store: " + f->what);
            }
            break;
        case step::waiting_to_lease:
            if (std::holds_alternative<waited>(n)) {
                d.at = step::leasing;
                return lease{};
            }
            break;
        case step::waiting_to_deliver:
            if (std::holds_alternative<waited>(n)) {
                d.at = step::delivering;
                return deliver{d.in_doubt};
            }
            break;
        case step::waiting_to_finish:
            if (std::holds_alternative<waited>(n)) {
                d.at = step::finishing;
                return d.outcome;
            }
            break;
        case step::held:
        case step::queued:
            break;
    }
    throw std::logic_error("outbox entry " + std::to_string(id) + ": news out of step");
}

}  // namespace warroom::outbox
