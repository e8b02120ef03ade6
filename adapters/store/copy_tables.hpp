// `warroom migrate-store`: every row of one store copied into another, of either adapter, keeping
// positions, times and delivery state, in one transaction on the target that is committed only when
// each table's count agrees on both sides. The source is read from one snapshot, in batches.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "adapters/store/table_store.hpp"

namespace warroom::store {

// A copy that was not made, and why (a target that is not empty, counts that disagree, a schema
// this build does not know how to copy); nothing of it was written.
struct copy_refused : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct table_copied {
    std::string_view table;
    std::int64_t source = 0;  // rows in the source's snapshot
    std::int64_t copied = 0;  // rows read from it and inserted
    std::int64_t target = 0;  // rows in the target before the commit
};

// Throws copy_refused, or app::store_error when a database fails (then nothing was written either).
std::vector<table_copied> copy_tables(table_store& from, table_store& to, std::size_t batch = 1000);

}  // namespace warroom::store
