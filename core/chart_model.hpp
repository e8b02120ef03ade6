// A chart as data: categories along x, series of values, labels. Carried by a message (a periodic
// report's chart) through the outbox, and drawn by the adapters (SVG, PNG) from core/chart's layout.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace warroom::core {

enum class chart_kind {
    bars,   // grouped bars, one per series in each category
    lines,  // a polyline per series, a marker at each value
};

struct chart_series {
    std::string name;
    std::vector<std::optional<double>> values;  // one per category; nullopt: no data (a gap)
    int style = 0;        // colour, pattern and marker: see series_style
    bool dashed = false;  // lines: a dashed line (p90 beside a solid median)
    bool operator==(chart_series const&) const = default;
};

struct chart {
    chart_kind kind = chart_kind::bars;
    std::string title;
    std::string description;  // one or two sentences for a screen reader: what it shows and its largest value
    std::string x_label, y_label;
    std::vector<std::string> categories;
    std::vector<chart_series> series;
    bool operator==(chart const&) const = default;
};

}  // namespace warroom::core
