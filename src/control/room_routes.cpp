// The room routes of the control API: reading rooms and transcripts, following events, and
// steering a room. Every change goes through the room's own coroutine (room_handle requests).

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <charconv>
#include <fstream>
#include <sstream>

#include "control/answers.hpp"
#include "polylogue/control/control_api.hpp"
#include "polylogue/control/room_view.hpp"
#include "polylogue/core/text.hpp"

namespace polylogue::control {

namespace asio = boost::asio;

namespace {

constexpr std::size_t max_records_per_read = 10'000;
constexpr std::size_t max_problems_answered = 20;
// yaml-cpp's scanner may hold some 100 bytes per byte of a hostile text while it looks for the
// end of a flow ("[[" and a million commas): 256 KiB keeps that near 25 MB.
constexpr std::size_t max_room_body_bytes = 256 * 1024;

http::server_response no_room(std::string_view name) {
    return error_answer(404, "not_found", "no room named '" + std::string{name} + "'");
}

std::optional<std::int64_t> to_count(std::string_view text) {
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value < 0) {
        return std::nullopt;
    }
    return value;
}

// 400 with the body's problems: at most max_problems_answered of them, the count of the rest,
// each message as the loader cut it; so a body made of mistakes gets a small answer.
http::server_response invalid_room_answer(const config::refusal& invalid) {
    nlohmann::json problems = nlohmann::json::array();
    const std::size_t listed = std::min(invalid.problems.size(), max_problems_answered);
    for (std::size_t i = 0; i < listed; ++i) {
        const auto& p = invalid.problems[i];
        problems.push_back({{"line", p.line}, {"column", p.column}, {"message", p.message}});
    }
    const std::size_t unlisted = invalid.problems.size() - listed + invalid.unlisted_problems;
    std::string message = invalid.problems.front().to_string();
    if (unlisted + listed > 1) {
        message += " " + config::more_problems_text(unlisted + listed - 1);
    }
    return json_answer(400, {{"error",
                              {{"code", "invalid_room"},
                               {"message", std::move(message)},
                               {"problems", std::move(problems)},
                               {"unlisted_problems", unlisted}}}});
}

// Runs on control_api's disk thread: an image may be megabytes, and the disk slow.
asio::awaitable<std::optional<std::string>> read_binary(std::filesystem::path path) {
    std::ifstream in{path, std::ios::binary};
    if (!in) {
        co_return std::nullopt;
    }
    std::ostringstream bytes;
    bytes << in.rdbuf();
    co_return std::move(bytes).str();
}

std::string_view image_type(std::string_view file) {
    if (file.ends_with(".png")) {
        return "image/png";
    }
    if (file.ends_with(".jpg") || file.ends_with(".jpeg")) {
        return "image/jpeg";
    }
    if (file.ends_with(".webp")) {
        return "image/webp";
    }
    return file.ends_with(".gif") ? "image/gif" : "application/octet-stream";
}

// A fleet: which node runs the room. A room another node holds is "running" or "paused" as its
// records say, not "stopped" as its follower here would.
nlohmann::json summary_with_owner(room_directory& rooms, const room::room_handle& handle) {
    nlohmann::json summary = room_summary(handle);
    const auto owner = rooms.owner_of(handle.room().name);
    if (!owner) {
        return summary;
    }
    summary["owner"] = owner->node.empty() ? nlohmann::json(nullptr) : nlohmann::json(owner->node);
    summary["owned_here"] = owner->here;
    if (!owner->here && !owner->node.empty() && summary["state"] == "stopped") {
        summary["state"] = handle.state().paused ? "paused" : "running";
    }
    return summary;
}

}  // namespace

asio::awaitable<http::server_response> control_api::list_rooms(http::server_request,
                                                               route_match match) {
    // Archived rooms are left out unless ?all=1 asks for them too.
    const auto all = match.query.find("all");
    const bool with_archived = all != match.query.end() && all->second == "1";
    nlohmann::json rooms = nlohmann::json::array();
    for (const room::room_handle* room : services_.rooms->rooms()) {
        if (with_archived || !room->state().archived) {
            rooms.push_back(summary_with_owner(*services_.rooms, *room));
        }
    }
    co_return json_answer(200, {{"rooms", std::move(rooms)}});
}

asio::awaitable<http::server_response> control_api::show_room(http::server_request,
                                                              route_match match) {
    const room::room_handle* room = services_.rooms->find(match.params.at(0));
    if (room == nullptr) {
        co_return no_room(match.params.at(0));
    }
    co_return json_answer(200, summary_with_owner(*services_.rooms, *room));
}

asio::awaitable<http::server_response> control_api::create_room(http::server_request request,
                                                                route_match) {
    if (request.body.size() > max_room_body_bytes) {
        co_return error_answer(413, "body_too_large",
                               "a room is at most 256 KiB of YAML or JSON; a longer text "
                               "would cost the YAML parser far more memory than it is worth");
    }
    if (!services_.rooms->node_name().empty()) {
        co_return fleet_refusal("created");
    }
    const created_room created = services_.rooms->create(request.body);
    if (created) {
        co_return json_answer(201, room_summary(**created));
    }
    const creation_refusal refused = created.error();
    if (refused.name_taken) {
        co_return error_answer(409, "room_exists", "a room of that name exists");
    }
    if (!refused.invalid.problems.empty()) {
        co_return invalid_room_answer(refused.invalid);
    }
    co_return error_answer(500, "cannot_create", refused.failure);
}

asio::awaitable<http::server_response> control_api::transcript(http::server_request,
                                                               route_match match) {
    const room::room_handle* room = services_.rooms->find(match.params.at(0));
    if (room == nullptr) {
        co_return no_room(match.params.at(0));
    }
    std::optional<std::int64_t> after = 0;
    std::optional<std::int64_t> limit = max_records_per_read;
    if (auto it = match.query.find("after"); it != match.query.end()) {
        after = to_count(it->second);
    }
    if (auto it = match.query.find("limit"); it != match.query.end()) {
        limit = to_count(it->second);
    }
    if (!after || !limit) {
        co_return error_answer(400, "bad_query", "after and limit are whole numbers >= 0");
    }
    const auto later = records_after(room->history(), *after);
    nlohmann::json records = nlohmann::json::array();
    const std::size_t count = std::min<std::size_t>(
        later.size(),
        std::min<std::size_t>(static_cast<std::size_t>(*limit), max_records_per_read));
    for (const auto& r : later.first(count)) {
        records.push_back(core::to_json(r));
    }
    co_return json_answer(200, {{"room", room->room().name}, {"records", std::move(records)}});
}

asio::awaitable<http::server_response> control_api::events(http::server_request request,
                                                           route_match match) {
    const room::room_handle* room = services_.rooms->find(match.params.at(0));
    if (room == nullptr) {
        co_return no_room(match.params.at(0));
    }
    std::optional<std::int64_t> after = 0;
    if (const auto last_id = request.header("last-event-id"); !last_id.empty()) {
        after = to_count(last_id);
    } else if (auto it = match.query.find("after"); it != match.query.end()) {
        after = to_count(it->second);
    }
    if (!after) {
        co_return error_answer(400, "bad_query", "Last-Event-ID and after are whole numbers");
    }
    http::server_response answer;
    answer.headers.emplace_back("content-type", "text/event-stream");
    answer.headers.emplace_back("cache-control", "no-store");
    answer.headers.emplace_back("x-accel-buffering", "no");
    answer.stream = services_.feed->follow(*room, *after);
    co_return answer;
}

asio::awaitable<http::server_response> control_api::image(http::server_request, route_match match) {
    const room::room_handle* room = services_.rooms->find(match.params.at(0));
    const std::string& file = match.params.at(1);
    if (room == nullptr) {
        co_return no_room(match.params.at(0));
    }
    // Only names the room's own image records hold: no path the client makes up is opened.
    for (const auto& r : room->history()) {
        if (r.type == core::record_type::image &&
            std::filesystem::path{r.path}.filename() == file) {
            auto bytes = co_await asio::co_spawn(
                disk_, read_binary(services_.rooms->data_dir() / r.path), asio::use_awaitable);
            if (bytes) {
                auto answer = text_answer(200, std::string{image_type(file)}, std::move(*bytes));
                answer.headers.emplace_back("cache-control", "private, max-age=86400, immutable");
                co_return answer;
            }
            co_return error_answer(404, "not_found", "the image file is gone");
        }
    }
    co_return error_answer(404, "not_found", "no image named '" + file + "' in this room");
}

}  // namespace polylogue::control
