// A chart as a PNG image, drawn with cairo from core's layout (the same scene the dashboard's SVG
// draws). Text in the system's sans-serif font (DejaVu Sans on Debian).
#pragma once

#include <string>

#include "core/chart_model.hpp"

namespace warroom::charts {

inline constexpr int png_width = 800, png_height = 360;

// The PNG file's bytes. Throws std::runtime_error when cairo fails (out of memory).
std::string render_png(core::chart const& c, int width = png_width, int height = png_height);

// Frees what cairo and fontconfig keep for the life of the process (font caches), so a leak checker
// sees none at exit. Call when no chart is being drawn; a later render sets them up again.
void release_static_data();

}  // namespace warroom::charts
