#pragma once
// What `run` and `serve` open before the event loop starts: the configuration (with --listen
// laid over it), the node's own directory and fence in a fleet, the stores, the lease table and
// the daily budget. Each refusal is said (on stderr, or in the log once it is open) before the
// daemon gives up.

#include <spdlog/logger.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "commands.hpp"
#include "polylogue/config/config.hpp"
#include "polylogue/room/daily_budget.hpp"
#include "polylogue/transcript/lease_fence.hpp"
#include "polylogue/transcript/lease_table.hpp"
#include "polylogue/transcript/store.hpp"

namespace polylogue::app {

// Where one daemon run keeps its own files, and what it opens: for sqlite the data_dir
// itself; for a fleet node data_dir/nodes/NAME, the shared store with the node's fence, and
// the lease table.
struct daemon_setup {
    std::string node;  // empty: no fleet
    std::filesystem::path own_dir;
    std::shared_ptr<transcript::lease_fence> fence;
    std::unique_ptr<transcript::lease_table> leases;
    std::string conninfo;  // the shared store's: it may hold a password, so it is never logged
};

// The configuration, with --listen over control.listen; null after printing its problems.
std::shared_ptr<const config::config> load_for_daemon(const std::string& config_path,
                                                      const daemon_options& options);

// nullopt after saying why on stderr.
std::optional<daemon_setup> plan_setup(const config::config& cfg, const daemon_options& options);

// The stores (the committer's, fenced in a fleet, and the loop's reader) and the lease table;
// false after logging why.
bool open_stores(daemon_setup& setup, const config::config& cfg, spdlog::logger& log,
                 std::unique_ptr<transcript::store>& db,
                 std::unique_ptr<transcript::store>& reader);

// The daily budget, with what every room of the data_dir has spent since 00:00 UTC: the
// records say it, so a restart neither forgets the day's spending nor counts it twice. Null
// after logging why it could not be read.
std::shared_ptr<room::daily_budget> open_daily_budget(transcript::store& db,
                                                      const config::config& cfg,
                                                      spdlog::logger& log);

}  // namespace polylogue::app
