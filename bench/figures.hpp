// What the store benchmarks share: reading a count from the command line, and percentiles.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <vector>

namespace warroom::bench {

// `text` as a whole number from 1 to `most`; nothing when it is not one.
inline std::optional<int> count_of(char const* text, long most) {
    char* end = nullptr;
    long const n = std::strtol(text, &end, 10);
    if (*end != '\0' || n < 1 || n > most) return std::nullopt;
    return static_cast<int>(n);
}

// Nearest rank: the smallest sample at or above fraction q of all samples.
inline long long percentile(std::vector<long long> const& sorted, double q) {
    auto const rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
    return sorted[std::max<std::size_t>(rank, 1) - 1];
}

}  // namespace warroom::bench
