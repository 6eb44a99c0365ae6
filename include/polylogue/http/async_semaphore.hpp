#pragma once
// A counting semaphore for coroutines on one executor: it caps the connections per host of the
// HTTP client and the requests in flight per provider endpoint.
// - acquire() waits until a permit is free or the deadline passes (errc::deadline_exceeded).
// - Waiters are served first come, first served: a freed permit goes straight to the oldest
//   waiter, and nobody can take a permit past the queue (try_acquire fails while anyone waits).
// - A waiter whose deadline passes leaves the queue at once, so a freed permit always goes to
//   a live waiter; a permit granted just as the deadline passed is kept, never lost.
// - A permit is released when its object goes away (also when an exception unwinds past it).
// Not thread-safe: one executor, as everything else. The semaphore must outlive its permits
// and its waiters.

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <list>
#include <memory>
#include <optional>

#include "polylogue/core/error.hpp"

namespace polylogue::http {

class async_semaphore {
  public:
    // One permit held; released when destroyed, moved from, or by release().
    class permit {
      public:
        permit() = default;
        permit(permit&& other) noexcept;
        permit& operator=(permit&& other) noexcept;
        permit(const permit&) = delete;
        permit& operator=(const permit&) = delete;
        ~permit();

        explicit operator bool() const noexcept { return owner_ != nullptr; }
        void release() noexcept;

      private:
        friend class async_semaphore;
        explicit permit(async_semaphore* owner) noexcept : owner_{owner} {}
        async_semaphore* owner_ = nullptr;
    };

    explicit async_semaphore(std::size_t permits);
    async_semaphore(const async_semaphore&) = delete;
    async_semaphore& operator=(const async_semaphore&) = delete;
    ~async_semaphore();

    // A permit now, or none when none is free or others are waiting.
    std::optional<permit> try_acquire();
    // A permit, in turn, or errc::deadline_exceeded once deadline passes.
    boost::asio::awaitable<result<permit>> acquire(std::chrono::steady_clock::time_point deadline);

    std::size_t available() const noexcept { return available_; }
    std::size_t waiting() const noexcept { return queue_.size(); }

  private:
    struct waiter;
    void give_back() noexcept;

    std::size_t available_;
    std::list<std::shared_ptr<waiter>> queue_;
};

}  // namespace polylogue::http
