#pragma once

#include <filesystem>

#include "polylogue/config/config.hpp"
#include "polylogue/transcript/store.hpp"

namespace polylogue::app {

// Every room's transcript lives in one database under data_dir.
inline std::filesystem::path store_file(const config::config& cfg) {
    return cfg.data_dir / "transcripts.db";
}

// A store's failure for a person: its code's message, and the server's words when it has some.
inline std::string store_failure(const transcript::store& db, const boost::system::error_code& e) {
    const std::string more = db.last_error();
    return e.message() + (more.empty() ? std::string{} : ": " + more);
}

inline std::filesystem::path log_dir(const config::config& cfg) {
    return cfg.data_dir / "logs";
}

}  // namespace polylogue::app
