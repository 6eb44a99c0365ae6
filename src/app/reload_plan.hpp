#pragma once
// What a reload cannot apply while the daemon runs: the settings read once at startup (the
// control API's socket and limits, the log file's rotation and format). Pure.

#include <string>
#include <vector>

#include "polylogue/config/config.hpp"

namespace polylogue::app {

struct restart_setting {
    std::string key;      // "control.listen"
    std::string running;  // the value in force, as the config writes it
    std::string wanted;   // the reloaded config's value
};

// The restart-only settings whose value differs between the config the daemon started with and
// the one reloaded, in the order of docs/config.md.
std::vector<restart_setting> settings_needing_restart(const config::config& running,
                                                      const config::config& wanted);

// "control.listen, logging.json"
std::string key_list(const std::vector<restart_setting>& settings);

}  // namespace polylogue::app
