// Nothing a config, an API client or a model writes can make the daemon touch a file outside
// data_dir: room names are file names and are refused when they could climb out, image files
// are named by the daemon, and the image route serves only the room's own images. The control
// API refuses oversized bodies and headers.

#include <gtest/gtest.h>

#include <signal.h>

#include <memory>
#include <thread>

#include "polylogue/core/base64.hpp"
#include "support/api_client.hpp"
#include "support/eventually.hpp"
#include "support/fake_server.hpp"
#include "support/polylogue_cli.hpp"
#include "support/test_ca.hpp"

namespace polylogue {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* token = "security-test-token-0123456789";

// As YAML double-quoted scalars: each would name a file outside data_dir/logs, data_dir/rooms
// or data_dir/images, or a hidden one.
const std::vector<std::string> escaping_names{R"("../x")",      R"("/abs")", R"("a/b")",
                                              R"("a\0b")",      R"("..")",   R"(".hidden")",
                                              R"("x/../../y")", R"("a\\b")", R"("")"};

std::string png_bytes() {
    return std::string{"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16} + "pixels";
}

std::string scripted_models() {
    return "providers:\n"
           "  stage: { kind: scripted }\n"
           "models:\n"
           "  - { name: Ada, provider: stage, script: ada.yaml }\n"
           "  - { name: Babbage, provider: stage, script: babbage.yaml }\n";
}

void write_scripts(const test::temp_dir& dir, const std::string& ada_replies) {
    dir.write("ada.yaml", ada_replies);
    dir.write("babbage.yaml", "- Babbage listens\n- Babbage listens again\n- and again\n");
}

// A daemon on a config written by the test, control API on a free port.
class daemon_under_test {
  public:
    daemon_under_test(const test::temp_dir& dir, const std::string& config) {
        ::setenv("PL_SECURITY_TOKEN", token, 1);
        dir.write("serve.yaml", config);
        child_ = std::make_unique<test::child_process>(std::vector<std::string>{
            test::polylogue_binary(), "serve", (dir / "serve.yaml").string()});
        port_ = test::wait_for_serve_port(dir / "var", 20s);
    }
    ~daemon_under_test() {
        child_->send(SIGTERM);
        child_->wait(10s);
    }

    std::uint16_t port() const { return port_; }
    test::api_client api() const { return test::api_client{port_, token}; }

    ::testing::AssertionResult wait_for_end(const std::string& room) const {
        return test::eventually(
            [&] { return api().get("/v1/rooms/" + room).json().value("state", "") == "ended"; });
    }

  private:
    std::unique_ptr<test::child_process> child_;
    std::uint16_t port_ = 0;
};

std::string control_yaml(const std::string& limits = {}) {
    return "data_dir: var\n"
           "control: { listen: 127.0.0.1:0, token_env: PL_SECURITY_TOKEN" +
           limits + " }\n";
}

TEST(SecurityPaths, CheckRefusesRoomNamesThatCouldLeaveDataDir) {
    for (const auto& name : escaping_names) {
        test::temp_dir dir;
        write_scripts(dir, "- hello\n");
        dir.write("rooms.yaml", "data_dir: var\n" + scripted_models() +
                                    "rooms:\n  - { name: " + name + ", members: [Ada] }\n");
        const auto check = test::polylogue({"check", (dir / "rooms.yaml").string()});
        EXPECT_NE(check.exit_code, 0) << name;
        // "room name '../x' must be 1 to 64 characters of ..." ("name must not be empty" for "").
        EXPECT_NE(check.err.find("name "), std::string::npos) << name << ": " << check.err;
        const auto run = test::polylogue({"run", (dir / "rooms.yaml").string()});
        EXPECT_NE(run.exit_code, 0) << name;
        EXPECT_FALSE(std::filesystem::exists(dir / "var")) << name << ": run wrote files";
    }
}

TEST(SecurityPaths, CreatingARoomOverTheApiRefusesTheSameNames) {
    test::temp_dir dir;
    write_scripts(dir, "- hello\n");
    daemon_under_test serve{
        dir, control_yaml() + scripted_models() +
                 "rooms:\n  - { name: lobby, members: [Ada], max_turns: 1, turn_delay: 0s }\n"};
    ASSERT_NE(serve.port(), 0);
    const auto api = serve.api();
    for (const auto& name : escaping_names) {
        // YAML's double-quoted escapes are JSON's, but for \0: JSON spells NUL \u0000.
        const std::string json_name = name == R"("a\0b")" ? R"("a\u0000b")" : name;
        const auto answer =
            api.call("POST", "/v1/rooms", R"({"name": )" + json_name + R"(, "members": ["Ada"]})");
        EXPECT_EQ(answer.status, 400) << name << ": " << answer.body;
        EXPECT_EQ(answer.json()["error"]["code"], "invalid_room") << answer.body;
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "var" / "rooms")) << "a refused room was kept";
    EXPECT_FALSE(std::filesystem::exists(dir / "x.yaml"));
    EXPECT_EQ(api.get("/v1/rooms").json()["rooms"].size(), 1u);
}

class ImageNames : public ::testing::Test {
  protected:
    test::fake_server painter{test::fake_server::scheme::https};
    test::temp_dir dir;

    void SetUp() override {
        ::setenv("PL_SECURITY_TOOLS_KEY", "tools-key-0123456789", 1);
        painter.on_request([](const test::recorded_request&) {
            return test::fake_response::json(
                200, json{{"data", {{{"b64_json", core::base64_encode(png_bytes())}}}}}.dump());
        });
        write_scripts(dir,
                      "- 'try this !image \"../../etc/passwd\"'\n"
                      "- 'and this !image \"/etc/passwd\"'\n- done\n");
    }

    std::string config() const {
        return control_yaml() + scripted_models() +
               "tools:\n"
               "  - { name: painter, kind: openai_images, base_url: " +
               painter.base_url() +
               "/v1, api_key_env: PL_SECURITY_TOOLS_KEY, model: gpt-image-1, ca_file: " +
               test::test_ca::instance().ca_file.string() +
               " }\n"
               "rooms:\n"
               "  - { name: gallery, members: [Ada, Babbage], max_turns: 4, turn_delay: 0s,\n"
               "      tools: { image: painter } }\n";
    }
};

TEST_F(ImageNames, AnImagePromptThatLooksLikeAPathStillSavesUnderTheRoomsImageDir) {
    dir.write("gallery.yaml", config());
    const auto run = test::polylogue({"run", (dir / "gallery.yaml").string()});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    int images = 0;
    for (const auto& r : test::transcript_records(dir / "gallery.yaml", "gallery")) {
        if (r["type"] != "image") {
            continue;
        }
        ++images;
        const std::filesystem::path path = r["path"].get<std::string>();
        EXPECT_EQ(path.parent_path(), std::filesystem::path{"images/gallery"}) << path;
        EXPECT_EQ(path.string().find(".."), std::string::npos) << path;
        EXPECT_EQ(test::read_file(dir / "var" / path), png_bytes());
    }
    EXPECT_EQ(images, 2);
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path())) {
        EXPECT_NE(entry.path().filename(), "passwd") << entry.path();
    }
}

TEST_F(ImageNames, TheImageRouteServesOnlyTheRoomsOwnImageFiles) {
    daemon_under_test serve{dir, config()};
    ASSERT_NE(serve.port(), 0);
    ASSERT_TRUE(serve.wait_for_end("gallery"));
    const auto api = serve.api();
    std::string own;
    const auto records = api.get("/v1/rooms/gallery/transcript").json()["records"];
    for (const auto& r : records) {
        if (r["type"] == "image") {
            own = std::filesystem::path{r["path"].get<std::string>()}.filename().string();
        }
    }
    ASSERT_FALSE(own.empty()) << records.dump();
    EXPECT_EQ(api.get("/v1/rooms/gallery/images/" + own).status, 200);
    const std::vector<std::string> made_up{"..%2F..%2Ftranscripts.db",
                                           "..%2Ftranscripts.db",
                                           "%2e%2e%2f%2e%2e%2ftranscripts.db",
                                           "..",
                                           "%2e%2e",
                                           "..%2F..%2Fserve.yaml",
                                           "images%2Fgallery%2F" + own,
                                           "%2Fetc%2Fpasswd",
                                           own + "%00.png",
                                           "..%2Fgallery%2F" + own};
    for (const auto& file : made_up) {
        const auto answer = api.get("/v1/rooms/gallery/images/" + file);
        EXPECT_EQ(answer.status, 404) << file;
        EXPECT_EQ(answer.body.find("SQLite format"), std::string::npos) << file;
    }
    for (const std::string target :
         {"/v1/rooms/gallery/images/../../transcripts.db", "/v1/rooms/..%2F..%2Fvar/images/x",
          "/v1/rooms/gallery/../../transcripts.db"}) {
        const auto answer = api.get(target);
        EXPECT_EQ(answer.status, 404) << target;
    }
}

TEST(SecurityLimits, TheControlApiRefusesOversizedBodiesAndHeadersAndKeepsServing) {
    test::temp_dir dir;
    write_scripts(dir, "- hello\n");
    daemon_under_test serve{
        dir, control_yaml(", max_body_bytes: 1KiB, max_header_bytes: 1KiB") + scripted_models() +
                 "rooms:\n  - { name: lobby, members: [Ada], max_turns: 1, turn_delay: 0s }\n"};
    ASSERT_NE(serve.port(), 0);
    const auto api = serve.api();
    const json room{{"name", "big"}, {"members", {"Ada"}}, {"padding", std::string(4096, 'x')}};
    EXPECT_EQ(api.call("POST", "/v1/rooms", room.dump()).status, 413);
    EXPECT_EQ(api.call("GET", "/v1/rooms", {}, {{"x-filler", std::string(4096, 'h')}}).status, 431);
    EXPECT_EQ(api.get("/healthz").status, 200) << "the daemon stopped serving";
    EXPECT_EQ(api.get("/v1/rooms").json()["rooms"].size(), 1u);
    EXPECT_EQ(api.post("/v1/rooms", json{{"name", "small"}, {"members", {"Ada"}}}).status, 201);
}

}  // namespace
}  // namespace polylogue
