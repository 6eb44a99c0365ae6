// What a watcher sees of real runs: in the chat log a context-trim notice is a line of its own,
// in seq order before the streamed message it accompanies, and a human's opening is shown; `run`
// with several rooms prints whole records, each line saying its room; and an image made in a turn
// that trims is named after its own record's seq.

#include <gtest/gtest.h>

#include <sstream>

#include "polylogue/core/base64.hpp"
#include "support/fake_server.hpp"
#include "support/polylogue_cli.hpp"

namespace polylogue {
namespace {

using nlohmann::json;
using test::fake_response;
using test::fake_server;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in{text};
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

std::string png_bytes() {
    return std::string{"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16} + "watcher-pixels";
}

// A room whose only member's context (1000 tokens, 900 of them for the reply) cannot hold the
// room: its first turn is trimmed, and that turn makes an image.
class TrimmedImageTurn : public ::testing::Test {
  protected:
    fake_server tools;
    test::temp_dir dir;
    std::vector<json> records;

    void SetUp() override {
        tools.on_request([](const test::recorded_request&) {
            return fake_response::json(
                200, json{{"data", {{{"b64_json", core::base64_encode(png_bytes())}}}}}.dump());
        });
        ::setenv("PL_WATCHER_TOOLS_KEY", "tools-key-0123", 1);
        dir.write("painter.yaml", "- 'Here is a fox. !image \"a red fox\"'\n");
        dir.write("gallery.yaml",
                  "data_dir: var\n"
                  "providers: { stage: { kind: scripted } }\n"
                  "models:\n"
                  "  - { name: Painter, provider: stage, script: painter.yaml, max_tokens: 900,\n"
                  "      context_tokens: 1000 }\n"
                  "tools:\n"
                  "  - { name: paint, kind: openai_images, base_url: " +
                      tools.base_url() +
                      "/v1, api_key_env: PL_WATCHER_TOOLS_KEY,\n"
                      "      model: gpt-image-1 }\n"
                      "rooms:\n"
                      "  - { name: gallery, members: [Painter], max_turns: 1, turn_delay: 0s,\n"
                      "      opening: { speaker: janus, text: \"Paint us a fox.\" },\n"
                      "      tools: { image: paint } }\n");
        const auto run = test::polylogue({"run", (dir / "gallery.yaml").string()});
        ASSERT_EQ(run.exit_code, 0) << run.err;
        records = test::transcript_records(dir / "gallery.yaml", "gallery");
    }

    const json* first(const std::string& type) const {
        for (const auto& r : records) {
            if (r["type"] == type) {
                return &r;
            }
        }
        return nullptr;
    }
};

TEST_F(TrimmedImageTurn, TheTrimNoticeIsALineOfItsOwnBeforeTheStreamedMessage) {
    const json* trimmed = first("context_trimmed");
    const json* message = first("message");
    ASSERT_TRUE(trimmed && message);
    const json* reply = nullptr;
    for (const auto& r : records) {
        reply = r["type"] == "message" && r["speaker"] == "AI-1" ? &r : reply;
    }
    ASSERT_NE(reply, nullptr);
    EXPECT_LT((*trimmed)["seq"], (*reply)["seq"]);
    const auto log = lines_of(test::read_file(dir / "var" / "logs" / "gallery.log"));
    std::size_t opening = log.size();
    std::size_t notice = log.size();
    std::size_t header = log.size();
    for (std::size_t i = 0; i < log.size(); ++i) {
        if (log[i] == "Paint us a fox.") {
            opening = i;
        }
        if (log[i].find("now sees the room from seq") != std::string::npos) {
            notice = i;
            EXPECT_TRUE(log[i].starts_with("✂ AI-1 (Painter) now sees the room from seq"))
                << "the notice is glued to another line: " << log[i];
        }
        if (log[i].ends_with("] AI-1 (Painter):")) {
            header = i;
        }
    }
    EXPECT_LT(opening, log.size()) << "the human's opening is missing from the chat log:\n"
                                   << test::read_file(dir / "var" / "logs" / "gallery.log");
    ASSERT_LT(notice, log.size()) << test::read_file(dir / "var" / "logs" / "gallery.log");
    EXPECT_LT(opening, notice);
    ASSERT_LT(header, log.size());
    EXPECT_LT(notice, header) << "the notice (seq " << (*trimmed)["seq"]
                              << ") comes after the message it preceded:\n"
                              << test::read_file(dir / "var" / "logs" / "gallery.log");
    EXPECT_EQ(log.at(header + 1), "Here is a fox. !image \"a red fox\"");
}

TEST_F(TrimmedImageTurn, TheImageFileIsNamedAfterItsOwnRecordsSeq) {
    ASSERT_NE(first("context_trimmed"), nullptr) << "the turn was not trimmed";
    const json* image = first("image");
    ASSERT_NE(image, nullptr);
    const std::string path = (*image)["path"];
    const std::string seq = std::to_string((*image)["seq"].get<std::int64_t>());
    EXPECT_TRUE(path.starts_with("images/gallery/" + seq + "-")) << path << " for seq " << seq;
    EXPECT_EQ(test::read_file(dir / "var" / path), png_bytes());
}

TEST(RunStdout, SeveralRoomsPrintWholeRecordsEachLineSayingItsRoom) {
    test::temp_dir dir;
    std::string script;
    for (int i = 1; i <= 4; ++i) {
        script += "- \"first line of reply " + std::to_string(i) + "\\nsecond line of reply " +
                  std::to_string(i) + "\"\n";
    }
    dir.write("ada.yaml", script);
    dir.write("rooms.yaml",
              "data_dir: var\n"
              "providers: { stage: { kind: scripted } }\n"
              "models: [{ name: Ada, provider: stage, script: ada.yaml }]\n"
              "rooms:\n"
              "  - { name: east, members: [Ada], max_turns: 4, turn_delay: 0s }\n"
              "  - { name: west, members: [Ada], max_turns: 4, turn_delay: 0s }\n");
    const auto run = test::polylogue({"run", (dir / "rooms.yaml").string()});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    std::size_t replies = 0;
    for (const auto& line : lines_of(run.out)) {
        const bool east = line == "[east]" || line.starts_with("[east] ");
        const bool west = line == "[west]" || line.starts_with("[west] ");
        EXPECT_TRUE(east || west) << "a line without its room: '" << line << "' in\n" << run.out;
        const std::string rest = line.substr(std::min<std::size_t>(line.size(), 6));
        EXPECT_TRUE(rest.find("[east]") == std::string::npos &&
                    rest.find("[west]") == std::string::npos)
            << "two pieces on one line: " << line;
        if (line.find("second line of reply") != std::string::npos) {
            ++replies;
        }
    }
    EXPECT_EQ(replies, 8u) << run.out;
    EXPECT_NE(run.out.find("[east] first line of reply 2\n[east] second line of reply 2\n"),
              std::string::npos)
        << run.out;
}

TEST(RunStdout, OneRoomStreamsItsChatWithoutPrefixes) {
    test::temp_dir dir;
    dir.write("ada.yaml", "- \"only line\"\n");
    dir.write("rooms.yaml",
              "data_dir: var\n"
              "providers: { stage: { kind: scripted } }\n"
              "models: [{ name: Ada, provider: stage, script: ada.yaml }]\n"
              "rooms:\n"
              "  - { name: east, members: [Ada], max_turns: 1, turn_delay: 0s }\n"
              "  - { name: west, members: [Ada], max_turns: 1, turn_delay: 0s }\n");
    const auto run = test::polylogue({"run", (dir / "rooms.yaml").string(), "--room", "east"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_NE(run.out.find("] AI-1 (Ada):\nonly line\n"), std::string::npos) << run.out;
    EXPECT_EQ(run.out.find("[east]"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace polylogue
