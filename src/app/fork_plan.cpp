#include "fork_plan.hpp"

#include "polylogue/config/loader.hpp"
#include "polylogue/config/room_text.hpp"
#include "polylogue/room/fork_records.hpp"

namespace polylogue::app {

control::fork_refusal fork_refused(control::fork_problem problem, std::string message) {
    control::fork_refusal refused;
    refused.problem = problem;
    refused.message = std::move(message);
    return refused;
}

control::fork_refusal name_taken(const std::string& name) {
    return fork_refused(control::fork_problem::name_taken,
                        "a room named '" + name + "' exists (or its transcript does)");
}

result<fork_plan, control::fork_refusal> plan_fork(const control::fork_request& request,
                                                   const config::room& origin_room,
                                                   std::span<const core::record> origin_history,
                                                   const config::config& cfg, std::string time) {
    if (!room::forkable_at(origin_history, request.at)) {
        const std::string origin = "room '" + request.origin + "'";
        if (origin_history.empty()) {
            return fork_refused(control::fork_problem::bad_seq, origin + " has no records yet");
        }
        return fork_refused(control::fork_problem::bad_seq,
                            origin + " has records 1.." +
                                std::to_string(origin_history.back().seq) + "; " +
                                std::to_string(request.at) + " is not one of them");
    }
    config::room renamed = origin_room;
    renamed.name = request.name;
    fork_plan plan;
    plan.room_text = config::room_text(renamed);
    auto parsed = config::parse_room(plan.room_text, cfg, "the fork " + request.name);
    if (!parsed) {
        control::fork_refusal refused =
            fork_refused(control::fork_problem::invalid, "the forked room is not valid");
        refused.invalid = parsed.error();
        return refused;
    }
    plan.room = std::move(*parsed);
    plan.records = room::fork_records(
        origin_history, room::fork_point{request.origin, request.at, request.by, std::move(time)});
    return plan;
}

}  // namespace polylogue::app
