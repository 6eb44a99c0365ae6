// The lease table of a fleet on PostgreSQL: each operation is one statement (its own
// transaction) timed by the database's now(). Rows are locked in room order, as the store's
// appends lock them, so a claim and an append never deadlock.

#include <algorithm>
#include <string>
#include <utility>

#include "polylogue/transcript/lease_table.hpp"
#include "postgres_connection.hpp"
#include "postgres_schema.hpp"

namespace polylogue::transcript {
namespace {

constexpr const char* heartbeat_sql = R"sql(
WITH announced AS (
    INSERT INTO nodes (node, address, expires_at)
    VALUES ($1::text, $2::text, now() + $3::bigint * interval '1 millisecond')
    ON CONFLICT (node) DO UPDATE SET address = EXCLUDED.address, expires_at = EXCLUDED.expires_at
    RETURNING node)
SELECT 1 + count(*) FROM nodes WHERE expires_at > now() AND node <> $1::text
)sql";

// The free rooms among those asked, first come first served up to the limit; a row another
// node claimed meanwhile fails the DO UPDATE's WHERE and is not returned.
constexpr const char* claim_sql = R"sql(
WITH asked AS (
    SELECT a.room, min(a.place) AS place FROM unnest($2::text[]) WITH ORDINALITY AS a(room, place)
    GROUP BY a.room),
free AS (
    SELECT asked.room FROM asked LEFT JOIN leases l ON l.room = asked.room
    WHERE l.room IS NULL OR l.expires_at <= now()
    ORDER BY asked.place LIMIT $3::bigint)
INSERT INTO leases AS l (room, node, epoch, expires_at)
SELECT room, $1::text, 1, now() + $4::bigint * interval '1 millisecond' FROM free ORDER BY room
ON CONFLICT (room) DO UPDATE
    SET node = EXCLUDED.node, epoch = l.epoch + 1, expires_at = EXCLUDED.expires_at
    WHERE l.expires_at <= now()
RETURNING l.room, l.epoch
)sql";

constexpr const char* renew_sql = R"sql(
WITH mine AS (
    SELECT l.room FROM leases l
    JOIN unnest($2::text[], $3::bigint[]) AS h(room, epoch)
        ON h.room = l.room AND h.epoch = l.epoch
    WHERE l.node = $1::text ORDER BY l.room FOR UPDATE OF l)
UPDATE leases SET expires_at = now() + $4::bigint * interval '1 millisecond'
FROM mine WHERE leases.room = mine.room
RETURNING leases.room
)sql";

constexpr const char* release_sql = R"sql(
WITH mine AS (
    SELECT l.room FROM leases l
    JOIN unnest($2::text[], $3::bigint[]) AS h(room, epoch)
        ON h.room = l.room AND h.epoch = l.epoch
    WHERE l.node = $1::text ORDER BY l.room FOR UPDATE OF l)
UPDATE leases SET expires_at = now() - interval '1 millisecond'
FROM mine WHERE leases.room = mine.room
)sql";

constexpr const char* owners_sql = R"sql(
SELECT l.room, l.node, COALESCE(n.address, ''), l.epoch, l.expires_at > now()
FROM leases l LEFT JOIN nodes n ON n.node = l.node ORDER BY l.room
)sql";

class postgres_leases final : public lease_table {
  public:
    explicit postgres_leases(pg::connection db) : db_{std::move(db)} {}

    result<int> heartbeat(const std::string& node, const std::string& address,
                          std::chrono::milliseconds lease) override {
        const auto live = run(heartbeat_sql, {node, address, std::to_string(lease.count())});
        const auto count = pg::int_at(live, 0, 0);
        if (!count) {
            return errc::storage_failure;
        }
        return static_cast<int>(*count);
    }

    result<std::vector<lease_grant>> claim(const std::string& node,
                                           const std::vector<std::string>& rooms, std::size_t limit,
                                           std::chrono::milliseconds lease) override {
        if (rooms.empty() || limit == 0) {
            return std::vector<lease_grant>{};
        }
        const auto granted = run(claim_sql, {node, pg::text_array(rooms), std::to_string(limit),
                                             std::to_string(lease.count())});
        if (!pg::succeeded(granted)) {
            return errc::storage_failure;
        }
        // Back in the order asked, as the contract reads.
        std::vector<lease_grant> grants;
        for (const auto& room : rooms) {
            for (int row = 0; row < PQntuples(granted.get()); ++row) {
                const bool listed =
                    std::any_of(grants.begin(), grants.end(),
                                [&](const lease_grant& g) { return g.room == room; });
                if (!listed && pg::text_at(granted, row, 0) == room) {
                    grants.push_back({room, pg::int_at(granted, row, 1).value_or(0)});
                }
            }
        }
        return grants;
    }

    result<std::vector<std::string>> renew(const std::string& node,
                                           const std::vector<lease_grant>& held,
                                           std::chrono::milliseconds lease) override {
        if (held.empty()) {
            return std::vector<std::string>{};
        }
        const auto renewed = run(renew_sql, with_grants(node, held, lease.count()));
        if (!pg::succeeded(renewed)) {
            return errc::storage_failure;
        }
        std::vector<std::string> rooms;
        rooms.reserve(static_cast<std::size_t>(PQntuples(renewed.get())));
        for (int row = 0; row < PQntuples(renewed.get()); ++row) {
            rooms.push_back(pg::text_at(renewed, row, 0));
        }
        return rooms;
    }

    result<void> release(const std::string& node, const std::vector<lease_grant>& held) override {
        if (held.empty()) {
            return {};
        }
        auto values = with_grants(node, held, 0);
        values.pop_back();
        if (!pg::succeeded(run(release_sql, std::move(values)))) {
            return errc::storage_failure;
        }
        return {};
    }

    result<std::vector<room_owner>> owners() override {
        const auto rows = run(owners_sql, {});
        if (!pg::succeeded(rows)) {
            return errc::storage_failure;
        }
        std::vector<room_owner> owners;
        owners.reserve(static_cast<std::size_t>(PQntuples(rows.get())));
        for (int row = 0; row < PQntuples(rows.get()); ++row) {
            owners.push_back({pg::text_at(rows, row, 0), pg::text_at(rows, row, 1),
                              pg::text_at(rows, row, 2), pg::int_at(rows, row, 3).value_or(0),
                              pg::text_at(rows, row, 4) == "t"});
        }
        return owners;
    }

    std::string last_error() const override { return last_error_; }

  private:
    static std::vector<std::optional<std::string>> with_grants(const std::string& node,
                                                               const std::vector<lease_grant>& held,
                                                               std::int64_t lease_ms) {
        std::vector<std::string> rooms;
        std::vector<std::int64_t> epochs;
        for (const auto& grant : held) {
            rooms.push_back(grant.room);
            epochs.push_back(grant.epoch);
        }
        return {node, pg::text_array(rooms), pg::int_array(epochs), std::to_string(lease_ms)};
    }

    // One statement; run again once on a new connection if the connection was lost. Each is
    // its own transaction: renew, release and heartbeat may run twice; a claim lost after its
    // commit leaves leases no node acts on, free again after one lease period.
    pg::pg_result run(const char* sql, std::vector<std::optional<std::string>> values) {
        auto r = db_.run_reconnecting(sql, values);
        if (!pg::succeeded(r)) {
            last_error_ = db_.last_error();
        }
        return r;
    }

    pg::connection db_;
    std::string last_error_;
};

}  // namespace

result<std::unique_ptr<lease_table>, std::string> lease_table::open(const std::string& conninfo) {
    auto db = pg::connection::open(conninfo);
    if (!db) {
        return db.error();
    }
    if (auto migrated = pg::migrate(*db); !migrated) {
        return migrated.error();
    }
    return std::unique_ptr<lease_table>{std::make_unique<postgres_leases>(std::move(*db))};
}

}  // namespace polylogue::transcript
