// Prompt caching in the request bodies (docs/config.md, `cache`): Anthropic's breakpoints,
// OpenAI's prompt_cache_key, nothing for Gemini; with caching off, today's bytes. And the
// property the caches pay on: a member's next request repeats its previous one byte for byte up
// to the end of that request's last text.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "polylogue/providers/api_adapter.hpp"

namespace polylogue::providers {
namespace {

using json = nlohmann::json;

constexpr auto user = turn_role::user;
constexpr auto assistant = turn_role::assistant;
constexpr std::string_view cache_key = "polylogue-0123456789abcdef-AI-2";

api_request cached_request(std::vector<conversation_turn> turns, std::string system = {}) {
    api_request request;
    request.model_id = "model-x";
    request.messages.system = std::move(system);
    request.messages.turns = std::move(turns);
    request.cache = {true, std::string{cache_key}};
    return request;
}

std::string anthropic_body(const api_request& request) {
    return make_anthropic_adapter()->build_request(request, {}).body;
}

std::string openai_body(const api_request& request) {
    return make_openai_adapter()->build_request(request, {}).body;
}

std::string gemini_body(const api_request& request) {
    return make_gemini_adapter()->build_request(request, {}).body;
}

std::size_t count_of(std::string_view text, std::string_view part) {
    std::size_t count = 0;
    for (auto at = text.find(part); at != std::string_view::npos; at = text.find(part, at + 1)) {
        ++count;
    }
    return count;
}

// The 8-byte PNG signature stands for an image: its base64 is iVBORw0KGgo=.
image_part png() {
    return {"images/lab/5-ab.png", "image/png", shared_bytes::copy_of("\x89PNG\r\n\x1a\n")};
}

TEST(AnthropicCache, TheSystemPromptAndTheLastBlockCarryTheBreakpointsAndUserTurnsAreBlocks) {
    const api_request request = cached_request({{user, "[AI-1 (GPT)]: Hello."},
                                                {user, "[Human]: Hi."},
                                                {assistant, "Hello, everyone."},
                                                {user, "[AI-3 (Gemini)]: \"Hi\" back."}},
                                               "You are AI-2.");
    EXPECT_EQ(anthropic_body(request),
              R"({"max_tokens":1024,"messages":[)"
              R"({"content":[{"text":"[AI-1 (GPT)]: Hello.\n\n[Human]: Hi.","type":"text"}],)"
              R"("role":"user"},)"
              R"({"content":"Hello, everyone.","role":"assistant"},)"
              R"({"content":[{"text":"[AI-3 (Gemini)]: \"Hi\" back.","type":"text",)"
              R"("cache_control":{"type":"ephemeral"}}],"role":"user"}],)"
              R"("model":"model-x","stream":true,)"
              R"("system":[{"text":"You are AI-2.","type":"text",)"
              R"("cache_control":{"type":"ephemeral"}}]})");
}

TEST(AnthropicCache, TheOrchestratorsNoticesAreBlocksAndTheClosingOneIsMarked) {
    EXPECT_EQ(anthropic_body(cached_request({{assistant, "I opened."}})),
              R"({"max_tokens":1024,"messages":[)"
              R"({"content":[{"text":"[Polylogue] The conversation so far:","type":"text"}],)"
              R"("role":"user"},)"
              R"({"content":"I opened.","role":"assistant"},)"
              R"({"content":[{"text":"[Polylogue] It is your turn to speak.","type":"text",)"
              R"("cache_control":{"type":"ephemeral"}}],"role":"user"}],)"
              R"("model":"model-x","stream":true})");
    EXPECT_EQ(anthropic_body(cached_request({})),
              R"({"max_tokens":1024,"messages":[)"
              R"({"content":[{"text":"[Polylogue] You speak first.","type":"text",)"
              R"("cache_control":{"type":"ephemeral"}}],"role":"user"}],)"
              R"("model":"model-x","stream":true})");
}

TEST(AnthropicCache, AnImageEndingTheRequestCarriesTheBreakpoint) {
    conversation_turn notice{user, "[Polylogue] AI-1 created an image."};
    notice.images.push_back(png());
    api_request request = cached_request({{assistant, "Draw a fox."}, notice});
    request.stream = false;
    EXPECT_EQ(anthropic_body(request),
              R"({"max_tokens":1024,"messages":[)"
              R"({"content":[{"text":"[Polylogue] The conversation so far:","type":"text"}],)"
              R"("role":"user"},)"
              R"({"content":"Draw a fox.","role":"assistant"},)"
              R"({"content":[{"text":"[Polylogue] AI-1 created an image.","type":"text"},)"
              R"({"source":{"data":"iVBORw0KGgo=","media_type":"image/png","type":"base64"},)"
              R"("type":"image","cache_control":{"type":"ephemeral"}}],"role":"user"}],)"
              R"("model":"model-x"})");
}

TEST(AnthropicCache, ALongConversationStillUsesTwoOfTheFourBreakpoints) {
    std::vector<conversation_turn> turns;
    for (int i = 0; i < 30; ++i) {
        turns.push_back({user, "[AI-1]: turn " + std::to_string(i)});
        turns.push_back({assistant, "reply " + std::to_string(i)});
    }
    const std::string body = anthropic_body(cached_request(turns, "You are AI-2."));
    EXPECT_EQ(count_of(body, "cache_control"), 2U);
    EXPECT_FALSE(json::parse(body, nullptr, false).is_discarded()) << body;
}

TEST(AnthropicCache, WithCachingOffTheBodyIsTodaysWithNoneOfTheFields) {
    api_request request = cached_request(
        {{user, "[AI-1 (GPT)]: Hello."}, {assistant, "Hi."}, {user, "[AI-3]: Yo."}}, "Be brief.");
    request.cache.enabled = false;
    EXPECT_EQ(anthropic_body(request), R"({"max_tokens":1024,"messages":[)"
                                       R"({"content":"[AI-1 (GPT)]: Hello.","role":"user"},)"
                                       R"({"content":"Hi.","role":"assistant"},)"
                                       R"({"content":"[AI-3]: Yo.","role":"user"}],)"
                                       R"("model":"model-x","stream":true,"system":"Be brief."})");
}

TEST(OpenAiCache, ThePromptCacheKeyFollowsTheModel) {
    api_request request = cached_request({{user, "[AI-1]: Hello."}}, "You are AI-2.");
    request.temperature = 0.5;
    EXPECT_EQ(openai_body(request),
              R"({"max_tokens":1024,"messages":[)"
              R"({"content":"You are AI-2.","role":"system"},)"
              R"({"content":"[AI-1]: Hello.","role":"user"}],)"
              R"("model":"model-x","prompt_cache_key":"polylogue-0123456789abcdef-AI-2",)"
              R"("stream":true,"stream_options":{"include_usage":true},"temperature":0.5})");
}

TEST(OpenAiCache, NoKeyIsSentWithCachingOffOrWithoutAKey) {
    const std::string expected = R"({"max_tokens":1024,"messages":[)"
                                 R"({"content":"[AI-1]: Hello.","role":"user"}],)"
                                 R"("model":"model-x","stream":false})";
    api_request off = cached_request({{user, "[AI-1]: Hello."}});
    off.stream = false;
    off.cache.enabled = false;
    EXPECT_EQ(openai_body(off), expected);
    api_request keyless = off;
    keyless.cache = {true, ""};
    EXPECT_EQ(openai_body(keyless), expected);
}

TEST(GeminiCache, CachingSendsNothingTheBodyIsTheSameEitherWay) {
    api_request request = cached_request({{user, "[AI-1]: Hello."}, {assistant, "Hi."}}, "Sys.");
    request.temperature = 0.2;
    const std::string cached = gemini_body(request);
    request.cache.enabled = false;
    EXPECT_EQ(cached, gemini_body(request));
    EXPECT_EQ(cached,
              R"({"contents":[{"parts":[{"text":"[AI-1]: Hello."}],"role":"user"},)"
              R"({"parts":[{"text":"Hi."}],"role":"model"},)"
              R"({"parts":[{"text":"[Polylogue] It is your turn to speak."}],"role":"user"}],)"
              R"("generationConfig":{"maxOutputTokens":1024,"temperature":0.2},)"
              R"("systemInstruction":{"parts":[{"text":"Sys."}]}})");
}

// --- consecutive requests share their prefix --------------------------------------------------

struct api_case {
    const char* name;
    std::string (*body)(const api_request&);
    std::string_view after_messages;  // what follows the message list, at the top level
    std::string_view cache_field;     // what shows that caching is on
};

const api_case every_api[] = {
    {"anthropic", anthropic_body, R"(],"model":)", "cache_control"},
    {"openai", openai_body, R"(],"model":)", "prompt_cache_key"},
    {"gemini", gemini_body, R"(],"generationConfig":)", ""},
};

// The end of the body's last text: the last turn's text is written last (escaped the same way),
// and a quote cannot occur unescaped inside a JSON string, so the top-level key is found last.
std::size_t end_of_last_text(const std::string& body, const api_request& request,
                             std::string_view after_messages) {
    const std::string_view last_text = request.messages.turns.back().text.escaped();
    const std::size_t list_end = body.rfind(after_messages);
    const std::size_t text = body.rfind(last_text, list_end);
    EXPECT_NE(text, std::string::npos) << body;
    return text == std::string::npos ? 0 : text + last_text.size();
}

// A member's window only grows between trims (the renderer's rule): its own reply and the
// others' turns are appended, or only the others' when its reply failed.
std::vector<api_request> growing_window() {
    api_request request = cached_request(
        {{user, "[Polylogue] The room opens: what makes a good proof?"}}, "You are AI-2 (Claude).");
    request.temperature = 0.8;
    std::vector<api_request> requests{request};
    for (int turn = 1; turn <= 6; ++turn) {
        const std::string n = std::to_string(turn);
        if (turn != 4) {  // turn 4: AI-2's reply failed, nothing of its own was appended
            request.messages.turns.push_back({assistant, "A proof convinces, take " + n + "."});
        }
        request.messages.turns.push_back({user, "[AI-1 (GPT)]: Rigour \"first\", take " + n});
        request.messages.turns.push_back({user, "[AI-3 (Gemini)]: Elegance — take " + n});
        requests.push_back(request);
    }
    return requests;
}

TEST(PromptCachePrefix, EachRequestRepeatsThePreviousOneUpToItsLastTextAndEndsTheSame) {
    const std::vector<api_request> requests = growing_window();
    for (const api_case& api : every_api) {
        SCOPED_TRACE(api.name);
        for (std::size_t i = 1; i < requests.size(); ++i) {
            SCOPED_TRACE("request " + std::to_string(i));
            const std::string previous = api.body(requests[i - 1]);
            const std::string next = api.body(requests[i]);
            if (!api.cache_field.empty()) {
                EXPECT_NE(next.find(api.cache_field), std::string::npos) << next;
            }
            const std::size_t shared =
                end_of_last_text(previous, requests[i - 1], api.after_messages);
            ASSERT_GT(shared, 0U);
            EXPECT_EQ(next.substr(0, shared), previous.substr(0, shared));
            // Nothing after the messages varies between turns: no counters, no reordering.
            EXPECT_EQ(next.substr(next.rfind(api.after_messages)),
                      previous.substr(previous.rfind(api.after_messages)));
        }
    }
}

}  // namespace
}  // namespace polylogue::providers
