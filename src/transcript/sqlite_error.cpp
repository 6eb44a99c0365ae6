#include "sqlite_error.hpp"

#include <array>
#include <string>
#include <string_view>
#include <utility>

namespace polylogue::transcript {
namespace {

// The primary result codes an operator may meet; an extended code names its primary one.
constexpr std::array primary_names{
    std::pair{SQLITE_ERROR, std::string_view{"SQLITE_ERROR"}},
    std::pair{SQLITE_INTERNAL, std::string_view{"SQLITE_INTERNAL"}},
    std::pair{SQLITE_PERM, std::string_view{"SQLITE_PERM"}},
    std::pair{SQLITE_ABORT, std::string_view{"SQLITE_ABORT"}},
    std::pair{SQLITE_BUSY, std::string_view{"SQLITE_BUSY"}},
    std::pair{SQLITE_LOCKED, std::string_view{"SQLITE_LOCKED"}},
    std::pair{SQLITE_NOMEM, std::string_view{"SQLITE_NOMEM"}},
    std::pair{SQLITE_READONLY, std::string_view{"SQLITE_READONLY"}},
    std::pair{SQLITE_INTERRUPT, std::string_view{"SQLITE_INTERRUPT"}},
    std::pair{SQLITE_IOERR, std::string_view{"SQLITE_IOERR"}},
    std::pair{SQLITE_CORRUPT, std::string_view{"SQLITE_CORRUPT"}},
    std::pair{SQLITE_NOTFOUND, std::string_view{"SQLITE_NOTFOUND"}},
    std::pair{SQLITE_FULL, std::string_view{"SQLITE_FULL"}},
    std::pair{SQLITE_CANTOPEN, std::string_view{"SQLITE_CANTOPEN"}},
    std::pair{SQLITE_PROTOCOL, std::string_view{"SQLITE_PROTOCOL"}},
    std::pair{SQLITE_SCHEMA, std::string_view{"SQLITE_SCHEMA"}},
    std::pair{SQLITE_TOOBIG, std::string_view{"SQLITE_TOOBIG"}},
    std::pair{SQLITE_CONSTRAINT, std::string_view{"SQLITE_CONSTRAINT"}},
    std::pair{SQLITE_MISMATCH, std::string_view{"SQLITE_MISMATCH"}},
    std::pair{SQLITE_MISUSE, std::string_view{"SQLITE_MISUSE"}},
    std::pair{SQLITE_NOLFS, std::string_view{"SQLITE_NOLFS"}},
    std::pair{SQLITE_AUTH, std::string_view{"SQLITE_AUTH"}},
    std::pair{SQLITE_RANGE, std::string_view{"SQLITE_RANGE"}},
    std::pair{SQLITE_NOTADB, std::string_view{"SQLITE_NOTADB"}},
};

std::string code_name(int code) {
    for (const auto& [primary, name] : primary_names) {
        if (primary == (code & 0xff)) {
            return std::string{name};
        }
    }
    return "SQLite code " + std::to_string(code);
}

class sqlite_error_category final : public boost::system::error_category {
  public:
    const char* name() const noexcept override { return "sqlite"; }

    std::string message(int value) const override {
        return "transcript storage failure: " + std::string{sqlite3_errstr(value)} + " (" +
               code_name(value) + ")";
    }
};

}  // namespace

const boost::system::error_category& sqlite_category() noexcept {
    static const sqlite_error_category category;
    return category;
}

}  // namespace polylogue::transcript
