#include "sqlite_store.hpp"

#include <sqlite3.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>
#include <system_error>

#include "sqlite_error.hpp"
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
        return sqlite_error(db);
    }
    return {};
}

}  // namespace

// Prepared once and run for every batch: preparing costs more than running most of them.
struct sqlite_store::statements {
    explicit statements(sqlite3* db)
        : begin{db, "BEGIN IMMEDIATE"},
          commit{db, "COMMIT"},
          rollback{db, "ROLLBACK"},
          savepoint{db, "SAVEPOINT batch"},
          release{db, "RELEASE batch"},
          rollback_to{db, "ROLLBACK TO batch"},
          insert{db, "INSERT INTO records (room, seq, time, type, body) VALUES (?, ?, ?, ?, ?)"} {}

    // The error of the first statement that could not be prepared; none when all were.
    std::optional<int> unprepared() const noexcept {
        for (const sqlite_statement* s :
             {&begin, &commit, &rollback, &savepoint, &release, &rollback_to, &insert}) {
            if (!s->prepared()) {
                return s->error();
            }
        }
        return std::nullopt;
    }

    sqlite_statement begin, commit, rollback, savepoint, release, rollback_to, insert;
};

sqlite_store::sqlite_store(sqlite3* db, std::filesystem::path file) noexcept
    : db_{db}, file_{std::move(file)} {}

sqlite_store::~sqlite_store() {
    statements_.reset();
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
    if (const int status = sqlite3_open_v2(file.c_str(), &db, flags, nullptr);
        status != SQLITE_OK) {
        const auto error = db != nullptr ? sqlite_error(db) : sqlite_error(status);
        sqlite3_close_v2(db);
        return error;
    }
    std::unique_ptr<store> opened = std::make_unique<sqlite_store>(db, file);
    if (auto ok = execute(db, pragmas); !ok) {
        return ok.error();
    }
    if (auto ok = execute(db, schema); !ok) {
        return ok.error();
    }
    return opened;
}

result<std::vector<core::record>> sqlite_store::load(std::string_view room, std::int64_t after) {
    sqlite_statement select{db_,
                            "SELECT body FROM records WHERE room = ? AND seq > ? ORDER BY seq"};
    if (!select.prepared()) {
        return sqlite_error(select.error());
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
        return sqlite_error(db_);
    }
    return records;
}

result<double> sqlite_store::cost_since(std::string_view since) {
    // Times are written in one fixed format (UTC, milliseconds, 'Z'), so they sort as text.
    sqlite_statement select{
        db_,
        "SELECT COALESCE(SUM(json_extract(body, '$.cost_usd')), 0) FROM records WHERE time >= ? "
        "AND json_type(body, '$.cost_usd') IN ('real', 'integer')"};
    if (!select.prepared()) {
        return sqlite_error(select.error());
    }
    select.bind(1, since);
    if (select.step() != SQLITE_ROW) {
        return sqlite_error(db_);
    }
    return select.column_double(0);
}

result<std::int64_t> sqlite_store::last_seq(std::string_view room) {
    sqlite_statement select{db_, "SELECT COALESCE(MAX(seq), 0) FROM records WHERE room = ?"};
    if (!select.prepared()) {
        return sqlite_error(select.error());
    }
    select.bind(1, room);
    if (select.step() != SQLITE_ROW) {
        return sqlite_error(db_);
    }
    return select.column_int(0);
}

result<std::vector<std::string>> sqlite_store::rooms() {
    sqlite_statement select{db_, "SELECT DISTINCT room FROM records ORDER BY room"};
    if (!select.prepared()) {
        return sqlite_error(select.error());
    }
    std::vector<std::string> names;
    int status = SQLITE_ROW;
    while ((status = select.step()) == SQLITE_ROW) {
        names.emplace_back(select.column_text(0));
    }
    if (status != SQLITE_DONE) {
        return sqlite_error(db_);
    }
    return names;
}

result<std::int64_t> sqlite_store::stored_last_seq(const std::string& room) {
    if (const auto known = last_seqs_.find(room); known != last_seqs_.end()) {
        return known->second;
    }
    auto last = last_seq(room);  // once per room: the map answers every later batch
    if (last) {
        last_seqs_.emplace(room, *last);
    }
    return last;
}

result<void> sqlite_store::append_one(const room_batch& batch) {
    auto last = stored_last_seq(batch.room);
    if (!last) {
        return last.error();
    }
    sqlite_statement& insert = statements_->insert;
    std::int64_t expected = *last + 1;
    for (const auto& r : batch.records) {
        if (r.seq != expected++) {
            return errc::invalid_argument;  // a gap or a repeat: the caller's fold is wrong
        }
        const std::string body =
            core::to_json(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        insert.bind_unowned(1, batch.room);
        insert.bind(2, r.seq);
        insert.bind_unowned(3, r.time);
        insert.bind_unowned(4, core::to_string(r.type));
        insert.bind_unowned(5, body);
        if (!insert.run()) {
            last_seqs_.erase(batch.room);  // read it again next time rather than trust it
            return sqlite_error(insert.error());
        }
    }
    // A later batch of this room in the same transaction continues from here.
    last_seqs_[batch.room] = expected - 1;
    return {};
}

std::vector<result<void>> sqlite_store::append(std::span<const room_batch> batches) {
    std::vector<result<void>> outcomes(batches.size());
    if (auto ok = append_batches(batches, outcomes); !ok) {
        std::fill(outcomes.begin(), outcomes.end(), ok);
    }
    return outcomes;
}

result<void> sqlite_store::append_batches(std::span<const room_batch> batches,
                                          std::vector<result<void>>& outcomes) {
    if (!statements_) {
        auto prepared = std::make_unique<statements>(db_);
        if (const auto error = prepared->unprepared()) {
            return sqlite_error(*error);
        }
        statements_ = std::move(prepared);
    }
    statements& sql = *statements_;
    if (!sql.begin.run()) {
        return sqlite_error(sql.begin.error());
    }
    // A savepoint per batch: one room's bad batch must not cost the other rooms their commit.
    for (std::size_t i = 0; i < batches.size(); ++i) {
        (void)sql.savepoint.run();
        outcomes[i] = append_one(batches[i]);
        if (!outcomes[i]) {
            (void)sql.rollback_to.run();
        }
        (void)sql.release.run();
    }
    if (!sql.commit.run()) {
        const int why = sql.commit.error();
        (void)sql.rollback.run();
        last_seqs_.clear();  // they count batches that did not commit: read them again
        return sqlite_error(why);
    }
    return {};
}

}  // namespace polylogue::transcript
