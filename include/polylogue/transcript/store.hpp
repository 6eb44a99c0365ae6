#pragma once
// The transcript store: one SQLite database (WAL, synchronous=FULL) holding every room's records.
// Contract: append() is all-or-nothing across every batch it is given, and a room's seqs are
// 1, 2, 3... with no gap and no duplicate (append refuses anything else). Safe to call from one
// thread at a time; the group committer calls append() from its writer thread.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "polylogue/core/error.hpp"
#include "polylogue/core/record.hpp"

struct sqlite3;

namespace polylogue::transcript {

struct room_batch {
    std::string room;
    std::vector<core::record> records;  // seqs continue the room's last seq, in order
};

class store {
  public:
    // Opens or creates the database file, creating its directory.
    static result<std::unique_ptr<store>> open(const std::filesystem::path& file);

    store(const store&) = delete;
    store& operator=(const store&) = delete;
    ~store();

    // The room's records with seq > after, in seq order.
    result<std::vector<core::record>> load(std::string_view room, std::int64_t after = 0);

    // The sum of the cost_usd of every room's records whose time is `since` or later (an RFC
    // 3339 time as records hold it): what the daily budget has spent today.
    result<double> cost_since(std::string_view since);

    // The highest seq stored for the room; 0 when it has none.
    result<std::int64_t> last_seq(std::string_view room);

    // Appends every batch in one transaction (one fsync). Each batch is all-or-nothing: the
    // outcome at index i says whether batches[i] is durable.
    std::vector<result<void>> append(std::span<const room_batch> batches);

    const std::filesystem::path& file() const noexcept { return file_; }

  private:
    struct statements;

    store(sqlite3* db, std::filesystem::path file) noexcept;

    result<void> append_batches(std::span<const room_batch> batches,
                                std::vector<result<void>>& outcomes);
    result<void> append_one(const room_batch& batch);
    result<std::int64_t> stored_last_seq(const std::string& room);

    sqlite3* db_;
    std::filesystem::path file_;
    std::unique_ptr<statements> statements_;  // what append() runs, prepared on its first call
    // Each appending room's last committed seq: read from the database once, then kept here, so
    // that a batch costs no query. Only this connection writes a room while it is open.
    std::unordered_map<std::string, std::int64_t> last_seqs_;
};

}  // namespace polylogue::transcript
