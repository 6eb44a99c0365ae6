#pragma once
// An operator's request, queued for the room to carry out between two turns (room_control.cpp).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <vector>

#include "polylogue/core/error.hpp"
#include "polylogue/core/record.hpp"
#include "polylogue/room/room_runner.hpp"

namespace polylogue::room {

struct room_runner::control_request {
    core::record record;             // what to commit; seq and time are set when it is
    std::vector<core::record> more;  // committed right after it, in the same batch
    boost::asio::steady_timer done;
    result<std::int64_t> outcome{errc::cancelled};

    control_request(boost::asio::any_io_executor executor, core::record r)
        : record{std::move(r)}, done{executor, boost::asio::steady_timer::time_point::max()} {}
};

}  // namespace polylogue::room
