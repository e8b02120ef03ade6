// What every store adapter keeps, table by table and column by column, and the row-level access
// `warroom migrate-store` copies through. The list is written once, here: each adapter's migrations
// make exactly these tables, and a copy first holds each database's catalog against the list, so a
// table or column a later migration adds cannot be left behind unnoticed.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/store_port.hpp"

namespace warroom::store {

enum class column_type {
    integer,  // BIGINT, INTEGER
    text,     // TEXT
};

struct column {
    std::string_view name;
    column_type type;
};

struct table {
    std::string_view name;
    // The first column is the key: rows are read in its order and paged by it.
    std::vector<column> columns;
    // The key is given out by the database (a rowid, an identity column): a copy keeps it, and the
    // next one given out follows the highest copied.
    bool numbered;
};

// In the order a copy takes them. The tables below are not among them.
std::span<table const> tables();
// Each adapter's own (schema_migrations), and who is alive now (processes: a moved store starts
// with nobody): never copied.
inline constexpr std::array<std::string_view, 2> uncopied_tables{"schema_migrations", "processes"};
// "seq, incident, …": the table's columns in order, for the adapters' statements.
std::string column_names(table const& t);

// A value as text (an integer in decimals), or SQL NULL.
using cell = std::optional<std::string>;
using row = std::vector<cell>;

// One consistent snapshot of a store's tables, held until destroyed.
class table_reader {
public:
    virtual ~table_reader() = default;
    virtual std::int64_t count(table const& t) = 0;
    // At most `limit` rows whose key is greater than `after` (nullopt: from the first), in key order.
    virtual std::vector<row> rows(table const& t, cell const& after, std::size_t limit) = 0;
};

// One transaction under the store's write lock, rolled back unless committed.
class table_writer {
public:
    virtual ~table_writer() = default;
    virtual std::int64_t count(table const& t) = 0;
    virtual void insert(table const& t, std::vector<row> const& rows) = 0;
    // Brings the numbers the database gives out next (keys, incident numbers) past the copied ones, and commits.
    virtual void commit() = 0;
};

// A store adapter whose tables can be read and written row by row. A reader or writer must not
// outlive its store, and a store has at most one of them at a time.
class table_store : public app::event_store {
public:
    // Every (table, column) of the database, schema_migrations included, in no particular order.
    virtual std::vector<std::pair<std::string, std::string>> catalog() = 0;
    virtual std::unique_ptr<table_reader> read_tables() = 0;
    virtual std::unique_ptr<table_writer> write_tables() = 0;
};

}  // namespace warroom::store
