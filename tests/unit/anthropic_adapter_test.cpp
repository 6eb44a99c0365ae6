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

// The samples are byte-exact captures of the API's framing (LF line ends, JSON on one line).
std::string wire(const std::string& name) {
    const auto path =
        std::filesystem::path{POLYLOGUE_SOURCE_DIR} / "tests/data/wire/anthropic" / name;
    std::ifstream in{path, std::ios::binary};
    EXPECT_TRUE(in) << path;
    return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

struct decoded {
    decoded_reply reply;
    std::string live_text;  // everything take_new_text() handed out, event by event
};

decoded decode_chunks(const api_adapter& adapter, const std::vector<std::string_view>& chunks) {
    const auto decoder = adapter.make_stream_decoder();
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
    return decode_chunks(*make_anthropic_adapter(), {raw});
}

decoded decode_events(const std::vector<http::sse_event>& events) {
    const auto decoder = make_anthropic_adapter()->make_stream_decoder();
    std::string live;
    for (const auto& event : events) {
        decoder->on_event(event);
        live += decoder->take_new_text();
    }
    decoder->finish();
    return {decoder->reply(), live};
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
    request.model_id = "claude-opus-4-5";
    request.messages.system = std::move(system);
    request.messages.turns = std::move(turns);
    return request;
}

json body_of(const api_request& request) {
    return json::parse(make_anthropic_adapter()->build_request(request, {}).body);
}

constexpr auto user = turn_role::user;
constexpr auto assistant = turn_role::assistant;

TEST(AnthropicRequest, TargetsMessagesWithKeyVersionContentTypeAndExtraHeaders) {
    endpoint_settings endpoint;
    endpoint.base_url = "https://api.anthropic.com";
    endpoint.api_key = "sk-ant-test";
    endpoint.extra_headers = {{"anthropic-beta", "context-1m-2025-08-07"}};
    const http_call call =
        make_anthropic_adapter()->build_request(request_with({{user, "hi"}}), endpoint);
    EXPECT_EQ(call.method, "POST");
    EXPECT_EQ(call.target, "/v1/messages");
    const header_list expected = {{"x-api-key", "sk-ant-test"},
                                  {"anthropic-version", "2023-06-01"},
                                  {"content-type", "application/json"},
                                  {"anthropic-beta", "context-1m-2025-08-07"}};
    EXPECT_EQ(call.headers, expected);
}

TEST(AnthropicRequest, SendsTheConfiguredApiVersion) {
    endpoint_settings endpoint;
    endpoint.api_key = "k";
    endpoint.anthropic_version = "2026-10-21";
    const http_call call =
        make_anthropic_adapter()->build_request(request_with({{user, "hi"}}), endpoint);
    EXPECT_EQ(call.headers.at(1),
              (std::pair<std::string, std::string>{"anthropic-version", "2026-10-21"}));
}

TEST(AnthropicRequest, PutsSystemTopLevelAndMergesAdjacentSameRoleTurns) {
    api_request request = request_with({{user, "[AI-1 (GPT)]: Hello."},
                                        {user, "[AI-3 (Gemini)]: Hi all."},
                                        {assistant, "Hello, everyone."},
                                        {assistant, "Also: welcome."},
                                        {user, "[Polylogue] Human joined."}},
                                       "You are AI-2 in a group chat.");
    request.max_tokens = 2048;
    const json expected = {
        {"model", "claude-opus-4-5"},
        {"max_tokens", 2048},
        {"system", "You are AI-2 in a group chat."},
        {"stream", true},
        {"messages",
         {{{"role", "user"}, {"content", "[AI-1 (GPT)]: Hello.\n\n[AI-3 (Gemini)]: Hi all."}},
          {{"role", "assistant"}, {"content", "Hello, everyone.\n\nAlso: welcome."}},
          {{"role", "user"}, {"content", "[Polylogue] Human joined."}}}}};
    EXPECT_EQ(body_of(request), expected);
}

TEST(AnthropicRequest, OpensWithAnOrchestratorNoticeWhenTheHistoryStartsWithTheSpeaker) {
    const json body = body_of(request_with({{assistant, "I opened."}, {user, "[AI-1]: Reply."}}));
    const json expected = {{{"role", "user"}, {"content", "[Polylogue] The conversation so far:"}},
                           {{"role", "assistant"}, {"content", "I opened."}},
                           {{"role", "user"}, {"content", "[AI-1]: Reply."}}};
    EXPECT_EQ(body["messages"], expected);
}

TEST(AnthropicRequest, AsksTheSpeakerToOpenWhenThereIsNoHistory) {
    const json body = body_of(request_with({}));
    const json expected = {{{"role", "user"}, {"content", "[Polylogue] You speak first."}}};
    EXPECT_EQ(body["messages"], expected);
}

TEST(AnthropicRequest, DropsBlankTurnsWhichTheApiWouldRefuse) {
    const json body = body_of(request_with({{user, "a"}, {assistant, "  \n"}, {user, "b"}}));
    const json expected = {{{"role", "user"}, {"content", "a\n\nb"}}};
    EXPECT_EQ(body["messages"], expected);
}

TEST(AnthropicRequest, OmitsTemperatureWhenUnsetSystemWhenEmptyAndStreamWhenNotStreaming) {
    api_request request = request_with({{user, "hi"}});
    request.stream = false;
    const json expected = {{"model", "claude-opus-4-5"},
                           {"max_tokens", 1024},
                           {"messages", {{{"role", "user"}, {"content", "hi"}}}}};
    EXPECT_EQ(body_of(request), expected);
}

TEST(AnthropicRequest, SendsTemperatureOnlyWhenSet) {
    api_request request = request_with({{user, "hi"}});
    request.temperature = 0.7;
    EXPECT_EQ(body_of(request)["temperature"], 0.7);
}

// The 8-byte PNG signature stands for an image: its base64 is iVBORw0KGgo=.
image_part png(std::string path = "images/lab/5-ab.png") {
    return {std::move(path), "image/png", shared_bytes::copy_of("\x89PNG\r\n\x1a\n")};
}

TEST(AnthropicRequest, AnImageIsABase64ImageBlockAfterItsNoticeInsideTheMergedUserMessage) {
    conversation_turn notice{user, "[Polylogue] AI-1 created an image."};
    notice.images.push_back(png());
    api_request request = request_with({{assistant, "Draw a fox."},
                                        {user, "[AI-1 (GPT)]: On it."},
                                        notice,
                                        {user, "[AI-3 (Gemini)]: Nice fox."}});
    request.stream = false;
    EXPECT_EQ(make_anthropic_adapter()->build_request(request, {}).body,
              R"({"max_tokens":1024,"messages":[)"
              R"({"content":"[Polylogue] The conversation so far:","role":"user"},)"
              R"({"content":"Draw a fox.","role":"assistant"},)"
              R"({"content":[{"text":"[AI-1 (GPT)]: On it.\n\n[Polylogue] AI-1 created an image.",)"
              R"("type":"text"},)"
              R"({"source":{"data":"iVBORw0KGgo=","media_type":"image/png","type":"base64"},)"
              R"("type":"image"},)"
              R"({"text":"[AI-3 (Gemini)]: Nice fox.","type":"text"}],"role":"user"}],)"
              R"("model":"claude-opus-4-5"})");
}

TEST(AnthropicRequest, AnImageWhoseFileWasNotReadIsLeftOut) {
    conversation_turn notice{user, "[Polylogue] AI-1 created an image."};
    notice.images.push_back({"images/lab/gone.png", "image/png", {}});
    EXPECT_EQ(body_of(request_with({notice}))["messages"],
              json::parse(R"([{"role":"user","content":"[Polylogue] AI-1 created an image."}])"));
}

TEST(AnthropicStream, DecodesTextUsageAndStopReason) {
    const decoded result = decode_stream(wire("stream_text.sse"));
    EXPECT_EQ(
        result.reply.text,
        "[AI-2 (Claude)]: I disagree with AI-1 — the café’s \"best\" 🌮 is overrated.\n"
        "Second line.");
    EXPECT_EQ(result.live_text, result.reply.text);
    EXPECT_EQ(result.reply.reasoning, "");
    ASSERT_TRUE(result.reply.usage);
    EXPECT_EQ(result.reply.usage->input_tokens, 472);
    EXPECT_EQ(result.reply.usage->output_tokens, 31);
    EXPECT_EQ(result.reply.finish_reason, "end_turn");
    EXPECT_TRUE(result.reply.complete);
    EXPECT_FALSE(result.reply.failure);
}

TEST(AnthropicStream, KeepsThinkingApartFromTextAndIgnoresSignatures) {
    const decoded result = decode_stream(wire("stream_thinking.sse"));
    EXPECT_EQ(result.reply.reasoning, "AI-1 claims 17 is even. It is odd; say so politely.");
    EXPECT_EQ(result.reply.text, "17 is odd, AI-1: 17 = 2×8 + 1.");
    EXPECT_EQ(result.live_text, result.reply.text);
    ASSERT_TRUE(result.reply.usage);
    EXPECT_EQ(result.reply.usage->input_tokens, 1210);
    EXPECT_EQ(result.reply.usage->output_tokens, 96);
    EXPECT_TRUE(result.reply.complete);
    EXPECT_FALSE(result.reply.failure);
}

TEST(AnthropicStream, OverloadedErrorAfterA200IsRetriable) {
    const decoded result = decode_stream(wire("stream_overloaded.sse"));
    ASSERT_TRUE(result.reply.failure);
    EXPECT_EQ(result.reply.failure->kind, failure_kind::retriable);
    EXPECT_EQ(result.reply.failure->http_status, 0);
    EXPECT_EQ(result.reply.failure->type, "overloaded_error");
    EXPECT_EQ(result.reply.failure->message, "Overloaded");
    EXPECT_EQ(result.reply.text, "Well,");
    EXPECT_FALSE(result.reply.complete);
}

TEST(AnthropicStream, InvalidRequestErrorEventIsFinal) {
    const decoded result = decode_stream(wire("stream_invalid_request.sse"));
    ASSERT_TRUE(result.reply.failure);
    EXPECT_EQ(result.reply.failure->kind, failure_kind::final);
    EXPECT_EQ(result.reply.failure->type, "invalid_request_error");
}

TEST(AnthropicStream, EveryRetriableErrorTypeIsRetriable) {
    for (const std::string type :
         {"overloaded_error", "api_error", "rate_limit_error", "timeout_error"}) {
        const decoded result = decode_events(
            {{"error", R"({"type":"error","error":{"type":")" + type + R"(","message":"m"}})",
              ""}});
        ASSERT_TRUE(result.reply.failure) << type;
        EXPECT_EQ(result.reply.failure->kind, failure_kind::retriable) << type;
    }
}

TEST(AnthropicStream, CutBeforeMessageStopIsARetriableStreamCut) {
    const decoded result = decode_stream(wire("stream_cut.sse"));
    ASSERT_TRUE(result.reply.failure);
    EXPECT_EQ(result.reply.failure->kind, failure_kind::retriable);
    EXPECT_EQ(result.reply.failure->type, "stream_cut");
    EXPECT_FALSE(result.reply.complete);
    EXPECT_EQ(result.reply.text, "[AI-2 (Claude)]: I disagree with AI-1 — ");
}

TEST(AnthropicStream, RefusalStopReasonIsBlocked) {
    const decoded result = decode_stream(wire("stream_refusal.sse"));
    ASSERT_TRUE(result.reply.failure);
    EXPECT_EQ(result.reply.failure->kind, failure_kind::blocked);
    EXPECT_EQ(result.reply.failure->type, "refusal");
    EXPECT_EQ(result.reply.finish_reason, "refusal");
}

TEST(AnthropicStream, PingAndUnknownEventsAndDeltasAreIgnored) {
    const decoded result = decode_events(
        {{"ping", R"({"type": "ping"})", ""},
         {"content_block_delta",
          R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"ok"}})",
          ""},
         {"future_event", R"({"type":"future_event","x":1})", ""},
         {"content_block_delta",
          R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{"}})",
          ""},
         {"message_stop", R"({"type":"message_stop"})", ""}});
    EXPECT_EQ(result.reply.text, "ok");
    EXPECT_TRUE(result.reply.complete);
    EXPECT_FALSE(result.reply.failure);
}

// The prompt's three counts are added up: INT64_MAX + 1 used to overflow (undefined behaviour,
// caught by UBSan in tests/fuzz/anthropic_stream_fuzz.cpp). A count no reply could have is not
// believed.
TEST(AnthropicStream, UnbelievableTokenCountsAreIgnoredRatherThanAddedUp) {
    const decoded result = decode_stream(
        "event: message_start\n"
        R"(data: {"type":"message_start","message":{"usage":{"input_tokens":9223372036854775807,)"
        R"("cache_read_input_tokens":1,"output_tokens":-5}}})"
        "\n\nevent: content_block_delta\n"
        R"(data: {"type":"content_block_delta","delta":{"type":"text_delta","text":"hi"}})"
        "\n\nevent: message_delta\n"
        R"(data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},)"
        R"("usage":{"output_tokens":1e300}})"
        "\n\nevent: message_stop\n"
        R"(data: {"type":"message_stop"})"
        "\n\n");
    EXPECT_EQ(result.reply.text, "hi");
    EXPECT_FALSE(result.reply.failure);
    ASSERT_TRUE(result.reply.usage);
    EXPECT_EQ(result.reply.usage->input_tokens, 1);  // only the believable cache read
    EXPECT_EQ(result.reply.usage->output_tokens, 0);
}

TEST(AnthropicStream, MalformedJsonIsARetriableMalformedStream) {
    const decoded result = decode_events({{"content_block_delta", R"({"type":"content_bl)", ""}});
    ASSERT_TRUE(result.reply.failure);
    EXPECT_EQ(result.reply.failure->kind, failure_kind::retriable);
    EXPECT_EQ(result.reply.failure->type, "malformed_stream");
}

TEST(AnthropicStream, TakeNewTextReturnsOnlyWhatArrivedSinceTheLastCall) {
    const auto decoder = make_anthropic_adapter()->make_stream_decoder();
    const auto delta = [](const std::string& text) {
        return http::sse_event{
            "content_block_delta",
            R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":")" +
                text + R"("}})",
            ""};
    };
    decoder->on_event(delta("Hel"));
    decoder->on_event(delta("lo"));
    EXPECT_EQ(decoder->take_new_text(), "Hello");
    EXPECT_EQ(decoder->take_new_text(), "");
    decoder->on_event(delta(" you"));
    EXPECT_EQ(decoder->take_new_text(), " you");
}

TEST(AnthropicStream, EverySampleDecodesTheSameWhenSplitAtAnyByte) {
    for (const char* name : {"stream_text.sse", "stream_thinking.sse", "stream_overloaded.sse",
                             "stream_cut.sse", "stream_refusal.sse", "stream_cached.sse"}) {
        const std::string raw = wire(name);
        const decoded whole = decode_stream(raw);
        const std::string_view view = raw;
        for (std::size_t cut = 0; cut <= raw.size(); ++cut) {
            SCOPED_TRACE(std::string{name} + " split at " + std::to_string(cut));
            const decoded split =
                decode_chunks(*make_anthropic_adapter(), {view.substr(0, cut), view.substr(cut)});
            expect_same_reply(split.reply, whole.reply);
            EXPECT_EQ(split.live_text, whole.live_text);
        }
        std::vector<std::string_view> bytes;
        for (std::size_t i = 0; i < raw.size(); ++i) {
            bytes.push_back(view.substr(i, 1));
        }
        SCOPED_TRACE(std::string{name} + " byte by byte");
        expect_same_reply(decode_chunks(*make_anthropic_adapter(), bytes).reply, whole.reply);
    }
}

TEST(AnthropicBody, DecodesAWholeMessageWithThinkingApart) {
    const decoded_reply reply = make_anthropic_adapter()->decode_body(wire("message.json"));
    EXPECT_EQ(reply.text, "Short answer: yes.");
    EXPECT_EQ(reply.reasoning, "The user wants a short answer.");
    ASSERT_TRUE(reply.usage);
    EXPECT_EQ(reply.usage->input_tokens, 2095);
    EXPECT_EQ(reply.usage->output_tokens, 503);
    EXPECT_EQ(reply.finish_reason, "end_turn");
    EXPECT_TRUE(reply.complete);
    EXPECT_FALSE(reply.failure);
}

// Anthropic's input_tokens leaves the cache out (docs: "Tracking cache performance"); the whole
// prompt is the three counts, cache reads and writes parts of it.
TEST(AnthropicStream, CacheReadsAndWritesArePartsOfTheWholePrompt) {
    const decoded result = decode_stream(wire("stream_cached.sse"));
    EXPECT_EQ(result.reply.text, "[AI-2 (Claude)]: Cached or not, the answer is still 42.");
    EXPECT_FALSE(result.reply.failure);
    ASSERT_TRUE(result.reply.usage);
    EXPECT_EQ(result.reply.usage->input_tokens, 14 + 318 + 5120);
    EXPECT_EQ(result.reply.usage->cached_input_tokens, 5120);
    EXPECT_EQ(result.reply.usage->cache_write_tokens, 318);
    EXPECT_EQ(result.reply.usage->output_tokens, 17);
}

// message_delta's counts are cumulative: one it repeats replaces message_start's, one it leaves
// out keeps it, and the whole prompt follows.
TEST(AnthropicStream, AMessageDeltaUpdatesTheCacheCountsItRepeatsAndKeepsTheOthers) {
    const decoded result = decode_events(
        {{"message_start",
          R"({"type":"message_start","message":{"usage":{"input_tokens":10,)"
          R"("cache_read_input_tokens":100,"cache_creation_input_tokens":20,"output_tokens":1}}})",
          ""},
         {"content_block_delta",
          R"({"type":"content_block_delta","delta":{"type":"text_delta","text":"ok"}})", ""},
         {"message_delta",
          R"({"type":"message_delta","delta":{"stop_reason":"end_turn"},)"
          R"("usage":{"cache_read_input_tokens":150,"output_tokens":5}})",
          ""},
         {"message_stop", R"({"type":"message_stop"})", ""}});
    ASSERT_TRUE(result.reply.usage);
    EXPECT_EQ(result.reply.usage->cached_input_tokens, 150);
    EXPECT_EQ(result.reply.usage->cache_write_tokens, 20);
    EXPECT_EQ(result.reply.usage->input_tokens, 10 + 150 + 20);
    EXPECT_EQ(result.reply.usage->output_tokens, 5);
}

TEST(AnthropicBody, CacheReadsInAWholeMessageArePartsOfThePrompt) {
    const decoded_reply reply = make_anthropic_adapter()->decode_body(wire("message_cached.json"));
    EXPECT_EQ(reply.text, "Same as before: yes.");
    ASSERT_TRUE(reply.usage);
    EXPECT_EQ(reply.usage->input_tokens, 9 + 2086);
    EXPECT_EQ(reply.usage->cached_input_tokens, 2086);
    EXPECT_EQ(reply.usage->cache_write_tokens, 0);
    EXPECT_EQ(reply.usage->output_tokens, 6);
    EXPECT_FALSE(reply.failure);
}

TEST(AnthropicBody, ErrorObjectAndGarbageBecomeFailures) {
    const auto adapter = make_anthropic_adapter();
    const decoded_reply error = adapter->decode_body(wire("error_529_overloaded.json"));
    ASSERT_TRUE(error.failure);
    EXPECT_EQ(error.failure->type, "overloaded_error");
    EXPECT_EQ(error.failure->kind, failure_kind::retriable);
    const decoded_reply garbage = adapter->decode_body("<html>oops");
    ASSERT_TRUE(garbage.failure);
    EXPECT_EQ(garbage.failure->type, "malformed_body");
}

TEST(AnthropicErrors, Status529OverloadedIsRetriable) {
    const api_failure failure =
        make_anthropic_adapter()->classify_error(529, {}, wire("error_529_overloaded.json"));
    EXPECT_EQ(failure.kind, failure_kind::retriable);
    EXPECT_EQ(failure.http_status, 529);
    EXPECT_EQ(failure.type, "overloaded_error");
    EXPECT_EQ(failure.message, "Overloaded");
}

TEST(AnthropicErrors, InvalidRequestIsFinalWithTheProvidersMessage) {
    const api_failure failure =
        make_anthropic_adapter()->classify_error(400, {}, wire("error_400_invalid_request.json"));
    EXPECT_EQ(failure.kind, failure_kind::final);
    EXPECT_EQ(failure.type, "invalid_request_error");
    EXPECT_EQ(failure.message,
              "messages: roles must alternate between \"user\" and \"assistant\", but found "
              "multiple \"user\" roles in a row");
}

TEST(AnthropicErrors, BadKeyIsAnAuthenticationFailure) {
    const api_failure failure =
        make_anthropic_adapter()->classify_error(401, {}, wire("error_401_authentication.json"));
    EXPECT_EQ(failure.kind, failure_kind::authentication);
    EXPECT_EQ(failure.type, "authentication_error");
}

TEST(AnthropicErrors, NonJsonBodyGivesHttpStatusTypeAndTrimmedExcerpt) {
    const api_failure failure =
        make_anthropic_adapter()->classify_error(413, {}, wire("error_413_proxy.html"));
    EXPECT_EQ(failure.kind, failure_kind::final);
    EXPECT_EQ(failure.type, "http_413");
    const std::string html = wire("error_413_proxy.html");
    EXPECT_EQ(failure.message, html.substr(0, html.size() - 2));  // without the final CRLF
    const std::string long_body = "  \n" + std::string(300, 'x');
    EXPECT_EQ(make_anthropic_adapter()->classify_error(502, {}, long_body).message,
              std::string(200, 'x'));
}

TEST(AnthropicErrors, ShouldRetryHeaderOverridesTheStatus) {
    const api_failure failure = make_anthropic_adapter()->classify_error(
        400, {{"x-should-retry", "true"}}, wire("error_400_invalid_request.json"));
    EXPECT_EQ(failure.kind, failure_kind::retriable);
}

}  // namespace
}  // namespace polylogue::providers
