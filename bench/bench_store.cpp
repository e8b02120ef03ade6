// The cost of one acknowledged command on the real SQLite file store, two ways: N raw appends of a
// typical batch (one note_added at the right expected version), and N whole commands through the
// service (parse, decide, durable append, apply, effects), each timed on its own since each waits
// for its fsync. Then the start-up cost: replaying the file into a new service. Prints one
// "name value" line per figure; times in microseconds unless the name says otherwise.
#include <algorithm>
#include <chrono>
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
#include "bench/figures.hpp"
#include "app/service.hpp"

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
            auto const n = bench::count_of(argv[++i], 10'000'000);
            if (!n) return std::nullopt;
            o.count = *n;
        } else if (arg == "--path") {
            o.path = argv[++i];
        } else {
            return std::nullopt;
        }
    }
    return o;
}

void print(std::string const& name, std::vector<long long> micros) {
    std::sort(micros.begin(), micros.end());
    std::cout << name << "_count " << micros.size() << '\n'
              << name << "_median_us " << bench::percentile(micros, 0.5) << '\n'
              << name << "_p90_us " << bench::percentile(micros, 0.9) << '\n'
              << name << "_p99_us " << bench::percentile(micros, 0.99) << '\n'
              << name << "_max_us " << micros.back() << '\n';
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
        app::append_batch batch{
            {{1, start + core::seconds{i}, "U024BE7LH",
              core::note_added{"Rolled back the canary in eu-west-1; error rate back under 0.1%, watching p99."}}},
            {},
            {{1, version}}};
        auto const t = std::chrono::steady_clock::now();
        auto const result = s.append(batch);
        auto const took = std::chrono::steady_clock::now() - t;
        if (result != app::append_result::written) throw std::runtime_error("append conflicted");
        ++version;
        micros.push_back(std::chrono::duration_cast<std::chrono::microseconds>(took).count());
    }
    print("append", micros);
}

void run_commands(fs::path const& file, int count) {
    {
        store::sqlite_store s{file};
        app::service svc{s, core::policy::defaults()};
        auto now = std::chrono::floor<core::seconds>(std::chrono::system_clock::now());
        svc.handle({"U024BE7LH", "incidents", now}, "declare P1 Checkout latency above 5 s");
        auto const room = svc.find(1)->channel;
        std::vector<long long> micros;
        micros.reserve(static_cast<std::size_t>(count));
        for (int i = 0; i < count; ++i) {
            now += core::seconds{1};
            auto const t = std::chrono::steady_clock::now();
            auto const out = svc.handle({"U024BE7LH", room, now},
                                        "note Rolled back the canary in eu-west-1; error rate back under 0.1%");
            auto const took = std::chrono::steady_clock::now() - t;
            if (!out.changed) throw std::runtime_error("a command was refused");
            micros.push_back(std::chrono::duration_cast<std::chrono::microseconds>(took).count());
        }
        print("command", micros);
    }
    store::sqlite_store s{file};
    auto const t = std::chrono::steady_clock::now();
    app::service svc{s, core::policy::defaults()};
    auto const took = std::chrono::steady_clock::now() - t;
    std::cout << "replay_events " << svc.find(1)->version << '\n'
              << "replay_ms " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << '\n';
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
        auto commands = file;
        commands.replace_extension(".commands.db");
        run_commands(commands, opts->count);
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
