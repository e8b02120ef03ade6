// Patterns are small repeating surfaces (hatching, dots, lines) filled in the series' colour, so bars
// differ by more than colour, as in the SVG.
#include "adapters/charts/png.hpp"

#include <cairo.h>
#include <fontconfig/fontconfig.h>

#include <memory>
#include <stdexcept>

#include "core/chart.hpp"

namespace warroom::charts {
namespace {

struct rgb {
    double r, g, b;
};
rgb parse_colour(std::string const& hex) {
    auto const part = [&](std::size_t at) { return std::stoi(hex.substr(at, 2), nullptr, 16) / 255.0; };
    return {part(1), part(3), part(5)};
}

using surface_ptr = std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)>;
using context_ptr = std::unique_ptr<cairo_t, decltype(&cairo_destroy)>;
using pattern_ptr = std::unique_ptr<cairo_pattern_t, decltype(&cairo_pattern_destroy)>;

// A repeating 8×8 tile in the series' colour, or its plain colour for a solid fill.
pattern_ptr fill_of(core::series_style const& style) {
    auto const c = parse_colour(style.colour);
    if (style.pattern == core::fill_pattern::solid) return {cairo_pattern_create_rgb(c.r, c.g, c.b), &cairo_pattern_destroy};
    surface_ptr tile{cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 8, 8), &cairo_surface_destroy};
    context_ptr t{cairo_create(tile.get()), &cairo_destroy};
    cairo_set_source_rgb(t.get(), 1, 1, 1);
    cairo_paint(t.get());
    cairo_set_source_rgb(t.get(), c.r, c.g, c.b);
    cairo_set_line_width(t.get(), 2);
    switch (style.pattern) {
        case core::fill_pattern::hatched:
            cairo_move_to(t.get(), 0, 8);
            cairo_line_to(t.get(), 8, 0);
            cairo_move_to(t.get(), -1, 1);
            cairo_line_to(t.get(), 1, -1);
            cairo_move_to(t.get(), 7, 9);
            cairo_line_to(t.get(), 9, 7);
            cairo_stroke(t.get());
            break;
        case core::fill_pattern::dotted:
            cairo_arc(t.get(), 4, 4, 2, 0, 6.2832);
            cairo_fill(t.get());
            break;
        case core::fill_pattern::outlined:
            cairo_move_to(t.get(), 0, 4);
            cairo_line_to(t.get(), 8, 4);
            cairo_stroke(t.get());
            break;
        case core::fill_pattern::solid:
            break;
    }
    pattern_ptr p{cairo_pattern_create_for_surface(tile.get()), &cairo_pattern_destroy};
    cairo_pattern_set_extend(p.get(), CAIRO_EXTEND_REPEAT);
    return p;
}

void marker(cairo_t* cr, core::scene_marker const& m) {
    auto const style = core::style_of(m.style);
    auto const c = parse_colour(style.colour);
    double const x = m.at.x, y = m.at.y, r = 4;
    switch (style.marker) {
        case core::marker_shape::circle: cairo_arc(cr, x, y, r, 0, 6.2832); break;
        case core::marker_shape::square: cairo_rectangle(cr, x - r, y - r, 2 * r, 2 * r); break;
        case core::marker_shape::triangle:
            cairo_move_to(cr, x, y - r - 1);
            cairo_line_to(cr, x + r + 1, y + r);
            cairo_line_to(cr, x - r - 1, y + r);
            cairo_close_path(cr);
            break;
        case core::marker_shape::diamond:
            cairo_move_to(cr, x, y - r - 1);
            cairo_line_to(cr, x + r + 1, y);
            cairo_line_to(cr, x, y + r + 1);
            cairo_line_to(cr, x - r - 1, y);
            cairo_close_path(cr);
            break;
    }
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
    cairo_fill(cr);
}

cairo_status_t append(void* closure, unsigned char const* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<char const*>(data), length);
    return CAIRO_STATUS_SUCCESS;
}

}  // namespace

std::string render_png(core::chart const& c, int width, int height) {
    auto const s = core::lay_out(c, width, height);
    surface_ptr surface{cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height), &cairo_surface_destroy};
    context_ptr ctx{cairo_create(surface.get()), &cairo_destroy};
    auto* cr = ctx.get();
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);

    for (auto const& l : s.lines) {
        if (l.points.empty()) continue;
        if (l.style < 0) {
            auto const shade = l.grid ? 0.85 : 0.3;
            cairo_set_source_rgb(cr, shade, shade, shade);
            cairo_set_line_width(cr, 1);
        } else {
            auto const colour = parse_colour(core::style_of(l.style).colour);
            cairo_set_source_rgb(cr, colour.r, colour.g, colour.b);
            cairo_set_line_width(cr, 2);
        }
        double const dash[] = {6, 4};
        cairo_set_dash(cr, dash, l.dashed ? 2 : 0, 0);
        cairo_move_to(cr, l.points.front().x, l.points.front().y);
        for (auto const& p : l.points) cairo_line_to(cr, p.x, p.y);
        cairo_stroke(cr);
    }
    cairo_set_dash(cr, nullptr, 0, 0);
    for (auto const& r : s.rects) {
        auto const style = core::style_of(r.style);
        auto const fill = fill_of(style);
        cairo_rectangle(cr, r.x, r.y, r.w, r.h);
        cairo_set_source(cr, fill.get());
        cairo_fill_preserve(cr);
        auto const c2 = parse_colour(style.colour);
        cairo_set_source_rgb(cr, c2.r, c2.g, c2.b);
        cairo_set_line_width(cr, 1);
        cairo_stroke(cr);
    }
    for (auto const& m : s.markers) marker(cr, m);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    for (auto const& t : s.texts) {
        cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                               t.bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(cr, t.size);
        cairo_text_extents_t e;
        cairo_text_extents(cr, t.text.c_str(), &e);
        double const shift = t.anchor == core::text_anchor::start    ? 0
                             : t.anchor == core::text_anchor::middle ? e.x_advance / 2
                                                                     : e.x_advance;
        cairo_save(cr);
        cairo_translate(cr, t.at.x, t.at.y);
        if (t.vertical) cairo_rotate(cr, -1.5708);
        cairo_move_to(cr, -shift, 0);
        cairo_show_text(cr, t.text.c_str());
        cairo_restore(cr);
    }
    cairo_surface_flush(surface.get());
    std::string png;
    if (cairo_surface_write_to_png_stream(surface.get(), append, &png) != CAIRO_STATUS_SUCCESS || png.empty())
        throw std::runtime_error("cairo could not encode the chart as PNG");
    return png;
}

void release_static_data() {
    cairo_debug_reset_static_data();
    FcFini();
}

}  // namespace warroom::charts
