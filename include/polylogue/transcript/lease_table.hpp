#pragma once
// The leases of a fleet (store kind postgres): which node owns which room, with an epoch that
// grows at every claim. Times are the database's (now()); a node measures how long it may still
// act on its own monotonic clock, from before it sent the renewal. Blocking calls on a
// connection of its own: run them off the event loop (a thread of their own).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "polylogue/core/error.hpp"

namespace polylogue::transcript {

struct lease_grant {
    std::string room;
    std::int64_t epoch = 0;
};

struct room_owner {
    std::string room;
    std::string node;     // empty: nobody ever claimed it
    std::string address;  // the owner's control API, HOST:PORT, as it announced it
    std::int64_t epoch = 0;
    bool held = false;  // the lease has not expired
};

class lease_table {
  public:
    // errors: the connection's, worded for a person (unreachable, wrong password...).
    static result<std::unique_ptr<lease_table>, std::string> open(const std::string& conninfo);

    virtual ~lease_table() = default;

    // Announces the node as live until now() + lease, at address; returns how many nodes are
    // live (this one included).
    virtual result<int> heartbeat(const std::string& node, const std::string& address,
                                  std::chrono::milliseconds lease) = 0;

    // Claims at most limit of the rooms whose lease is free (no row, or expired), in the order
    // given: each granted with the room's previous epoch + 1, expiring at now() + lease. A live
    // lease of another node is never taken.
    virtual result<std::vector<lease_grant>> claim(const std::string& node,
                                                   const std::vector<std::string>& rooms,
                                                   std::size_t limit,
                                                   std::chrono::milliseconds lease) = 0;

    // Extends the leases the node still holds with the same epoch (even if they expired and
    // nobody took them) to now() + lease; returns the rooms renewed. A room left out is lost.
    virtual result<std::vector<std::string>> renew(const std::string& node,
                                                   const std::vector<lease_grant>& held,
                                                   std::chrono::milliseconds lease) = 0;

    // Frees the leases at once (a node stopping cleanly, or giving rooms back), if still held
    // with these epochs.
    virtual result<void> release(const std::string& node, const std::vector<lease_grant>& held) = 0;

    // Every lease row, with its node's announced address.
    virtual result<std::vector<room_owner>> owners() = 0;

    // Why the last call failed (errc::storage_failure), as the server or libpq said it; never
    // a password.
    virtual std::string last_error() const = 0;

  protected:
    lease_table() = default;
};

}  // namespace polylogue::transcript
