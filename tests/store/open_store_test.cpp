// open_store: the three sqlite URL forms open a working store; every other URL is refused with
// one line that names the scheme (never a password) and lists what is supported.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "adapters/store/open_store.hpp"
#include "tests/store/temp_dir.hpp"

namespace {

using namespace warroom;
using store::open_mode;
using store::open_store;
using store::test::temp_dir;

core::event const sample{1, core::timestamp{core::seconds{1'780'000'000}}, "U01", core::note_added{"hi"}};

void check_works(app::event_store& s) {
    REQUIRE(s.append({{sample}, {}, {{1, 0}}}) == app::append_result::written);
    CHECK(s.load() == std::vector{sample});
}

// Restores the working directory, which the relative-URL test changes for the whole process.
class cwd_guard {
public:
    explicit cwd_guard(std::filesystem::path const& to) : saved_(std::filesystem::current_path()) {
        std::filesystem::current_path(to);
    }
    ~cwd_guard() { std::filesystem::current_path(saved_); }
    cwd_guard(cwd_guard const&) = delete;
    cwd_guard& operator=(cwd_guard const&) = delete;

private:
    std::filesystem::path saved_;
};

std::string error_of(std::string const& url) {
    try {
        open_store(url);
    } catch (app::store_error const& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("sqlite::memory: opens a private in-memory store") {
    auto const s = open_store("sqlite::memory:");
    check_works(*s);
    CHECK(open_store("sqlite::memory:")->load().empty());
}

TEST_CASE("sqlite:///absolute/path opens that file") {
    temp_dir dir;
    auto const file = dir / "data/warroom.db";
    REQUIRE(file.is_absolute());
    check_works(*open_store("sqlite://" + file.string()));
    CHECK(std::filesystem::exists(file));
    CHECK(open_store("sqlite://" + file.string())->load() == std::vector{sample});
}

TEST_CASE("sqlite://relative/path opens a file under the working directory") {
    temp_dir dir;
    {
        cwd_guard in{dir.path()};
        check_works(*open_store("sqlite://data/warroom.db"));
    }
    CHECK(std::filesystem::exists(dir / "data/warroom.db"));
}

TEST_CASE("other URLs are refused with one line naming the scheme and what is supported") {
    struct row {
        char const* url;
        char const* reason;
    };
    row const rows[] = {
        {"mysql://warroom:hunter2@db.internal/warroom", R"(unsupported store URL scheme "mysql")"},
        {"file:///var/lib/warroom.db", R"(unsupported store URL scheme "file")"},
        {"", "store URL has no scheme"},
        {"warroom.db", "store URL has no scheme"},
        {"sqlite:warroom.db", R"(malformed sqlite store URL "sqlite:warroom.db")"},
        {"sqlite://", "names no database file"},
        {"sqlite:///", "names no database file"},
    };
    for (auto const& r : rows) {
        CAPTURE(r.url);
        auto const message = error_of(r.url);
        CHECK(message.find(r.reason) != std::string::npos);
        CHECK(message.find("supported: sqlite:///absolute/path.db, sqlite://relative/path.db, sqlite::memory:, "
                           "postgresql://user@host:5432/database") != std::string::npos);
        CHECK(message.find('\n') == std::string::npos);
        CHECK(message.find("hunter2") == std::string::npos);
    }
}

TEST_CASE("a reader refuses a missing database instead of creating one") {
    temp_dir dir;
    auto const file = dir / "absent" / "w.db";
    CHECK_THROWS_WITH_AS(open_store("sqlite://" + file.string(), open_mode::existing),
                         doctest::Contains("there is no database at"), app::store_error);
    CHECK_FALSE(std::filesystem::exists(file.parent_path()));
    open_store("sqlite://" + file.string());
    CHECK(open_store("sqlite://" + file.string(), open_mode::existing)->load().empty());
}
