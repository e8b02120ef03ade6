// What the daemon's group commit asks of a store, without the daemon: transactions of many writes
// shaped as declarations make them (an append of 4 events with 8 outbox entries born leased, then a
// result with a fact for each of those entries), on any store URL. Each transaction is timed on its
// own; prints one "name value" line per figure, times in microseconds unless the name says otherwise.
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

#include "adapters/store/open_store.hpp"
#include "bench/figures.hpp"

namespace {

using namespace warroom;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

struct options {
    int transactions = 200;
    int declares = 16;  // a transaction: this many appends, and the results of the last one's entries
    std::optional<std::string> url;  // default: a fresh SQLite file in a temp directory, removed afterwards
};

std::optional<options> parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        std::string_view const arg = argv[i];
        if (i + 1 >= argc) return std::nullopt;
        auto const number = [&](int& into) {
            auto const n = bench::count_of(argv[++i], 100'000);
            if (n) into = *n;
            return n.has_value();
        };
        if (arg == "--transactions") {
            if (!number(o.transactions)) return std::nullopt;
        } else if (arg == "--declares") {
            if (!number(o.declares)) return std::nullopt;
        } else if (arg == "--url") {
            o.url = argv[++i];
        } else {
            return std::nullopt;
        }
    }
    return o;
}

core::effect post(int incident, int k) {
    core::message_view v;
    v.kind = "update";
    v.headline = "Incident " + std::to_string(incident) + ", post " + std::to_string(k);
    v.body = "Checkout latency above 5 s in eu-west-1; the on-call engineer is looking at the canary.";
    return core::post{"#inc-" + std::to_string(incident), v, false};
}

void run(std::string const& url, options const& o) {
    auto s = store::open_store(url);
    int incident = 0;
    std::vector<std::int64_t> last_entries;
    std::vector<long long> micros;
    auto const start = std::chrono::floor<core::milliseconds>(std::chrono::system_clock::now());
    std::chrono::steady_clock::duration total{};
    for (int t = 0; t < o.transactions; ++t) {
        std::vector<app::write_op> ops;
        for (int d = 0; d < o.declares; ++d) {
            ++incident;
            app::append_batch batch{{}, {"once:" + std::to_string(incident)}, {{incident, 0}}};
            for (int k = 0; k < 4; ++k) {
                batch.events.push_back({incident, start + core::milliseconds{incident}, "U024BE7LH",
                                        core::note_added{"Rolled back the canary in eu-west-1; error rate back "
                                                         "under 0.1%, watching p99."}});
            }
            for (int k = 0; k < 8; ++k) batch.outbox.emplace_back(incident, post(incident, k));
            batch.leased_to = app::birth_lease{"bench", 60s};
            ops.emplace_back(std::move(batch));
        }
        for (auto const id : last_entries) {
            ops.emplace_back(app::finish_delivery{
                id, "delivered", {{"message:" + std::to_string(id), "C0" + std::to_string(id) + "/1.2"}}});
        }
        auto const began = std::chrono::steady_clock::now();
        auto const results = s->write(ops);
        auto const took = std::chrono::steady_clock::now() - began;
        total += took;
        micros.push_back(std::chrono::duration_cast<std::chrono::microseconds>(took).count());
        if (std::any_of(results.begin(), results.end(), [](auto const& r) { return !r.written(); })) {
            throw std::runtime_error("a write was refused");
        }
        last_entries.clear();
        for (auto const& e : s->pending(0, 100'000)) last_entries.push_back(e.id);
    }
    std::sort(micros.begin(), micros.end());
    auto const seconds = std::chrono::duration<double>(total).count();
    std::cout << "transactions " << micros.size() << '\n'
              << "writes_per_transaction " << o.declares * 9 << '\n'
              << "transaction_median_us " << bench::percentile(micros, 0.5) << '\n'
              << "transaction_p90_us " << bench::percentile(micros, 0.9) << '\n'
              << "transaction_p99_us " << bench::percentile(micros, 0.99) << '\n'
              << "declares_per_s " << static_cast<long long>(incident / seconds) << '\n';
}

}  // namespace

int main(int argc, char** argv) {
    auto const opts = parse(argc, argv);
    if (!opts) {
        std::cerr << "usage: bench_store_batches [--transactions N] [--declares N] [--url STORE_URL]\n";
        return 2;
    }
    std::optional<fs::path> scratch;
    int status = 0;
    try {
        auto url = opts->url.value_or("");
        if (!opts->url) {
            scratch = fs::temp_directory_path() / ("warroom-bench-" + std::to_string(std::random_device{}()));
            url = "sqlite://" + (*scratch / "batches.db").string();
        }
        run(url, *opts);
    } catch (std::exception const& e) {
        std::cerr << "bench_store_batches: " << e.what() << '\n';
        status = 1;
    }
    if (scratch) {
        std::error_code ignored;
        fs::remove_all(*scratch, ignored);
    }
    return status;
}
