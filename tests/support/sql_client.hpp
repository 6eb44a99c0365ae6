#pragma once
// A libpq connection for tests' assertions on a PostgreSQL store: run SQL, read rows as text.
// Failures throw std::runtime_error with the server's message (a test's setup or check failed).

#include <optional>
#include <string>
#include <vector>

struct pg_conn;

namespace polylogue::test {

// One row of a result: each column as text, std::nullopt for NULL.
using sql_row = std::vector<std::optional<std::string>>;

class sql_client {
  public:
    // Connects with a libpq conninfo ("host=... port=... user=... password=... dbname=...").
    explicit sql_client(const std::string& conninfo);
    sql_client(const sql_client&) = delete;
    sql_client& operator=(const sql_client&) = delete;
    ~sql_client();

    // Runs one or more statements; the rows of the last one.
    std::vector<sql_row> rows(const std::string& sql);
    // The first column of the first row; throws when there is none or it is NULL.
    std::string value(const std::string& sql);
    void execute(const std::string& sql) { rows(sql); }

  private:
    pg_conn* connection_ = nullptr;
};

// Why a connection with conninfo fails ("" when it succeeds): to check that one is refused.
std::string connection_error(const std::string& conninfo);

}  // namespace polylogue::test
