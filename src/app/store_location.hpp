#pragma once

#include <filesystem>

#include "polylogue/config/config.hpp"

namespace polylogue::app {

// Every room's transcript lives in one database under data_dir.
inline std::filesystem::path store_file(const config::config& cfg) {
    return cfg.data_dir / "transcripts.db";
}

inline std::filesystem::path log_dir(const config::config& cfg) {
    return cfg.data_dir / "logs";
}

}  // namespace polylogue::app
