// The PNG renderer: a real PNG (signature, IHDR of the asked size) with pixels drawn, for each kind of chart.
#include <doctest/doctest.h>

#include "adapters/charts/png.hpp"
#include "core/chart.hpp"

namespace {

using namespace warroom;

std::uint32_t big_endian(std::string const& s, std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 4; ++k) v = (v << 8) | static_cast<unsigned char>(s[at + k]);
    return v;
}

std::vector<core::bucket_figures> weeks() {
    std::vector<core::bucket_figures> out;
    for (int k = 0; k < 6; ++k) {
        core::bucket_figures b;
        b.label = "11-" + std::to_string(10 + k);
        b.incidents = k;
        b.by_severity[core::severity::p1] = k;
        b.by_severity[core::severity::p3] = 1;
        b.mtta[core::severity::p1].median = core::milliseconds{60'000 * (k + 1)};
        b.mtta[core::severity::p1].p90 = core::milliseconds{120'000 * (k + 1)};
        out.push_back(b);
    }
    return out;
}

// The font caches freed after each case, as the daemon does at exit: LeakSanitizer sees none.
struct releases_fonts {
    ~releases_fonts() { charts::release_static_data(); }
};

}  // namespace

TEST_CASE("a chart renders as a PNG of the asked size with more than a blank page in it") {
    releases_fonts const after;
    for (auto const& c : {core::incidents_by_severity(weeks(), "Incidents per week", "week"),
                          core::response_times(weeks(), core::response_metric::mtta, "week")}) {
        CAPTURE(c.title);
        auto const png = charts::render_png(c, 800, 360);
        REQUIRE(png.size() > 33);
        CHECK(png.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
        CHECK(png.substr(12, 4) == "IHDR");
        CHECK(big_endian(png, 16) == 800);
        CHECK(big_endian(png, 20) == 360);
        CHECK(png.substr(png.size() - 8, 4) == "IEND");
        // A blank 800×360 PNG compresses to well under 2 KB; text, bars and lines do not.
        CHECK(png.size() > 8000);
    }
}

TEST_CASE("a chart without data still renders: axes, labels and legend") {
    releases_fonts const after;
    auto const png = charts::render_png(core::incidents_by_severity({}, "Incidents per day", "day"));
    CHECK(png.substr(1, 3) == "PNG");
    CHECK(big_endian(png, 16) == static_cast<std::uint32_t>(charts::png_width));
}
