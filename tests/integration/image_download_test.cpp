// When an image backend answers with a URL instead of bytes, the daemon downloads it itself:
// https only, at most 20 MiB, and never following a redirect (so a URL cannot bounce the daemon
// to a loopback or private address). Each refusal is a failed !image, and nothing is saved.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "support/fake_server.hpp"
#include "support/polylogue_cli.hpp"
#include "support/test_ca.hpp"

namespace polylogue {
namespace {

using nlohmann::json;
using test::fake_response;
using test::fake_server;

std::string png_bytes() {
    return std::string{"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16} + "downloaded-pixels";
}

class ImageDownloads : public ::testing::Test {
  protected:
    fake_server backend{fake_server::scheme::https};  // the image API: answers with URLs
    fake_server files{fake_server::scheme::https};    // where those URLs point
    fake_server plain;                                // http, and the redirects' target
    test::temp_dir dir;

    void SetUp() override {
        ::setenv("PL_DOWNLOAD_KEY", "download-key-0123456789", 1);
        // The prompt names the URL the backend answers with.
        backend.on_request([this](const test::recorded_request& r) {
            const std::string prompt = json::parse(r.body)["prompt"];
            const std::string url = prompt == "plain http" ? plain.base_url() + "/fox.png"
                                                           : files.base_url() + "/" + prompt;
            return fake_response::json(200, json{{"data", {{{"url", url}}}}}.dump());
        });
        const auto big = std::make_shared<const std::string>(21 * 1024 * 1024, 'p');
        files.on_request([this, big](const test::recorded_request& r) {
            if (r.target == "/to-loopback") {
                return fake_response::json(302, "", {{"location", plain.base_url() + "/fox.png"}});
            }
            if (r.target == "/to-private") {
                return fake_response::json(301, "", {{"location", "https://10.0.0.1/fox.png"}});
            }
            if (r.target == "/to-self") {
                return fake_response::json(307, "", {{"location", files.base_url() + "/fox"}});
            }
            if (r.target == "/huge") {
                fake_response answer;
                answer.headers = {{"content-type", "image/png"}};
                answer.chunks = {big->substr(0, 1024), *big};
                return answer;
            }
            return fake_response::json(200, png_bytes(), {{"content-type", "image/png"}});
        });
        plain.on_request([](const test::recorded_request&) {
            return fake_response::json(200, png_bytes(), {{"content-type", "image/png"}});
        });
    }

    // One !image per turn, each prompt naming one case; returns the command records in order.
    std::vector<json> draw(const std::vector<std::string>& prompts) {
        std::string script;
        for (const auto& p : prompts) {
            script += "- '!image \"" + p + "\"'\n";
        }
        dir.write("artist.yaml", script);
        const std::string ca = test::test_ca::instance().ca_file.string();
        dir.write("images.yaml",
                  "data_dir: var\n"
                  "providers:\n"
                  "  stage: { kind: scripted }\n"
                  "models:\n"
                  "  - { name: Artist, provider: stage, script: artist.yaml }\n"
                  "tools:\n"
                  "  - { name: painter, kind: openai_images, base_url: " +
                      backend.base_url() +
                      "/v1, api_key_env: PL_DOWNLOAD_KEY, model: gpt-image-1, ca_file: " + ca +
                      " }\n"
                      "rooms:\n"
                      "  - { name: studio, members: [Artist], max_turns: " +
                      std::to_string(prompts.size()) +
                      ", turn_delay: 0s, tools: { image: painter } }\n");
        const auto run = test::polylogue({"run", (dir / "images.yaml").string()});
        EXPECT_EQ(run.exit_code, 0) << run.err;
        std::vector<json> commands;
        for (const auto& r : test::transcript_records(dir / "images.yaml", "studio")) {
            if (r["type"] == "command") {
                commands.push_back(r);
            }
        }
        EXPECT_EQ(commands.size(), prompts.size());
        return commands;
    }

    std::size_t saved_images() const {
        const auto folder = dir / "var" / "images" / "studio";
        if (!std::filesystem::exists(folder)) {
            return 0;
        }
        return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator{folder},
                                                      std::filesystem::directory_iterator{}));
    }

    std::size_t requests_for(const std::string& target) const {
        const auto seen = files.requests();
        return static_cast<std::size_t>(std::count_if(
            seen.begin(), seen.end(), [&](const auto& r) { return r.target == target; }));
    }
};

TEST_F(ImageDownloads, AnHttpsUrlIsDownloadedAndSaved) {
    const auto commands = draw({"fox"});
    ASSERT_EQ(commands.size(), 1u);
    EXPECT_EQ(commands[0]["status"], "ok") << commands[0].dump();
    EXPECT_EQ(saved_images(), 1u);
}

TEST_F(ImageDownloads, AnHttpUrlIsRefusedWithoutARequest) {
    const auto commands = draw({"plain http"});
    ASSERT_EQ(commands.size(), 1u);
    EXPECT_EQ(commands[0]["status"], "failed");
    EXPECT_NE(commands[0]["detail"].get<std::string>().find("not https"), std::string::npos)
        << commands[0].dump();
    EXPECT_TRUE(plain.requests().empty());
    EXPECT_EQ(saved_images(), 0u);
}

TEST_F(ImageDownloads, RedirectsAreNeverFollowedAnywhere) {
    const auto commands = draw({"to-loopback", "to-private", "to-self"});
    ASSERT_EQ(commands.size(), 3u);
    for (const auto& c : commands) {
        EXPECT_EQ(c["status"], "failed") << c.dump();
        EXPECT_NE(c["detail"].get<std::string>().find("HTTP 30"), std::string::npos) << c.dump();
    }
    EXPECT_TRUE(plain.requests().empty()) << "followed a redirect to http://127.0.0.1";
    EXPECT_EQ(requests_for("/fox"), 0u) << "followed a redirect";
    EXPECT_EQ(requests_for("/to-loopback"), 1u);
    EXPECT_EQ(saved_images(), 0u);
}

TEST_F(ImageDownloads, ABodyOverTwentyMebibytesIsRefusedAndNotSaved) {
    const auto commands = draw({"huge"});
    ASSERT_EQ(commands.size(), 1u);
    EXPECT_EQ(commands[0]["status"], "failed");
    EXPECT_NE(commands[0]["detail"].get<std::string>().find("20 MiB"), std::string::npos)
        << commands[0].dump();
    EXPECT_EQ(saved_images(), 0u);
}

}  // namespace
}  // namespace polylogue
