#pragma once
// One libpq connection with the deadlines a fleet needs (connect_timeout, TCP keepalives and
// user timeout, statement and lock timeouts), its failures worded for a person, and queries
// with text parameters (never SQL built from names). Blocking: use it off the event loop.

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "polylogue/core/error.hpp"

namespace polylogue::transcript::pg {

struct result_deleter {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using pg_result = std::unique_ptr<PGresult, result_deleter>;

struct connection_deleter {
    void operator()(PGconn* c) const noexcept { PQfinish(c); }
};

// Where a connection string points, without its password: what messages may show.
struct target {
    std::string host;  // empty: libpq's default (a local socket)
    std::string port;
    std::string user;
    std::string dbname;
};
target describe_target(const std::string& conninfo);
// "HOST:PORT/DBNAME" (defaults filled in as libpq would: localhost, 5432).
std::string where(const target& t);

// The SQLSTATE a verbose libpq message names ("FATAL:  28P01: ..."); empty when it has none.
std::string_view sqlstate_of(std::string_view verbose_message) noexcept;
// The first line of a libpq message without its "connection to server ... failed: " preamble,
// severity or SQLSTATE: what a person reads after our own words.
std::string plain_message(std::string_view verbose_message);
// Why a connection could not be made, worded for a person.
std::string explain_connect_failure(const target& t, std::string_view verbose_message);

// The statement's text parameters; nullopt is SQL NULL.
using params = std::initializer_list<std::optional<std::string_view>>;

// A PostgreSQL array literal of text elements ({"a","b\"c"}), for unnest($n::text[]).
std::string text_array(std::span<const std::string> values);
// {1,2,3} for $n::bigint[]; {0.25,NULL} for $n::float8[] (nullopt and non-finite: NULL).
std::string int_array(std::span<const std::int64_t> values);
std::string float_array(std::span<const std::optional<double>> values);

class connection {
  public:
    // errors are worded for a person (explain_connect_failure) and never hold the password.
    static result<connection, std::string> open(const std::string& conninfo);

    connection() = default;

    bool usable() const noexcept;
    // Drops the connection and makes a new one with the same settings.
    result<void, std::string> reconnect();

    // Runs sql with text parameters; a result whose status says whether it worked.
    pg_result run(const char* sql, params values = {});
    pg_result run(const char* sql, std::span<const std::optional<std::string>> values);
    // run(), and once more on a new connection when the connection was lost: for a statement
    // that is its own transaction and may run twice. last_error() says why when it failed
    // (why the reconnection failed, when it did).
    pg_result run_reconnecting(const char* sql, std::span<const std::optional<std::string>> values);
    // Runs a statement that returns nothing; false (last_error() says why) when it failed.
    bool execute(const char* sql, params values = {});

    // The last failure's message (no password is ever in one) and SQLSTATE.
    const std::string& last_error() const noexcept { return last_error_; }
    const std::string& last_sqlstate() const noexcept { return last_sqlstate_; }
    // Whether the last failure was the connection's (lost, reset), not the statement's.
    bool lost() const noexcept;

    PGconn* native() const noexcept { return conn_.get(); }

  private:
    // Keeps the outcome's error text; the result back.
    pg_result checked(pg_result r);

    std::string conninfo_;
    std::unique_ptr<PGconn, connection_deleter> conn_;
    std::string last_error_;
    std::string last_sqlstate_;
};

bool succeeded(const pg_result& r) noexcept;
// A column of the first row as text / as an integer; "" / nullopt when absent or NULL.
std::string text_at(const pg_result& r, int row, int column);
std::optional<std::int64_t> int_at(const pg_result& r, int row, int column);

}  // namespace polylogue::transcript::pg
