#pragma once
// Provider calls of a fleet, counted in its PostgreSQL database so that every node keeps to one
// max_in_flight and one requests_per_minute per provider (table provider_calls). A call is
// admitted in one transaction under an advisory lock per provider: it counts the provider's
// unfinished calls of live nodes (nodes.expires_at > now(): a node that died stops holding slots
// once its node row expires; this node's own calls always count) and the calls started in the
// last minute, whatever their node, and records the call if both are under their limits. Times
// are the database's clock. Blocking calls on a connection of its own: run them off the event
// loop (a thread of their own).

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "polylogue/core/error.hpp"

namespace polylogue::transcript {

// Creates provider_calls and its indexes if they are missing (idempotent, safe when nodes race).
// Until it is a migration of the store's schema, the budget calls it when it connects. The
// table nodes must exist (the store's schema). errors: the database's, worded for a person.
result<void, std::string> ensure_budget_schema(PGconn* connection);

struct call_admission {
    std::optional<std::int64_t> call;  // the call's row: admitted
    int in_flight = 0;                 // as counted, before this call
    int started_last_minute = 0;
    // Refused by requests_per_minute: how long until the oldest start leaves the minute.
    std::chrono::milliseconds window_frees_in{0};
};

class postgres_budget {
  public:
    // Connects (libpq's connection string: a URL or key=value pairs) with short timeouts, so a
    // database that stops answering fails a call within seconds instead of hanging it, and
    // ensures the schema. errors: the connection's, worded for a person, never the password.
    static result<std::unique_ptr<postgres_budget>, std::string> open(const std::string& conninfo,
                                                                      std::string node);

    postgres_budget(const postgres_budget&) = delete;
    postgres_budget& operator=(const postgres_budget&) = delete;
    ~postgres_budget();

    // Records a call of provider by this node if the fleet has room for it. A broken connection
    // is reopened first. Admitted only when it returns a call: a call whose commit failed is
    // ended later, so that it holds no slot if it was recorded after all.
    result<call_admission, std::string> try_start(const std::string& provider, int max_in_flight,
                                                  int requests_per_minute);
    // The call ended: its slot is free (its start still counts for the minute).
    result<void, std::string> finish(std::int64_t call);
    // Every unfinished call of this node ended: a node starting or stopping has none in flight.
    result<void, std::string> finish_all();
    // Drops rows nothing counts any more, started over a minute ago: finished calls, and
    // unfinished ones over ten minutes old of other nodes that are not live. Returns how many.
    result<std::int64_t, std::string> prune();

    const std::string& node() const noexcept { return node_; }

  private:
    postgres_budget(PGconn* connection, std::string node);
    result<void, std::string> usable();
    void settle_doubtful();

    PGconn* connection_;
    std::string node_;
    // Calls admitted by a transaction whose commit failed: maybe recorded, so ended when the
    // database answers again (ending a call that was never recorded changes nothing).
    std::vector<std::int64_t> doubtful_;
};

}  // namespace polylogue::transcript
