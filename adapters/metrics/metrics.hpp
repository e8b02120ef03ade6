// Prometheus metrics: counters and duration histograms that adapters record into, values read at
// scrape time, and the registry that renders them all in the text exposition format 0.0.4.
// Recording is O(1), allocates nothing and takes no lock: relaxed atomics, since a value may be
// recorded on one thread (the store's writer) and read on another (the loop, at a scrape), and a
// scrape needs no ordering between values. Label values come from closed sets fixed at registration.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace warroom::metrics {

inline constexpr std::string_view content_type = "text/plain; version=0.0.4; charset=utf-8";

class counter {
public:
    void add(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
    std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

// One label and its closed set of values; the last value takes whatever is not in the set (so
// it is usually "other"). Values must outlive the registry (string literals, static tables).
struct label {
    std::string_view name;
    std::vector<std::string_view> values;
    // The index of `value`, or of the last value when it is not in the set.
    std::size_t index_of(std::string_view value) const noexcept;
};

// Counters under one name, one per combination of its labels' values (one counter without labels).
class counter_family {
public:
    explicit counter_family(std::vector<label> labels);
    // The counter for one value index of each label, in the labels' order.
    template <class... Index>
    counter& at(Index... index) noexcept {
        static_assert((std::is_convertible_v<Index, std::size_t> && ...));
        std::size_t flat = 0;
        std::size_t k = 0;
        ((flat = flat * labels_[k++].values.size() + static_cast<std::size_t>(index)), ...);
        return counters_[flat];
    }
    std::vector<label> const& labels() const { return labels_; }
    std::size_t size() const { return size_; }
    counter const& flat(std::size_t i) const { return counters_[i]; }

private:
    std::vector<label> labels_;
    std::size_t size_;
    std::unique_ptr<counter[]> counters_;
};

// Durations counted in buckets (upper bounds in seconds, ascending; +Inf is implied) with their sum.
class histogram {
public:
    explicit histogram(std::vector<double> bounds);
    void observe(std::chrono::nanoseconds d) noexcept;
    std::vector<double> const& bounds() const { return bounds_; }
    // Observations in bucket `i` alone (not cumulative); bounds().size() is the +Inf bucket.
    std::uint64_t in_bucket(std::size_t i) const noexcept { return buckets_[i].value(); }
    std::chrono::nanoseconds sum() const noexcept { return std::chrono::nanoseconds(sum_.value()); }

private:
    std::vector<double> bounds_;
    std::vector<std::int64_t> bounds_ns_;
    std::unique_ptr<counter[]> buckets_;
    counter sum_;  // nanoseconds: an integer sum is exact and needs no compare-and-swap loop
};

// What a value read at scrape time is.
enum class kind {
    counter,  // only goes up; the name ends in _total
    gauge,    // goes up and down
};

class registry {
public:
    // Each registers a metric under `name` (rendered in registration order) and returns what
    // records into it; the reference stays valid as long as the registry.
    counter_family& counters(std::string name, std::string help, std::vector<label> labels = {});
    histogram& durations(std::string name, std::string help, std::vector<double> bounds);
    // A value read at each scrape, on the scraping thread: a gauge, or a counter kept elsewhere.
    void read(std::string name, std::string help, kind k, std::function<double()> value);
    // A gauge for each value of `l`, read at each scrape: value(index) for each index into l.values.
    void read_each(std::string name, std::string help, label l, std::function<double(std::size_t)> value);

    // Every metric in the text exposition format 0.0.4. A labelled counter's series are left out
    // until they first count, so closed sets of dozens of values do not fill every scrape with zeros.
    std::string render() const;

private:
    struct reading {
        kind k;
        std::function<double()> value;
    };
    struct reading_each {
        label l;
        std::function<double(std::size_t)> value;
    };
    struct metric {
        std::string name, help;
        std::variant<counter_family const*, histogram const*, reading, reading_each> what;
    };
    std::vector<metric> metrics_;
    std::deque<counter_family> families_;  // a deque: registered instruments keep their address
    std::deque<histogram> histograms_;
};

// process_cpu_seconds_total, process_resident_memory_bytes, process_open_fds and
// process_start_time_seconds, read from /proc at each scrape (Prometheus' standard process metrics).
void measure_process(registry& r);

}  // namespace warroom::metrics
