// Events for store tests: numbered notes at fixed times, so stored and loaded logs compare exactly.
#pragma once

#include <string>

#include "core/events.hpp"

namespace warroom::store::test {

inline core::timestamp const t0{core::seconds{1'780'000'000}};

inline core::event note(int incident, int n) {
    return {incident, t0 + core::seconds{n}, "U01", core::note_added{"note " + std::to_string(n)}};
}

}  // namespace warroom::store::test
