// The layout: a title on top, the plot with a y axis of round ticks and one x label per category, the
// legend below it. Bars carry their value as text above them; line markers carry a tip.
#include "core/chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace warroom::core {
namespace {

std::string number(double v) {
    char buf[32];
    if (std::abs(v - std::round(v)) < 1e-9) {
        std::snprintf(buf, sizeof buf, "%.0f", v);
    } else {
        std::snprintf(buf, sizeof buf, "%.1f", v);
    }
    return buf;
}

double largest(chart const& c) {
    double m = 0;
    for (auto const& s : c.series)
        for (auto const& v : s.values)
            if (v) m = std::max(m, *v);
    return m;
}

std::string describe(chart const& c, std::string const& unit) {
    std::string best_series, best_category;
    double best = -1;
    for (auto const& s : c.series)
        for (std::size_t k = 0; k < s.values.size() && k < c.categories.size(); ++k)
            if (s.values[k] && *s.values[k] > best) {
                best = *s.values[k];
                best_series = s.name;
                best_category = c.categories[k];
            }
    auto text = c.title + " over " + std::to_string(c.categories.size()) + " " + c.x_label +
                (c.categories.size() == 1 ? "." : "s.");
    if (best <= 0) return text + " No data.";
    // "1 incident", "2 incidents"
    auto const one = best == 1 && unit.ends_with('s') ? unit.substr(0, unit.size() - 1) : unit;
    return text + " Largest: " + best_series + " in " + c.x_label + " " + best_category + ", " + number(best) + " " +
           one + ".";
}

}  // namespace

series_style style_of(int style) {
    // Colour-blind safe (Okabe–Ito); each also has its own pattern and marker.
    static constexpr char const* colours[] = {"#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"};
    static constexpr fill_pattern patterns[] = {fill_pattern::solid, fill_pattern::hatched, fill_pattern::dotted,
                                                fill_pattern::outlined};
    static constexpr marker_shape markers[] = {marker_shape::circle, marker_shape::square, marker_shape::triangle,
                                               marker_shape::diamond};
    auto const k = static_cast<std::size_t>(std::max(style, 0));
    return {colours[k % std::size(colours)], patterns[k % std::size(patterns)], markers[k % std::size(markers)]};
}

std::vector<double> axis_ticks(double max) {
    if (max <= 0) return {0, 1};
    double const rough = max / 4;
    double const magnitude = std::pow(10.0, std::floor(std::log10(rough)));
    double step = magnitude;
    for (double const f : {1.0, 2.0, 5.0, 10.0}) {
        step = f * magnitude;
        if (step >= rough) break;
    }
    // Whole numbers for counts: a step below 1 only when the values are that small.
    if (max >= 1) step = std::max(step, 1.0);
    std::vector<double> out;
    for (double v = 0; out.empty() || out.back() < max - 1e-9; v += step) out.push_back(v);
    return out;
}

scene lay_out(chart const& c, double width, double height) {
    scene s;
    s.width = width;
    s.height = height;
    double const left = 56, right = 16, top = 36;
    // The legend wraps: entries of about 110 px each.
    double const legend_entry = 118;
    auto const per_row = std::max<std::size_t>(1, static_cast<std::size_t>((width - left) / legend_entry));
    auto const rows = (c.series.size() + per_row - 1) / per_row;
    double const bottom = 44 + 18 * static_cast<double>(rows);
    double const plot_w = width - left - right, plot_h = height - top - bottom;
    s.texts.push_back({{width / 2, 20}, c.title, text_anchor::middle, 14, true, false});

    auto const ticks = axis_ticks(largest(c));
    double const top_value = ticks.back();
    auto const y_of = [&](double v) { return top + plot_h - plot_h * v / top_value; };
    for (auto const t : ticks) {
        s.lines.push_back({{{left, y_of(t)}, {left + plot_w, y_of(t)}}, -1, false, t != 0});
        s.texts.push_back({{left - 6, y_of(t) + 4}, number(t), text_anchor::end, 10, false, false});
    }
    s.lines.push_back({{{left, top}, {left, top + plot_h}}, -1, false, false});
    s.texts.push_back({{14, top + plot_h / 2}, c.y_label, text_anchor::middle, 11, false, true});

    auto const n = std::max<std::size_t>(c.categories.size(), 1);
    double const slot = plot_w / static_cast<double>(n);
    // Labels thinned out when they would touch (about 34 px each).
    auto const every = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(34.0 / slot)));
    for (std::size_t k = 0; k < c.categories.size(); ++k) {
        if (k % every != 0) continue;
        s.texts.push_back({{left + slot * (static_cast<double>(k) + 0.5), top + plot_h + 16}, c.categories[k],
                           text_anchor::middle, 10, false, false});
    }
    s.texts.push_back({{left + plot_w / 2, top + plot_h + 32}, c.x_label, text_anchor::middle, 11, false, false});

    if (c.kind == chart_kind::bars) {
        auto const m = std::max<std::size_t>(c.series.size(), 1);
        double const bar = slot * 0.8 / static_cast<double>(m);
        for (std::size_t j = 0; j < c.series.size(); ++j) {
            auto const& series = c.series[j];
            for (std::size_t k = 0; k < series.values.size() && k < c.categories.size(); ++k) {
                auto const v = series.values[k].value_or(0);
                if (v <= 0) continue;
                double const x = left + slot * static_cast<double>(k) + slot * 0.1 + bar * static_cast<double>(j);
                s.rects.push_back({x, y_of(v), bar, top + plot_h - y_of(v), series.style,
                                   series.name + ", " + c.categories[k] + ": " + number(v)});
                if (bar >= 9) s.texts.push_back({{x + bar / 2, y_of(v) - 3}, number(v), text_anchor::middle, 9, false, false});
            }
        }
    } else {
        for (auto const& series : c.series) {
            scene_line run{{}, series.style, series.dashed, false};
            auto const flush = [&] {
                if (run.points.size() > 1) s.lines.push_back(run);
                run.points.clear();
            };
            for (std::size_t k = 0; k < series.values.size() && k < c.categories.size(); ++k) {
                if (!series.values[k]) {
                    flush();
                    continue;
                }
                point const at{left + slot * (static_cast<double>(k) + 0.5), y_of(*series.values[k])};
                run.points.push_back(at);
                s.markers.push_back({at, series.style, series.name + ", " + c.categories[k] + ": " + number(*series.values[k])});
            }
            flush();
        }
    }
    s.lines.push_back({{{left, top + plot_h}, {left + plot_w, top + plot_h}}, -1, false, false});

    for (std::size_t j = 0; j < c.series.size(); ++j) {
        auto const& series = c.series[j];
        double const x = left + legend_entry * static_cast<double>(j % per_row);
        double const y = height - 18 * static_cast<double>(rows - j / per_row) + 2;
        if (c.kind == chart_kind::bars) {
            s.rects.push_back({x, y - 10, 12, 12, series.style, series.name});
        } else {
            s.lines.push_back({{{x - 2, y - 4}, {x + 16, y - 4}}, series.style, series.dashed, false});
            s.markers.push_back({{x + 7, y - 4}, series.style, series.name});
        }
        s.texts.push_back({{x + 20, y}, series.name, text_anchor::start, 10, false, false});
    }
    return s;
}

chart incidents_by_severity(std::vector<bucket_figures> const& buckets, std::string title, std::string x_label) {
    chart c{chart_kind::bars, std::move(title), {}, std::move(x_label), "incidents", {}, {}};
    for (auto const& b : buckets) c.categories.push_back(b.label);
    for (auto const s : all_severities) {
        chart_series series{std::string(to_string(s)), {}, static_cast<int>(s), false};
        for (auto const& b : buckets) series.values.push_back(b.by_severity.contains(s) ? b.by_severity.at(s) : 0);
        c.series.push_back(std::move(series));
    }
    c.description = describe(c, "incidents");
    return c;
}

chart incidents_by_type(std::vector<bucket_figures> const& buckets, std::string title, std::string x_label) {
    chart c{chart_kind::bars, std::move(title), {}, std::move(x_label), "incidents", {}, {}};
    for (auto const& b : buckets) c.categories.push_back(b.label);
    for (auto const t : all_types) {
        chart_series series{std::string(to_string(t)), {}, static_cast<int>(t), false};
        bool any = false;
        for (auto const& b : buckets) {
            auto const n = b.by_type.contains(t) ? b.by_type.at(t) : 0;
            any = any || n > 0;
            series.values.push_back(n);
        }
        if (any) c.series.push_back(std::move(series));
    }
    c.description = describe(c, "incidents");
    return c;
}

chart response_times(std::vector<bucket_figures> const& buckets, response_metric m, std::string x_label) {
    bool const ack = m == response_metric::mtta;
    chart c{chart_kind::lines, std::string(ack ? "MTTA" : "MTTR") + " by severity (median solid, p90 dashed)", {},
            std::move(x_label), "minutes", {}, {}};
    for (auto const& b : buckets) c.categories.push_back(b.label);
    auto const minutes = [](std::optional<milliseconds> d) -> std::optional<double> {
        if (!d) return std::nullopt;
        return static_cast<double>(d->count()) / 60'000.0;
    };
    for (auto const s : all_severities) {
        chart_series median{std::string(to_string(s)) + " median", {}, static_cast<int>(s), false};
        chart_series p90{std::string(to_string(s)) + " p90", {}, static_cast<int>(s), true};
        bool any = false;
        for (auto const& b : buckets) {
            auto const& by = ack ? b.mtta : b.mttr;
            auto const it = by.find(s);
            median.values.push_back(it == by.end() ? std::nullopt : minutes(it->second.median));
            p90.values.push_back(it == by.end() ? std::nullopt : minutes(it->second.p90));
            any = any || it != by.end();
        }
        // Severities without a single figure stay out of the legend.
        if (!any) continue;
        c.series.push_back(std::move(median));
        c.series.push_back(std::move(p90));
    }
    c.description = describe(c, "minutes");
    return c;
}

}  // namespace warroom::core
