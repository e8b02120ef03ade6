// The JSON body of a stored event. encode() writes a payload's fields as one JSON object (its type
// name is stored apart, from core::event_name); decode() rebuilds the payload from both, exactly:
// decode(event_name(p), encode(p)) == p. Bad input throws app::store_error, never yields a guess.
#pragma once

#include <string>
#include <string_view>

#include "core/events.hpp"
#include "app/store_port.hpp"

namespace warroom::store {

// Enums as their core::to_string names, times as integer Unix seconds, empty optionals omitted.
// Throws app::store_error when a text field is not valid UTF-8 (JSON cannot carry it).
std::string encode(core::payload const& p);

// Throws app::store_error on an unknown type, malformed JSON, or a missing or ill-typed field.
// Fields the payload does not know are ignored, so older binaries read newer bodies.
core::payload decode(std::string_view type, std::string_view json);

}  // namespace warroom::store
