#pragma once
// SQLite's own result codes as error_codes, so that a storage failure says why it failed (disk
// full, corrupt file, read-only database) wherever it is logged or answered, not only that it did.

#include <sqlite3.h>

#include <boost/system/error_code.hpp>

namespace polylogue::transcript {

const boost::system::error_category& sqlite_category() noexcept;

// An extended SQLite result code (SQLITE_FULL, SQLITE_IOERR_WRITE...); its message reads
// "transcript storage failure: database or disk is full (SQLITE_FULL)".
inline boost::system::error_code sqlite_error(int code) noexcept {
    return {code == SQLITE_OK ? SQLITE_ERROR : code, sqlite_category()};
}

// The error of the connection's last failed call.
inline boost::system::error_code sqlite_error(sqlite3* db) noexcept {
    return sqlite_error(db == nullptr ? SQLITE_NOMEM : sqlite3_extended_errcode(db));
}

}  // namespace polylogue::transcript
