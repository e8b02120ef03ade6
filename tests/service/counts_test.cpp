// The counts a metrics scrape reads (unresolved incidents by severity, resolved ones not yet
// closed) follow every change without a scan: a declaration, a severity change, resolve, reopen,
// close; and they are the same after a restart (a full load) and in a replica that caught up.
#include <doctest/doctest.h>

#include <array>

#include "tests/service/support.hpp"

namespace {

using namespace warroom::service_test;

// P0..P3 active, then awaiting close.
std::array<int, 5> counts(service const& s) {
    return {s.active(severity::p0), s.active(severity::p1), s.active(severity::p2), s.active(severity::p3),
            s.awaiting_close()};
}

}  // namespace

TEST_CASE("open incidents by severity and resolved ones are counted as they change") {
    harness h;
    CHECK(counts(h.svc()) == std::array{0, 0, 0, 0, 0});
    h.run("alice", "incidents", t0, "declare P1 type:outage Checkout errors");
    h.run("alice", "incidents", t0 + 1min, "declare P2 Search is slow");
    CHECK(counts(h.svc()) == std::array{0, 1, 1, 0, 0});
    auto const room = h.svc().find(1)->channel;
    h.run("alice", room, t0 + 2min, "severity P0");
    CHECK(counts(h.svc()) == std::array{1, 0, 1, 0, 0});
    h.run("alice", room, t0 + 3min, "resolve Rolled back the deploy");
    CHECK(counts(h.svc()) == std::array{0, 0, 1, 0, 1});
    h.run("alice", room, t0 + 4min, "reopen errors are back");
    CHECK(counts(h.svc()) == std::array{1, 0, 1, 0, 0});
    h.run("alice", room, t0 + 5min, "resolve Rolled back again");
    h.run("alice", room, t0 + 6min, "close covered by the weekly review");
    CHECK(counts(h.svc()) == std::array{0, 0, 1, 0, 0});

    auto other = h.another();  // a replica that loads the log, then catches up with what comes next
    h.run("alice", "incidents", t0 + 7min, "declare P3 Typo on the status page");
    other.svc().handle({"alice", "incidents", t0 + 8min}, "list");
    CHECK(counts(other.svc()) == std::array{0, 0, 1, 1, 0});

    h.restart();
    CHECK(counts(h.svc()) == std::array{0, 0, 1, 1, 0});
}
