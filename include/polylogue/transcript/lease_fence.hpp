#pragma once
// What a fleet node holds: for each room it may write, the epoch of its lease. The lease
// keeper (on the event loop) grants and drops rooms; the postgres store's writer thread asks
// before each batch and sends the epoch with it, so the database can refuse a write whose
// lease has moved on. Thread-safe.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace polylogue::transcript {

class lease_fence {
  public:
    explicit lease_fence(std::string node) : node_{std::move(node)} {}

    const std::string& node() const noexcept { return node_; }

    void hold(const std::string& room, std::int64_t epoch) {
        const std::lock_guard lock{mutex_};
        epochs_[room] = epoch;
    }
    void drop(const std::string& room) {
        const std::lock_guard lock{mutex_};
        epochs_.erase(room);
    }
    // The epoch this node holds the room with; nullopt: it does not hold it.
    std::optional<std::int64_t> epoch_of(const std::string& room) const {
        const std::lock_guard lock{mutex_};
        const auto found = epochs_.find(room);
        return found == epochs_.end() ? std::nullopt : std::optional{found->second};
    }

    // Batches the store refused because the lease was not this node's (any more): a paused or
    // partitioned node's late writes. Shown in /metrics.
    void count_refusal() noexcept { refused_.fetch_add(1, std::memory_order_relaxed); }
    std::uint64_t refusals() const noexcept { return refused_.load(std::memory_order_relaxed); }

  private:
    std::string node_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::int64_t> epochs_;
    std::atomic<std::uint64_t> refused_{0};
};

}  // namespace polylogue::transcript
