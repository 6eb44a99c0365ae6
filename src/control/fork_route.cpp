// POST /v1/rooms/ROOM/fork: a new room that begins with ROOM's records 1..at.

#include <nlohmann/json.hpp>

#include "control/answers.hpp"
#include "polylogue/control/control_api.hpp"
#include "polylogue/control/room_view.hpp"

namespace polylogue::control {

namespace asio = boost::asio;

namespace {

constexpr std::size_t max_fork_name_bytes = 256;  // longer than any valid name; checked later

// The request read from {"at": SEQ, "name": "NEW"}; nullopt when the body is not that.
std::optional<fork_request> read_fork_body(std::string_view body) {
    const nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
    if (!j.is_object() || j.size() != 2 || !j.contains("at") || !j.contains("name") ||
        !j["at"].is_number_integer() || !j["name"].is_string()) {
        return std::nullopt;
    }
    fork_request request;
    request.at = j["at"].get<std::int64_t>();
    request.name = j["name"].get<std::string>();
    if (request.name.empty() || request.name.size() > max_fork_name_bytes) {
        return std::nullopt;
    }
    return request;
}

http::server_response fork_refused(const fork_refusal& refused) {
    switch (refused.problem) {
        case fork_problem::no_origin:
            return error_answer(404, "not_found", refused.message);
        case fork_problem::bad_seq:
            return error_answer(400, "bad_seq", refused.message);
        case fork_problem::name_taken:
            return error_answer(409, "room_exists", refused.message);
        case fork_problem::invalid:
            return error_answer(400, "invalid_room",
                                refused.invalid.problems.empty()
                                    ? refused.message
                                    : refused.invalid.problems.front().message);
        case fork_problem::failure:
            break;
    }
    return error_answer(500, "cannot_fork", refused.message);
}

}  // namespace

asio::awaitable<http::server_response> control_api::fork(http::server_request request,
                                                         route_match match) {
    if (!services_.rooms->node_name().empty()) {
        co_return fleet_refusal("forked");
    }
    std::optional<fork_request> wanted = read_fork_body(request.body);
    if (!wanted) {
        co_return error_answer(400, "bad_request",
                               "the body is {\"at\": SEQ, \"name\": \"NEW\"}: the last record "
                               "the fork keeps and the new room's name");
    }
    wanted->origin = match.params.at(0);
    wanted->by = "the control API (" + request.remote + ")";
    const forked_room forked = co_await services_.rooms->fork(std::move(*wanted));
    if (!forked) {
        co_return fork_refused(forked.error());
    }
    co_return json_answer(201, room_summary(**forked));
}

}  // namespace polylogue::control
