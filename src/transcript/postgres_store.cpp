#include "postgres_store.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <numeric>

#include "postgres_schema.hpp"

namespace polylogue::transcript {
namespace {

// Locks the room's lease row until the commit, so that a claim of the room waits for this
// batch, and a batch that waited for a claim sees the new owner.
constexpr const char* lock_lease =
    "SELECT node, epoch, expires_at > now() FROM leases WHERE room = $1::text FOR SHARE";

constexpr const char* stored_last =
    "SELECT COALESCE(MAX(seq), 0) FROM records WHERE room = $1::text";

// One statement per batch; its notice is sent when (and only if) the transaction commits.
constexpr const char* insert_batch = R"sql(
WITH added AS (
    INSERT INTO records (room, seq, time, type, body, cost_usd)
    SELECT $1::text, r.seq, r.time, r.type, r.body, r.cost
    FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::float8[])
        AS r(seq, time, type, body, cost)
    RETURNING seq)
SELECT pg_notify('polylogue_records', MAX(seq)::text || ' ' || $1::text) FROM added
)sql";

// The batch's columns as array literals: one round trip however many records it holds.
std::vector<std::optional<std::string>> batch_columns(const room_batch& batch) {
    std::vector<std::int64_t> seqs;
    std::vector<std::string> times, types, bodies;
    std::vector<std::optional<double>> costs;
    for (const auto& r : batch.records) {
        seqs.push_back(r.seq);
        times.push_back(r.time);
        types.emplace_back(core::to_string(r.type));
        bodies.push_back(
            core::to_json(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        costs.push_back(r.cost_usd);
    }
    return {batch.room,
            pg::int_array(seqs),
            pg::text_array(times),
            pg::text_array(types),
            pg::text_array(bodies),
            pg::float_array(costs)};
}

}  // namespace

result<std::unique_ptr<postgres_store>, std::string> postgres_store::open(
    const std::string& conninfo, std::shared_ptr<lease_fence> fence) {
    auto db = pg::connection::open(conninfo);
    if (!db) {
        return db.error();
    }
    if (auto migrated = pg::migrate(*db); !migrated) {
        return migrated.error();
    }
    return std::make_unique<postgres_store>(
        std::move(*db), std::move(fence), "PostgreSQL " + pg::where(pg::describe_target(conninfo)));
}

postgres_store::postgres_store(pg::connection db, std::shared_ptr<lease_fence> fence,
                               std::string where)
    : db_{std::move(db)}, fence_{std::move(fence)}, where_{std::move(where)} {}

boost::system::error_code postgres_store::storage_failure() {
    last_error_ = db_.last_error();
    return errc::storage_failure;
}

pg::pg_result postgres_store::read(const char* sql,
                                   std::vector<std::optional<std::string>> values) {
    auto r = db_.run_reconnecting(sql, values);
    if (!pg::succeeded(r)) {
        last_error_ = db_.last_error();
    }
    return r;
}

result<std::vector<core::record>> postgres_store::load(std::string_view room, std::int64_t after) {
    const auto rows =
        read("SELECT body FROM records WHERE room = $1::text AND seq > $2::bigint ORDER BY seq",
             {std::string{room}, std::to_string(after)});
    if (!pg::succeeded(rows)) {
        return errc::storage_failure;
    }
    std::vector<core::record> records;
    const int count = PQntuples(rows.get());
    records.reserve(static_cast<std::size_t>(count));
    for (int row = 0; row < count; ++row) {
        const auto body = nlohmann::json::parse(PQgetvalue(rows.get(), row, 0), nullptr, false);
        auto decoded = core::record_from_json(body);
        if (!decoded) {
            return decoded.error();
        }
        records.push_back(std::move(*decoded));
    }
    return records;
}

result<double> postgres_store::cost_since(std::string_view since) {
    const auto sum = read(
        "SELECT COALESCE(SUM(cost_usd), 0) FROM records WHERE cost_usd IS NOT NULL AND time >= "
        "$1::text",
        {std::string{since}});
    if (!pg::succeeded(sum)) {
        return errc::storage_failure;
    }
    // from_chars, not strtod: the server writes '.', whatever the process's locale says.
    const std::string text = pg::text_at(sum, 0, 0);
    double total = 0;
    std::from_chars(text.data(), text.data() + text.size(), total);
    return total;
}

result<std::int64_t> postgres_store::last_seq(std::string_view room) {
    const auto last = read(stored_last, {std::string{room}});
    const auto seq = pg::int_at(last, 0, 0);
    if (!seq) {
        return errc::storage_failure;
    }
    return *seq;
}

result<std::vector<std::string>> postgres_store::rooms() {
    const auto rows = read("SELECT DISTINCT room FROM records ORDER BY room", {});
    if (!pg::succeeded(rows)) {
        return errc::storage_failure;
    }
    std::vector<std::string> names;
    names.reserve(static_cast<std::size_t>(PQntuples(rows.get())));
    for (int row = 0; row < PQntuples(rows.get()); ++row) {
        names.push_back(pg::text_at(rows, row, 0));
    }
    return names;
}

result<void> postgres_store::check_lease(const std::string& room) {
    const std::optional<std::int64_t> epoch =
        fence_ ? fence_->epoch_of(room) : std::optional<std::int64_t>{};
    if (fence_ && !epoch) {
        return errc::fenced;  // this node does not hold the room (any more)
    }
    const auto lease = db_.run(lock_lease, {room});
    if (!pg::succeeded(lease)) {
        return storage_failure();
    }
    const bool has_row = PQntuples(lease.get()) > 0;
    if (!fence_) {
        // A tool (import, an offline fork) writes only rooms no node is running.
        return has_row && pg::text_at(lease, 0, 2) == "t" ? result<void>{errc::fenced}
                                                          : result<void>{};
    }
    if (!has_row || pg::text_at(lease, 0, 0) != fence_->node() ||
        pg::int_at(lease, 0, 1) != epoch) {
        return errc::fenced;
    }
    return {};
}

result<void> postgres_store::append_batch(const room_batch& batch) {
    if (auto leased = check_lease(batch.room); !leased) {
        return leased;
    }
    const auto last = pg::int_at(db_.run(stored_last, {batch.room}), 0, 0);
    if (!last) {
        return storage_failure();
    }
    std::int64_t expected = *last + 1;
    for (const auto& r : batch.records) {
        if (r.seq != expected++) {
            return errc::invalid_argument;  // a gap or a repeat: the caller's fold is wrong
        }
    }
    const auto columns = batch_columns(batch);
    if (!pg::succeeded(db_.run(insert_batch, columns))) {
        // A record of that seq arrived meanwhile (UNIQUE (room, seq), the backstop).
        return db_.last_sqlstate() == "23505" ? result<void>{errc::invalid_argument}
                                              : result<void>{storage_failure()};
    }
    return {};
}

result<void> postgres_store::append_all(std::span<const room_batch> batches,
                                        std::vector<result<void>>& outcomes, bool& commit_sent) {
    commit_sent = false;
    if (!db_.execute("BEGIN")) {
        return storage_failure();
    }
    // Lease rows are locked in room order, as claims and renewals lock them: no deadlock.
    std::vector<std::size_t> order(batches.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return batches[a].room < batches[b].room;
    });
    // A savepoint per batch: one room's refused batch must not cost the others their commit.
    for (const std::size_t i : order) {
        if (batches[i].records.empty()) {
            outcomes[i] = {};
            continue;
        }
        if (!db_.execute("SAVEPOINT batch")) {
            return storage_failure();
        }
        outcomes[i] = append_batch(batches[i]);
        if (!outcomes[i] && db_.lost()) {
            return storage_failure();
        }
        if (!outcomes[i] && !db_.execute("ROLLBACK TO SAVEPOINT batch")) {
            return storage_failure();
        }
        if (!db_.execute("RELEASE SAVEPOINT batch")) {
            return storage_failure();
        }
    }
    commit_sent = true;
    if (!db_.execute("COMMIT")) {
        return storage_failure();
    }
    return {};
}

std::vector<result<void>> postgres_store::append(std::span<const room_batch> batches) {
    std::vector<result<void>> outcomes(batches.size());
    bool commit_sent = false;
    auto done = append_all(batches, outcomes, commit_sent);
    // A connection lost before the COMMIT went out committed nothing: try once more on a new
    // one. Lost after it, the outcome is unknown: fail, and let the caller read the store.
    if (!done && db_.lost() && !commit_sent) {
        if (auto again = db_.reconnect(); again) {
            done = append_all(batches, outcomes, commit_sent);
        } else {
            last_error_ = again.error();
        }
    }
    if (!done) {
        if (db_.usable()) {
            db_.execute("ROLLBACK");
        }
        std::fill(outcomes.begin(), outcomes.end(), done);
        return outcomes;
    }
    for (const auto& outcome : outcomes) {
        if (fence_ && !outcome && outcome.error() == errc::fenced) {
            fence_->count_refusal();
        }
    }
    return outcomes;
}

}  // namespace polylogue::transcript
