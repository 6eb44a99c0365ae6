#include "support/sql_client.hpp"

#include <libpq-fe.h>

#include <memory>
#include <stdexcept>

namespace polylogue::test {
namespace {

struct result_deleter {
    void operator()(PGresult* result) const { PQclear(result); }
};
using result_ptr = std::unique_ptr<PGresult, result_deleter>;

std::string trimmed(const char* message) {
    std::string text = message == nullptr ? "" : message;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.pop_back();
    }
    return text;
}

}  // namespace

sql_client::sql_client(const std::string& conninfo) : connection_{PQconnectdb(conninfo.c_str())} {
    if (connection_ == nullptr || PQstatus(connection_) != CONNECTION_OK) {
        const auto why = trimmed(PQerrorMessage(connection_));
        PQfinish(connection_);
        connection_ = nullptr;
        throw std::runtime_error{"cannot connect to PostgreSQL: " + why};
    }
}

sql_client::~sql_client() {
    PQfinish(connection_);
}

std::vector<sql_row> sql_client::rows(const std::string& sql) {
    // PQexec runs every statement and keeps the last result; an error ends the run there.
    const result_ptr result{PQexec(connection_, sql.c_str())};
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        throw std::runtime_error{"SQL failed: " + trimmed(PQerrorMessage(connection_)) +
                                 " (in: " + sql + ")"};
    }
    std::vector<sql_row> out;
    const int row_count = PQntuples(result.get());
    const int column_count = PQnfields(result.get());
    out.reserve(static_cast<std::size_t>(row_count));
    for (int r = 0; r < row_count; ++r) {
        sql_row row;
        for (int c = 0; c < column_count; ++c) {
            if (PQgetisnull(result.get(), r, c) != 0) {
                row.emplace_back(std::nullopt);
            } else {
                row.emplace_back(
                    std::string{PQgetvalue(result.get(), r, c),
                                static_cast<std::size_t>(PQgetlength(result.get(), r, c))});
            }
        }
        out.push_back(std::move(row));
    }
    return out;
}

std::string sql_client::value(const std::string& sql) {
    const auto result = rows(sql);
    if (result.empty() || result.front().empty() || !result.front().front()) {
        throw std::runtime_error{"SQL gave no value: " + sql};
    }
    return *result.front().front();
}

std::string connection_error(const std::string& conninfo) {
    PGconn* connection = PQconnectdb(conninfo.c_str());
    std::string why;
    if (connection == nullptr) {
        why = "out of memory";
    } else if (PQstatus(connection) != CONNECTION_OK) {
        why = trimmed(PQerrorMessage(connection));
        if (why.empty()) {
            why = "connection failed";
        }
    }
    PQfinish(connection);
    return why;
}

}  // namespace polylogue::test
