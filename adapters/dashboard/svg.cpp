#include "adapters/dashboard/svg.hpp"

#include <cstdio>
#include <set>

#include "core/chart.hpp"
#include "core/model.hpp"

namespace warroom::dashboard {
namespace {

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

std::string pattern_def(std::string const& id, int style) {
    auto const s = core::style_of(style);
    auto const colour = core::escape_html(s.colour);
    std::string shape;
    switch (s.pattern) {
        case core::fill_pattern::solid: return {};
        case core::fill_pattern::hatched:
            shape = "<path d=\"M0,8 L8,0 M-1,1 L1,-1 M7,9 L9,7\" stroke=\"" + colour + "\" stroke-width=\"2\"/>";
            break;
        case core::fill_pattern::dotted: shape = "<circle cx=\"4\" cy=\"4\" r=\"2\" fill=\"" + colour + "\"/>"; break;
        case core::fill_pattern::outlined:
            shape = "<path d=\"M0,4 L8,4\" stroke=\"" + colour + "\" stroke-width=\"2\"/>";
            break;
    }
    return "<pattern id=\"" + id + "-fill" + std::to_string(style) +
           "\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\"><rect width=\"8\" height=\"8\" fill=\"#fff\"/>" +
           shape + "</pattern>";
}

std::string fill_of(std::string const& id, int style) {
    auto const s = core::style_of(style);
    if (s.pattern == core::fill_pattern::solid) return core::escape_html(s.colour);
    return "url(#" + id + "-fill" + std::to_string(style) + ")";
}

std::string marker_svg(core::scene_marker const& m) {
    auto const s = core::style_of(m.style);
    double const x = m.at.x, y = m.at.y, r = 4;
    auto const fill = " fill=\"" + core::escape_html(s.colour) + "\"><title>" + core::escape_html(m.tip) + "</title>";
    switch (s.marker) {
        case core::marker_shape::circle:
            return "<circle cx=\"" + num(x) + "\" cy=\"" + num(y) + "\" r=\"" + num(r) + "\"" + fill + "</circle>";
        case core::marker_shape::square:
            return "<rect x=\"" + num(x - r) + "\" y=\"" + num(y - r) + "\" width=\"" + num(2 * r) + "\" height=\"" +
                   num(2 * r) + "\"" + fill + "</rect>";
        case core::marker_shape::triangle:
            return "<polygon points=\"" + num(x) + "," + num(y - r - 1) + " " + num(x + r + 1) + "," + num(y + r) + " " +
                   num(x - r - 1) + "," + num(y + r) + "\"" + fill + "</polygon>";
        case core::marker_shape::diamond:
            return "<polygon points=\"" + num(x) + "," + num(y - r - 1) + " " + num(x + r + 1) + "," + num(y) + " " +
                   num(x) + "," + num(y + r + 1) + " " + num(x - r - 1) + "," + num(y) + "\"" + fill + "</polygon>";
    }
    return {};
}

}  // namespace

std::string render_svg(core::chart const& c, std::string const& id, double width, double height) {
    auto const s = core::lay_out(c, width, height);
    std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + num(width) + " " + num(height) +
                      "\" role=\"img\" aria-labelledby=\"" + id + "-title " + id + "-desc\" class=\"chart\">";
    out += "<title id=\"" + id + "-title\">" + core::escape_html(c.title) + "</title>";
    out += "<desc id=\"" + id + "-desc\">" + core::escape_html(c.description) + "</desc>";
    std::set<int> styles;
    for (auto const& r : s.rects)
        if (r.style >= 0) styles.insert(r.style);
    std::string defs;
    for (auto const style : styles) defs += pattern_def(id, style);
    if (!defs.empty()) out += "<defs>" + defs + "</defs>";
    out += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>";
    for (auto const& l : s.lines) {
        if (l.points.empty()) continue;
        std::string points;
        for (auto const& p : l.points) points += (points.empty() ? "" : " ") + num(p.x) + "," + num(p.y);
        auto const stroke = l.style < 0 ? std::string(l.grid ? "#d9d9d9" : "#4d4d4d") : core::escape_html(core::style_of(l.style).colour);
        out += "<polyline points=\"" + points + "\" fill=\"none\" stroke=\"" + stroke + "\" stroke-width=\"" +
               (l.style < 0 ? "1" : "2") + "\"" + (l.dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>";
    }
    for (auto const& r : s.rects) {
        out += "<rect x=\"" + num(r.x) + "\" y=\"" + num(r.y) + "\" width=\"" + num(r.w) + "\" height=\"" + num(r.h) +
               "\" fill=\"" + fill_of(id, r.style) + "\" stroke=\"" + core::escape_html(core::style_of(r.style).colour) +
               "\"><title>" + core::escape_html(r.tip) + "</title></rect>";
    }
    for (auto const& m : s.markers) out += marker_svg(m);
    for (auto const& t : s.texts) {
        auto const anchor = t.anchor == core::text_anchor::start ? "start" : t.anchor == core::text_anchor::middle ? "middle" : "end";
        out += "<text x=\"" + num(t.at.x) + "\" y=\"" + num(t.at.y) + "\" text-anchor=\"" + anchor + "\" font-size=\"" +
               num(t.size) + "\"" + (t.bold ? " font-weight=\"bold\"" : "") +
               (t.vertical ? " transform=\"rotate(-90 " + num(t.at.x) + " " + num(t.at.y) + ")\"" : "") +
               " fill=\"#1a1a1a\">" + core::escape_html(t.text) + "</text>";
    }
    return out + "</svg>";
}

}  // namespace warroom::dashboard
