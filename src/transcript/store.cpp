#include "polylogue/transcript/store.hpp"

#include <sqlite3.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <system_error>

#include "sqlite_statement.hpp"

namespace polylogue::transcript {
namespace {

constexpr std::string_view schema = R"sql(
CREATE TABLE IF NOT EXISTS records (
    room TEXT NOT NULL,
    seq  INTEGER NOT NULL,
    time TEXT NOT NULL,
    type TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (room, seq)
) WITHOUT ROWID;
)sql";

// WAL lets readers (transcript, tail) run beside the daemon; FULL makes each commit durable
// against power loss, which group commit keeps affordable.
constexpr std::string_view pragmas =
    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;";

result<void> execute(sqlite3* db, std::string_view sql) {
    const std::string text{sql};
    if (sqlite3_exec(db, text.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
        return errc::storage_failure;
    }
    return {};
}

}  // namespace

store::store(sqlite3* db, std::filesystem::path file) noexcept : db_{db}, file_{std::move(file)} {}

store::~store() {
    sqlite3_close_v2(db_);
}

result<std::unique_ptr<store>> store::open(const std::filesystem::path& file) {
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    if (ec) {
        return boost::system::error_code{ec.value(), boost::system::system_category()};
    }
    sqlite3* db = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
    if (sqlite3_open_v2(file.c_str(), &db, flags, nullptr) != SQLITE_OK) {
        sqlite3_close_v2(db);
        return errc::storage_failure;
    }
    std::unique_ptr<store> opened{new store{db, file}};
    if (auto ok = execute(db, pragmas); !ok) {
        return ok.error();
    }
    if (auto ok = execute(db, schema); !ok) {
        return ok.error();
    }
    return opened;
}

result<std::vector<core::record>> store::load(std::string_view room, std::int64_t after) {
    sqlite_statement select{db_,
                            "SELECT body FROM records WHERE room = ? AND seq > ? ORDER BY seq"};
    if (!select.prepared()) {
        return errc::storage_failure;
    }
    select.bind(1, room);
    select.bind(2, after);
    std::vector<core::record> records;
    int status = SQLITE_ROW;
    while ((status = select.step()) == SQLITE_ROW) {
        const auto body = nlohmann::json::parse(select.column_text(0), nullptr, false);
        auto decoded = core::record_from_json(body);
        if (!decoded) {
            return decoded.error();
        }
        records.push_back(std::move(*decoded));
    }
    if (status != SQLITE_DONE) {
        return errc::storage_failure;
    }
    return records;
}

result<std::int64_t> store::last_seq(std::string_view room) {
    sqlite_statement select{db_, "SELECT COALESCE(MAX(seq), 0) FROM records WHERE room = ?"};
    if (!select.prepared()) {
        return errc::storage_failure;
    }
    select.bind(1, room);
    if (select.step() != SQLITE_ROW) {
        return errc::storage_failure;
    }
    return select.column_int(0);
}

result<void> store::append_one(const room_batch& batch) {
    auto last = last_seq(batch.room);
    if (!last) {
        return last.error();
    }
    sqlite_statement insert{db_,
                            "INSERT INTO records (room, seq, time, type, body) "
                            "VALUES (?, ?, ?, ?, ?)"};
    if (!insert.prepared()) {
        return errc::storage_failure;
    }
    std::int64_t expected = *last + 1;
    for (const auto& r : batch.records) {
        if (r.seq != expected++) {
            return errc::invalid_argument;  // a gap or a repeat: the caller's fold is wrong
        }
        insert.bind(1, batch.room);
        insert.bind(2, r.seq);
        insert.bind(3, r.time);
        insert.bind(4, core::to_string(r.type));
        insert.bind(
            5, core::to_json(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        if (insert.step() != SQLITE_DONE) {
            return errc::storage_failure;
        }
        insert.reset();
    }
    return {};
}

std::vector<result<void>> store::append(std::span<const room_batch> batches) {
    std::vector<result<void>> outcomes(batches.size());
    if (auto ok = execute(db_, "BEGIN IMMEDIATE"); !ok) {
        std::fill(outcomes.begin(), outcomes.end(), ok);
        return outcomes;
    }
    // A savepoint per batch: one room's bad batch must not cost the other rooms their commit.
    for (std::size_t i = 0; i < batches.size(); ++i) {
        (void)execute(db_, "SAVEPOINT batch");
        outcomes[i] = append_one(batches[i]);
        (void)execute(db_, outcomes[i] ? "RELEASE batch" : "ROLLBACK TO batch; RELEASE batch");
    }
    if (auto ok = execute(db_, "COMMIT"); !ok) {
        (void)execute(db_, "ROLLBACK");
        std::fill(outcomes.begin(), outcomes.end(), ok);
    }
    return outcomes;
}

}  // namespace polylogue::transcript
