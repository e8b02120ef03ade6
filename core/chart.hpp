// The layout of a chart (core/chart_model.hpp) as a scene of plain shapes in pixels, which the SVG
// and PNG renderers draw as they are: laying out here keeps the two pictures the same. Series are told apart by colour *and* by fill pattern, dash or marker shape,
// with a text legend, so no reader depends on colour alone.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/chart_model.hpp"
#include "core/period_report.hpp"

namespace warroom::core {

enum class fill_pattern {
    solid,     // filled
    hatched,   // diagonal lines
    dotted,    // dots
    outlined,  // outline with horizontal lines
};
enum class marker_shape {
    circle,    // ●
    square,    // ■
    triangle,  // ▲
    diamond,   // ◆
};
struct series_style {
    std::string colour;  // "#1f77b4"
    fill_pattern pattern{};
    marker_shape marker{};
};
series_style style_of(int style);

struct point {
    double x = 0, y = 0;
};
struct scene_rect {
    double x = 0, y = 0, w = 0, h = 0;
    int style = -1;  // a series' style; -1: the plot's frame or a legend box's outline only
    std::string tip;  // "P1, 11-30: 3"
};
struct scene_line {
    std::vector<point> points;
    int style = -1;  // a series' style; -1: an axis or grid line
    bool dashed = false;
    bool grid = false;  // light, behind the data
};
struct scene_marker {
    point at;
    int style = 0;
    std::string tip;
};
enum class text_anchor { start, middle, end };
struct scene_text {
    point at;  // the baseline's anchor point
    std::string text;
    text_anchor anchor = text_anchor::start;
    double size = 11;
    bool bold = false;
    bool vertical = false;  // rotated a quarter turn counter-clockwise (the y axis label)
};
struct scene {
    double width = 0, height = 0;
    std::vector<scene_line> lines;  // grid and axes first, then the series
    std::vector<scene_rect> rects;
    std::vector<scene_marker> markers;
    std::vector<scene_text> texts;
};

scene lay_out(chart const& c, double width, double height);
// Round axis ticks from 0 to at least `max`: 0, step, 2·step, … with step 1, 2 or 5 × 10^k.
std::vector<double> axis_ticks(double max);

// The charts reports and the dashboard show, from figures per period. Durations are in minutes.
chart incidents_by_severity(std::vector<bucket_figures> const& buckets, std::string title, std::string x_label);
chart incidents_by_type(std::vector<bucket_figures> const& buckets, std::string title, std::string x_label);
enum class response_metric {
    mtta,  // acknowledged − detected
    mttr,  // resolved − detected
};
chart response_times(std::vector<bucket_figures> const& buckets, response_metric m, std::string x_label);

}  // namespace warroom::core
