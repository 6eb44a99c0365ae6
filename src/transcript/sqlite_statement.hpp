#pragma once
// A prepared SQLite statement that finalizes itself; binds and steps with error codes as values.

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace polylogue::transcript {

class sqlite_statement {
  public:
    sqlite_statement(sqlite3* db, std::string_view sql) noexcept {
        status_ =
            sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &statement_, nullptr);
        if (status_ != SQLITE_OK) {
            error_ = sqlite3_extended_errcode(db);
        }
    }
    sqlite_statement(const sqlite_statement&) = delete;
    sqlite_statement& operator=(const sqlite_statement&) = delete;
    ~sqlite_statement() { sqlite3_finalize(statement_); }

    bool prepared() const noexcept { return status_ == SQLITE_OK && statement_ != nullptr; }

    void bind(int index, std::string_view text) noexcept {
        sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()),
                          SQLITE_TRANSIENT);
    }
    // Without a copy: text must stay as it is until the statement is reset.
    void bind_unowned(int index, std::string_view text) noexcept {
        sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()),
                          SQLITE_STATIC);
    }
    void bind(int index, std::int64_t value) noexcept {
        sqlite3_bind_int64(statement_, index, value);
    }

    // SQLITE_ROW, SQLITE_DONE or an error code.
    int step() noexcept { return sqlite3_step(statement_); }
    void reset() noexcept {
        sqlite3_reset(statement_);
        sqlite3_clear_bindings(statement_);
    }
    // Steps a statement that returns no row and resets it for the next run. On failure, error()
    // says why until the next failure.
    bool run() noexcept {
        const int status = step();
        if (status != SQLITE_DONE) {
            // Read before reset(), which may leave another code on the connection.
            const int extended = sqlite3_extended_errcode(sqlite3_db_handle(statement_));
            error_ =
                status == SQLITE_ROW ? SQLITE_MISUSE : (extended != SQLITE_OK ? extended : status);
        }
        reset();
        return status == SQLITE_DONE;
    }

    // The extended result code of the last failed run(), or of a failed prepare.
    int error() const noexcept { return error_; }

    std::int64_t column_int(int index) noexcept { return sqlite3_column_int64(statement_, index); }
    double column_double(int index) noexcept { return sqlite3_column_double(statement_, index); }
    std::string_view column_text(int index) noexcept {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement_, index));
        const int size = sqlite3_column_bytes(statement_, index);
        return text ? std::string_view{text, static_cast<std::size_t>(size)} : std::string_view{};
    }

  private:
    sqlite3_stmt* statement_ = nullptr;
    int status_ = SQLITE_ERROR;
    int error_ = SQLITE_OK;
};

}  // namespace polylogue::transcript
