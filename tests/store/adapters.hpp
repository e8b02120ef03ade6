// Every store adapter the tests can reach, each with a way to run SQL behind it: a SQLite file in a
// temporary directory, and a fresh PostgreSQL database when the test command's server is there.
#pragma once

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <functional>
#include <string>
#include <vector>

#include "tests/store/pg_support.hpp"
#include "tests/store/temp_dir.hpp"

namespace warroom::store::test {

struct adapter {
    std::string name;
    std::string url;
    // Runs SQL on the database behind the store, as an operator would.
    std::function<void(std::string const&)> exec;
};

inline void sqlite_exec(std::string const& file, std::string const& sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    auto const rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
}

inline std::vector<adapter> adapters(temp_dir const& dir) {
    auto const file = (dir / "w.db").string();
    std::vector<adapter> out{{"sqlite", "sqlite://" + file, [file](std::string const& sql) { sqlite_exec(file, sql); }}};
    if (auto const pg = fresh_pg_database()) {
        out.push_back({"postgresql", *pg, [url = *pg](std::string const& sql) { pg_exec(url, sql); }});
    }
    return out;
}

}  // namespace warroom::store::test
