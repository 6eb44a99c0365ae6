// The control API's handler in-process, over a test directory of real rooms (scripted members,
// a store in a temporary directory): no server, no socket, so that a failure points at a route
// or at the feed. The directory is the control module's port to whoever hosts the rooms.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <nlohmann/json.hpp>

#include "polylogue/control/control_api.hpp"
#include "polylogue/control/room_feed.hpp"
#include "support/loop.hpp"
#include "support/room_bench.hpp"

namespace polylogue {
namespace {

namespace asio = boost::asio;
using nlohmann::json;

constexpr const char* listen = "127.0.0.1:8080";

// The rooms a test made, in order; creating one always finds its name taken.
class test_directory final : public control::room_directory {
  public:
    std::vector<room::room_handle*> rooms() override { return handles; }
    room::room_handle* find(std::string_view name) override {
        for (room::room_handle* h : handles) {
            if (h->room().name == name) {
                return h;
            }
        }
        return nullptr;
    }
    control::created_room create(std::string_view) override {
        control::creation_refusal taken;
        taken.name_taken = true;
        return control::created_room{boost::system::in_place_error, std::move(taken)};
    }
    asio::awaitable<control::forked_room> fork(control::fork_request) override {
        co_return control::forked_room{
            boost::system::in_place_error,
            control::fork_refusal{control::fork_problem::name_taken, "taken", {}}};
    }
    const std::filesystem::path& data_dir() const override { return dir; }

    std::vector<room::room_handle*> handles;
    std::filesystem::path dir;
};

// Where a followed room's stream writes: everything, in order.
class captured_stream final : public http::stream_writer {
  public:
    asio::awaitable<bool> write(std::string data) override {
        text += data;
        co_return true;
    }
    std::string text;
};

http::server_request request(std::string method, std::string target, std::string body = {}) {
    http::server_request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.headers.emplace_back("host", listen);
    if (!body.empty()) {
        r.headers.emplace_back("content-type", "application/json");
    }
    r.body = std::move(body);
    r.remote = "127.0.0.1:40000";
    return r;
}

struct answer {
    int status = 0;
    json body;
};

asio::awaitable<void> ask(control::control_api* api, http::server_request r,
                          std::vector<answer>* answers) {
    auto response = co_await api->handle(std::move(r));
    answers->push_back({response.status, json::parse(response.body, nullptr, false)});
}

// Follows the room's events until the stream ends (the room has ended and everything is sent).
asio::awaitable<void> follow(control::control_api* api, std::string target, captured_stream* out) {
    auto response = co_await api->handle(request("GET", std::move(target)));
    EXPECT_EQ(response.status, 200);
    if (response.stream) {
        co_await response.stream->run(*out);
    }
}

// The SSE frames of a stream's text, without its comment lines.
std::vector<std::string> frames_of(const std::string& text, std::string_view starting_with) {
    std::vector<std::string> frames;
    std::size_t at = 0;
    while (at < text.size()) {
        const auto end = text.find("\n\n", at);
        const std::string frame = text.substr(at, end == std::string::npos ? end : end - at + 2);
        if (frame.starts_with(starting_with)) {
            frames.push_back(frame);
        }
        at = end == std::string::npos ? text.size() : end + 2;
    }
    return frames;
}

class ControlApiHandler : public ::testing::Test {
  protected:
    test::room_bench bench;
    control::event_hub hub{bench.loop.get_executor()};
    control::room_feed feed{hub};
    control::metrics counters;
    test_directory directory;
    std::vector<std::unique_ptr<room::room_runner>> runners;
    std::unique_ptr<control::control_api> api;

    void SetUp() override {
        bench.write_script("ada", {"Hello from Ada.", "Ada again.", "Ada, third."});
        bench.write_script("bob", {"Bob here.", "Bob again."});
    }

    void load(const std::string& rooms) {
        bench.load(
            "data_dir: var\n"
            "providers: { stage: { kind: scripted } }\n"
            "models:\n"
            "  - { name: Ada, provider: stage, script: ada.yaml }\n"
            "  - { name: Bob, provider: stage, script: bob.yaml }\n"
            "rooms:\n" +
            rooms);
        for (const auto& r : bench.cfg->rooms) {
            runners.push_back(bench.make_runner(r.name, &feed));
            directory.handles.push_back(runners.back().get());
        }
        directory.dir = bench.cfg->data_dir;
        api = std::make_unique<control::control_api>(control::api_services{
            &directory, &feed, &counters, [] { return control::metric_gauges{}; }, listen,
            control::api_access{}, bench.log});
    }

    answer get(const std::string& target) {
        std::vector<answer> answers;
        asio::co_spawn(bench.loop, ask(api.get(), request("GET", target), &answers),
                       [](std::exception_ptr e) { EXPECT_FALSE(e); });
        bench.run();
        return answers.empty() ? answer{} : answers.front();
    }
};

TEST_F(ControlApiHandler, ListsTheDirectorysRoomsInOrderAndAnswers404ForAnyOther) {
    load(
        "  - { name: lobby, members: [Ada, Bob], max_turns: 4 }\n"
        "  - { name: attic, members: [Ada], max_turns: 2 }\n");
    const answer listed = get("/v1/rooms");
    ASSERT_EQ(listed.status, 200);
    ASSERT_EQ(listed.body["rooms"].size(), 2U);
    EXPECT_EQ(listed.body["rooms"][0]["name"], "lobby");
    EXPECT_EQ(listed.body["rooms"][1]["name"], "attic");
    EXPECT_EQ(listed.body["rooms"][1]["state"], "stopped");  // never run
    EXPECT_EQ(get("/v1/rooms/attic").body["max_turns"], 2);

    for (const std::string target : {"/v1/rooms/cellar", "/v1/rooms/cellar/events",
                                     "/v1/rooms/cellar/transcript", "/v1/rooms/lobb"}) {
        const answer missing = get(target);
        EXPECT_EQ(missing.status, 404) << target;
        EXPECT_EQ(missing.body["error"]["code"], "not_found") << target;
    }
    std::vector<answer> answers;
    asio::co_spawn(bench.loop, ask(api.get(), request("POST", "/v1/rooms/cellar/pause"), &answers),
                   [](std::exception_ptr e) { EXPECT_FALSE(e); });
    asio::co_spawn(bench.loop,
                   ask(api.get(), request("POST", "/v1/rooms", R"({"name": "lobby"})"), &answers),
                   [](std::exception_ptr e) { EXPECT_FALSE(e); });
    bench.run();
    ASSERT_EQ(answers.size(), 2U);
    EXPECT_EQ(answers[0].status, 404);
    EXPECT_EQ(answers[1].status, 409);
    EXPECT_EQ(answers[1].body["error"]["code"], "room_exists");
}

TEST_F(ControlApiHandler, ARecordsFrameIsTheSameBytesLiveAndInTheBacklog) {
    load("  - { name: lobby, members: [Ada, Bob], max_turns: 4, turn_delay: 0s }\n");
    captured_stream live;
    asio::co_spawn(bench.loop, follow(api.get(), "/v1/rooms/lobby/events", &live),
                   [](std::exception_ptr e) { EXPECT_FALSE(e); });
    bench.spawn(*runners.front());
    bench.run();
    captured_stream backlog;
    asio::co_spawn(bench.loop, follow(api.get(), "/v1/rooms/lobby/events?after=0", &backlog),
                   [](std::exception_ptr e) { EXPECT_FALSE(e); });
    bench.run();

    const auto history = runners.front()->history();
    const auto live_records = frames_of(live.text, "id: ");
    const auto backlog_records = frames_of(backlog.text, "id: ");
    ASSERT_EQ(live_records.size(), history.size());
    EXPECT_EQ(live_records, backlog_records);
    EXPECT_TRUE(live_records.front().starts_with("id: 1\nevent: record\ndata: {"));
    // The first stream was live, not reading the history: it got the replies as they streamed.
    EXPECT_EQ(frames_of(live.text, "event: token\n").size(), 4U);
    EXPECT_TRUE(frames_of(backlog.text, "event: token\n").empty());
    // Both end on the summary of the ended room.
    const auto live_rooms = frames_of(live.text, "event: room\n");
    ASSERT_FALSE(live_rooms.empty());
    EXPECT_EQ(live_rooms.back(), frames_of(backlog.text, "event: room\n").back());
    EXPECT_NE(live_rooms.back().find("\"state\":\"ended\""), std::string::npos);
}

asio::awaitable<void> steer(control::control_api* api, std::vector<answer>* answers) {
    co_await ask(api, request("POST", "/v1/rooms/lobby/pause"), answers);
    co_await ask(
        api,
        request("POST", "/v1/rooms/lobby/messages", R"({"speaker": "grace", "text": "Hold on."})"),
        answers);
    co_await ask(api, request("POST", "/v1/rooms/lobby/stop"), answers);
    co_await ask(api, request("POST", "/v1/rooms/lobby/pause"), answers);
    co_await ask(api, request("GET", "/v1/rooms/lobby/transcript?after=2"), answers);
}

TEST_F(ControlApiHandler, PauseMessageAndStopAreCarriedOutByTheRoomThroughItsHandle) {
    load("  - { name: lobby, members: [Ada, Bob], max_turns: 10, turn_delay: 60s }\n");
    std::vector<answer> answers;
    bench.spawn(*runners.front());
    asio::co_spawn(bench.loop, steer(api.get(), &answers),
                   [](std::exception_ptr e) { EXPECT_FALSE(e); });
    bench.run();

    ASSERT_EQ(answers.size(), 5U);
    EXPECT_EQ(answers[0].status, 200);
    EXPECT_EQ(answers[0].body["state"], "paused");
    EXPECT_EQ(answers[1].status, 201);
    EXPECT_EQ(answers[1].body["seq"], 4);
    EXPECT_EQ(answers[2].status, 200);
    EXPECT_EQ(answers[2].body["state"], "ended");
    EXPECT_EQ(answers[3].status, 409) << answers[3].body.dump();
    ASSERT_EQ(answers[4].status, 200);
    const json& records = answers[4].body["records"];
    ASSERT_EQ(records.size(), 3U);
    EXPECT_EQ(records[0]["type"], "paused");
    EXPECT_EQ(records[1]["speaker"], "grace");
    EXPECT_EQ(records[1]["text"], "Hold on.");
    EXPECT_EQ(records[2]["type"], "room_ended");
}

}  // namespace
}  // namespace polylogue
