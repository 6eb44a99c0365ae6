#pragma once
// The store a configuration names (config::store_settings): data_dir/transcripts.db, or the
// PostgreSQL database whose connection string is in the url_env variable. A postgres store is
// created or migrated to this version's schema; one from a newer version is refused, never
// altered.

#include <memory>
#include <string>

#include "polylogue/config/config.hpp"
#include "polylogue/core/error.hpp"
#include "polylogue/transcript/lease_fence.hpp"
#include "polylogue/transcript/store.hpp"

namespace polylogue::transcript {

// The connection string of a postgres store, or why there is none: "the environment variable
// POLYLOGUE_DATABASE_URL (store.url_env) is not set".
result<std::string, std::string> store_conninfo(const config::config& cfg);

// errors are worded for a person and never hold the password: the database is unreachable, the
// password was refused, the schema is newer than this version, the variable is missing.
// fence: the node's leases; every append is checked against it and the lease table. Null: no
// fence (a tool that only reads, or the sqlite store).
result<std::unique_ptr<store>, std::string> open_store(const config::config& cfg,
                                                       std::shared_ptr<lease_fence> fence = {});

}  // namespace polylogue::transcript
