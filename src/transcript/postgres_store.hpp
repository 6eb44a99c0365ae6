#pragma once
// The shared store: a PostgreSQL database a fleet of daemons writes (docs/deploy.md, "A
// fleet"). Every batch is fenced by the room's lease row; a commit NOTIFYs polylogue_records
// with "<last_seq> <room>" so that other nodes read what is new. Blocking calls on a connection
// of its own: one thread at a time (the group committer's writer thread, or a tool's).

#include <memory>
#include <string>
#include <vector>

#include "polylogue/transcript/lease_fence.hpp"
#include "polylogue/transcript/store.hpp"
#include "postgres_connection.hpp"

namespace polylogue::transcript {

class postgres_store final : public store {
  public:
    // Connects and creates or migrates the schema. fence: the node's leases, checked with every
    // batch; null: a tool's writes, refused only for rooms whose lease some node holds.
    static result<std::unique_ptr<postgres_store>, std::string> open(
        const std::string& conninfo, std::shared_ptr<lease_fence> fence);

    postgres_store(pg::connection db, std::shared_ptr<lease_fence> fence, std::string where);

    result<std::vector<core::record>> load(std::string_view room, std::int64_t after) override;
    result<double> cost_since(std::string_view since) override;
    result<std::int64_t> last_seq(std::string_view room) override;
    std::vector<result<void>> append(std::span<const room_batch> batches) override;
    result<std::vector<std::string>> rooms() override;
    std::string where() const override { return where_; }
    std::string last_error() const override { return last_error_; }

  private:
    // A query that is run again once on a new connection when the connection was lost.
    pg::pg_result read(const char* sql, std::vector<std::optional<std::string>> values);
    boost::system::error_code storage_failure();

    // false: the connection failed before COMMIT was sent, so the call may be run again.
    result<void> append_all(std::span<const room_batch> batches,
                            std::vector<result<void>>& outcomes, bool& commit_sent);
    result<void> append_batch(const room_batch& batch);
    result<void> check_lease(const std::string& room);

    pg::connection db_;
    std::shared_ptr<lease_fence> fence_;
    std::string where_;
    std::string last_error_;
};

}  // namespace polylogue::transcript
