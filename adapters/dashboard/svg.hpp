// A chart as inline SVG from core's layout: <title> and <desc> name it for screen readers (the svg
// is role="img" labelled by them), every bar and marker has a <title> tip, series differ by pattern,
// dash and marker shape as well as colour, and every label is text.
#pragma once

#include <string>
#include <string_view>

#include "core/chart_model.hpp"

namespace warroom::dashboard {

// `id`: unique in the page (its patterns and labels are named after it).
std::string render_svg(core::chart const& c, std::string const& id, double width = 640, double height = 280);

}  // namespace warroom::dashboard
