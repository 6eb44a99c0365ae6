// room_host in-process: the daemon's rooms from a config of scripted members, a store in a
// temporary directory, the chat log, the metrics and the control feed wired as `serve` wires
// them, on one event loop with a time limit.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>

#include "app/room_host.hpp"
#include "polylogue/control/room_view.hpp"
#include "support/room_bench.hpp"

namespace polylogue {
namespace {

namespace asio = boost::asio;

class captured_stream final : public http::stream_writer {
  public:
    asio::awaitable<bool> write(std::string data) override {
        text += data;
        co_return true;
    }
    std::string text;
};

class RoomHost : public ::testing::Test {
  protected:
    test::room_bench bench;
    http::client client{bench.loop.get_executor()};
    std::unique_ptr<app::chat_log> chat;
    control::event_hub hub{bench.loop.get_executor()};
    control::room_feed feed{hub};
    control::metrics counters;
    std::unique_ptr<app::room_host> host;

    void SetUp() override {
        bench.write_script("ada", {"Hello from Ada.", "Ada again."});
        bench.write_script("bob", {"Bob here."});
        bench.load(
            "data_dir: var\n"
            "providers: { stage: { kind: scripted } }\n"
            "models:\n"
            "  - { name: Ada, provider: stage, script: ada.yaml }\n"
            "  - { name: Bob, provider: stage, script: bob.yaml }\n"
            "rooms:\n"
            "  - { name: lobby, members: [Ada, Bob], max_turns: 2, turn_delay: 0s }\n"
            "  - { name: attic, members: [Ada], max_turns: 1, turn_delay: 0s }\n");
        std::filesystem::create_directories(bench.dir / "logs");
        chat = std::make_unique<app::chat_log>(bench.loop.get_executor(), bench.dir / "logs",
                                               bench.log, false, true);
        app::host_services services{bench.loop.get_executor(),
                                    bench.committer.get(),
                                    bench.reader.get(),
                                    &client,
                                    nullptr,
                                    chat.get(),
                                    &feed,
                                    &counters,
                                    nullptr,
                                    bench.log,
                                    [this] {
                                        if (host->running() == 0) {
                                            bench.committer->stop();
                                        }
                                    },
                                    std::nullopt};
        host = std::make_unique<app::room_host>(std::move(services), bench.cfg);
        bench.start_committer();
    }
};

TEST_F(RoomHost, ItsRoomsFeedTheChatLogTheMetricsAndTheControlFeed) {
    host->start(std::nullopt, false);
    room::room_handle* lobby = host->find("lobby");
    ASSERT_NE(lobby, nullptr);
    const auto stream = feed.follow(*lobby, 0);
    captured_stream followed;
    bool stream_ended = false;
    asio::co_spawn(bench.loop, stream->run(followed),
                   [&stream_ended](std::exception_ptr) { stream_ended = true; });
    bench.run();

    std::vector<std::string> states;
    for (const room::room_handle* room : host->rooms()) {
        states.push_back(room->room().name + " " + std::string{control::room_state_name(*room)});
    }
    EXPECT_EQ(states, (std::vector<std::string>{"lobby ended", "attic ended"}));
    EXPECT_FALSE(host->any_failed());

    std::string expected_frames;
    for (const auto& r : lobby->history()) {
        expected_frames += control::record_frame(r);
    }
    std::string record_frames;
    for (std::size_t at = followed.text.find("id: "); at != std::string::npos;
         at = followed.text.find("id: ", at)) {
        const std::size_t end = followed.text.find("\n\n", at) + 2;
        record_frames += followed.text.substr(at, end - at);
        at = end;
    }
    EXPECT_EQ(record_frames, expected_frames);
    EXPECT_NE(followed.text.find("event: token\n"), std::string::npos);
    EXPECT_TRUE(stream_ended) << "an ended room's stream ends once it has sent everything";

    const std::string metrics = counters.render({});
    EXPECT_NE(metrics.find("polylogue_turns_total 3\n"), std::string::npos) << metrics;
    EXPECT_NE(metrics.find("polylogue_provider_calls_total{provider=\"stage\",outcome=\"ok\"} 3"),
              std::string::npos)
        << metrics;
    chat.reset();  // writes what it still holds
    const std::string lobby_log = test::read_file(bench.dir / "logs" / "lobby.log");
    EXPECT_NE(lobby_log.find("Hello from Ada."), std::string::npos) << lobby_log;
    EXPECT_NE(lobby_log.find("Bob here."), std::string::npos) << lobby_log;
}

TEST_F(RoomHost, CreatesARoomOnceAndRefusesATakenNameOrAnInvalidBody) {
    host->start(std::nullopt, false);
    const auto created =
        host->create("{name: porch, members: [Bob], max_turns: 1, turn_delay: 0s}");
    ASSERT_TRUE(created.has_value()) << created.error().failure;
    room::room_handle* const porch = *created;
    EXPECT_EQ(porch, host->find("porch"));
    EXPECT_TRUE(std::filesystem::exists(bench.cfg->data_dir / "rooms" / "porch.yaml"));
    EXPECT_TRUE(host->create("{name: porch, members: [Ada], max_turns: 1}").error().name_taken);
    EXPECT_TRUE(host->create("{name: lobby, members: [Ada], max_turns: 1}").error().name_taken);
    const auto invalid = host->create("{name: cellar, members: [Nobody]}");
    ASSERT_FALSE(invalid.has_value());
    EXPECT_FALSE(invalid.error().invalid.problems.empty());
    bench.run();

    ASSERT_EQ(host->rooms().size(), 3U);
    EXPECT_EQ(host->rooms().back()->room().name, "porch");
    EXPECT_EQ(control::room_state_name(*porch), "ended");
    EXPECT_EQ(porch->history().back().type, core::record_type::room_ended);
}

}  // namespace
}  // namespace polylogue
