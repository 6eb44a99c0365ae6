#include "postgres_schema.hpp"

#include <array>

namespace polylogue::transcript::pg {
namespace {

// Version 1. records.time sorts as bytes (COLLATE "C"): cost_since compares RFC 3339 texts,
// which a language's collation may order otherwise. cost_usd is the body's, filled at insert,
// so that the daily budget's sum reads no JSON.
constexpr std::string_view first_schema = R"sql(
CREATE TABLE records (
    room     text NOT NULL,
    seq      bigint NOT NULL CHECK (seq > 0),
    time     text COLLATE "C" NOT NULL,
    type     text NOT NULL,
    body     text NOT NULL,
    cost_usd double precision,
    PRIMARY KEY (room, seq)
);
CREATE INDEX records_cost_by_time ON records (time) WHERE cost_usd IS NOT NULL;
CREATE TABLE leases (
    room       text PRIMARY KEY,
    node       text NOT NULL,
    epoch      bigint NOT NULL CHECK (epoch > 0),
    expires_at timestamptz NOT NULL
);
CREATE TABLE nodes (
    node       text PRIMARY KEY,
    address    text NOT NULL DEFAULT '',
    expires_at timestamptz NOT NULL
);
)sql";

constexpr std::array<std::string_view, 1> all_migrations{first_schema};

// Any constant will do, as long as every version of polylogue takes the same one.
constexpr const char* migration_lock = "SELECT pg_advisory_xact_lock(7023548530416757101)";

enum class step { migrated_one, up_to_date };

std::string failed(const connection& db, int from) {
    return "cannot " + std::string{from == 0 ? "create" : "migrate"} +
           " the polylogue schema (version " + std::to_string(from) + " to " +
           std::to_string(from + 1) + "): " + db.last_error();
}

// One transaction: reads the version under the lock and applies the next migration, if any.
result<step, std::string> next_step(connection& db) {
    if (!db.execute("BEGIN") || !db.execute(migration_lock)) {
        return "cannot lock the polylogue schema: " + db.last_error();
    }
    const auto exists = db.run("SELECT to_regclass('polylogue_schema') IS NOT NULL");
    const bool created = text_at(exists, 0, 0) == "t";
    const auto read =
        created ? db.run("SELECT COALESCE(MAX(version), 0) FROM polylogue_schema") : pg_result{};
    const int version = created ? static_cast<int>(int_at(read, 0, 0).value_or(-1)) : 0;
    if (!succeeded(exists) || version < 0) {
        std::string why = "cannot read the polylogue schema's version: " + db.last_error();
        db.execute("ROLLBACK");
        return why;
    }
    if (version > known_schema_version()) {
        db.execute("ROLLBACK");
        return newer_schema_message(version, known_schema_version());
    }
    if (version == known_schema_version()) {
        db.execute("COMMIT");
        return step::up_to_date;
    }
    const std::string sql{all_migrations[static_cast<std::size_t>(version)]};
    const std::string next = std::to_string(version + 1);
    const bool ok =
        (created || (db.execute("CREATE TABLE polylogue_schema (version int NOT NULL)") &&
                     db.execute("INSERT INTO polylogue_schema VALUES (0)"))) &&
        db.execute(sql.c_str()) &&
        db.execute("UPDATE polylogue_schema SET version = $1::int", {next}) && db.execute("COMMIT");
    if (!ok) {
        std::string why = failed(db, version);
        db.execute("ROLLBACK");
        return why;
    }
    return step::migrated_one;
}

}  // namespace

std::span<const std::string_view> migrations() noexcept {
    return all_migrations;
}

int known_schema_version() noexcept {
    return static_cast<int>(all_migrations.size());
}

std::string newer_schema_message(int found, int known) {
    return "the database's schema is version " + std::to_string(found) +
           "; this polylogue knows up to " + std::to_string(known) + ": upgrade polylogue";
}

result<void, std::string> migrate(connection& db) {
    for (;;) {
        auto done = next_step(db);
        if (!done) {
            return done.error();
        }
        if (*done == step::up_to_date) {
            return {};
        }
    }
}

}  // namespace polylogue::transcript::pg
