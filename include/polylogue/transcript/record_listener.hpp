#pragma once
// Told when any node of a fleet commits records: LISTEN on a connection of its own. The
// postgres store's append NOTIFYs in its transaction, so a notice arrives only once the records
// are committed; the payload is small (the room and its last seq) and the records are read from
// the tables.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "polylogue/core/error.hpp"

namespace polylogue::transcript {

struct record_notice {
    std::string room;
    std::int64_t last_seq = 0;
};

class record_listener {
  public:
    static result<std::unique_ptr<record_listener>, std::string> open(
        boost::asio::any_io_executor executor, const std::string& conninfo);

    virtual ~record_listener() = default;

    // The notices that arrived, waiting up to `wait` for the first; empty after a quiet wait.
    // An error means the connection is lost: open a new listener, and read what was missed.
    virtual boost::asio::awaitable<result<std::vector<record_notice>>> next(
        std::chrono::milliseconds wait) = 0;

  protected:
    record_listener() = default;
};

}  // namespace polylogue::transcript
