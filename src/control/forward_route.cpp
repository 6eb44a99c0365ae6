// A fleet: any node answers for any room. A request that changes a room another node runs
// (a message, the next speaker, pause, resume, stop, settings, a member's removal, archiving)
// is sent on to the node that holds the room's lease, and its answer is this node's answer.

#include "control/answers.hpp"
#include "polylogue/control/control_api.hpp"

namespace polylogue::control {

namespace asio = boost::asio;

namespace {

// Marks a forwarded request, so that a room moving again while it travels is answered with
// "retry" instead of being sent around the fleet.
constexpr std::string_view forwarded_header = "x-polylogue-forwarded-by";
constexpr std::chrono::milliseconds forward_deadline{30'000};

http::server_response moving_answer(const std::string& room) {
    auto answer = error_answer(503, "room_moving",
                               "room '" + room +
                                   "' is moving between the fleet's nodes (its lease is free "
                                   "or just changed hands); retry in a moment");
    answer.headers.emplace_back("retry-after", "1");
    return answer;
}

http::request owner_request(const http::server_request& request, const std::string& address,
                            const std::string& node) {
    http::request out;
    out.method = request.method;
    out.url = "http://" + address + request.target;
    for (const auto& [name, value] : request.headers) {
        if (name == "authorization" || name == "content-type") {
            out.headers.emplace_back(name, value);
        }
    }
    out.headers.emplace_back(std::string{forwarded_header}, node);
    out.body = request.body;
    out.connect_timeout = std::chrono::milliseconds{3000};
    out.total_timeout = forward_deadline;
    return out;
}

}  // namespace

asio::awaitable<std::optional<http::server_response>> control_api::forwarded(
    const http::server_request& request, const route_match& match) {
    const std::string& room = match.params.front();
    const auto owner = services_.rooms->owner_of(room);
    if (!owner || owner->here || services_.forward_client == nullptr ||
        services_.rooms->find(room) == nullptr) {
        co_return std::nullopt;
    }
    if (owner->node.empty() || owner->address.empty() ||
        !request.header(forwarded_header).empty()) {
        co_return moving_answer(room);
    }
    auto sent = co_await services_.forward_client->send(
        owner_request(request, owner->address, services_.rooms->node_name()));
    if (!sent) {
        co_return error_answer(502, "owner_unreachable",
                               "room '" + room + "' runs on node " + owner->node + " at " +
                                   owner->address + ", which did not answer (" +
                                   sent.error().message() + "); retry in a moment");
    }
    http::server_response answer;
    answer.status = sent->status;
    answer.body = std::move(sent->body);
    for (const auto& [name, value] : sent->headers) {
        if (name == "content-type" || name == "retry-after") {
            answer.headers.emplace_back(name, value);
        }
    }
    answer.headers.emplace_back("x-polylogue-node", owner->node);
    co_return answer;
}

}  // namespace polylogue::control
