// The effects' shared vocabulary: the paging dedup key and the page actions' names.
#include <doctest/doctest.h>

#include "core/effects.hpp"

namespace {
using namespace warroom::core;
}  // namespace

TEST_CASE("dedup keys name the incident and only the canonical form reads back") {
    CHECK(page_dedup_key(7) == "warroom-inc-7");
    CHECK(page_dedup_key(120345) == "warroom-inc-120345");
    for (int n : {1, 7, 42, 120345, 2147483647}) {
        CAPTURE(n);
        CHECK(incident_of_page_key(page_dedup_key(n)) == n);
    }
    for (std::string_view bad :
         {"", "warroom-inc-", "warroom-inc-0", "warroom-inc-07", "warroom-inc--7", "warroom-inc-+7", "warroom-inc-7x",
          "warroom-inc-7 ", " warroom-inc-7", "warroom-inc-2147483648", "warroom-inc-99999999999999999999",
          "WARROOM-INC-7", "warroom-7", "d3640fbd41094207a1c11e58e46b1662"}) {
        CAPTURE(bad);
        CHECK_FALSE(incident_of_page_key(bad));
    }
}

TEST_CASE("page actions have the names the vendors' APIs use") {
    CHECK(to_string(page_action::trigger) == "trigger");
    CHECK(to_string(page_action::acknowledge) == "acknowledge");
    CHECK(to_string(page_action::resolve) == "resolve");
}
