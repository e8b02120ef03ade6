// The core links nothing but the standard library (style.md). A stray include of Boost, JSON or
// any other library header would still compile here, since those headers are installed, so this
// test reads every core file and allows only standard headers and other core headers.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>

TEST_CASE("the core includes only standard headers and its own") {
    static std::set<std::string> const standard = {
        "algorithm",   "array",   "cctype",      "charconv",         "chrono",  "cmath",    "compare",   "cstdint",
        "cstdio",      "cstdlib", "functional",  "initializer_list", "iosfwd",  "iterator", "limits",    "map",
        "memory",      "numeric", "optional",    "ostream",          "set",     "sstream",  "stdexcept", "string",
        "string_view", "tuple",   "type_traits", "utility",          "variant", "vector"};
    std::regex const include(R"(^\s*#\s*include\s*([<"])([^>"]+)[>"])");
    int files = 0;
    for (auto const& entry : std::filesystem::directory_iterator(std::string(WARROOM_SOURCE_DIR) + "/core")) {
        auto const ext = entry.path().extension();
        if (ext != ".cpp" && ext != ".hpp") continue;
        ++files;
        std::ifstream in(entry.path());
        for (std::string line; std::getline(in, line);) {
            std::smatch m;
            if (!std::regex_search(line, m, include)) continue;
            CAPTURE(entry.path().filename().string());
            CAPTURE(line);
            if (m[1] == "<") {
                CHECK(standard.contains(m[2].str()));
            } else {
                CHECK(m[2].str().rfind("core/", 0) == 0);
            }
        }
    }
    CHECK(files > 10);
}
