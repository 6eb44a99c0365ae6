// One process per data_dir: a second `serve` or `run` on a data_dir that a daemon uses is refused
// at start, naming the holder's pid, before it calls a provider or touches the store or the logs;
// the first goes on unharmed; read-only commands keep working; and the lock dies with its holder,
// so a daemon killed with SIGKILL is replaced at once.

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <thread>

#include "serve_fixture.hpp"
#include "support/eventually.hpp"
#include "support/fake_server.hpp"
#include "support/provider_streams.hpp"

namespace polylogue {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string lock_rooms = test::room_entry("talk", 1000, "100ms") +
                               "  - { name: brief, members: [Ada, Babbage], max_turns: 2, "
                               "turn_delay: 0s }\n";

// The daemon's pid as serve.json says, once it says so; 0 after limit.
pid_t serve_json_pid(const std::filesystem::path& data_dir, pid_t wanted,
                     std::chrono::milliseconds limit) {
    const bool named = test::eventually(
        [&] {
            std::ifstream in{data_dir / "serve.json"};
            const auto info = json::parse(in, nullptr, false);
            return info.is_object() && info.value("pid", 0) == wanted;
        },
        limit);
    return named ? wanted : 0;
}

std::int64_t last_seq(const test::api_client& api, const std::string& room) {
    return api.get("/v1/rooms/" + room).json().value("last_seq", std::int64_t{0});
}

// The room's records are 1, 2, 3..., its messages alternate AI-1, AI-2 with each script's
// replies in order, once each, and nothing failed: what one process alone writes.
void expect_one_writer(const std::vector<json>& records) {
    int ada = 0;
    int babbage = 0;
    for (std::size_t i = 0; i < records.size(); ++i) {
        const json& r = records[i];
        ASSERT_EQ(r["seq"], static_cast<std::int64_t>(i + 1));
        EXPECT_NE(r["type"], "turn_failed") << r.dump();
        EXPECT_NE(r["type"], "room_ended") << r.dump();
        if (r["type"] == "message" && r["speaker"] == "AI-1") {
            EXPECT_EQ(r["text"], "Ada says " + std::to_string(++ada)) << r.dump();
        } else if (r["type"] == "message" && r["speaker"] == "AI-2") {
            EXPECT_EQ(r["text"], "Babbage says " + std::to_string(++babbage)) << r.dump();
        }
    }
    EXPECT_GE(ada, 2);
    EXPECT_TRUE(babbage == ada || babbage + 1 == ada) << ada << " " << babbage;
}

TEST(DataDirLock, ASecondServeOrRunIsRefusedWithTheHoldersPidAndTheFirstGoesOn) {
    test::temp_dir dir;
    test::serve_process first{dir, lock_rooms};
    ASSERT_NE(first.port(), 0);
    const auto api = first.api();
    ASSERT_TRUE(test::eventually([&] { return last_seq(api, "talk") >= 6; }));
    const std::string holder = "pid " + std::to_string(first.pid());
    const std::string serve_json = test::read_file(dir / "var" / "serve.json");

    const auto started = std::chrono::steady_clock::now();
    const auto second_serve =
        test::polylogue({"serve", first.config().string()}, {}, std::chrono::seconds{20});
    const auto second_run =
        test::polylogue({"run", first.config().string()}, {}, std::chrono::seconds{20});
    const auto refusals = std::chrono::steady_clock::now() - started;
    for (const auto* second : {&second_serve, &second_run}) {
        EXPECT_FALSE(second->timed_out);
        EXPECT_EQ(second->exit_code, 1) << second->err;
        EXPECT_NE(second->err.find("is in use by another polylogue process (" + holder + ")"),
                  std::string::npos)
            << second->err;
        EXPECT_NE(second->err.find("polylogue.lock"), std::string::npos) << second->err;
    }
    std::cout << "[ measure  ] two refused starts took "
              << std::chrono::duration_cast<std::chrono::milliseconds>(refusals).count() << " ms\n";
    EXPECT_EQ(test::read_file(dir / "var" / "serve.json"), serve_json);

    // Read-only commands work beside the daemon.
    EXPECT_EQ(test::polylogue({"check", first.config().string()}).exit_code, 0);
    const auto rooms = test::polylogue({"rooms", first.config().string()});
    EXPECT_EQ(rooms.exit_code, 0) << rooms.err;
    EXPECT_NE(rooms.out.find("talk"), std::string::npos) << rooms.out;
    const auto tail = test::polylogue({"tail", first.config().string(), "brief"});
    EXPECT_EQ(tail.exit_code, 0) << tail.err;
    EXPECT_NE(tail.out.find("Babbage says 1"), std::string::npos) << tail.out;
    const auto text = test::polylogue({"transcript", first.config().string(), "talk"});
    EXPECT_EQ(text.exit_code, 0) << text.err;

    // The first daemon went on alone: its room still runs and grows, written by one process.
    const std::int64_t before = last_seq(api, "talk");
    EXPECT_TRUE(test::eventually([&] { return last_seq(api, "talk") >= before + 4; }));
    EXPECT_EQ(api.get("/v1/rooms/talk").json()["state"], "running");
    first.signal(SIGTERM);
    EXPECT_EQ(first.wait(std::chrono::seconds{20}).exit_code, 0);
    expect_one_writer(test::transcript_records(first.config(), "talk"));
}

TEST(DataDirLock, TheLockDiesWithItsHolderSoASigkilledDaemonIsReplacedAtOnce) {
    test::temp_dir dir;
    test::serve_process first{dir, lock_rooms};
    ASSERT_NE(first.port(), 0);
    const auto api = first.api();
    ASSERT_TRUE(test::eventually([&] { return last_seq(api, "talk") >= 6; }));
    first.signal(SIGKILL);
    first.wait(std::chrono::seconds{10});
    const auto killed = std::chrono::steady_clock::now();
    test::child_process next{{test::polylogue_binary(), "serve", first.config().string()}};
    ASSERT_EQ(serve_json_pid(dir / "var", next.pid(), 20s), next.pid())
        << "the new daemon did not start";
    std::cout << "[ measure  ] a new daemon served "
              << std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - killed)
                     .count()
              << " ms after the old one was SIGKILLed\n";
    const auto port = test::wait_for_serve_port(dir / "var", 5s);
    const test::api_client again{port, test::control_token};
    const std::int64_t resumed_at = last_seq(again, "talk");
    EXPECT_TRUE(test::eventually([&] { return last_seq(again, "talk") >= resumed_at + 4; }));
    next.send(SIGTERM);
    EXPECT_EQ(next.wait(std::chrono::seconds{20}).exit_code, 0);
    expect_one_writer(test::transcript_records(first.config(), "talk"));
}

// A holder that is not a daemon at all (this test process): the refused `run` calls no provider
// and leaves no file behind but the lock.
TEST(DataDirLock, ARefusedRunCallsNoProviderAndTouchesNoStoreOrLog) {
    test::temp_dir dir;
    test::fake_server provider;
    provider.on_request([](const test::recorded_request&) {
        return test::fake_response::sse(test::openai_stream("should never be asked"));
    });
    ::setenv("PL_LOCK_KEY", "sk-lock-0123456789", 1);
    dir.write("lock.yaml",
              "data_dir: var\n"
              "providers:\n"
              "  api: { kind: openai, base_url: " +
                  provider.base_url() +
                  "/v1, api_key_env: PL_LOCK_KEY }\n"
                  "models:\n"
                  "  - { name: Remote, provider: api, id: remote-1 }\n"
                  "rooms:\n"
                  "  - { name: solo, members: [Remote], max_turns: 2, turn_delay: 0s }\n");
    std::filesystem::create_directories(dir / "var");
    const int fd =
        ::open((dir / "var" / "polylogue.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0);
    struct flock lock {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    ASSERT_EQ(::fcntl(fd, F_SETLK, &lock), 0);

    const auto refused = test::polylogue({"run", (dir / "lock.yaml").string()});
    EXPECT_EQ(refused.exit_code, 1) << refused.err;
    EXPECT_NE(refused.err.find("(pid " + std::to_string(::getpid()) + ")"), std::string::npos)
        << refused.err;
    EXPECT_EQ(provider.requests().size(), 0u);
    std::vector<std::string> left;
    for (const auto& entry : std::filesystem::directory_iterator{dir / "var"}) {
        left.push_back(entry.path().filename().string());
    }
    EXPECT_EQ(left, std::vector<std::string>{"polylogue.lock"});

    ::close(fd);  // the lock goes with it: now the same command runs
    const auto ran = test::polylogue({"run", (dir / "lock.yaml").string()});
    EXPECT_EQ(ran.exit_code, 0) << ran.err;
    EXPECT_EQ(provider.requests().size(), 2u);
}

}  // namespace
}  // namespace polylogue
