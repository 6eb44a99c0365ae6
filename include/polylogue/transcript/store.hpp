#pragma once
// The transcript store: every room's records, in SQLite (the embedded default: one file, WAL,
// synchronous=FULL) or in a PostgreSQL database shared by a fleet of daemons.
// Contract of every store: append() is all-or-nothing for each batch it is given, and a room's
// seqs are 1, 2, 3... with no gap and no duplicate (append refuses anything else). A store is
// used from one thread at a time; the group committer calls append() from its writer thread.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "polylogue/core/error.hpp"
#include "polylogue/core/record.hpp"

namespace polylogue::transcript {

struct room_batch {
    std::string room;
    std::vector<core::record> records;  // seqs continue the room's last seq, in order
};

class store {
  public:
    // Opens or creates the SQLite database file, creating its directory.
    static result<std::unique_ptr<store>> open(const std::filesystem::path& file);

    store() = default;
    store(const store&) = delete;
    store& operator=(const store&) = delete;
    virtual ~store() = default;

    // The room's records with seq > after, in seq order.
    virtual result<std::vector<core::record>> load(std::string_view room,
                                                   std::int64_t after = 0) = 0;

    // The sum of the cost_usd of every room's records whose time is `since` or later (an RFC
    // 3339 time as records hold it): what the daily budget has spent today.
    virtual result<double> cost_since(std::string_view since) = 0;

    // The highest seq stored for the room; 0 when it has none.
    virtual result<std::int64_t> last_seq(std::string_view room) = 0;

    // Appends every batch in one transaction (one fsync). Each batch is all-or-nothing: the
    // outcome at index i says whether batches[i] is durable. A shared store refuses a batch of a
    // room whose lease this node does not hold with errc::fenced.
    virtual std::vector<result<void>> append(std::span<const room_batch> batches) = 0;

    // Every room that has records, in name order (import; listings when no daemon runs).
    virtual result<std::vector<std::string>> rooms() = 0;

    // Where the records live, for messages: a file, or a database without its password.
    virtual std::string where() const = 0;

    // What the last failure was beyond its error code (a database server's message, never a
    // password); empty when there is nothing more to say.
    virtual std::string last_error() const { return {}; }
};

}  // namespace polylogue::transcript
