// Messages name only the scheme of a foreign URL, never the URL: a postgresql:// one may carry a
// password. A sqlite URL holds just a path, so it is quoted whole.
#include "adapters/store/open_store.hpp"

#include <unistd.h>

#include <filesystem>
#include <random>
#include <string_view>

#include "adapters/store/postgres_store.hpp"
#include "adapters/store/sqlite_store.hpp"

namespace warroom::store {
namespace {

constexpr std::string_view supported =
    "supported: sqlite:///absolute/path.db, sqlite://relative/path.db, sqlite::memory:, "
    "postgresql://user@host:5432/database";
constexpr std::string_view in_memory = "sqlite::memory:";

}  // namespace

std::unique_ptr<table_store> open_tables(std::string const& url, open_mode mode) {
    std::string_view const u = url;
    if (u == in_memory) return sqlite_store::in_memory();

    constexpr std::string_view sqlite_prefix = "sqlite://";
    if (u.starts_with(sqlite_prefix)) {
        auto const path = u.substr(sqlite_prefix.size());
        if (path.empty() || path == "/") {
            throw app::store_error("store URL \"" + url + "\" names no database file; " + std::string(supported));
        }
        std::filesystem::path const file(path);
        if (mode == open_mode::existing && !std::filesystem::exists(file)) {
            throw app::store_error("there is no database at \"" + file.string() + "\"");
        }
        return std::make_unique<sqlite_store>(file);
    }

    if (u.starts_with("postgresql://") || u.starts_with("postgres://")) return std::make_unique<postgres_store>(url);

    auto const colon = u.find(':');
    if (colon == std::string_view::npos || colon == 0) {
        throw app::store_error("store URL has no scheme; " + std::string(supported));
    }
    auto const scheme = u.substr(0, colon);
    if (scheme == "sqlite") {
        throw app::store_error("malformed sqlite store URL \"" + url + "\"; " + std::string(supported));
    }
    throw app::store_error("unsupported store URL scheme \"" + std::string(scheme) + "\"; " + std::string(supported));
}

std::unique_ptr<app::event_store> open_store(std::string const& url, open_mode mode, group_commit::post_fn post) {
    auto writer = open_tables(url, mode);
    if (!post || url == in_memory) return writer;
    // Opened second: the writer has created the database and brought its schema up to date.
    auto reader = open_tables(url, mode);
    // Several processes may share a PostgreSQL database: each hears the others' writes.
    auto* const shared = dynamic_cast<postgres_store*>(writer.get());
    std::string self;
    if (shared) {
        std::random_device random;
        self = std::to_string(::getpid()) + ":" + std::to_string(random()) + std::to_string(random());
        shared->announce_as(self);  // before the writer thread starts
    }
    auto store = std::make_unique<group_commit>(std::move(writer), std::move(reader), std::move(post));
    // The reads the loop need not wait for (the outbox's) go to a server on a connection of their own.
    if (shared) store->read_in_background(open_tables(url, mode));
    if (shared) store->listen(std::make_unique<postgres_listener>(url, self, store->news()));
    return store;
}

}  // namespace warroom::store
