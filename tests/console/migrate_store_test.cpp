// `warroom migrate-store` as an operator runs it: a store written by console sessions copied into
// PostgreSQL (another SQLite file without the test command's server): one line per table, the
// reports `warroom report` prints from both stores byte-equal, a second run refused in one line
// with exit 1, a missing source with exit 2, and the database password in no output.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/console/console_process.hpp"
#include "tests/store/adapters.hpp"
#include "tests/store/pg_support.hpp"
#include "tests/store/temp_dir.hpp"

namespace {

using warroom::console::test::run_warroom;
using warroom::store::test::temp_dir;

std::string session(std::string const& name) {
    std::ifstream in(std::string(WARROOM_SOURCE_DIR) + "/tests/console/sessions/" + name + ".txt", std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The password of scheme://user:password@host/…, or "" when the URL has none.
std::string password_of(std::string const& url) {
    auto const start = url.find(':', url.find("://") + 3) + 1;
    auto const at = url.find('@');
    return start == 0 || at == std::string::npos || start > at ? std::string{} : url.substr(start, at - start);
}

std::string report(std::string const& store, int n) {
    auto const r =
        run_warroom("--store '" + store + "' report " + std::to_string(n) + " --as-of 2026-02-01T09:00Z", "");
    CHECK(r.exit_code == 0);
    return r.out;
}

}  // namespace

TEST_CASE("warroom migrate-store copies a console's store, and the reports read the same from the copy") {
    temp_dir dir;
    auto const source = "sqlite://" + (dir / "w.db").string();
    for (auto const* name : {"p0_lifecycle", "p1_changes", "actions_and_notes"}) {
        CAPTURE(name);
        REQUIRE(
            run_warroom("console --as alice --in incidents --clock 2026-01-05T09:00Z --store " + source, session(name))
                .exit_code == 0);
    }
    auto const pg = warroom::store::test::fresh_pg_database();
    auto const target = pg ? *pg : "sqlite://" + (dir / "copy.db").string();
    auto const secret = password_of(target);

    auto const copied = run_warroom("migrate-store --from " + source + " --to '" + target + "'", "");
    CAPTURE(copied.err);
    REQUIRE(copied.exit_code == 0);
    for (auto const* table : {"events", "reminders_fired", "outbox", "delivery_facts"}) {
        CAPTURE(table);
        CHECK(("\n" + copied.out).find("\n" + std::string(table) + ": ") != std::string::npos);
    }
    CHECK(copied.out.find(" rows copied (source ") != std::string::npos);

    for (int n = 1; n <= 3; ++n) {
        CAPTURE(n);
        auto const before = report(source, n);
        CHECK(before.starts_with("# Incident Report - "));
        CHECK(report(target, n) == before);
    }

    auto const again = run_warroom("migrate-store --from " + source + " --to '" + target + "'", "");
    CHECK(again.exit_code == 1);
    CHECK(again.out.empty());
    CHECK(again.err.find("the target is not empty (events: ") != std::string::npos);
    CHECK(again.err.find('\n') == again.err.size() - 1);

    auto const missing = run_warroom("migrate-store --from sqlite://" + (dir / "nowhere.db").string() + " --to '" +
                                         "sqlite://" + (dir / "other.db").string() + "'",
                                     "");
    CHECK(missing.exit_code == 2);
    CHECK(missing.err.starts_with("warroom migrate-store: source sqlite://"));
    CHECK(!std::filesystem::exists(dir / "other.db"));

    if (!secret.empty()) {
        for (auto const* out : {&copied.out, &copied.err, &again.out, &again.err}) {
            CHECK(out->find(secret) == std::string::npos);
        }
        CHECK(copied.out.find(":***@") != std::string::npos);
    }
}

TEST_CASE("warroom migrate makes the tables, again changes nothing, and refuses a newer schema in one line with exit 2") {
    temp_dir dir;
    for (auto const& a : warroom::store::test::adapters(dir)) {
        auto const& url = a.url;
        CAPTURE(a.name);
        auto const made = run_warroom("--store '" + url + "' migrate", "");
        CAPTURE(made.err);
        CHECK(made.exit_code == 0);
        CHECK(made.out.find("has this version's tables") != std::string::npos);
        // The tables are there: a console session writes to them.
        CHECK(run_warroom("console --as alice --in incidents --clock 2026-01-05T09:00Z --store '" + url + "'",
                          session("p0_lifecycle"))
                  .exit_code == 0);
        CHECK(run_warroom("--store '" + url + "' migrate", "").exit_code == 0);
        CHECK(report(url, 1).find("INC-1") != std::string::npos);

        a.exec("INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)");
        auto const newer = run_warroom("--store '" + url + "' migrate", "");
        CHECK(newer.exit_code == 2);
        CHECK(newer.err.find("warroom migrate: ") == 0);
        CHECK(newer.err.find("schema version 999 is newer than this build of warroom knows") != std::string::npos);
        CHECK(std::count(newer.err.begin(), newer.err.end(), '\n') == 1);
        auto const secret = password_of(url);
        if (!secret.empty()) CHECK(newer.err.find(secret) == std::string::npos);
    }
}
