#pragma once
// A provider's limits (max_in_flight, requests_per_minute) shared with the other daemons of a
// fleet. An HTTP provider keeps its own limits per process and, when it is given a shared budget,
// also takes a fleet slot for each request: so the limits hold across every node at once.
// - acquire() waits until the fleet has a request in flight fewer than max_in_flight and fewer
//   than requests_per_minute started in the last minute (0: no such budget), then grants a
//   ticket; errc::deadline_exceeded once the deadline passes, errc::cancelled when the awaiting
//   coroutine is cancelled (asio per-operation cancellation, terminal).
// - A ticket gives its slot back when it goes away (also when an exception unwinds past it).
// - An implementation that cannot reach what it shares the budget through grants a ticket that
//   holds no fleet slot (holds_fleet_slot() false): the local limits alone apply meanwhile, and
//   a room never waits on a database that does not answer.
// Used on one executor. The budget must outlive its tickets.

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <string>

#include "polylogue/core/error.hpp"

namespace polylogue::providers {

struct budget_limits {
    int max_in_flight = 1;        // at least 1
    int requests_per_minute = 0;  // 0: no budget
};

class shared_budget {
  public:
    // One fleet slot (or none, see above); given back when destroyed, moved from, or release().
    class ticket {
      public:
        ticket() = default;
        ticket(ticket&& other) noexcept;
        ticket& operator=(ticket&& other) noexcept;
        ticket(const ticket&) = delete;
        ticket& operator=(const ticket&) = delete;
        ~ticket();

        bool holds_fleet_slot() const noexcept { return owner_ != nullptr; }
        void release() noexcept;

      private:
        friend class shared_budget;
        ticket(shared_budget* owner, std::int64_t call) noexcept : owner_{owner}, call_{call} {}
        shared_budget* owner_ = nullptr;
        std::int64_t call_ = 0;
    };

    shared_budget(const shared_budget&) = delete;
    shared_budget& operator=(const shared_budget&) = delete;
    virtual ~shared_budget() = default;

    virtual boost::asio::awaitable<result<ticket>> acquire(
        std::string provider, budget_limits limits,
        std::chrono::steady_clock::time_point deadline) = 0;

  protected:
    shared_budget() = default;
    // A ticket for the call the implementation admitted (its own id for it).
    ticket grant(std::int64_t call) noexcept { return ticket{this, call}; }
    // Called once for every granted ticket, from the loop, maybe from a destructor: must neither
    // block nor throw.
    virtual void give_back(std::int64_t call) noexcept = 0;
};

}  // namespace polylogue::providers
