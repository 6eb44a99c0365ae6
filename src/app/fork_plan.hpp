#pragma once
// What a fork is made of, for the daemon (POST /v1/rooms/ROOM/fork) and for `polylogue fork`
// without one: the origin's room renamed and validated again, the text its room file holds, and
// the records the fork begins with. Whether the new name is free is the caller's to check: only
// it knows which rooms it hosts.

#include <span>
#include <string>
#include <vector>

#include "polylogue/config/config.hpp"
#include "polylogue/control/room_directory.hpp"
#include "polylogue/core/record.hpp"

namespace polylogue::app {

struct fork_plan {
    config::room room;  // the origin's, renamed
    std::string room_text;
    std::vector<core::record> records;  // the origin's 1..at, then the forked record
};

// origin_history: the origin's committed records from seq 1. time: the forked record's.
result<fork_plan, control::fork_refusal> plan_fork(const control::fork_request& request,
                                                   const config::room& origin_room,
                                                   std::span<const core::record> origin_history,
                                                   const config::config& cfg, std::string time);

// The refusal for a name already in use.
control::fork_refusal name_taken(const std::string& name);

// A refusal of that problem, saying message.
control::fork_refusal fork_refused(control::fork_problem problem, std::string message);

}  // namespace polylogue::app
