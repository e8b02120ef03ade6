// A fresh PostgreSQL database per call, on the server scripts/with-postgres runs for the test
// command (WARROOM_TEST_PG_URL). Without that server there is none, unless
// WARROOM_TEST_REQUIRE_PG is set (scripts/test sets it): then its absence fails the test.
#pragma once

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace warroom::store::test {

// Runs `sql` on the database at `url`; throws with the server's message when it fails.
inline void pg_exec(std::string const& url, std::string const& sql) {
    std::unique_ptr<PGconn, void (*)(PGconn*)> conn{PQconnectdb(url.c_str()), PQfinish};
    if (PQstatus(conn.get()) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn.get()));
    std::unique_ptr<PGresult, void (*)(PGresult*)> r{PQexec(conn.get(), sql.c_str()), PQclear};
    auto const status = PQresultStatus(r.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) throw std::runtime_error(PQerrorMessage(conn.get()));
}

// The server's URL with another database in place of the last path segment.
inline std::string pg_url_of(std::string const& server, std::string const& database) {
    auto const query = server.find('?');
    auto const slash = server.rfind('/', query);
    return server.substr(0, slash + 1) + database + (query == std::string::npos ? "" : server.substr(query));
}

inline std::optional<std::string> pg_server() {
    if (auto const* url = std::getenv("WARROOM_TEST_PG_URL"); url && *url) return std::string(url);
    if (std::getenv("WARROOM_TEST_REQUIRE_PG")) {
        throw std::runtime_error(
            "WARROOM_TEST_REQUIRE_PG is set but WARROOM_TEST_PG_URL is not: run under scripts/with-postgres");
    }
    return std::nullopt;
}

// A new empty database's URL, or nothing without a server.
inline std::optional<std::string> fresh_pg_database() {
    auto const server = pg_server();
    if (!server) return std::nullopt;
    static std::atomic<int> made{0};
    auto const name = "warroom_test_" + std::to_string(::getpid()) + "_" + std::to_string(++made);
    pg_exec(*server, "CREATE DATABASE " + name);
    return pg_url_of(*server, name);
}

}  // namespace warroom::store::test
