// The turn contract as real models need it (issue 11, items 1-4), run by `polylogue run` in a
// real process: exact invitations with a did-you-mean, images that vision members see and others
// do not (requests recorded by loopback fakes of each API), requests that end on a user turn,
// and system prompts that name only what the room can do.

#include <gtest/gtest.h>

#include <cstdlib>

#include "polylogue/core/base64.hpp"
#include "support/fake_server.hpp"
#include "support/polylogue_cli.hpp"
#include "support/provider_streams.hpp"

namespace polylogue {
namespace {

using nlohmann::json;
using test::fake_response;
using test::fake_server;

// --- invitations ---------------------------------------------------------------------------

constexpr const char* scripted_config = R"(data_dir: var
providers:
  stage: { kind: scripted }
models:
  - { name: Host, provider: stage, script: host.yaml }
  - { name: Claude Opus 4.5, provider: stage, script: guest.yaml }
  - { name: GPT 4o, provider: stage, script: guest.yaml }
  - { name: Gemini 2.5 Flash Lite, provider: stage, script: guest.yaml }
rooms:
  - name: party
    members: [Host]
    max_turns: 4
    turn_delay: 0s
)";

constexpr const char* host_script = R"(- |
  !add_ai "Claude Opus 4" "come in"
- |
  !add_ai "GPT 4" "you too"
  !add_ai "Gemini 2.5 Flash" "and you"
- |
  sorry, exact names then: !add_ai "claude-opus-4.5" "come in"
)";

std::vector<const json*> of_type(const std::vector<json>& records, const std::string& type) {
    std::vector<const json*> found;
    for (const auto& r : records) {
        if (r["type"] == type) {
            found.push_back(&r);
        }
    }
    return found;
}

TEST(Invitations, ANearMissIsRefusedWithADidYouMeanAndTheExactNameJoinsOnRetry) {
    test::temp_dir dir;
    dir.write("party.yaml", scripted_config);
    dir.write("host.yaml", host_script);
    dir.write("guest.yaml", "- hello, I am the one you asked for\n");
    const auto run = test::polylogue({"run", (dir / "party.yaml").string()});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto records = test::transcript_records(dir / "party.yaml", "party");
    const auto commands = of_type(records, "command");
    ASSERT_EQ(commands.size(), 4u);
    EXPECT_EQ((*commands[0])["status"], "rejected");
    EXPECT_EQ((*commands[0])["detail"],
              "no model named \"Claude Opus 4\" in the catalogue; did you mean \"Claude Opus "
              "4.5\"? Write the name exactly");
    EXPECT_EQ((*commands[1])["detail"],
              "no model named \"GPT 4\" in the catalogue; did you mean \"GPT 4o\"? Write the name "
              "exactly");
    EXPECT_EQ((*commands[2])["detail"],
              "no model named \"Gemini 2.5 Flash\" in the catalogue; did you mean \"Gemini 2.5 "
              "Flash Lite\"? Write the name exactly");
    EXPECT_EQ((*commands[3])["status"], "ok");
    EXPECT_EQ((*commands[3])["detail"], "Claude Opus 4.5 joined as AI-2");
    const auto joins = of_type(records, "join");
    ASSERT_EQ(joins.size(), 2u) << "no namesake was seated";
    EXPECT_EQ((*joins[1])["model"], "Claude Opus 4.5");
    EXPECT_GT((*joins[1])["seq"].get<int>(), (*commands[2])["seq"].get<int>());
    EXPECT_NE(run.out.find("did you mean \"GPT 4o\"?"), std::string::npos) << run.out;
    EXPECT_EQ(test::ai_speakers(records),
              (std::vector<std::string>{"AI-1", "AI-1", "AI-1", "AI-2"}));
}

// --- images, prompts, the last turn --------------------------------------------------------

// A PNG whose header says 64 × 48: what a vision request must carry, byte for byte.
std::string png_bytes() {
    return std::string{"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x40\0\0\0\x30\x08\x06\0\0\0", 29} +
           "pixels";
}

std::string config_text(const fake_server& openai, const fake_server& anthropic,
                        const fake_server& gemini, const fake_server& painter,
                        const fake_server& broken_painter) {
    return "data_dir: var\n"
           "providers:\n"
           "  router: { kind: openai, base_url: " +
           openai.base_url() +
           " }\n"
           "  claude: { kind: anthropic, base_url: " +
           anthropic.base_url() +
           " }\n"
           "  google: { kind: gemini, base_url: " +
           gemini.base_url() +
           " }\n"
           "models:\n"
           "  - { name: Eye, provider: router, id: eye-1, vision: true }\n"
           "  - { name: Blind, provider: router, id: blind-1 }\n"
           "  - { name: Claude Eye, provider: claude, id: claude-eye, vision: true }\n"
           "  - { name: Gemini Eye, provider: google, id: gemini-eye, vision: true }\n"
           "tools:\n"
           "  - { name: painter, kind: openai_images, base_url: " +
           painter.base_url() +
           ", api_key_env: PL_TEST_TOOLS_KEY, model: gpt-image-1 }\n"
           "  - { name: broken, kind: openai_images, base_url: " +
           broken_painter.base_url() +
           ", api_key_env: PL_TEST_TOOLS_KEY, model: gpt-image-1 }\n"
           "rooms:\n"
           "  - name: gallery\n"
           "    members: [Eye, Blind, Claude Eye, Gemini Eye]\n"
           "    max_turns: 5\n"
           "    turn_delay: 0s\n"
           "    tools: { image: painter }\n"
           "  - name: solo\n"
           "    members: [Blind]\n"
           "    max_ais: 1\n"
           "    max_turns: 2\n"
           "    turn_delay: 0s\n"
           "  - name: workshop\n"
           "    members: [Eye, Blind]\n"
           "    max_turns: 2\n"
           "    turn_delay: 0s\n"
           "    tools: { image: broken }\n";
}

class TurnContract : public ::testing::Test {
  protected:
    fake_server openai;
    fake_server anthropic;
    fake_server gemini;
    fake_server painter;
    fake_server broken_painter;
    test::temp_dir dir;

    void SetUp() override {
        ::setenv("PL_TEST_TOOLS_KEY", "tools-key", 1);
        int eye_turns = 0;
        openai.on_request([eye_turns](const test::recorded_request& r) mutable {
            const bool eye = json::parse(r.body)["model"] == "eye-1";
            return fake_response::sse(test::openai_stream(
                eye && ++eye_turns == 1 ? "look at this !image \"a red fox\"" : "nice"));
        });
        anthropic.on_request(
            [](const auto&) { return fake_response::sse(test::anthropic_stream("I see a fox")); });
        gemini.on_request(
            [](const auto&) { return fake_response::sse(test::gemini_stream("a fox indeed")); });
        painter.on_request([](const auto&) {
            return fake_response::json(
                200, json{{"data", {{{"b64_json", core::base64_encode(png_bytes())}}}}}.dump());
        });
        broken_painter.on_request([](const auto&) {
            return fake_response::json(
                400, R"({"error":{"message":"the prompt was refused","type":"invalid_request"}})");
        });
        dir.write("rooms.yaml", config_text(openai, anthropic, gemini, painter, broken_painter));
    }

    void run_room(const std::string& room) {
        const auto run = test::polylogue({"run", (dir / "rooms.yaml").string(), "--room", room});
        ASSERT_EQ(run.exit_code, 0) << run.err;
    }

    // The bodies of the requests one model was sent, in order.
    static std::vector<json> bodies_for(const fake_server& server, const std::string& model) {
        std::vector<json> bodies;
        for (const auto& r : server.requests()) {
            const auto body = json::parse(r.body);
            if (!body.contains("model") || body["model"] == model) {
                bodies.push_back(body);
            }
        }
        return bodies;
    }
};

std::string image_data() {
    return core::base64_encode(png_bytes());
}

TEST_F(TurnContract, AVisionMembersRequestCarriesTheImageAndANonVisionMembersDoesNot) {
    run_room("gallery");
    const auto records = test::transcript_records(dir / "rooms.yaml", "gallery");
    const auto images = of_type(records, "image");
    ASSERT_EQ(images.size(), 1u);
    EXPECT_EQ((*images[0])["width"], 64);
    EXPECT_EQ((*images[0])["height"], 48);

    const auto blind = bodies_for(openai, "blind-1");
    ASSERT_EQ(blind.size(), 1u);
    EXPECT_EQ(blind[0].dump().find("image_url"), std::string::npos) << blind[0].dump();
    EXPECT_NE(blind[0].dump().find("created an image for \\\"a red fox\\\""), std::string::npos);

    const auto eye = bodies_for(openai, "eye-1");
    ASSERT_EQ(eye.size(), 2u);
    const json expected_part = {{"type", "image_url"},
                                {"image_url", {{"url", "data:image/png;base64," + image_data()}}}};
    bool eye_saw_it = false;
    for (const auto& message : eye[1]["messages"]) {
        if (message["content"].is_array()) {
            EXPECT_EQ(message["role"], "user");
            EXPECT_EQ(message["content"][0]["type"], "text");
            EXPECT_EQ(message["content"][1], expected_part);
            eye_saw_it = true;
        }
    }
    EXPECT_TRUE(eye_saw_it) << eye[1].dump();

    const auto claude = bodies_for(anthropic, "claude-eye");
    ASSERT_EQ(claude.size(), 1u);
    const json expected_block = {
        {"type", "image"},
        {"source", {{"type", "base64"}, {"media_type", "image/png"}, {"data", image_data()}}}};
    EXPECT_NE(claude[0]["messages"].dump().find(expected_block.dump()), std::string::npos)
        << claude[0]["messages"].dump();

    const auto google = gemini.requests();
    ASSERT_EQ(google.size(), 1u);
    const json expected_inline = {
        {"inlineData", {{"mimeType", "image/png"}, {"data", image_data()}}}};
    EXPECT_NE(json::parse(google[0].body)["contents"].dump().find(expected_inline.dump()),
              std::string::npos)
        << google[0].body;
}

TEST_F(TurnContract, ThePromptNamesTheImageToolTheRoomHasAndNoSearch) {
    run_room("gallery");
    for (const auto& body : bodies_for(openai, "eye-1")) {
        const std::string system = body["messages"][0]["content"];
        EXPECT_NE(system.find("!image \"prompt\""), std::string::npos) << system;
        EXPECT_EQ(system.find("!search"), std::string::npos) << system;
    }
    // With caching on (the default) Anthropic's system prompt is one text block.
    const std::string claude_system =
        bodies_for(anthropic, "claude-eye").at(0)["system"].at(0).at("text");
    EXPECT_NE(claude_system.find("!image \"prompt\""), std::string::npos) << claude_system;
    EXPECT_EQ(claude_system.find("!search"), std::string::npos) << claude_system;
}

TEST_F(TurnContract, ARoomWithoutToolsNeverOffersThemAndASoloRequestEndsOnAUserTurn) {
    run_room("solo");
    const auto bodies = bodies_for(openai, "blind-1");
    ASSERT_EQ(bodies.size(), 2u);
    for (const auto& body : bodies) {
        const std::string system = body["messages"][0]["content"];
        EXPECT_EQ(system.find("!image"), std::string::npos) << system;
        EXPECT_EQ(system.find("!search"), std::string::npos) << system;
        EXPECT_EQ(system.find("!add_ai"), std::string::npos) << "a full room invites nobody";
        EXPECT_EQ(body["messages"].back()["role"], "user") << body.dump();
    }
    const auto& second = bodies[1]["messages"];
    EXPECT_EQ(second[second.size() - 2], (json{{"role", "assistant"}, {"content", "nice"}}));
    EXPECT_EQ(second.back()["content"], "[Polylogue] It is your turn to speak.");
}

TEST_F(TurnContract, AFailingImageToolIsSaidToBeFailingInTheNextPrompt) {
    run_room("workshop");
    const auto records = test::transcript_records(dir / "rooms.yaml", "workshop");
    const auto commands = of_type(records, "command");
    ASSERT_EQ(commands.size(), 1u);
    EXPECT_EQ((*commands[0])["status"], "failed");
    const auto eye = bodies_for(openai, "eye-1");
    const auto blind = bodies_for(openai, "blind-1");
    ASSERT_EQ(eye.size(), 1u);
    ASSERT_EQ(blind.size(), 1u);
    const std::string before = eye[0]["messages"][0]["content"];
    EXPECT_EQ(before.find("failing"), std::string::npos) << before;
    const std::string after = blind[0]["messages"][0]["content"];
    EXPECT_NE(after.find("    (the room's image tool is failing: its last call failed; "),
              std::string::npos)
        << after;
    EXPECT_NE(after.find("the prompt was refused"), std::string::npos) << after;
}

}  // namespace
}  // namespace polylogue
