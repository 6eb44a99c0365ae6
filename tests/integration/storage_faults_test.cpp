// The store under faults an operator can meet: a corrupt database, a full disk, an images folder
// that cannot be written. Each failure says SQLite's (or the system's) reason wherever it shows,
// a full disk fails its room with that reason instead of an empty one (and the room resumes once
// there is room again), and an image that cannot be saved fails its command, not its room.

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "polylogue/core/base64.hpp"
#include "serve_fixture.hpp"
#include "support/eventually.hpp"
#include "support/fake_server.hpp"

namespace polylogue {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

using test::of_type;

std::filesystem::path scripted_config(const test::temp_dir& dir) {
    dir.write("ada.yaml", test::script_of("Ada", 10));
    dir.write("babbage.yaml", test::script_of("Babbage", 10));
    dir.write("curie.yaml", test::script_of("Curie", 10));
    return dir.write("store.yaml", "data_dir: var\n" + test::scripted_models() + "rooms:\n" +
                                       test::room_entry("lab", 4, "0s"));
}

TEST(StorageFaults, ACorruptDatabaseIsCalledSoByEveryCommand) {
    test::temp_dir dir;
    const auto config = scripted_config(dir);
    dir.write("var/transcripts.db", std::string(8192, 'x'));
    const auto transcript = test::polylogue({"transcript", config.string(), "lab"});
    EXPECT_EQ(transcript.exit_code, 1);
    EXPECT_NE(transcript.err.find("file is not a database (SQLITE_NOTADB)"), std::string::npos)
        << transcript.err;
    const auto run = test::polylogue({"run", config.string()});
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_NE(run.err.find("file is not a database (SQLITE_NOTADB)"), std::string::npos) << run.err;
}

TEST(StorageFaults, AnImageThatCannotBeSavedFailsItsCommandAndTheRoomGoesOn) {
    test::temp_dir dir;
    test::fake_server painter;
    painter.on_request([](const test::recorded_request&) {
        const std::string png = std::string{"\x89PNG\r\n\x1a\n", 8} + "pixels";
        return test::fake_response::json(
            200, json{{"data", {{{"b64_json", core::base64_encode(png)}}}}}.dump());
    });
    ::setenv("PL_PAINTER_KEY", "painter-key-0123456789", 1);
    dir.write("artist.yaml", "- '!image \"a red fox\"'\n- 'no image, then'\n- 'and on we go'\n");
    const auto config =
        dir.write("images.yaml",
                  "data_dir: var\n"
                  "providers:\n"
                  "  stage: { kind: scripted }\n"
                  "models:\n"
                  "  - { name: Artist, provider: stage, script: artist.yaml }\n"
                  "tools:\n"
                  "  - { name: painter, kind: openai_images, base_url: " +
                      painter.base_url() +
                      "/v1, api_key_env: PL_PAINTER_KEY, model: gpt-image-1 }\n"
                      "rooms:\n"
                      "  - { name: studio, members: [Artist], max_turns: 3, turn_delay: 0s,\n"
                      "      tools: { image: painter } }\n");
    // A file where the images folder should be: root cannot write through that either.
    dir.write("var/images", "not a folder");

    const auto run = test::polylogue({"run", config.string()});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_NE(run.err.find("could not be saved"), std::string::npos) << run.err;
    const auto records = test::transcript_records(config, "studio");
    const auto commands = of_type(records, "command");
    ASSERT_EQ(commands.size(), 1u);
    EXPECT_EQ(commands[0]["status"], "failed");
    const std::string detail = commands[0]["detail"];
    EXPECT_NE(detail.find("the image was made but could not be saved: "), std::string::npos)
        << detail;
    EXPECT_EQ(painter.requests().size(), 1u);
    EXPECT_TRUE(of_type(records, "image").empty());
    EXPECT_EQ(of_type(records, "message").size(), 3u);
    ASSERT_FALSE(records.empty());
    EXPECT_NE(records.back().value("text", "").find("max_turns"), std::string::npos)
        << records.back().dump();
}

// A tmpfs of its own for data_dir, so that the disk can be filled for real (needs root, as CI
// and the development sandbox have). Unmounted after the daemon is gone.
class small_disk {
  public:
    explicit small_disk(std::filesystem::path where) : where_{std::move(where)} {
        std::filesystem::create_directories(where_);
        mounted_ = ::mount("tmpfs", where_.c_str(), "tmpfs", 0, "size=4m") == 0;
        why_ = mounted_ ? std::string{} : std::strerror(errno);
    }
    small_disk(const small_disk&) = delete;
    small_disk& operator=(const small_disk&) = delete;
    ~small_disk() {
        if (mounted_) {
            ::umount2(where_.c_str(), MNT_DETACH);
        }
    }
    bool mounted() const noexcept { return mounted_; }
    const std::string& why_not() const noexcept { return why_; }

    // Writes a file until the disk refuses a single byte more; its size.
    std::size_t fill(const std::string& name) const {
        const int fd = ::open((where_ / name).c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        std::size_t written = 0;
        const std::string block(64 * 1024, 'f');
        for (std::size_t chunk = block.size(); chunk > 0; chunk /= 2) {
            for (;;) {
                const ssize_t n = ::write(fd, block.data(), chunk);
                if (n <= 0) {
                    break;
                }
                written += static_cast<std::size_t>(n);
            }
        }
        ::close(fd);
        return written;
    }

  private:
    std::filesystem::path where_;
    bool mounted_ = false;
    std::string why_;
};

std::int64_t last_seq(const test::api_client& api, const std::string& room) {
    return api.get("/v1/rooms/" + room).json().value("last_seq", std::int64_t{0});
}

TEST(StorageFaults, ADiskFullRoomFailsSayingSoAndResumesOnceThereIsRoom) {
    test::temp_dir dir;
    small_disk disk{dir / "var"};
    if (!disk.mounted()) {
        GTEST_SKIP() << "cannot mount a tmpfs here: " << disk.why_not();
    }
    const std::string rooms = test::room_entry("full", 1000, "20ms");
    auto daemon = std::make_unique<test::serve_process>(dir, rooms);
    ASSERT_NE(daemon->port(), 0);
    const auto api = daemon->api();
    ASSERT_TRUE(test::eventually([&] { return last_seq(api, "full") >= 6; }));
    const auto filled = disk.fill("filler");
    json room;
    test::eventually([&] {
        room = api.get("/v1/rooms/full").json();
        return room.value("state", "") == "failed";
    });
    std::cout << "[ measure  ] the disk took " << filled / 1024 << " KiB more, then the room "
              << room.value("state", "?") << " at seq " << room.value("last_seq", 0) << "\n";
    EXPECT_EQ(room["state"], "failed");
    EXPECT_NE(room.value("end_reason", "").find("database or disk is full (SQLITE_FULL)"),
              std::string::npos)
        << room.dump();
    const std::int64_t failed_at = room.value("last_seq", std::int64_t{0});

    std::filesystem::remove(dir / "var" / "filler");
    daemon->signal(SIGTERM);
    const auto first = daemon->wait(20s);
    EXPECT_EQ(first.exit_code, 1) << "a failed room makes the exit a failure";
    EXPECT_NE(first.err.find("could not commit records"), std::string::npos) << first.err;
    EXPECT_NE(first.err.find("database or disk is full (SQLITE_FULL)"), std::string::npos)
        << first.err;
    daemon.reset();

    // With room on the disk again, the room continues where its transcript ends.
    std::filesystem::remove(dir / "var" / "serve.json");
    auto again = std::make_unique<test::serve_process>(dir, rooms);
    const auto api_again = again->api();
    EXPECT_TRUE(test::eventually([&] { return last_seq(api_again, "full") >= failed_at + 4; }));
    again->signal(SIGTERM);
    EXPECT_EQ(again->wait(20s).exit_code, 0);
    const auto records = test::transcript_records(dir / "serve.yaml", "full");
    for (std::size_t i = 0; i < records.size(); ++i) {
        ASSERT_EQ(records[i]["seq"], static_cast<std::int64_t>(i + 1));
    }
}

}  // namespace
}  // namespace polylogue
