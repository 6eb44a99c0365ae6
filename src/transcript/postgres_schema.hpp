#pragma once
// The shared store's schema and its versions. Each node creates or migrates it when it opens
// the store: one transaction per migration, under an advisory lock so that nodes starting
// together take turns; a database from a newer polylogue is refused and left as it is.

#include <span>
#include <string>
#include <string_view>

#include "polylogue/core/error.hpp"
#include "postgres_connection.hpp"

namespace polylogue::transcript::pg {

// Migration i (0-based) takes the schema from version i to version i + 1.
std::span<const std::string_view> migrations() noexcept;
int known_schema_version() noexcept;

// "the database's schema is version N; this polylogue knows up to M: upgrade polylogue"
std::string newer_schema_message(int found, int known);

// Brings the database to known_schema_version(); errors worded for a person.
result<void, std::string> migrate(connection& db);

}  // namespace polylogue::transcript::pg
