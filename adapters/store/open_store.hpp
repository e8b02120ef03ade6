// Picks the event store from a URL: the only place that maps configuration to an adapter.
// sqlite:///absolute/path.db, sqlite://relative/path.db (from the working directory),
// sqlite::memory: and postgresql:// (or postgres://) connection URIs are accepted; anything else
// throws app::store_error naming the scheme.
#pragma once

#include <memory>
#include <string>

#include "adapters/store/group_commit.hpp"
#include "adapters/store/table_store.hpp"
#include "app/store_port.hpp"

namespace warroom::store {

enum class open_mode {
    create,    // make the database (and its directory) when missing: the daemon, the console
    existing,  // refuse a missing database: readers such as `warroom report`
};

// With `post`, a database file or server gets group commit (a writer thread with its own connection,
// whose completions `post` runs on the caller's loop); an in-memory one has no disk to wait for and
// is written at once. A PostgreSQL database must exist; its tables are made when missing.
// The adapter alone, without group commit: what `warroom migrate-store` copies from and into.
std::unique_ptr<table_store> open_tables(std::string const& url, open_mode mode = open_mode::create);

std::unique_ptr<app::event_store> open_store(std::string const& url, open_mode mode = open_mode::create,
                                             group_commit::post_fn post = {});

}  // namespace warroom::store
