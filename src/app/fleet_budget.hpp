#pragma once
// The providers' shared budget of a fleet (store kind postgres), kept in the fleet's database
// (transcript::postgres_budget) on a thread of its own so that the loop never waits on libpq.
// - acquire() asks the database for a slot; refused, it asks again just after the minute's
//   oldest start leaves the window (requests_per_minute), or after a short backoff
//   (max_in_flight: slots are freed by other nodes, which cannot wake us).
// - The database unreachable (or its schema not there): acquire() grants tickets without a fleet
//   slot at once, so the providers keep to their per-process limits, logs a warning once, and
//   asks the database again 5 s later at the soonest; once it answers again, an info line says
//   so. A room never waits on a database that does not answer (libpq's waits are bounded: 5 s to
//   connect and per statement).
// - A slot given back while the database is unreachable is given back again at the next call
//   that reaches it; the first connection ends whatever calls an earlier process of this node's
//   name left unfinished, and the destructor ends every call of this node (a clean stop).
// - Node liveness is the nodes table's: the node's calls count for the others only while its
//   row is live, so the lease keeper must heartbeat before rooms call providers.
// Must outlive every ticket it grants (so the event loop's pending coroutines too).

#include <boost/asio/thread_pool.hpp>

#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "polylogue/providers/shared_budget.hpp"
#include "polylogue/transcript/postgres_budget.hpp"

namespace polylogue::app {

// How long a refused acquire waits before asking again. Full for requests_per_minute: until the
// oldest start leaves the minute. Otherwise (max_in_flight) 20 ms doubling up to 400 ms with
// polls, stretched by up to a quarter of jitter (0..1) so that waiting nodes do not ask in step.
std::chrono::milliseconds next_fleet_poll(const transcript::call_admission& refused,
                                          providers::budget_limits limits, int polls,
                                          double jitter);

class fleet_budget final : public providers::shared_budget {
  public:
    // Connects lazily, on the first acquire: constructing never blocks.
    fleet_budget(std::string conninfo, std::string node, std::shared_ptr<spdlog::logger> log);
    ~fleet_budget() override;

    boost::asio::awaitable<result<ticket>> acquire(
        std::string provider, providers::budget_limits limits,
        std::chrono::steady_clock::time_point deadline) override;

    // Whether the last call reached the database (false before the first).
    bool shared() const noexcept { return reached_; }

  private:
    using admission = result<transcript::call_admission, std::string>;

    void give_back(std::int64_t call) noexcept override;

    static boost::asio::awaitable<admission> start_on_db_thread(fleet_budget* self,
                                                                std::string provider,
                                                                providers::budget_limits limits);
    // On the database's thread only.
    admission start_call(const std::string& provider, providers::budget_limits limits);
    void finish_call(std::int64_t call);
    result<transcript::postgres_budget*, std::string> connected();
    void finish_pending();
    void prune_now_and_then();
    void note_failure_on_db_thread(const std::string& why);

    // On the loop only.
    void note_unreachable(const std::string& why);
    void note_reachable();

    const std::string conninfo_;
    const std::string node_;
    std::shared_ptr<spdlog::logger> log_;
    // The database's thread's: only it touches these.
    std::unique_ptr<transcript::postgres_budget> db_;
    std::vector<std::int64_t> unfinished_;  // calls whose finish did not reach the database
    std::chrono::steady_clock::time_point next_prune_{};
    std::chrono::steady_clock::time_point quiet_until_{};  // the database failed a call just now
    std::string last_failure_;
    // The loop's.
    bool reached_ = false;
    bool unreachable_ = false;
    std::chrono::steady_clock::time_point ask_again_at_{};
    std::mt19937 jitter_source_{std::random_device{}()};
    boost::asio::thread_pool db_thread_{1};  // last: joined first, while the rest still exists
};

}  // namespace polylogue::app
