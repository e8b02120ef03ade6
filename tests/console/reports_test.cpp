// The procedures' weekly summary in a simulated week: `/clock +7d` in `warroom console` posts it
// once, with its chart, at Monday 09:00; a restart on the same store does not post it again, and
// `warroom report --weekly` prints the Markdown that was posted.
#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "tests/console/console_process.hpp"
#include "tests/store/temp_dir.hpp"

namespace {

using warroom::console::test::count;
using warroom::console::test::run_warroom;
using warroom::store::test::temp_dir;

constexpr char const* weekly = "Weekly incident summary — week of 2026-01-05";

}  // namespace

TEST_CASE("a simulated week posts exactly one weekly summary with a chart, also across a restart") {
    temp_dir dir;
    auto const config = (dir / "warroom.toml").string();
    std::ofstream{config} << "[reports]\nchannel = \"#incident-reports\"\ntime_zone = \"Europe/Berlin\"\n";
    auto const args = "--config " + config + " --store sqlite://" + (dir / "w.db").string() + " console --as alice";

    // Monday 2026-01-05 11:00 in Berlin: the week's first incident, then the week goes by.
    auto const first = run_warroom(args + " --clock 2026-01-05T10:00Z",
                                   "/incident declare P2 Search slow\n/incident ack 1\n/clock +7d\n");
    CAPTURE(first.out);
    CHECK(first.exit_code == 0);
    CHECK(count(first.out, "── #incident-reports ── warroom") == 1);
    CHECK(count(first.out, weekly) == 2);  // the headline and the Markdown's heading
    CHECK(count(first.out, "[chart] Incidents per day by severity, week of 2026-01-05") == 1);
    // Posted at 09:00 in Berlin (the console shows UTC) on the Monday after.
    CHECK(first.out.find("🕐 2026-01-12 08:00 UTC\n── #incident-reports") != std::string::npos);

    // Restarted on the same store later that Monday: the week was reported already.
    auto const again = run_warroom(args + " --clock 2026-01-12T10:00Z", "/clock +1h\n");
    CAPTURE(again.out);
    CHECK(again.exit_code == 0);
    CHECK(count(again.out, weekly) == 0);
    CHECK(count(again.out, "#incident-reports") == 0);

    // The command line prints what was posted, as of the moment it was posted.
    auto const printed = run_warroom("--config " + config + " --store sqlite://" + (dir / "w.db").string() +
                                         " report --weekly --as-of 2026-01-12T08:00Z",
                                     "");
    CHECK(printed.exit_code == 0);
    CHECK(printed.out.starts_with(std::string("# ") + weekly + "\n"));
    CHECK(first.out.find(printed.out) != std::string::npos);
    CHECK(printed.out.find("| P2 Medium | 1 |") != std::string::npos);
}

TEST_CASE("warroom report asks for an incident number or one period") {
    temp_dir dir;
    auto const store = " --store sqlite://" + (dir / "w.db").string();
    CHECK(run_warroom("console --clock 2026-06-01T10:00Z" + store, "/incident declare P3 Typo\n").exit_code == 0);
    auto const neither = run_warroom("report" + store, "");
    CHECK(neither.exit_code == 2);
    CHECK(neither.err.find("give an incident number N, or --weekly, --monthly, --quarterly or --annual") !=
          std::string::npos);
    CHECK(run_warroom("report 1 --weekly" + store, "").exit_code == 2);
    CHECK(run_warroom("report --weekly --monthly" + store, "").exit_code == 2);
    auto const annual = run_warroom("report --annual --as-of 2027-01-02T00:00Z" + store, "");
    CHECK(annual.exit_code == 0);
    CHECK(annual.out.starts_with("# Annual reliability report — 2026\n"));
    CHECK(run_warroom("report 1" + store, "").exit_code == 0);
}
