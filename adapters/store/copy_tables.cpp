#include "adapters/store/copy_tables.hpp"

#include <algorithm>
#include <string>
#include <utility>

namespace warroom::store {
namespace {

// Refuses a database whose tables are not tables(): both adapters migrate at open, so a difference
// means a migration added what this list lacks, and copying would leave it behind.
void check_catalog(table_store& s, std::string_view side) {
    auto found = s.catalog();
    std::erase_if(found, [](auto const& c) {
        return std::find(uncopied_tables.begin(), uncopied_tables.end(), c.first) != uncopied_tables.end();
    });
    std::vector<std::pair<std::string, std::string>> known;
    for (auto const& t : tables()) {
        for (auto const& c : t.columns) known.emplace_back(t.name, c.name);
    }
    std::sort(found.begin(), found.end());
    std::sort(known.begin(), known.end());
    std::vector<std::pair<std::string, std::string>> unknown, missing;
    std::set_difference(found.begin(), found.end(), known.begin(), known.end(), std::back_inserter(unknown));
    std::set_difference(known.begin(), known.end(), found.begin(), found.end(), std::back_inserter(missing));
    if (unknown.empty() && missing.empty()) return;
    auto const named = [](auto const& columns) {
        std::string out;
        for (auto const& [t, c] : columns) out += (out.empty() ? "" : ", ") + t + "." + c;
        return out.empty() ? std::string("none") : out;
    };
    throw copy_refused("the " + std::string(side) + "'s tables are not those this build copies (not copied: " +
                       named(unknown) + "; missing: " + named(missing) + "); nothing was written");
}

}  // namespace

std::vector<table_copied> copy_tables(table_store& from, table_store& to, std::size_t batch) {
    check_catalog(from, "source");
    check_catalog(to, "target");
    auto const reader = from.read_tables();
    auto const writer = to.write_tables();
    // Under the target's write lock: nobody adds a row between this look and the commit.
    for (auto const& t : tables()) {
        if (auto const n = writer->count(t); n > 0) {
            throw copy_refused("the target is not empty (" + std::string(t.name) + ": " + std::to_string(n) +
                               (n == 1 ? " row" : " rows") +
                               "); migrate-store copies only into an empty store; nothing was written");
        }
    }
    batch = std::max<std::size_t>(batch, 1);
    std::vector<table_copied> out;
    for (auto const& t : tables()) {
        table_copied c{.table = t.name, .source = reader->count(t)};
        cell after;
        for (;;) {
            auto const rows = reader->rows(t, after, batch);
            if (rows.empty()) break;
            writer->insert(t, rows);
            c.copied += static_cast<std::int64_t>(rows.size());
            after = rows.back().front();
            if (rows.size() < batch) break;
        }
        c.target = writer->count(t);
        if (c.copied != c.source || c.target != c.source) {
            throw copy_refused(std::string(t.name) + ": the source has " + std::to_string(c.source) + " rows, " +
                               std::to_string(c.copied) + " were copied and the target has " +
                               std::to_string(c.target) + "; nothing was written");
        }
        out.push_back(c);
    }
    writer->commit();
    return out;
}

}  // namespace warroom::store
