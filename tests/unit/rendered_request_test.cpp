// Rooms rendered for their next speaker and built into each API's request, compared whole with
// golden bodies: every request ends on a user-side turn (issue 11, item 3), even when the
// speaker's own message is the newest record (a solo room, the others suspended).

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "polylogue/providers/api_adapter.hpp"
#include "polylogue/room/renderer.hpp"
#include "support/records.hpp"

namespace polylogue::room {
namespace {

using json = nlohmann::json;

config::room solo_room() {
    config::room room;
    room.name = "solo";
    room.max_ais = 1;
    room.system_prompt = "You are {slot} ({model}), alone in {room}.";
    return room;
}

json body_for(const providers::api_adapter& adapter, const providers::conversation& messages) {
    providers::api_request request;
    request.model_id = "m";
    request.messages = messages;
    request.stream = false;
    request.max_tokens = 100;
    return json::parse(adapter.build_request(request, {}).body);
}

struct solo_room_fixture : ::testing::Test {
    std::vector<core::record> records = test::numbered({
        test::join(1, "Claude Opus 4.5"),
        test::message("janus", "think out loud"),
        test::message("AI-1", "first thought", "Claude Opus 4.5"),
        test::message("AI-1", "second thought", "Claude Opus 4.5"),
    });
    providers::conversation conversation = render(solo_room(), fold(records), records, 1);
};

using SoloRoomRequest = solo_room_fixture;

TEST_F(SoloRoomRequest, OpenAiEndsOnAUserTurnAfterTheSpeakersOwnMessages) {
    EXPECT_EQ(body_for(*providers::make_openai_adapter(), conversation), json::parse(R"({
        "max_tokens": 100,
        "messages": [
            {"role": "system", "content": "You are AI-1 (Claude Opus 4.5), alone in solo."},
            {"role": "user", "content": "[Polylogue] AI-1 (Claude Opus 4.5) joined the room (from the configuration)."},
            {"role": "user", "content": "[janus]: think out loud"},
            {"role": "assistant", "content": "first thought"},
            {"role": "assistant", "content": "second thought"},
            {"role": "user", "content": "[Polylogue] It is your turn to speak."}
        ],
        "model": "m",
        "stream": false
    })"));
}

TEST_F(SoloRoomRequest, AnthropicEndsOnAUserTurnSoNothingReadsAsAPrefill) {
    EXPECT_EQ(body_for(*providers::make_anthropic_adapter(), conversation), json::parse(R"({
        "max_tokens": 100,
        "messages": [
            {"role": "user", "content": "[Polylogue] AI-1 (Claude Opus 4.5) joined the room (from the configuration).\n\n[janus]: think out loud"},
            {"role": "assistant", "content": "first thought\n\nsecond thought"},
            {"role": "user", "content": "[Polylogue] It is your turn to speak."}
        ],
        "model": "m",
        "system": "You are AI-1 (Claude Opus 4.5), alone in solo."
    })"));
}

TEST_F(SoloRoomRequest, GeminiEndsOnAUserTurnAfterTheModelsOwnMessages) {
    EXPECT_EQ(body_for(*providers::make_gemini_adapter(), conversation), json::parse(R"({
        "contents": [
            {"role": "user", "parts": [{"text": "[Polylogue] AI-1 (Claude Opus 4.5) joined the room (from the configuration).\n\n[janus]: think out loud"}]},
            {"role": "model", "parts": [{"text": "first thought\n\nsecond thought"}]},
            {"role": "user", "parts": [{"text": "[Polylogue] It is your turn to speak."}]}
        ],
        "generationConfig": {"maxOutputTokens": 100},
        "systemInstruction": {"parts": [{"text": "You are AI-1 (Claude Opus 4.5), alone in solo."}]}
    })"));
}

// AI-2 is suspended, so AI-1 speaks again right after itself: its message is the newest record.
TEST(SuspendedOthersRequest, EveryApiEndsOnAUserTurnWhenTheSpeakersMessageIsTheNewestRecord) {
    config::room room = solo_room();
    room.max_ais = 2;
    const auto records = test::numbered({
        test::join(1, "GPT 5"),
        test::join(2, "Grok 4"),
        test::of_type(core::record_type::member_suspended, 2, "AI-2 (Grok 4) is suspended"),
        test::message("AI-1", "anyone there?", "GPT 5"),
    });
    const auto conversation = render(room, fold(records), records, 1);
    const json your_turn_openai = {{"role", "user"},
                                   {"content", "[Polylogue] It is your turn to speak."}};
    const json openai = body_for(*providers::make_openai_adapter(), conversation)["messages"];
    EXPECT_EQ(openai.back(), your_turn_openai);
    EXPECT_EQ(openai[openai.size() - 2]["role"], "assistant");
    const json anthropic = body_for(*providers::make_anthropic_adapter(), conversation)["messages"];
    EXPECT_EQ(anthropic.back(), your_turn_openai);
    EXPECT_EQ(anthropic[anthropic.size() - 2],
              (json{{"role", "assistant"}, {"content", "anyone there?"}}));
    const json gemini = body_for(*providers::make_gemini_adapter(), conversation)["contents"];
    EXPECT_EQ(
        gemini.back(),
        (json{{"role", "user"}, {"parts", {{{"text", "[Polylogue] It is your turn to speak."}}}}}));
}

TEST(EmptyRoomRequest, EveryApiAsksTheSpeakerToOpen) {
    const auto joined = test::numbered({test::join(1, "GPT 5")});
    const auto conversation = render(solo_room(), fold(joined), {}, 1);
    const json speak_first = {{"role", "user"}, {"content", "[Polylogue] You speak first."}};
    EXPECT_EQ(body_for(*providers::make_openai_adapter(), conversation)["messages"].back(),
              speak_first);
    EXPECT_EQ(body_for(*providers::make_anthropic_adapter(), conversation)["messages"],
              json::array({speak_first}));
    EXPECT_EQ(
        body_for(*providers::make_gemini_adapter(), conversation)["contents"],
        json::parse(R"([{"role":"user","parts":[{"text":"[Polylogue] You speak first."}]}])"));
}

}  // namespace
}  // namespace polylogue::room
