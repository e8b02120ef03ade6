// Scripted console sessions against their recorded transcripts. After an intended change, run
// with UPDATE_GOLDEN=1 to re-record, and read the diff before committing it.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "adapters/store/open_store.hpp"
#include "core/incident.hpp"
#include "tests/console/console_process.hpp"
#include "tests/store/temp_dir.hpp"

namespace {

using warroom::console::test::run_warroom;
using warroom::store::test::temp_dir;

std::string const sessions = std::string(WARROOM_SOURCE_DIR) + "/tests/console/sessions/";

std::string read_file(std::string const& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string console_args(temp_dir const& dir) {
    return "console --as alice --in incidents --clock 2026-01-05T09:00Z --store sqlite://" + (dir / "w.db").string();
}

// The first line where the transcripts part, for a readable failure.
std::string first_difference(std::string const& want, std::string const& got) {
    std::istringstream a(want), b(got);
    std::string la, lb;
    for (int line = 1;; ++line) {
        bool const ma = static_cast<bool>(std::getline(a, la)), mb = static_cast<bool>(std::getline(b, lb));
        if (!ma && !mb) return "identical";
        if (la != lb || ma != mb) {
            return "line " + std::to_string(line) + "\n  expected: " + (ma ? la : "<end>") +
                   "\n  actual:   " + (mb ? lb : "<end>");
        }
    }
}

// The log without its timestamps: what the bot logged (refusals), in order.
std::string log_lines(std::string const& err) {
    std::istringstream in(err);
    std::string out;
    for (std::string line; std::getline(in, line);) out += line.substr(line.find(' ') + 1) + "\n";
    return out;
}

// <name>.txt is the session, <name>.out its transcript, <name>.log what it logs (when it logs
// anything), <name>.toml its configuration (when it has one).
void check_session(std::string const& name) {
    temp_dir dir;
    auto const config = sessions + name + ".toml";
    auto const args = (std::ifstream(config) ? "--config " + config + " " : std::string{}) + console_args(dir);
    auto const r = run_warroom(args, read_file(sessions + name + ".txt"));
    CHECK(r.exit_code == 0);
    auto const golden = sessions + name + ".out";
    auto const log_golden = sessions + name + ".log";
    auto const logged = log_lines(r.err);
    if (std::getenv("UPDATE_GOLDEN")) {
        std::ofstream(golden, std::ios::binary) << r.out;
        if (!logged.empty()) std::ofstream(log_golden, std::ios::binary) << logged;
        return;
    }
    auto const want = read_file(golden);
    INFO(first_difference(want, r.out));
    CHECK(want == r.out);
    CHECK(logged == (std::ifstream(log_golden) ? read_file(log_golden) : std::string{}));
}

std::size_t events_in(temp_dir const& dir) {
    return warroom::store::open_store("sqlite://" + (dir / "w.db").string())->load().size();
}

}  // namespace

TEST_CASE("a full P0 lifecycle matches its transcript") { check_session("p0_lifecycle"); }

TEST_CASE("severity change and manual escalation and reopen match their transcript") { check_session("p1_changes"); }

TEST_CASE("bad input matches its transcript") { check_session("bad_input"); }

TEST_CASE("the declare form and a private security incident match their transcript") {
    check_session("forms_and_private");
}

TEST_CASE("action items, back-dated notes and a declined false alarm match their transcript") {
    check_session("actions_and_notes");
}

TEST_CASE("the announcement matches the incident after every kind of change, in the configured zone") {
    check_session("announcement");
}

TEST_CASE("who may do what: a bystander, a member, the IC and an admin, on public and private incidents") {
    check_session("authority");
}

TEST_CASE("bad input records nothing but the one valid declaration") {
    temp_dir dir;
    auto const r = run_warroom(console_args(dir), read_file(sessions + "bad_input.txt"));
    REQUIRE(r.exit_code == 0);
    auto const events = warroom::store::open_store("sqlite://" + (dir / "w.db").string())->load();
    // The declaration: the incident, its lead, its people.
    REQUIRE(events.size() == 3);
    CHECK(std::holds_alternative<warroom::core::declared>(events.front().what));
}

TEST_CASE("a 5000-character title is refused with the limit and nothing is stored") {
    temp_dir dir;
    auto const r = run_warroom(console_args(dir), "/incident declare P1 " + std::string(5000, 'x') + "\n");
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("⚠️ the title is 5000 characters long; the limit is 200") != std::string::npos);
    CHECK(r.out.find("Usage: /incident declare") != std::string::npos);
    CHECK(events_in(dir) == 0);
}

TEST_CASE("a second session on the same store continues the incident") {
    temp_dir dir;
    auto const first = run_warroom(console_args(dir), "/incident declare P1 Payments failing\n/clock +20m\n");
    REQUIRE(first.exit_code == 0);
    // The second session starts at the same simulated time: the 30-minute step is still ahead.
    auto const second = run_warroom(console_args(dir), "/incident status 1\n/clock +10m\n/clock +60m\n");
    REQUIRE(second.exit_code == 0);
    CHECK(second.out.find("INC-1 · Payments failing") != std::string::npos);
    // Fired before the restart: the page at declaration. It must not fire again.
    CHECK(second.out.find("On-call engineer paged") == std::string::npos);
    CHECK(second.out.find("engineering-manager step is due") != std::string::npos);
    CHECK(second.out.find("⏰ Update due for INC-1") != std::string::npos);
}

TEST_CASE("warroom report prints the same report the console posted") {
    temp_dir dir;
    // The lifecycle up to its report: later events (done, close) would rightly change the report.
    auto script = read_file(sessions + "p0_lifecycle.txt");
    script.resize(script.find("/incident report\n") + std::string("/incident report\n").size());
    auto const session = run_warroom(console_args(dir), script);
    REQUIRE(session.exit_code == 0);
    // As of the session's clock when it posted the report: overdue marks depend on the day.
    auto const store = "sqlite://" + (dir / "w.db").string();
    auto const report = run_warroom("--store " + store + " report 1 --as-of 2026-01-06T10:01Z", "");
    CHECK(report.exit_code == 0);
    REQUIRE(report.out.rfind("# Incident Report - API down\n", 0) == 0);
    CHECK(session.out.find(report.out) != std::string::npos);
    // Which store it read, on stderr: stdout stays the report alone.
    CHECK(report.err == "warroom report: INC-1 from " + store + "\n");
    auto const missing = run_warroom("--store " + store + " report 7", "");
    CHECK(missing.exit_code == 1);
    CHECK(missing.err == "warroom report: there is no INC-7 in " + store + "\n");
}

TEST_CASE("console and report share one default store, ./data/warroom.db, and report names it") {
    temp_dir dir;
    auto const session = run_warroom("console --as alice --in incidents --clock 2026-01-05T09:00Z",
                                     "/incident declare P1 API down\n", dir.path());
    REQUIRE(session.exit_code == 0);
    CHECK(std::filesystem::exists(dir / "data" / "warroom.db"));
    auto const report = run_warroom("report 1 --as-of 2026-01-05T10:30Z", "", dir.path());
    CHECK(report.exit_code == 0);
    CHECK(report.out.rfind("# Incident Report - API down\n", 0) == 0);
    CHECK(report.err == "warroom report: INC-1 from sqlite://data/warroom.db\n");
}

TEST_CASE("the report of an incident still going on says ongoing, as of when it was asked for") {
    temp_dir dir;
    REQUIRE(run_warroom(console_args(dir), "/incident declare P1 API down\n").exit_code == 0);
    auto const r = run_warroom("--store sqlite://" + (dir / "w.db").string() + " report 1 --as-of 2026-01-05T10:30Z", "");
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("**Duration**: 2026-01-05 09:00 UTC - ongoing (1h 30m so far, as of 2026-01-05 10:30 UTC)") !=
          std::string::npos);
    CHECK(r.out.find("- **Time to resolve**: ongoing") != std::string::npos);
    CHECK(r.out.find("0s") == std::string::npos);
}

TEST_CASE("a command line warroom cannot read exits 2 with what is wrong, before doing anything") {
    temp_dir dir;
    for (auto const* args : {"--bogus", "", "report", "console --clock nope", "report 1 --as-of x",
                             "console --as"}) {
        CAPTURE(args);
        auto const r = run_warroom(args, "", dir.path());
        CHECK(r.exit_code == 2);
        CHECK(r.out == "");
        CHECK(!r.err.empty());
    }
    // What was wrong is named: the option nobody knows, or the missing subcommand.
    CHECK(run_warroom("--bogus", "", dir.path()).err.find("not expected: --bogus") != std::string::npos);
    CHECK(run_warroom("--bogus console", "", dir.path()).err.find("--bogus") != std::string::npos);
    CHECK(run_warroom("", "", dir.path()).err.find("A subcommand is required") != std::string::npos);
    CHECK(!std::filesystem::exists(dir / "data"));
}

TEST_CASE("a config override of the P0 cadence changes when the nudge comes") {
    temp_dir dir;
    std::ofstream(dir / "warroom.toml") << "[severity.P0]\nupdate_every = \"10m\"\n";
    auto const script = "/incident declare P0 Search down\n/clock +9m\n/clock +2m\n";
    auto const with = run_warroom("--config " + (dir / "warroom.toml").string() + " " + console_args(dir), script);
    REQUIRE(with.exit_code == 0);
    auto const nudge = with.out.find("⏰ Update due for INC-1");
    REQUIRE(nudge != std::string::npos);
    // Not at +9m: the nudge follows the 09:10 clock line, after the 09:09 one.
    CHECK(with.out.find("🕐 2026-01-05 09:09 UTC") < with.out.find("🕐 2026-01-05 09:10 UTC"));
    CHECK(with.out.find("🕐 2026-01-05 09:10 UTC") < nudge);

    temp_dir plain;
    auto const without = run_warroom(console_args(plain), script);
    CHECK(without.out.find("⏰ Update due") == std::string::npos);
}

TEST_CASE("check-config names the file and key of a malformed config and exits 2") {
    temp_dir dir;
    auto const file = (dir / "bad.toml").string();
    std::ofstream(file) << "[severity.P0]\nupdate_every = \"3x\"\n";
    auto const r = run_warroom("--config " + file + " check-config", "");
    CHECK(r.exit_code == 2);
    CHECK(r.out == "");
    CHECK(r.err ==
          "warroom: " + file + ": severity.P0.update_every: \"3x\" is not a duration (use 90s, 30m, 2h, 1d)\n");

    std::ofstream(file) << "[slack\nchannel_prefix = 1\n";
    auto const syntax = run_warroom("--config " + file + " check-config", "");
    CHECK(syntax.exit_code == 2);
    CHECK(syntax.err.rfind("warroom: " + file + ":1:", 0) == 0);
    CHECK(std::count(syntax.err.begin(), syntax.err.end(), '\n') == 1);

    auto const good =
        run_warroom("--config " + std::string(WARROOM_SOURCE_DIR) + "/deploy/warroom.example.toml check-config", "");
    CHECK(good.exit_code == 0);
    CHECK(good.err == "");
}

TEST_CASE("warroom run without Slack tokens says what is missing and exits 2") {
    auto const r = run_warroom("run", "");
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("SLACK_APP_TOKEN and SLACK_BOT_TOKEN must be set") != std::string::npos);
}

TEST_CASE("end of input inside a form abandons the form, not the session, and submits nothing") {
    temp_dir dir;
    auto const r = run_warroom(console_args(dir), "/incident declare\nAPI down\nP1\n");
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("└ form cancelled; nothing was submitted") != std::string::npos);
    CHECK(r.out.find("INCIDENT") == std::string::npos);
    CHECK(events_in(dir) == 0);
}

TEST_CASE("a log line stays one line: line separators, C1 controls and backslashes are escaped") {
    temp_dir dir;
    // A refusal is logged with who tried; here a name holding U+2028, NEL (U+0085) and a backslash.
    auto const r = run_warroom(console_args(dir), "/incident declare P1 Checkout errors\n"
                                                  "/as mal\\n\xE2\x80\xA8lo\xC2\x85ry\n/incident close 1 nope\n");
    CHECK(r.exit_code == 0);
    auto const logged = log_lines(r.err);
    CAPTURE(logged);
    CHECK(logged.find("refused: mal\\\\n\\u2028lo\\u0085ry close on INC-1") != std::string::npos);
    CHECK(logged.find("\xE2\x80\xA8") == std::string::npos);
    CHECK(logged.find("\xC2\x85") == std::string::npos);
}

TEST_CASE("text that is not UTF-8 is refused and the session goes on") {
    temp_dir dir;
    auto const r = run_warroom(console_args(dir), "/incident declare P2 Bad \xff\xfe bytes\n/incident list all\n");
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("⚠️ the command is not valid UTF-8 text") != std::string::npos);
    CHECK(r.out.find("🗂️ All incidents") != std::string::npos);
    CHECK(events_in(dir) == 0);
}

TEST_CASE("a war room's buttons and checklist can be pressed in a later session") {
    temp_dir dir;
    REQUIRE(run_warroom(console_args(dir), "/incident declare P1 Payments failing\n").exit_code == 0);
    auto const later = run_warroom(console_args(dir), "/in inc-1-payments-failing\n/click Acknowledge\n/click 1\n");
    CHECK(later.exit_code == 0);
    CHECK(later.out.find("✅ INC-1 acknowledged by @alice") != std::string::npos);
    CHECK(later.out.find("☑️ @alice checked \"Incident detected\" (Detection)") != std::string::npos);
}

TEST_CASE("a checklist number always means the current phase's checklist") {
    temp_dir dir;
    auto const r =
        run_warroom(console_args(dir),
                    "/incident declare P2 Reports slow\n/in inc-1-reports-slow\n/incident phase containment\n"
                    "/incident resolve fixed\n/incident reopen still slow\n/click 1\n");
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("☑️ @alice checked \"Gather incident context\" (Investigation)") != std::string::npos);
}

TEST_CASE("a private incident's action items and roles are for its people only") {
    temp_dir dir;
    auto const r = run_warroom(console_args(dir),
                               "/incident declare P1 type:privacy Customer SSNs leaked via export\n"
                               "/incident action 1 rotate the export bucket keys @bob\n/as mallory\n"
                               "/incident actions 1\n/incident role 1\n/in inc-1-privacy\n/incident status 1\n");
    CHECK(r.exit_code == 0);
    auto const refused = "⚠️ INC-1 is private: only its war room's members and the incident admins can see or change it";
    std::size_t refusals = 0;
    for (auto at = r.out.find(refused); at != std::string::npos; at = r.out.find(refused, at + 1)) ++refusals;
    CHECK(refusals == 3);
    CHECK(r.out.find("🔒 you cannot enter #inc-1-privacy") != std::string::npos);
    // The action item's text: the line typed, its post in the war room, and nowhere else.
    auto const typed = r.out.find("rotate the export bucket keys");
    auto const posted = r.out.find("rotate the export bucket keys", typed + 1);
    CHECK(r.out.rfind("rotate the export bucket keys") == posted);
    CHECK(r.out.rfind("── #inc-1-privacy ──", posted) != std::string::npos);
    CHECK(r.out.find("Customer SSNs", r.out.find("/as mallory")) == std::string::npos);
}
