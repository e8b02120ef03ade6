// The exposition format as Prometheus reads it: HELP and TYPE before each metric, histogram
// buckets cumulative with "less than or equal" bounds, +Inf equal to _count, _sum in seconds,
// label values and HELP text escaped; labelled counters by closed sets with a catch-all value.
#include <doctest/doctest.h>

#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include "adapters/metrics/metrics.hpp"

using namespace std::chrono_literals;
using warroom::metrics::kind;
using warroom::metrics::label;
using warroom::metrics::registry;

namespace {

// The value of the one series line that starts with `series` (name and labels), or -1.
double value_of(std::string const& text, std::string const& series) {
    auto const at = text.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + series.size() + 2));
}

}  // namespace

TEST_CASE("a histogram renders cumulative buckets, +Inf, _sum in seconds and _count") {
    registry r;
    auto& h = r.durations("warroom_test_seconds", "How long a test took.", {0.001, 0.01, 0.1});
    h.observe(500us);  // below the first bound
    h.observe(1ms);    // exactly on a bound: "less than or equal" puts it in that bucket
    h.observe(5ms);
    h.observe(2s);  // above every bound: +Inf only
    CHECK(r.render() ==
          "# HELP warroom_test_seconds How long a test took.\n"
          "# TYPE warroom_test_seconds histogram\n"
          "warroom_test_seconds_bucket{le=\"0.001\"} 2\n"
          "warroom_test_seconds_bucket{le=\"0.01\"} 3\n"
          "warroom_test_seconds_bucket{le=\"0.1\"} 3\n"
          "warroom_test_seconds_bucket{le=\"+Inf\"} 4\n"
          "warroom_test_seconds_sum 2.0065\n"
          "warroom_test_seconds_count 4\n");
}

TEST_CASE("an empty histogram has every bucket at zero") {
    registry r;
    r.durations("warroom_idle_seconds", "Nothing yet.", {0.0005, 0.5, 1});
    auto const text = r.render();
    CHECK(value_of(text, "warroom_idle_seconds_bucket{le=\"0.0005\"}") == 0);
    CHECK(value_of(text, "warroom_idle_seconds_bucket{le=\"0.5\"}") == 0);
    CHECK(value_of(text, "warroom_idle_seconds_bucket{le=\"1\"}") == 0);
    CHECK(value_of(text, "warroom_idle_seconds_bucket{le=\"+Inf\"}") == 0);
    CHECK(value_of(text, "warroom_idle_seconds_sum") == 0);
    CHECK(value_of(text, "warroom_idle_seconds_count") == 0);
}

TEST_CASE("histogram bounds must ascend") {
    registry r;
    CHECK_THROWS(r.durations("warroom_bad_seconds", "", {0.1, 0.01}));
    CHECK_THROWS(r.durations("warroom_bad_seconds", "", {0.1, 0.1}));
}

TEST_CASE("labelled counters: a value outside the closed set counts as the last one, unused series are left out") {
    registry r;
    label const type{"type", {"slash_commands", "events_api", "other"}};
    auto& f = r.counters("warroom_things_total", "Things by type.", {type});
    f.at(type.index_of("events_api")).add();
    f.at(type.index_of("events_api")).add(2);
    f.at(type.index_of("a type nobody knows")).add();
    CHECK(r.render() ==
          "# HELP warroom_things_total Things by type.\n"
          "# TYPE warroom_things_total counter\n"
          "warroom_things_total{type=\"events_api\"} 3\n"
          "warroom_things_total{type=\"other\"} 1\n");
}

TEST_CASE("two labels: each combination is its own series, labels in the order registered") {
    registry r;
    label const method{"method", {"chat.postMessage", "pins.add", "other"}};
    label const error{"error", {"transport", "http", "slack"}};
    auto& f = r.counters("warroom_errors_total", "Errors.", {method, error});
    f.at(method.index_of("pins.add"), error.index_of("slack")).add();
    f.at(method.index_of("chat.postMessage"), error.index_of("transport")).add(4);
    f.at(method.index_of("pins.add"), error.index_of("http")).add();
    CHECK(r.render() ==
          "# HELP warroom_errors_total Errors.\n"
          "# TYPE warroom_errors_total counter\n"
          "warroom_errors_total{method=\"chat.postMessage\",error=\"transport\"} 4\n"
          "warroom_errors_total{method=\"pins.add\",error=\"http\"} 1\n"
          "warroom_errors_total{method=\"pins.add\",error=\"slack\"} 1\n");
}

TEST_CASE("a counter without labels is rendered at zero too") {
    registry r;
    r.counters("warroom_plain_total", "Plain.");
    CHECK(r.render() ==
          "# HELP warroom_plain_total Plain.\n# TYPE warroom_plain_total counter\nwarroom_plain_total 0\n");
}

TEST_CASE("label values escape backslash, double quote and line feed, HELP escapes backslash and line feed") {
    registry r;
    label const odd{"value", {"a\"b", "c\\d", "e\nf"}};
    auto& f = r.counters("warroom_odd_total", "Help with a \\ and a\nsecond line, \"quoted\".", {odd});
    for (std::size_t i = 0; i < 3; ++i) f.at(i).add();
    CHECK(r.render() ==
          "# HELP warroom_odd_total Help with a \\\\ and a\\nsecond line, \"quoted\".\n"
          "# TYPE warroom_odd_total counter\n"
          "warroom_odd_total{value=\"a\\\"b\"} 1\n"
          "warroom_odd_total{value=\"c\\\\d\"} 1\n"
          "warroom_odd_total{value=\"e\\nf\"} 1\n");
}

TEST_CASE("readings are taken at each scrape, in registration order") {
    registry r;
    int backlog = 3;
    r.read("warroom_backlog", "Entries waiting.", kind::gauge, [&] { return backlog; });
    label const sev{"severity", {"P0", "P1"}};
    r.read_each("warroom_open", "Open by severity.", sev, [](std::size_t i) { return i == 0 ? 2.0 : 0.0; });
    r.read("warroom_seen_total", "Seen.", kind::counter, [] { return 1.5; });
    auto const first = r.render();
    CHECK(first ==
          "# HELP warroom_backlog Entries waiting.\n"
          "# TYPE warroom_backlog gauge\n"
          "warroom_backlog 3\n"
          "# HELP warroom_open Open by severity.\n"
          "# TYPE warroom_open gauge\n"
          "warroom_open{severity=\"P0\"} 2\n"
          "warroom_open{severity=\"P1\"} 0\n"
          "# HELP warroom_seen_total Seen.\n"
          "# TYPE warroom_seen_total counter\n"
          "warroom_seen_total 1.5\n");
    backlog = 0;
    CHECK(value_of(r.render(), "warroom_backlog") == 0);
    backlog = 16'388'096;  // whole numbers as integers, never "1.6388096e+07"
    CHECK(r.render().find("\nwarroom_backlog 16388096\n") != std::string::npos);
}

TEST_CASE("observations from two threads are all counted") {
    registry r;
    auto& h = r.durations("warroom_threads_seconds", "", {0.001});
    auto& c = r.counters("warroom_threads_total", "");
    auto const work = [&] {
        for (int k = 0; k < 10000; ++k) {
            h.observe(k % 2 ? 2ms : 0ms);
            c.at().add();
        }
    };
    std::thread other{work};
    work();
    other.join();
    auto const text = r.render();
    CHECK(value_of(text, "warroom_threads_seconds_count") == 20000);
    CHECK(value_of(text, "warroom_threads_seconds_bucket{le=\"0.001\"}") == 10000);
    CHECK(value_of(text, "warroom_threads_seconds_sum") == doctest::Approx(20.0));
    CHECK(value_of(text, "warroom_threads_total") == 20000);
}

TEST_CASE("process metrics come from /proc") {
    registry r;
    warroom::metrics::measure_process(r);
    auto const text = r.render();
    CHECK(text.find("# TYPE process_cpu_seconds_total counter\n") != std::string::npos);
    CHECK(value_of(text, "process_cpu_seconds_total") >= 0);
    CHECK(value_of(text, "process_resident_memory_bytes") > 1 << 20);
    CHECK(value_of(text, "process_open_fds") >= 3);
    auto const started = value_of(text, "process_start_time_seconds");
    auto const now = static_cast<double>(std::time(nullptr));
    CHECK(started <= now + 1);
    CHECK(started > now - 3600);
}
