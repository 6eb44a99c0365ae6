#include "polylogue/transcript/postgres_budget.hpp"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <string_view>
#include <utility>
#include <vector>

namespace polylogue::transcript {
namespace {

// The first key of every advisory lock the budget takes ("PLBG"): the two-key form keeps them
// apart from any one-key lock of the store.
constexpr const char* lock_class = "1347175239";

struct result_deleter {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using pg_result = std::unique_ptr<PGresult, result_deleter>;

std::string database_error(PGconn* connection) {
    std::string message = PQerrorMessage(connection);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
        message.pop_back();
    }
    return message.empty() ? std::string{"the database gave no reason"} : message;
}

// One statement with text parameters; the error is the database's.
result<pg_result, std::string> run(PGconn* connection, const char* sql,
                                   std::initializer_list<std::string> params = {}) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const std::string& p : params) {
        values.push_back(p.c_str());
    }
    pg_result answer{PQexecParams(connection, sql, static_cast<int>(values.size()), nullptr,
                                  values.data(), nullptr, nullptr, 0)};
    const auto status = answer ? PQresultStatus(answer.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        return database_error(connection);
    }
    return answer;
}

// Statements without parameters, several at once (the simple query protocol).
result<void, std::string> run_script(PGconn* connection, const char* sql) {
    pg_result answer{PQexec(connection, sql)};
    const auto status = answer ? PQresultStatus(answer.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        return database_error(connection);
    }
    return {};
}

// A transaction left open by a statement that failed would hold its lock and its snapshot.
void roll_back_if_open(PGconn* connection) {
    if (PQstatus(connection) == CONNECTION_OK && PQtransactionStatus(connection) != PQTRANS_IDLE) {
        pg_result ignored{PQexec(connection, "ROLLBACK")};
    }
}

// Bounds every statement, so a wedged database fails a call instead of hanging its thread; and
// keeps the server's notices ("already exists, skipping") off the daemon's stderr.
result<void, std::string> limit_waits(PGconn* connection) {
    return run_script(connection,
                      "SET statement_timeout = '5s'; SET lock_timeout = '5s'; "
                      "SET client_min_messages = warning");
}

constexpr const char* create_budget_tables = R"sql(
CREATE TABLE IF NOT EXISTS provider_calls (
    id bigserial PRIMARY KEY,
    provider text NOT NULL,
    node text NOT NULL,
    started_at timestamptz NOT NULL,
    finished_at timestamptz
);
CREATE INDEX IF NOT EXISTS provider_calls_unfinished
    ON provider_calls (provider) WHERE finished_at IS NULL;
CREATE INDEX IF NOT EXISTS provider_calls_started ON provider_calls (provider, started_at);
)sql";

// Counted after the lock is held, in a statement of its own: its snapshot sees every call the
// lock's previous holder recorded.
constexpr const char* admit_call = R"sql(
WITH t AS MATERIALIZED (SELECT clock_timestamp() AS at),
counted AS (
    SELECT
        (SELECT count(*) FROM provider_calls c
          WHERE c.provider = $1 AND c.finished_at IS NULL
            AND (c.node = $2 OR EXISTS (SELECT 1 FROM nodes n
                                         WHERE n.node = c.node AND n.expires_at > t.at)))
            AS in_flight,
        (SELECT count(*) FROM provider_calls c
          WHERE c.provider = $1 AND c.started_at > t.at - interval '1 minute') AS started,
        (SELECT min(c.started_at) FROM provider_calls c
          WHERE c.provider = $1 AND c.started_at > t.at - interval '1 minute') AS oldest
    FROM t
),
admitted AS (
    INSERT INTO provider_calls (provider, node, started_at)
    SELECT $1, $2, t.at FROM counted, t
     WHERE counted.in_flight < $3::int AND ($4::int <= 0 OR counted.started < $4::int)
    RETURNING id
)
SELECT counted.in_flight, counted.started,
       coalesce(ceil(extract(epoch FROM counted.oldest + interval '1 minute' - t.at) * 1000),
                0)::bigint,
       (SELECT id FROM admitted)
  FROM counted, t
)sql";

constexpr const char* prune_calls = R"sql(
DELETE FROM provider_calls c
 WHERE c.started_at < now() - interval '1 minute'
   AND (c.finished_at IS NOT NULL
        OR (c.started_at < now() - interval '10 minutes' AND c.node <> $1
            AND NOT EXISTS (SELECT 1 FROM nodes n
                             WHERE n.node = c.node AND n.expires_at > now())))
)sql";

std::int64_t integer_at(const PGresult* rows, int column) {
    return std::stoll(PQgetvalue(rows, 0, column));
}

// admit_call's one row.
call_admission read_admission(const PGresult* row) {
    call_admission answer;
    answer.in_flight = static_cast<int>(integer_at(row, 0));
    answer.started_last_minute = static_cast<int>(integer_at(row, 1));
    answer.window_frees_in =
        std::chrono::milliseconds{std::max<std::int64_t>(0, integer_at(row, 2))};
    if (!PQgetisnull(row, 0, 3)) {
        answer.call = integer_at(row, 3);
    }
    return answer;
}

}  // namespace

result<void, std::string> ensure_budget_schema(PGconn* connection) {
    auto nodes = run(connection, "SELECT to_regclass('nodes') IS NOT NULL");
    if (!nodes) {
        return nodes.error();
    }
    if (std::string_view{PQgetvalue(nodes->get(), 0, 0)} != "t") {
        return std::string{
            "the database has no table nodes: the fleet's store schema must be "
            "created first (the store creates it when it opens)"};
    }
    // Serialised: two nodes creating the table at once would collide in the catalogue.
    auto created = run_script(connection, "BEGIN");
    if (created) {
        auto locked = run(connection, "SELECT pg_advisory_xact_lock($1::int, 0)", {lock_class});
        created = locked ? run_script(connection, create_budget_tables)
                         : result<void, std::string>{locked.error()};
    }
    if (created) {
        created = run_script(connection, "COMMIT");
    }
    if (!created) {
        roll_back_if_open(connection);
    }
    return created;
}

result<std::unique_ptr<postgres_budget>, std::string> postgres_budget::open(
    const std::string& conninfo, std::string node) {
    // Ours first: the connection string, expanded in dbname's place, overrides any of them.
    const std::array<const char*, 9> keys{
        "connect_timeout",     "keepalives",       "keepalives_idle",
        "keepalives_interval", "keepalives_count", "tcp_user_timeout",
        "application_name",    "dbname",           nullptr};
    const std::array<const char*, 9> values{
        "5", "1", "5", "2", "2", "10000", "polylogue provider budget", conninfo.c_str(), nullptr};
    PGconn* connection = PQconnectdbParams(keys.data(), values.data(), 1);
    if (connection == nullptr) {
        return std::string{"cannot connect to the fleet's database: out of memory"};
    }
    std::unique_ptr<postgres_budget> budget{new postgres_budget{connection, std::move(node)}};
    if (PQstatus(connection) != CONNECTION_OK) {
        return "cannot connect to the fleet's database: " + database_error(connection);
    }
    if (auto limited = limit_waits(connection); !limited) {
        return limited.error();
    }
    if (auto schema = ensure_budget_schema(connection); !schema) {
        return schema.error();
    }
    return budget;
}

postgres_budget::postgres_budget(PGconn* connection, std::string node)
    : connection_{connection}, node_{std::move(node)} {}

postgres_budget::~postgres_budget() {
    PQfinish(connection_);
}

result<void, std::string> postgres_budget::usable() {
    if (PQstatus(connection_) == CONNECTION_OK) {
        return {};
    }
    PQreset(connection_);
    if (PQstatus(connection_) != CONNECTION_OK) {
        return "cannot connect to the fleet's database: " + database_error(connection_);
    }
    return limit_waits(connection_);
}

result<call_admission, std::string> postgres_budget::try_start(const std::string& provider,
                                                               int max_in_flight,
                                                               int requests_per_minute) {
    if (auto ready = usable(); !ready) {
        return ready.error();
    }
    settle_doubtful();
    auto fail = [this](std::string why) -> result<call_admission, std::string> {
        roll_back_if_open(connection_);
        return why;
    };
    if (auto begun = run(connection_, "BEGIN ISOLATION LEVEL READ COMMITTED"); !begun) {
        return fail(begun.error());
    }
    auto locked = run(connection_, "SELECT pg_advisory_xact_lock($1::int, hashtext($2))",
                      {lock_class, provider});
    if (!locked) {
        return fail(locked.error());
    }
    auto counted =
        run(connection_, admit_call,
            {provider, node_, std::to_string(max_in_flight), std::to_string(requests_per_minute)});
    if (!counted) {
        return fail(counted.error());
    }
    const call_admission answer = read_admission(counted->get());
    if (auto committed = run(connection_, "COMMIT"); !committed) {
        // The connection may have gone after the commit was done: if the row is there, nobody
        // would ever end its call.
        if (answer.call) {
            doubtful_.push_back(*answer.call);
        }
        return fail(committed.error());
    }
    return answer;
}

void postgres_budget::settle_doubtful() {
    while (!doubtful_.empty() && finish(doubtful_.back())) {
        doubtful_.pop_back();
    }
}

result<void, std::string> postgres_budget::finish(std::int64_t call) {
    if (auto ready = usable(); !ready) {
        return ready.error();
    }
    auto done = run(connection_,
                    "UPDATE provider_calls SET finished_at = clock_timestamp() "
                    "WHERE id = $1 AND finished_at IS NULL",
                    {std::to_string(call)});
    if (!done) {
        return done.error();
    }
    return {};
}

result<void, std::string> postgres_budget::finish_all() {
    if (auto ready = usable(); !ready) {
        return ready.error();
    }
    auto done = run(connection_,
                    "UPDATE provider_calls SET finished_at = clock_timestamp() "
                    "WHERE node = $1 AND finished_at IS NULL",
                    {node_});
    if (!done) {
        return done.error();
    }
    return {};
}

result<std::int64_t, std::string> postgres_budget::prune() {
    if (auto ready = usable(); !ready) {
        return ready.error();
    }
    auto done = run(connection_, prune_calls, {node_});
    if (!done) {
        return done.error();
    }
    const std::string_view pruned = PQcmdTuples(done->get());
    return pruned.empty() ? 0 : std::stoll(std::string{pruned});
}

}  // namespace polylogue::transcript
