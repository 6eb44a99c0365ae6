#pragma once
// The embedded store: one SQLite database file (WAL, synchronous=FULL) under data_dir.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <unordered_map>

#include "polylogue/transcript/store.hpp"

struct sqlite3;

namespace polylogue::transcript {

class sqlite_store final : public store {
  public:
    sqlite_store(sqlite3* db, std::filesystem::path file) noexcept;
    ~sqlite_store() override;

    result<std::vector<core::record>> load(std::string_view room, std::int64_t after) override;
    result<double> cost_since(std::string_view since) override;
    result<std::int64_t> last_seq(std::string_view room) override;
    std::vector<result<void>> append(std::span<const room_batch> batches) override;
    result<std::vector<std::string>> rooms() override;
    std::string where() const override { return file_.string(); }

  private:
    struct statements;

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
