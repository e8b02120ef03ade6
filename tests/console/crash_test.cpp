// Crash safety: a console child receives a stream of commands and is killed with SIGKILL partway
// through. Every command it acknowledged (printed a reply for) must be in the store, which must
// open cleanly. The kill points vary so the crash lands at different moments of the stream.
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "adapters/store/open_store.hpp"
#include "core/incident.hpp"
#include "tests/console/console_process.hpp"
#include "tests/store/temp_dir.hpp"

namespace {

using warroom::console::test::child;
using warroom::console::test::count;
using warroom::store::test::temp_dir;

}  // namespace

TEST_CASE("a SIGKILL mid-stream loses no acknowledged command") {
    for (int const kill_after : {1, 17, 60, 133}) {
        CAPTURE(kill_after);
        temp_dir dir;
        auto const url = "sqlite://" + (dir / "w.db").string();
        {
            child c("console --as alice --in inc-1-db-down --clock 2026-01-05T09:00Z --store " + url);
            std::string stream = "/incident declare P1 DB down\n";
            for (int n = 1; n <= 200; ++n) stream += "/incident note step " + std::to_string(n) + "\n";
            c.write(stream);

            std::string seen;
            auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
            while (count(seen, "✓ Added to the INC-1 timeline") < static_cast<std::size_t>(kill_after) &&
                   std::chrono::steady_clock::now() < deadline) {
                seen += c.read_some(1000);
            }
            c.kill_hard();
            // Output read after the kill decision still counts as acknowledged.
            for (std::string more; !(more = c.read_some(100)).empty();) seen += more;
            auto const acked = count(seen, "✓ Added to the INC-1 timeline");
            REQUIRE(acked >= static_cast<std::size_t>(kill_after));

            auto const events = warroom::store::open_store(url)->load();
            auto const state = warroom::core::replay(events);
            REQUIRE(state.contains(1));
            std::size_t notes = 0;
            for (auto const& e : events) {
                if (auto const* note = std::get_if<warroom::core::note_added>(&e.what)) {
                    ++notes;
                    CHECK(note->text == "step " + std::to_string(notes));
                }
            }
            CHECK(notes >= acked);
        }
    }
}
