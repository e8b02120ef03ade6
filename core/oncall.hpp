// Who is on call when: a rotation's turns with its overrides applied. Pure arithmetic on the
// policy; the caller says what time it is.
#pragma once

#include <optional>
#include <vector>

#include "core/policy.hpp"

namespace warroom::core {

struct shift {
    user_id primary;
    std::optional<user_id> secondary;  // none for a rotation of one
    timestamp from{}, until{};       // the turn's boundaries (overrides do not move them)
    bool operator==(shift const&) const = default;
};

// The shift covering `t`; before the rotation's start, its first turn. Nullopt without members.
std::optional<shift> shift_at(rotation const& r, timestamp t);
// The start of the turn covering `t` (the rotation's start before it): when the last hand-off was.
timestamp turn_start(rotation const& r, timestamp t);

}  // namespace warroom::core
