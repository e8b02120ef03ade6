#include "adapters/store/encoded_append.hpp"

#include <chrono>
#include <stdexcept>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "adapters/store/effect_codec.hpp"
#include "adapters/store/event_codec.hpp"

namespace warroom::store {

std::int64_t unix_ms(core::timestamp t) { return t.time_since_epoch().count(); }

std::int64_t unix_ms_now() { return unix_ms(std::chrono::floor<core::milliseconds>(std::chrono::system_clock::now())); }

std::int64_t lease_ms(core::seconds lease) { return std::chrono::duration_cast<core::milliseconds>(lease).count(); }

encoded_append encode_append(app::append_batch const& batch) {
    std::unordered_map<int, int> next_version;
    for (auto const& [incident, expected] : batch.expected_versions) {
        if (!next_version.emplace(incident, expected).second) {
            throw std::invalid_argument("append: incident " + std::to_string(incident) +
                                        " has more than one expected version");
        }
    }
    encoded_append out{batch.expected_versions,
                       {},
                       batch.claims,
                       {},
                       batch.events.empty() ? std::int64_t{0} : unix_ms(batch.events.front().at),
                       batch.leased_to};
    out.rows.reserve(batch.events.size());
    for (auto const& e : batch.events) {
        auto const it = next_version.find(e.incident);
        if (it == next_version.end()) {
            throw std::invalid_argument("append: incident " + std::to_string(e.incident) +
                                        " has events but no expected version");
        }
        out.rows.push_back({e, ++it->second, encode(e.what)});
    }
    std::unordered_set<std::string_view> keys;
    for (auto const& key : batch.claims) {
        // A batch that conflicts with itself would conflict on every retry.
        if (!keys.insert(key).second) throw std::invalid_argument("append: reminder key \"" + key + "\" claimed twice");
    }
    out.entries.reserve(batch.outbox.size());
    for (auto const& [lane, what] : batch.outbox) out.entries.emplace_back(lane, encode_effect(what));
    return out;
}

}  // namespace warroom::store
