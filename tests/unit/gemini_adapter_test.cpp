#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "polylogue/http/sse_parser.hpp"
#include "polylogue/providers/api_adapter.hpp"

namespace polylogue::providers {
namespace {

using json = nlohmann::json;

// The samples are byte-exact captures of the API's framing: "data: {chunk}\r\n\r\n", no event
// names and no end marker.
std::string wire(const std::string& name) {
    const auto path = std::filesystem::path{POLYLOGUE_SOURCE_DIR} / "tests/data/wire/gemini" / name;
    std::ifstream in{path, std::ios::binary};
    EXPECT_TRUE(in) << path;
    return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

struct decoded {
    decoded_reply reply;
    std::string live_text;  // everything take_new_text() handed out, event by event
};

decoded decode_chunks(const std::vector<std::string_view>& chunks) {
    const auto decoder = make_gemini_adapter()->make_stream_decoder();
    std::string live;
    http::sse_parser parser{[&](const http::sse_event& event) {
        decoder->on_event(event);
        live += decoder->take_new_text();
    }};
    for (const std::string_view chunk : chunks) {
        EXPECT_TRUE(parser.feed(chunk));
    }
    parser.finish();
    decoder->finish();
    live += decoder->take_new_text();
    return {decoder->reply(), live};
}

decoded decode_stream(const std::string& raw) {
    return decode_chunks({raw});
}

decoded_reply decode_data(const std::vector<std::string>& chunks) {
    const auto decoder = make_gemini_adapter()->make_stream_decoder();
    for (const std::string& data : chunks) {
        decoder->on_event({"message", data, ""});
    }
    decoder->finish();
    return decoder->reply();
}

void expect_same_reply(const decoded_reply& actual, const decoded_reply& expected) {
    EXPECT_EQ(actual.text, expected.text);
    EXPECT_EQ(actual.reasoning, expected.reasoning);
    ASSERT_EQ(actual.usage.has_value(), expected.usage.has_value());
    if (actual.usage) {
        EXPECT_EQ(actual.usage->input_tokens, expected.usage->input_tokens);
        EXPECT_EQ(actual.usage->output_tokens, expected.usage->output_tokens);
        EXPECT_EQ(actual.usage->cached_input_tokens, expected.usage->cached_input_tokens);
        EXPECT_EQ(actual.usage->cache_write_tokens, expected.usage->cache_write_tokens);
    }
    EXPECT_EQ(actual.finish_reason, expected.finish_reason);
    EXPECT_EQ(actual.complete, expected.complete);
    ASSERT_EQ(actual.failure.has_value(), expected.failure.has_value());
    if (actual.failure) {
        EXPECT_EQ(actual.failure->kind, expected.failure->kind);
        EXPECT_EQ(actual.failure->type, expected.failure->type);
        EXPECT_EQ(actual.failure->message, expected.failure->message);
    }
}

api_request request_with(std::vector<conversation_turn> turns, std::string system = {}) {
    api_request request;
    request.model_id = "gemini-3-pro-preview";
    request.messages.system = std::move(system);
    request.messages.turns = std::move(turns);
    return request;
}

json body_of(const api_request& request) {
    return json::parse(make_gemini_adapter()->build_request(request, {}).body);
}

json content(const char* role, const char* text) {
    return {{"role", role}, {"parts", {{{"text", text}}}}};
}

constexpr auto user = turn_role::user;
constexpr auto assistant = turn_role::assistant;

TEST(GeminiRequest, StreamsFromStreamGenerateContentWithKeyHeaderAndExtras) {
    endpoint_settings endpoint;
    endpoint.base_url = "https://generativelanguage.googleapis.com";
    endpoint.api_key = "AIza-test";
    endpoint.extra_headers = {{"x-goog-user-project", "polylogue"}};
    const http_call call =
        make_gemini_adapter()->build_request(request_with({{user, "hi"}}), endpoint);
    EXPECT_EQ(call.method, "POST");
    EXPECT_EQ(call.target, "/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse");
    const header_list expected = {{"x-goog-api-key", "AIza-test"},
                                  {"content-type", "application/json"},
                                  {"x-goog-user-project", "polylogue"}};
    EXPECT_EQ(call.headers, expected);
}

TEST(GeminiRequest, UsesGenerateContentWhenNotStreaming) {
    api_request request = request_with({{user, "hi"}});
    request.stream = false;
    EXPECT_EQ(make_gemini_adapter()->build_request(request, {}).target,
              "/v1beta/models/gemini-3-pro-preview:generateContent");
}

TEST(GeminiRequest, StripsTheModelsPrefixAndPercentEncodesTheModelId) {
    api_request request = request_with({{user, "hi"}});
    request.stream = false;
    request.model_id = "models/gemini-2.5-flash";
    EXPECT_EQ(make_gemini_adapter()->build_request(request, {}).target,
              "/v1beta/models/gemini-2.5-flash:generateContent");
    request.model_id = "tuned/x:y?z é";
    EXPECT_EQ(make_gemini_adapter()->build_request(request, {}).target,
              "/v1beta/models/tuned%2Fx%3Ay%3Fz%20%C3%A9:generateContent");
}

TEST(GeminiRequest, PutsSystemInstructionApartAndMergesAdjacentSameRoleTurns) {
    api_request request = request_with({{user, "[AI-1 (GPT)]: Hello."},
                                        {user, "[AI-2 (Claude)]: Hi."},
                                        {assistant, "Greetings."},
                                        {assistant, "And welcome."},
                                        {user, "[Polylogue] Human joined."}},
                                       "You are AI-3 in a group chat.");
    request.temperature = 0.9;
    request.max_tokens = 4096;
    const json expected = {
        {"contents",
         {content("user", "[AI-1 (GPT)]: Hello.\n\n[AI-2 (Claude)]: Hi."),
          content("model", "Greetings.\n\nAnd welcome."),
          content("user", "[Polylogue] Human joined.")}},
        {"systemInstruction", {{"parts", {{{"text", "You are AI-3 in a group chat."}}}}}},
        {"generationConfig", {{"temperature", 0.9}, {"maxOutputTokens", 4096}}}};
    EXPECT_EQ(body_of(request), expected);
}

TEST(GeminiRequest, OmitsTemperatureWhenUnsetAndSystemInstructionWhenEmpty) {
    const json expected = {{"contents", {content("user", "hi")}},
                           {"generationConfig", {{"maxOutputTokens", 1024}}}};
    EXPECT_EQ(body_of(request_with({{user, "hi"}})), expected);
}

TEST(GeminiRequest, OpensWithAnOrchestratorNoticeWhenTheHistoryStartsWithTheSpeaker) {
    const json body = body_of(request_with({{assistant, "I opened."}, {user, "[AI-1]: Reply."}}));
    const json expected = {content("user", "[Polylogue] The conversation so far:"),
                           content("model", "I opened."), content("user", "[AI-1]: Reply.")};
    EXPECT_EQ(body["contents"], expected);
}

TEST(GeminiRequest, AsksTheSpeakerToOpenWhenThereIsNoHistoryAndDropsBlankTurns) {
    const json expected = {content("user", "[Polylogue] You speak first.")};
    EXPECT_EQ(body_of(request_with({}))["contents"], expected);
    EXPECT_EQ(body_of(request_with({{user, " "}, {assistant, ""}}))["contents"], expected);
}

TEST(GeminiRequest, AnImageIsAnInlineDataPartAfterItsNoticeInsideTheMergedUserContent) {
    conversation_turn notice{user, "[Polylogue] AI-1 created an image."};
    notice.images.push_back(
        {"images/lab/5-ab.jpg", "image/jpeg", shared_bytes::copy_of("\xFF\xD8\xFF\xE0")});
    api_request request = request_with({{user, "[AI-1 (GPT)]: On it."},
                                        notice,
                                        {user, "[AI-2 (Claude)]: Nice."},
                                        {assistant, "Agreed."}});
    request.stream = false;
    EXPECT_EQ(make_gemini_adapter()->build_request(request, {}).body,
              R"({"contents":[)"
              R"({"parts":[{"text":"[AI-1 (GPT)]: On it.\n\n[Polylogue] AI-1 created an image."},)"
              R"({"inlineData":{"data":"/9j/4A==","mimeType":"image/jpeg"}},)"
              R"({"text":"[AI-2 (Claude)]: Nice."}],"role":"user"},)"
              R"({"parts":[{"text":"Agreed."}],"role":"model"},)"
              R"({"parts":[{"text":"[Polylogue] It is your turn to speak."}],"role":"user"}],)"
              R"("generationConfig":{"maxOutputTokens":1024}})");
}

TEST(GeminiStream, DecodesTextUsageAndFinishReasonWhenTheConnectionCloses) {
    const decoded result = decode_stream(wire("stream_text.sse"));
    EXPECT_EQ(result.reply.text, "[AI-3 (Gemini)]: Three points — naïve but “fair” 😊.\nDone.");
    EXPECT_EQ(result.live_text, result.reply.text);
    ASSERT_TRUE(result.reply.usage);
    EXPECT_EQ(result.reply.usage->input_tokens, 388);
    EXPECT_EQ(result.reply.usage->output_tokens, 19);
    EXPECT_EQ(result.reply.finish_reason, "STOP");
    EXPECT_TRUE(result.reply.complete);
    EXPECT_FALSE(result.reply.failure);
}

TEST(GeminiStream, KeepsThoughtPartsApartAndCountsThoughtTokensAsOutput) {
    const decoded result = decode_stream(wire("stream_thoughts.sse"));
    EXPECT_EQ(result.reply.reasoning,
              "**Weighing the claim**\n\nAI-1 says the sum is 12. It is 13.");
    EXPECT_EQ(result.reply.text, "The sum is 13, not 12.");
    EXPECT_EQ(result.live_text, result.reply.text);
    ASSERT_TRUE(result.reply.usage);
    EXPECT_EQ(result.reply.usage->input_tokens, 240);
    EXPECT_EQ(result.reply.usage->output_tokens, 9 + 65);
    EXPECT_TRUE(result.reply.complete);
    EXPECT_FALSE(result.reply.failure);
}

// Output is candidates + thoughts: INT64_MAX + 1 used to overflow (undefined behaviour, caught
// by UBSan in tests/fuzz/gemini_stream_fuzz.cpp). A count no reply could have is not believed;
// a whole number written as a float is.
TEST(GeminiStream, UnbelievableTokenCountsAreIgnoredRatherThanAddedUp) {
    const decoded result = decode_stream(
        R"(data: {"candidates":[{"content":{"parts":[{"text":"x"}]},"finishReason":"STOP"}],)"
        R"("usageMetadata":{"promptTokenCount":12.0,"candidatesTokenCount":9223372036854775807,)"
        R"("thoughtsTokenCount":1}})"
        "\n\n");
    EXPECT_EQ(result.reply.text, "x");
    EXPECT_FALSE(result.reply.failure);
    ASSERT_TRUE(result.reply.usage);
    EXPECT_EQ(result.reply.usage->input_tokens, 12);
    EXPECT_EQ(result.reply.usage->output_tokens, 1);
}

TEST(GeminiStream, SafetyFinishReasonIsBlocked) {
    const decoded result = decode_stream(wire("stream_safety.sse"));
    ASSERT_TRUE(result.reply.failure);
    EXPECT_EQ(result.reply.failure->kind, failure_kind::blocked);
    EXPECT_EQ(result.reply.failure->type, "SAFETY");
    EXPECT_FALSE(result.reply.failure->message.empty());
    EXPECT_EQ(result.reply.finish_reason, "SAFETY");
}

TEST(GeminiStream, EveryBlockingFinishReasonIsBlocked) {
    for (const std::string reason : {"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT",
                                     "SPII", "OTHER", "IMAGE_SAFETY", "LANGUAGE"}) {
        const decoded_reply reply =
            decode_data({R"({"candidates":[{"content":{"parts":[{"text":"x"}]},"finishReason":")" +
                         reason + R"("}]})"});
        ASSERT_TRUE(reply.failure) << reason;
        EXPECT_EQ(reply.failure->kind, failure_kind::blocked) << reason;
        EXPECT_EQ(reply.failure->type, reason);
    }
}

TEST(GeminiStream, PromptBlockReasonIsBlocked) {
    const decoded result = decode_stream(wire("stream_prompt_blocked.sse"));
    ASSERT_TRUE(result.reply.failure);
    EXPECT_EQ(result.reply.failure->kind, failure_kind::blocked);
    EXPECT_EQ(result.reply.failure->type, "PROHIBITED_CONTENT");
    ASSERT_TRUE(result.reply.usage);
    EXPECT_EQ(result.reply.usage->input_tokens, 97);
}

TEST(GeminiStream, CandidateWithNoTextIsABlockedEmptyCandidateNotAnEmptyMessage) {
    const decoded result = decode_stream(wire("stream_empty_candidate.sse"));
    ASSERT_TRUE(result.reply.failure);
    EXPECT_EQ(result.reply.failure->kind, failure_kind::blocked);
    EXPECT_EQ(result.reply.failure->type, "empty_candidate");
    EXPECT_NE(result.reply.failure->message.find("STOP"), std::string::npos);
}

TEST(GeminiStream, ConnectionClosedBeforeAFinishReasonIsARetriableStreamCut) {
    const decoded result = decode_stream(wire("stream_cut.sse"));
    ASSERT_TRUE(result.reply.failure);
    EXPECT_EQ(result.reply.failure->kind, failure_kind::retriable);
    EXPECT_EQ(result.reply.failure->type, "stream_cut");
    EXPECT_FALSE(result.reply.complete);
    EXPECT_EQ(result.reply.text, "[AI-3 (Gemini)]: Three points — naïve but “fair” 😊");
}

TEST(GeminiStream, ErrorObjectInAChunkIsAFailureClassifiedByItsCode) {
    const decoded result = decode_stream(wire("stream_error.sse"));
    ASSERT_TRUE(result.reply.failure);
    EXPECT_EQ(result.reply.failure->kind, failure_kind::retriable);
    EXPECT_EQ(result.reply.failure->http_status, 0);
    EXPECT_EQ(result.reply.failure->type, "UNAVAILABLE");
    EXPECT_EQ(result.reply.failure->message, "The model is overloaded. Please try again later.");
    const decoded_reply bad =
        decode_data({R"({"error":{"code":400,"message":"bad","status":"INVALID_ARGUMENT"}})"});
    ASSERT_TRUE(bad.failure);
    EXPECT_EQ(bad.failure->kind, failure_kind::final);
}

TEST(GeminiStream, MalformedJsonIsARetriableMalformedStream) {
    const decoded_reply reply = decode_data({R"({"candidates": [{"content)"});
    ASSERT_TRUE(reply.failure);
    EXPECT_EQ(reply.failure->kind, failure_kind::retriable);
    EXPECT_EQ(reply.failure->type, "malformed_stream");
}

TEST(GeminiStream, TakeNewTextReturnsOnlyWhatArrivedSinceTheLastCall) {
    const auto decoder = make_gemini_adapter()->make_stream_decoder();
    const auto chunk = [](const std::string& text) {
        return http::sse_event{
            "message", R"({"candidates":[{"content":{"parts":[{"text":")" + text + R"("}]}}]})",
            ""};
    };
    decoder->on_event(chunk("Hel"));
    decoder->on_event(chunk("lo"));
    EXPECT_EQ(decoder->take_new_text(), "Hello");
    EXPECT_EQ(decoder->take_new_text(), "");
    decoder->on_event(chunk(" you"));
    EXPECT_EQ(decoder->take_new_text(), " you");
}

TEST(GeminiStream, EverySampleDecodesTheSameWhenSplitAtAnyByte) {
    for (const char* name : {"stream_text.sse", "stream_thoughts.sse", "stream_safety.sse",
                             "stream_prompt_blocked.sse", "stream_empty_candidate.sse",
                             "stream_cut.sse", "stream_error.sse", "stream_cached.sse"}) {
        const std::string raw = wire(name);
        const decoded whole = decode_stream(raw);
        const std::string_view view = raw;
        for (std::size_t cut = 0; cut <= raw.size(); ++cut) {
            SCOPED_TRACE(std::string{name} + " split at " + std::to_string(cut));
            const decoded split = decode_chunks({view.substr(0, cut), view.substr(cut)});
            expect_same_reply(split.reply, whole.reply);
            EXPECT_EQ(split.live_text, whole.live_text);
        }
        std::vector<std::string_view> bytes;
        for (std::size_t i = 0; i < raw.size(); ++i) {
            bytes.push_back(view.substr(i, 1));
        }
        SCOPED_TRACE(std::string{name} + " byte by byte");
        expect_same_reply(decode_chunks(bytes).reply, whole.reply);
    }
}

TEST(GeminiBody, DecodesAWholeResponseWithThoughtsApart) {
    const decoded_reply reply = make_gemini_adapter()->decode_body(wire("response.json"));
    EXPECT_EQ(reply.text, "Agreed with AI-2: the total is 42.");
    EXPECT_EQ(reply.reasoning, "Checking the arithmetic first.");
    ASSERT_TRUE(reply.usage);
    EXPECT_EQ(reply.usage->input_tokens, 812);
    EXPECT_EQ(reply.usage->output_tokens, 11 + 54);
    EXPECT_EQ(reply.finish_reason, "STOP");
    EXPECT_TRUE(reply.complete);
    EXPECT_FALSE(reply.failure);
}

// Implicit caching: cachedContentTokenCount is the part of promptTokenCount read from the cache.
TEST(GeminiStream, CachedContentTokensArePartOfThePrompt) {
    const decoded result = decode_stream(wire("stream_cached.sse"));
    EXPECT_EQ(result.reply.text, "[AI-3 (Gemini)]: The same three points, again.");
    EXPECT_FALSE(result.reply.failure);
    ASSERT_TRUE(result.reply.usage);
    EXPECT_EQ(result.reply.usage->input_tokens, 4711);
    EXPECT_EQ(result.reply.usage->cached_input_tokens, 4096);
    EXPECT_EQ(result.reply.usage->cache_write_tokens, 0);
    EXPECT_EQ(result.reply.usage->output_tokens, 9);
}

TEST(GeminiBody, CachedContentTokensInAWholeResponseArePartOfThePrompt) {
    const decoded_reply reply = make_gemini_adapter()->decode_body(wire("response_cached.json"));
    EXPECT_EQ(reply.text, "Agreed again: 42.");
    ASSERT_TRUE(reply.usage);
    EXPECT_EQ(reply.usage->input_tokens, 2310);
    EXPECT_EQ(reply.usage->cached_input_tokens, 2048);
    EXPECT_EQ(reply.usage->output_tokens, 6);
}

// A part is never more than its whole, whichever chunk brought which count.
TEST(GeminiStream, ACachedCountAboveThePromptIsBelievedOnlyUpToIt) {
    const decoded_reply reply = decode_data(
        {R"({"candidates":[{"content":{"parts":[{"text":"x"}]}}],)"
         R"("usageMetadata":{"cachedContentTokenCount":500}})",
         R"({"candidates":[{"content":{"parts":[{"text":"y"}]},"finishReason":"STOP"}],)"
         R"("usageMetadata":{"promptTokenCount":300,"candidatesTokenCount":2}})"});
    ASSERT_TRUE(reply.usage);
    EXPECT_EQ(reply.usage->input_tokens, 300);
    EXPECT_EQ(reply.usage->cached_input_tokens, 300);
}

TEST(GeminiBody, BlockedEmptyAndGarbageBodiesAreFailures) {
    const auto adapter = make_gemini_adapter();
    const decoded_reply blocked =
        adapter->decode_body(R"({"promptFeedback":{"blockReason":"SAFETY"}})");
    ASSERT_TRUE(blocked.failure);
    EXPECT_EQ(blocked.failure->kind, failure_kind::blocked);
    const decoded_reply empty = adapter->decode_body(
        R"({"candidates":[{"content":{"parts":[{"text":""}]},"finishReason":"MAX_TOKENS"}]})");
    ASSERT_TRUE(empty.failure);
    EXPECT_EQ(empty.failure->type, "empty_candidate");
    const decoded_reply garbage = adapter->decode_body("<html>");
    ASSERT_TRUE(garbage.failure);
    EXPECT_EQ(garbage.failure->type, "malformed_body");
}

TEST(GeminiErrors, InvalidApiKeyIsAnAuthenticationFailureDespiteStatus400) {
    const api_failure failure =
        make_gemini_adapter()->classify_error(400, {}, wire("error_400_api_key_invalid.json"));
    EXPECT_EQ(failure.kind, failure_kind::authentication);
    EXPECT_EQ(failure.http_status, 400);
    EXPECT_EQ(failure.type, "API_KEY_INVALID");
    EXPECT_EQ(failure.message, "API key not valid. Please pass a valid API key.");
}

TEST(GeminiErrors, InvalidArgumentWithoutErrorInfoIsFinalAndTypedByStatus) {
    const api_failure failure =
        make_gemini_adapter()->classify_error(400, {}, wire("error_400_invalid_argument.json"));
    EXPECT_EQ(failure.kind, failure_kind::final);
    EXPECT_EQ(failure.type, "INVALID_ARGUMENT");
}

TEST(GeminiErrors, ResourceExhaustedIsRetriable) {
    const api_failure failure =
        make_gemini_adapter()->classify_error(429, {}, wire("error_429_resource_exhausted.json"));
    EXPECT_EQ(failure.kind, failure_kind::retriable);
    EXPECT_EQ(failure.type, "RESOURCE_EXHAUSTED");
}

TEST(GeminiErrors, ErrorWrappedInAnArrayIsUnderstood) {
    const api_failure failure = make_gemini_adapter()->classify_error(
        400, {}, "[" + wire("error_400_api_key_invalid.json") + "]");
    EXPECT_EQ(failure.kind, failure_kind::authentication);
}

TEST(GeminiErrors, NonJsonBodyGivesHttpStatusTypeAndTrimmedExcerpt) {
    const std::string html = wire("error_413_frontend.html");
    const api_failure failure = make_gemini_adapter()->classify_error(413, {}, html);
    EXPECT_EQ(failure.kind, failure_kind::final);
    EXPECT_EQ(failure.type, "http_413");
    EXPECT_EQ(failure.message, html.substr(0, 200));
}

}  // namespace
}  // namespace polylogue::providers
