#pragma once
// Group commit across rooms. Rooms call commit() and resume once their records are durable;
// every batch queued while the writer is busy goes into the next single transaction, so N rooms
// committing at once cost one fsync, not N. The SQLite work runs on a private writer thread so
// the event loop never blocks on disk (docs/architecture.md, "Disk I/O and the event loop", says
// what else runs there and what stays on the loop).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "polylogue/transcript/store.hpp"

namespace polylogue::transcript {

struct commit_stats {
    std::uint64_t transactions = 0;
    std::uint64_t batches = 0;
    std::uint64_t records = 0;
};

class group_committer {
  public:
    group_committer(boost::asio::any_io_executor loop, store& db);
    group_committer(const group_committer&) = delete;
    group_committer& operator=(const group_committer&) = delete;
    ~group_committer();

    // Completes when the records are durable (or failed). If the caller is cancelled while
    // waiting, the batch is still committed by run(); the caller sees errc::cancelled.
    boost::asio::awaitable<result<void>> commit(room_batch batch);

    // Runs other blocking disk work (an image file written or read) on the writer thread, so
    // that the loop does not wait on the disk either; resumes on the caller's executor once
    // work has returned, and rethrows what it threw. work runs between two transactions and
    // must touch nothing the loop may touch meanwhile.
    boost::asio::awaitable<void> on_writer(std::function<void()> work);

    // The writer loop; run it once with co_spawn. Returns after stop(), once the queue is drained.
    boost::asio::awaitable<void> run();

    // Asks run() to finish what is queued and return.
    void stop();

    const commit_stats& stats() const noexcept { return stats_; }

  private:
    struct waiter;

    boost::asio::awaitable<void> write_pending();

    boost::asio::any_io_executor loop_;
    store& db_;
    boost::asio::thread_pool writer_{1};
    boost::asio::steady_timer wakeup_;
    std::deque<std::shared_ptr<waiter>> pending_;
    bool stopping_ = false;
    commit_stats stats_;
};

}  // namespace polylogue::transcript
