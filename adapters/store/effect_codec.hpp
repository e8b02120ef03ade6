// The JSON body of an outbox entry: an effect with the view it carries, stored exactly as the
// service produced it, so a delivery after a restart posts what the command said at the time.
// decode(encode(e)) == e. Bad input throws app::store_error.
#pragma once

#include <string>
#include <string_view>

#include "core/effects.hpp"

namespace warroom::store {

std::string encode_effect(core::effect const& e);
core::effect decode_effect(std::string_view json);

}  // namespace warroom::store
