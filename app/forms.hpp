// What a form's field accepts, checked as each field is entered (the console) and again when the
// form is submitted (Slack shows the message under the field). The message quotes the bad value.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/model.hpp"
#include "core/ui.hpp"

namespace warroom::app {

// What is wrong with `value` in field `f` (each field belongs to one form); nullopt when it is
// acceptable. An empty required field is wrong; an empty optional one is fine.
std::optional<std::string> field_problem(core::ui::field f, std::string_view value,
                                         core::timestamp now);

// The declare form's "impact started": "20m ago", "20m" or "YYYY-MM-DD HH:MM" (UTC).
std::optional<core::timestamp> parse_started(std::string_view text, core::timestamp now);

}  // namespace warroom::app
