// Patterns are small repeating surfaces (hatching, dots, lines) filled in the series' colour, so bars
// differ by more than colour, as in the SVG.
#include "adapters/charts/png.hpp"

#include <cairo.h>
#include <fontconfig/fontconfig.h>

#include <memory>
#include <stdexcept>

#include "adapters/loaded/loaded.hpp"
#include "core/chart.hpp"

namespace warroom::charts {
namespace {

// cairo (and fontconfig, which it uses for fonts) are opened at the first chart: linked, they, libcurl
// and what they link added 5.4 MiB to the resident memory of every daemon, those drawing no chart too.
struct cairo_api {
    decltype(&::cairo_arc) cairo_arc;
    decltype(&::cairo_close_path) cairo_close_path;
    decltype(&::cairo_create) cairo_create;
    decltype(&::cairo_debug_reset_static_data) cairo_debug_reset_static_data;
    decltype(&::cairo_destroy) cairo_destroy;
    decltype(&::cairo_fill) cairo_fill;
    decltype(&::cairo_fill_preserve) cairo_fill_preserve;
    decltype(&::cairo_image_surface_create) cairo_image_surface_create;
    decltype(&::cairo_line_to) cairo_line_to;
    decltype(&::cairo_move_to) cairo_move_to;
    decltype(&::cairo_paint) cairo_paint;
    decltype(&::cairo_pattern_create_for_surface) cairo_pattern_create_for_surface;
    decltype(&::cairo_pattern_create_rgb) cairo_pattern_create_rgb;
    decltype(&::cairo_pattern_destroy) cairo_pattern_destroy;
    decltype(&::cairo_pattern_set_extend) cairo_pattern_set_extend;
    decltype(&::cairo_rectangle) cairo_rectangle;
    decltype(&::cairo_restore) cairo_restore;
    decltype(&::cairo_rotate) cairo_rotate;
    decltype(&::cairo_save) cairo_save;
    decltype(&::cairo_select_font_face) cairo_select_font_face;
    decltype(&::cairo_set_dash) cairo_set_dash;
    decltype(&::cairo_set_font_size) cairo_set_font_size;
    decltype(&::cairo_set_line_width) cairo_set_line_width;
    decltype(&::cairo_set_source) cairo_set_source;
    decltype(&::cairo_set_source_rgb) cairo_set_source_rgb;
    decltype(&::cairo_show_text) cairo_show_text;
    decltype(&::cairo_stroke) cairo_stroke;
    decltype(&::cairo_surface_destroy) cairo_surface_destroy;
    decltype(&::cairo_surface_flush) cairo_surface_flush;
    decltype(&::cairo_surface_write_to_png_stream) cairo_surface_write_to_png_stream;
    decltype(&::cairo_text_extents) cairo_text_extents;
    decltype(&::cairo_translate) cairo_translate;
};

// Set once the libraries are open: until then there is nothing of theirs to release.
cairo_api const* opened = nullptr;

cairo_api const& cairo() {
    static cairo_api const api = [] {
        loaded::library const library{"libcairo.so.2", "libcairo2"};
        cairo_api a{};
        library.load(a.cairo_arc, "cairo_arc");
        library.load(a.cairo_close_path, "cairo_close_path");
        library.load(a.cairo_create, "cairo_create");
        library.load(a.cairo_debug_reset_static_data, "cairo_debug_reset_static_data");
        library.load(a.cairo_destroy, "cairo_destroy");
        library.load(a.cairo_fill, "cairo_fill");
        library.load(a.cairo_fill_preserve, "cairo_fill_preserve");
        library.load(a.cairo_image_surface_create, "cairo_image_surface_create");
        library.load(a.cairo_line_to, "cairo_line_to");
        library.load(a.cairo_move_to, "cairo_move_to");
        library.load(a.cairo_paint, "cairo_paint");
        library.load(a.cairo_pattern_create_for_surface, "cairo_pattern_create_for_surface");
        library.load(a.cairo_pattern_create_rgb, "cairo_pattern_create_rgb");
        library.load(a.cairo_pattern_destroy, "cairo_pattern_destroy");
        library.load(a.cairo_pattern_set_extend, "cairo_pattern_set_extend");
        library.load(a.cairo_rectangle, "cairo_rectangle");
        library.load(a.cairo_restore, "cairo_restore");
        library.load(a.cairo_rotate, "cairo_rotate");
        library.load(a.cairo_save, "cairo_save");
        library.load(a.cairo_select_font_face, "cairo_select_font_face");
        library.load(a.cairo_set_dash, "cairo_set_dash");
        library.load(a.cairo_set_font_size, "cairo_set_font_size");
        library.load(a.cairo_set_line_width, "cairo_set_line_width");
        library.load(a.cairo_set_source, "cairo_set_source");
        library.load(a.cairo_set_source_rgb, "cairo_set_source_rgb");
        library.load(a.cairo_show_text, "cairo_show_text");
        library.load(a.cairo_stroke, "cairo_stroke");
        library.load(a.cairo_surface_destroy, "cairo_surface_destroy");
        library.load(a.cairo_surface_flush, "cairo_surface_flush");
        library.load(a.cairo_surface_write_to_png_stream, "cairo_surface_write_to_png_stream");
        library.load(a.cairo_text_extents, "cairo_text_extents");
        library.load(a.cairo_translate, "cairo_translate");
        return a;
    }();
    opened = &api;
    return api;
}

struct rgb {
    double r, g, b;
};
rgb parse_colour(std::string const& hex) {
    auto const part = [&](std::size_t at) { return std::stoi(hex.substr(at, 2), nullptr, 16) / 255.0; };
    return {part(1), part(3), part(5)};
}

using surface_ptr = std::unique_ptr<cairo_surface_t, decltype(&::cairo_surface_destroy)>;
using context_ptr = std::unique_ptr<cairo_t, decltype(&::cairo_destroy)>;
using pattern_ptr = std::unique_ptr<cairo_pattern_t, decltype(&::cairo_pattern_destroy)>;

// A repeating 8×8 tile in the series' colour, or its plain colour for a solid fill.
pattern_ptr fill_of(core::series_style const& style) {
    auto const c = parse_colour(style.colour);
    if (style.pattern == core::fill_pattern::solid)
        return {cairo().cairo_pattern_create_rgb(c.r, c.g, c.b), cairo().cairo_pattern_destroy};
    surface_ptr tile{cairo().cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 8, 8), cairo().cairo_surface_destroy};
    context_ptr t{cairo().cairo_create(tile.get()), cairo().cairo_destroy};
    cairo().cairo_set_source_rgb(t.get(), 1, 1, 1);
    cairo().cairo_paint(t.get());
    cairo().cairo_set_source_rgb(t.get(), c.r, c.g, c.b);
    cairo().cairo_set_line_width(t.get(), 2);
    switch (style.pattern) {
        case core::fill_pattern::hatched:
            cairo().cairo_move_to(t.get(), 0, 8);
            cairo().cairo_line_to(t.get(), 8, 0);
            cairo().cairo_move_to(t.get(), -1, 1);
            cairo().cairo_line_to(t.get(), 1, -1);
            cairo().cairo_move_to(t.get(), 7, 9);
            cairo().cairo_line_to(t.get(), 9, 7);
            cairo().cairo_stroke(t.get());
            break;
        case core::fill_pattern::dotted:
            cairo().cairo_arc(t.get(), 4, 4, 2, 0, 6.2832);
            cairo().cairo_fill(t.get());
            break;
        case core::fill_pattern::outlined:
            cairo().cairo_move_to(t.get(), 0, 4);
            cairo().cairo_line_to(t.get(), 8, 4);
            cairo().cairo_stroke(t.get());
            break;
        case core::fill_pattern::solid:
            break;
    }
    pattern_ptr p{cairo().cairo_pattern_create_for_surface(tile.get()), cairo().cairo_pattern_destroy};
    cairo().cairo_pattern_set_extend(p.get(), CAIRO_EXTEND_REPEAT);
    return p;
}

void marker(cairo_t* cr, core::scene_marker const& m) {
    auto const style = core::style_of(m.style);
    auto const c = parse_colour(style.colour);
    double const x = m.at.x, y = m.at.y, r = 4;
    switch (style.marker) {
        case core::marker_shape::circle:
            cairo().cairo_arc(cr, x, y, r, 0, 6.2832);
            break;
        case core::marker_shape::square:
            cairo().cairo_rectangle(cr, x - r, y - r, 2 * r, 2 * r);
            break;
        case core::marker_shape::triangle:
            cairo().cairo_move_to(cr, x, y - r - 1);
            cairo().cairo_line_to(cr, x + r + 1, y + r);
            cairo().cairo_line_to(cr, x - r - 1, y + r);
            cairo().cairo_close_path(cr);
            break;
        case core::marker_shape::diamond:
            cairo().cairo_move_to(cr, x, y - r - 1);
            cairo().cairo_line_to(cr, x + r + 1, y);
            cairo().cairo_line_to(cr, x, y + r + 1);
            cairo().cairo_line_to(cr, x - r - 1, y);
            cairo().cairo_close_path(cr);
            break;
    }
    cairo().cairo_set_source_rgb(cr, c.r, c.g, c.b);
    cairo().cairo_fill(cr);
}

cairo_status_t append(void* closure, unsigned char const* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<char const*>(data), length);
    return CAIRO_STATUS_SUCCESS;
}

}  // namespace

std::string render_png(core::chart const& c, int width, int height) {
    auto const s = core::lay_out(c, width, height);
    surface_ptr surface{cairo().cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height),
                        cairo().cairo_surface_destroy};
    context_ptr ctx{cairo().cairo_create(surface.get()), cairo().cairo_destroy};
    auto* cr = ctx.get();
    cairo().cairo_set_source_rgb(cr, 1, 1, 1);
    cairo().cairo_paint(cr);

    for (auto const& l : s.lines) {
        if (l.points.empty()) continue;
        if (l.style < 0) {
            auto const shade = l.grid ? 0.85 : 0.3;
            cairo().cairo_set_source_rgb(cr, shade, shade, shade);
            cairo().cairo_set_line_width(cr, 1);
        } else {
            auto const colour = parse_colour(core::style_of(l.style).colour);
            cairo().cairo_set_source_rgb(cr, colour.r, colour.g, colour.b);
            cairo().cairo_set_line_width(cr, 2);
        }
        double const dash[] = {6, 4};
        cairo().cairo_set_dash(cr, dash, l.dashed ? 2 : 0, 0);
        cairo().cairo_move_to(cr, l.points.front().x, l.points.front().y);
        for (auto const& p : l.points) cairo().cairo_line_to(cr, p.x, p.y);
        cairo().cairo_stroke(cr);
    }
    cairo().cairo_set_dash(cr, nullptr, 0, 0);
    for (auto const& r : s.rects) {
        auto const style = core::style_of(r.style);
        auto const fill = fill_of(style);
        cairo().cairo_rectangle(cr, r.x, r.y, r.w, r.h);
        cairo().cairo_set_source(cr, fill.get());
        cairo().cairo_fill_preserve(cr);
        auto const c2 = parse_colour(style.colour);
        cairo().cairo_set_source_rgb(cr, c2.r, c2.g, c2.b);
        cairo().cairo_set_line_width(cr, 1);
        cairo().cairo_stroke(cr);
    }
    for (auto const& m : s.markers) marker(cr, m);
    cairo().cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    for (auto const& t : s.texts) {
        cairo().cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                                       t.bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
        cairo().cairo_set_font_size(cr, t.size);
        cairo_text_extents_t e;
        cairo().cairo_text_extents(cr, t.text.c_str(), &e);
        double const shift = t.anchor == core::text_anchor::start    ? 0
                             : t.anchor == core::text_anchor::middle ? e.x_advance / 2
                                                                     : e.x_advance;
        cairo().cairo_save(cr);
        cairo().cairo_translate(cr, t.at.x, t.at.y);
        if (t.vertical) cairo().cairo_rotate(cr, -1.5708);
        cairo().cairo_move_to(cr, -shift, 0);
        cairo().cairo_show_text(cr, t.text.c_str());
        cairo().cairo_restore(cr);
    }
    cairo().cairo_surface_flush(surface.get());
    std::string png;
    if (cairo().cairo_surface_write_to_png_stream(surface.get(), append, &png) != CAIRO_STATUS_SUCCESS || png.empty())
        throw std::runtime_error("cairo could not encode the chart as PNG");
    return png;
}

void release_static_data() {
    if (!opened) return;
    opened->cairo_debug_reset_static_data();
    // fontconfig is loaded by cairo by now: this opens no new library.
    decltype(&::FcFini) fini = nullptr;
    loaded::library{"libfontconfig.so.1", "libfontconfig1"}.load(fini, "FcFini");
    fini();
}

}  // namespace warroom::charts
