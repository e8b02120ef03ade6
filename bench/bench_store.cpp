// The cost of one acknowledged command on the real SQLite file store: N appends of a typical batch
// (one note_added for incident 1 at the right expected version), each timed on its own, since
// every append waits for its fsync. Prints one "name value" line per figure, in microseconds.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <iostream>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "adapters/store/sqlite_store.hpp"

namespace {

using namespace warroom;
namespace fs = std::filesystem;

struct options {
    int count = 2000;
    std::optional<fs::path> path;  // default: a fresh file in a temp directory, removed afterwards
};

std::optional<options> parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        std::string_view const arg = argv[i];
        if (i + 1 >= argc) return std::nullopt;
        if (arg == "--count") {
            char* end = nullptr;
            long const n = std::strtol(argv[++i], &end, 10);
            if (*end != '\0' || n < 1 || n > 10'000'000) return std::nullopt;
            o.count = static_cast<int>(n);
        } else if (arg == "--path") {
            o.path = argv[++i];
        } else {
            return std::nullopt;
        }
    }
    return o;
}

// Nearest rank: the smallest sample at or above fraction q of all samples.
long long percentile(std::vector<long long> const& sorted, double q) {
    auto const rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
    return sorted[std::max<std::size_t>(rank, 1) - 1];
}

void run(fs::path const& file, int count) {
    store::sqlite_store s{file};
    // An existing file may already hold incident 1: continue from its version, as the bot would.
    int version = 0;
    for (auto const& e : s.load()) version += e.incident == 1 ? 1 : 0;

    auto const start = std::chrono::floor<core::seconds>(std::chrono::system_clock::now());
    std::vector<long long> micros;
    micros.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
        core::append_batch batch{
            {{1, start + core::seconds{i}, "U024BE7LH",
              core::note_added{"Rolled back the canary in eu-west-1; error rate back under 0.1%, watching p99."}}},
            {},
            {{1, version}}};
        auto const t = std::chrono::steady_clock::now();
        auto const result = s.append(batch);
        auto const took = std::chrono::steady_clock::now() - t;
        if (result != core::append_result::written) throw std::runtime_error("append conflicted");
        ++version;
        micros.push_back(std::chrono::duration_cast<std::chrono::microseconds>(took).count());
    }
    std::sort(micros.begin(), micros.end());
    std::cout << "append_count " << micros.size() << '\n'
              << "append_median_us " << percentile(micros, 0.5) << '\n'
              << "append_p90_us " << percentile(micros, 0.9) << '\n'
              << "append_p99_us " << percentile(micros, 0.99) << '\n'
              << "append_max_us " << micros.back() << '\n';
}

}  // namespace

int main(int argc, char** argv) {
    auto const opts = parse(argc, argv);
    if (!opts) {
        std::cerr << "usage: bench_store [--count N] [--path FILE.db]\n";
        return 2;
    }
    std::optional<fs::path> scratch;
    int status = 0;
    try {
        auto file = opts->path.value_or(fs::path{});
        if (!opts->path) {
            scratch = fs::temp_directory_path() / ("warroom-bench-" + std::to_string(std::random_device{}()));
            file = *scratch / "bench.db";
        }
        run(file, opts->count);
    } catch (std::exception const& e) {
        std::cerr << "bench_store: " << e.what() << '\n';
        status = 1;
    }
    if (scratch) {
        std::error_code ignored;
        fs::remove_all(*scratch, ignored);
    }
    return status;
}
