// An append batch checked and encoded before a store takes its write lock, so that a batch that
// could never be written throws with nothing written. Shared by every store adapter.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/store_port.hpp"

namespace warroom::store {

std::int64_t unix_ms(core::timestamp t);
std::int64_t unix_ms_now();
std::int64_t lease_ms(core::seconds lease);

struct encoded_append {
    struct row {
        core::event const& e;
        int version;       // the incident's next
        std::string body;  // event_codec's JSON
    };
    std::vector<std::pair<int, int>> const& expected;
    std::vector<row> rows;
    std::vector<std::string> const& claims;
    std::vector<std::pair<int, std::string>> entries;  // lane, effect_codec's JSON
    std::int64_t at;                                   // the first event's time (ms), for claims and entries
    std::optional<app::birth_lease> const& leased_to;
};

// Refers to `batch`, which must outlive the result. Throws std::invalid_argument when an incident
// with events has no expected version, or an incident or claim key is listed twice.
encoded_append encode_append(app::append_batch const& batch);

}  // namespace warroom::store
