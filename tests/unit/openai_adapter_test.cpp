// The OpenAI Chat Completions dialect as real servers speak it: the exact request we send, the
// streams OpenAI, OpenRouter, Groq, DeepSeek, xAI and llama.cpp send back (recorded shapes under
// tests/data/wire/openai), and the error bodies that explain a refusal.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "polylogue/http/sse_parser.hpp"
#include "polylogue/providers/api_adapter.hpp"

namespace polylogue::providers {
namespace {

using json = nlohmann::json;

const api_adapter& adapter() {
    static const auto instance = make_openai_adapter();
    return *instance;
}

api_request small_request() {
    api_request request;
    request.model_id = "openai/gpt-5.1";
    request.messages.system = "You are AI-2 in a group chat.";
    request.messages.turns = {
        {turn_role::user, "[Human]: Is a tomato a fruit?"},
        {turn_role::assistant, "Botanically, yes."},
        {turn_role::user, "[AI-1 (Claude)]: And culinarily a vegetable."},
        {turn_role::user, "[Polylogue] AI-3 left the room."},
    };
    request.temperature = 0.7;
    request.max_tokens = 800;
    return request;
}

endpoint_settings openrouter() {
    endpoint_settings endpoint;
    endpoint.base_url = "https://openrouter.ai/api/v1";
    endpoint.api_key = "sk-or-v1-test";
    endpoint.extra_headers = {{"HTTP-Referer", "https://polylogue.example"},
                              {"X-Title", "Polylogue"}};
    return endpoint;
}

json body_of(const http_call& call) {
    return json::parse(call.body);
}

TEST(OpenAiRequest, ASmallConversationBecomesExactlyThisRequest) {
    const http_call call = adapter().build_request(small_request(), openrouter());
    EXPECT_EQ(call.method, "POST");
    EXPECT_EQ(call.target, "/chat/completions");
    EXPECT_EQ(body_of(call), json::parse(R"({
        "model": "openai/gpt-5.1",
        "messages": [
            {"role": "system", "content": "You are AI-2 in a group chat."},
            {"role": "user", "content": "[Human]: Is a tomato a fruit?"},
            {"role": "assistant", "content": "Botanically, yes."},
            {"role": "user", "content": "[AI-1 (Claude)]: And culinarily a vegetable."},
            {"role": "user", "content": "[Polylogue] AI-3 left the room."}
        ],
        "stream": true,
        "stream_options": {"include_usage": true},
        "temperature": 0.7,
        "max_tokens": 800
    })"));
}

TEST(OpenAiRequest, HeadersCarryTheKeyTheStreamAcceptAndTheExtraHeaders) {
    const http_call call = adapter().build_request(small_request(), openrouter());
    EXPECT_EQ(call.headers, (header_list{{"authorization", "Bearer sk-or-v1-test"},
                                         {"content-type", "application/json"},
                                         {"accept", "text/event-stream"},
                                         {"HTTP-Referer", "https://polylogue.example"},
                                         {"X-Title", "Polylogue"}}));
}

TEST(OpenAiRequest, AnEmptyKeySendsNoAuthorization) {
    endpoint_settings ollama;
    ollama.base_url = "http://127.0.0.1:11434/v1";
    const http_call call = adapter().build_request(small_request(), ollama);
    EXPECT_EQ(call.headers,
              (header_list{{"content-type", "application/json"}, {"accept", "text/event-stream"}}));
}

TEST(OpenAiRequest, AnExtraHeaderReplacesTheDefaultOfTheSameName) {
    endpoint_settings endpoint = openrouter();
    endpoint.extra_headers = {{"Authorization", "Basic abc"}};
    const http_call call = adapter().build_request(small_request(), endpoint);
    EXPECT_EQ(call.headers, (header_list{{"authorization", "Basic abc"},
                                         {"content-type", "application/json"},
                                         {"accept", "text/event-stream"}}));
}

TEST(OpenAiRequest, OpenAiItselfGetsMaxCompletionTokens) {
    endpoint_settings openai;
    openai.api_key = "sk-proj-test";
    openai.max_tokens_field = "max_completion_tokens";
    const json body = body_of(adapter().build_request(small_request(), openai));
    EXPECT_EQ(body.at("max_completion_tokens"), 800);
    EXPECT_FALSE(body.contains("max_tokens"));
}

TEST(OpenAiRequest, NoTemperatureFieldWhenNoneIsSet) {
    api_request request = small_request();
    request.temperature.reset();
    const json body = body_of(adapter().build_request(request, openrouter()));
    EXPECT_FALSE(body.contains("temperature"));
    EXPECT_EQ(body.at("max_tokens"), 800);
}

TEST(OpenAiRequest, ANonStreamedRequestAsksForNoStream) {
    api_request request = small_request();
    request.stream = false;
    const http_call call = adapter().build_request(request, openrouter());
    const json body = body_of(call);
    EXPECT_EQ(body.at("stream"), false);
    EXPECT_FALSE(body.contains("stream_options"));
    for (const auto& [name, value] : call.headers) {
        EXPECT_NE(name, "accept");
    }
}

TEST(OpenAiRequest, NoSystemMessageWhenTheSystemPromptIsEmpty) {
    api_request request = small_request();
    request.messages.system = {};
    const json body = body_of(adapter().build_request(request, openrouter()));
    ASSERT_EQ(body.at("messages").size(), 4u);
    EXPECT_EQ(body.at("messages")[0].at("role"), "user");
}

TEST(OpenAiRequest, InvalidUtf8InATurnIsReplacedNotThrown) {
    api_request request = small_request();
    request.messages.turns[0].text = "bad \xff byte";
    const json body = body_of(adapter().build_request(request, openrouter()));
    EXPECT_EQ(body.at("messages")[1].at("content"), "bad \xEF\xBF\xBD byte");
}

TEST(OpenAiRequest, AnImageIsAnImageUrlPartWithADataUrlAfterItsNoticesText) {
    conversation_turn notice{turn_role::user, "[Polylogue] AI-1 created an image."};
    notice.images.push_back(
        {"images/lab/5-ab.png", "image/png", shared_bytes::copy_of("\x89PNG\r\n\x1a\n")});
    notice.images.push_back({"images/lab/6-cd.webp", "image/webp", shared_bytes::copy_of("RIFF")});
    api_request request;
    request.model_id = "gpt-4o";
    request.messages.turns = {{turn_role::user, "[AI-1 (GPT)]: On it."}, notice};
    request.stream = false;
    EXPECT_EQ(adapter().build_request(request, {}).body,
              R"({"max_tokens":1024,"messages":[)"
              R"({"content":"[AI-1 (GPT)]: On it.","role":"user"},)"
              R"({"content":[{"text":"[Polylogue] AI-1 created an image.","type":"text"},)"
              R"({"image_url":{"url":"data:image/png;base64,iVBORw0KGgo="},"type":"image_url"},)"
              R"({"image_url":{"url":"data:image/webp;base64,UklGRg=="},"type":"image_url"}],)"
              R"("role":"user"}],"model":"gpt-4o","stream":false})");
}

TEST(OpenAiRequest, ImagesOnTheSpeakersOwnTurnOrUnreadAreNeverSent) {
    api_request request = small_request();
    request.messages.turns[1].images.push_back(
        {"images/lab/5-ab.png", "image/png", shared_bytes::copy_of("x")});
    request.messages.turns[2].images.push_back({"images/lab/6-cd.png", "image/png", {}});
    EXPECT_EQ(body_of(adapter().build_request(request, openrouter())),
              body_of(adapter().build_request(small_request(), openrouter())));
}

// --- streams --------------------------------------------------------------------------------

struct decoded {
    decoded_reply reply;
    std::string streamed;  // everything take_new_text() handed out, in order
};

decoded decode_chunks(const std::vector<std::string_view>& chunks) {
    decoded out;
    auto decoder = adapter().make_stream_decoder();
    http::sse_parser parser{[&](const http::sse_event& e) { decoder->on_event(e); }};
    for (const auto chunk : chunks) {
        EXPECT_TRUE(parser.feed(chunk));
        out.streamed += decoder->take_new_text();
    }
    parser.finish();
    decoder->finish();
    out.streamed += decoder->take_new_text();
    out.reply = decoder->reply();
    return out;
}

decoded decode(std::string_view stream) {
    return decode_chunks({stream});
}

// One comparable line per reply, so a mismatch shows every field at once.
std::string describe(const decoded_reply& r) {
    std::ostringstream out;
    out << "text=[" << r.text << "] reasoning=[" << r.reasoning << "] finish=" << r.finish_reason
        << " complete=" << r.complete;
    if (r.usage) {
        out << " usage=" << r.usage->input_tokens << "/" << r.usage->output_tokens;
        if (r.usage->cached_input_tokens > 0 || r.usage->cache_write_tokens > 0) {
            out << " cached=" << r.usage->cached_input_tokens << "/" << r.usage->cache_write_tokens;
        }
    }
    if (r.failure) {
        out << " failure=" << static_cast<int>(r.failure->kind) << "/" << r.failure->http_status
            << "/" << r.failure->type << "/" << r.failure->message;
    }
    return out.str();
}

// One SSE event; a JSON text written over several lines here is sent on one.
std::string data(std::string json_text) {
    std::replace(json_text.begin(), json_text.end(), '\n', ' ');
    return "data: " + json_text + "\n\n";
}

TEST(OpenAiStream, DoneEndsTheStreamAndLaterEventsAreIgnored) {
    const auto out =
        decode(data(R"({"choices":[{"delta":{"content":"Hi"}}]})") + "data: [DONE]\n\n" +
               data(R"({"choices":[{"delta":{"content":" again"}}]})"));
    EXPECT_EQ(describe(out.reply), "text=[Hi] reasoning=[] finish= complete=1");
    EXPECT_EQ(out.streamed, "Hi");
}

TEST(OpenAiStream, TakeNewTextReturnsOnlyWhatArrivedSinceTheLastCall) {
    auto decoder = adapter().make_stream_decoder();
    decoder->on_event({"message", R"({"choices":[{"delta":{"content":"one"}}]})", ""});
    EXPECT_EQ(decoder->take_new_text(), "one");
    EXPECT_EQ(decoder->take_new_text(), "");
    decoder->on_event({"message", R"({"choices":[{"delta":{"content":" two"}}]})", ""});
    EXPECT_EQ(decoder->take_new_text(), " two");
}

TEST(OpenAiStream, ReasoningNeverReachesTheTextAndIsNotCountedTwice) {
    const auto out = decode(data(R"({"choices":[{"delta":{"reasoning":"hm"}}]})") +
                            data(R"({"choices":[{"delta":{"reasoning_content":" so",
                                    "reasoning":" so"}}]})") +
                            data(R"({"choices":[{"delta":{"content":"Yes."},
                                    "finish_reason":"stop"}]})"));
    EXPECT_EQ(describe(out.reply), "text=[Yes.] reasoning=[hm so] finish=stop complete=1");
    EXPECT_EQ(out.streamed, "Yes.");
}

TEST(OpenAiStream, MalformedJsonIsARetriableFailureThatDoneDoesNotUndo) {
    const auto out = decode(data(R"({"choices":[{"delta":{"content":"a"}}]})") +
                            "data: {not json\n\ndata: [DONE]\n\n");
    ASSERT_TRUE(out.reply.failure);
    EXPECT_EQ(out.reply.failure->kind, failure_kind::retriable);
    EXPECT_EQ(out.reply.failure->type, "malformed_stream");
    EXPECT_FALSE(out.reply.complete);
}

TEST(OpenAiStream, AStreamThatDeliveredNothingIsCut) {
    const auto out = decode(": OPENROUTER PROCESSING\n\n");
    EXPECT_EQ(describe(out.reply),
              "text=[] reasoning=[] finish= complete=0 failure=0/0/stream_cut/"
              "the stream ended before the reply was complete");
}

TEST(OpenAiStream, ACompleteButEmptyReplyIsAFinalFailure) {
    const auto out =
        decode(data(R"({"choices":[{"delta":{"content":""},"finish_reason":"stop"}]})") +
               "data: [DONE]\n\n");
    ASSERT_TRUE(out.reply.failure);
    EXPECT_EQ(out.reply.failure->kind, failure_kind::final);
    EXPECT_EQ(out.reply.failure->type, "empty_reply");
    EXPECT_TRUE(out.reply.complete);
}

TEST(OpenAiStream, AnEmptyReplyStoppedByTheContentFilterIsBlocked) {
    const auto out = decode(data(R"({"choices":[{"delta":{},"finish_reason":"content_filter"}]})"));
    ASSERT_TRUE(out.reply.failure);
    EXPECT_EQ(out.reply.failure->kind, failure_kind::blocked);
}

TEST(OpenAiStream, AFinishReasonOfErrorIsARetriableFailureEvenWithText) {
    const auto out = decode(data(R"({"choices":[{"delta":{"content":"Half a"}}]})") +
                            data(R"({"choices":[{"delta":{},"finish_reason":"error"}]})"));
    ASSERT_TRUE(out.reply.failure);
    EXPECT_EQ(out.reply.failure->kind, failure_kind::retriable);
    EXPECT_EQ(out.reply.failure->type, "finish_reason_error");
}

// A usage a server cannot mean: 1e300 used to be converted to an integer (undefined behaviour,
// caught by UBSan in tests/fuzz/openai_stream_fuzz.cpp); now only whole counts from 0 up are
// believed.
TEST(OpenAiStream, UnbelievableTokenCountsAreDroppedAndWholeFloatsKept) {
    const auto out = decode(data(R"({"choices":[{"delta":{"content":"ok"},"finish_reason":"stop"}],
                                     "usage":{"prompt_tokens":1e300,"completion_tokens":-1}})") +
                            "data: [DONE]\n\n");
    EXPECT_EQ(describe(out.reply), "text=[ok] reasoning=[] finish=stop complete=1");
    const auto floats = decode(data(R"({"choices":[{"delta":{"content":"ok"},
                                        "finish_reason":"stop"}],
                                        "usage":{"prompt_tokens":12.0,"completion_tokens":2.5}})"));
    EXPECT_EQ(describe(floats.reply), "text=[ok] reasoning=[] finish=stop complete=1 usage=12/0");
}

api_failure stream_error(const std::string& error_json) {
    const auto out = decode(data(R"({"choices":[{"delta":{"content":"x"}}]})") +
                            data(R"({"error":)" + error_json + "}"));
    EXPECT_EQ(out.reply.text, "x");
    EXPECT_FALSE(out.reply.complete);
    return out.reply.failure.value_or(api_failure{});
}

TEST(OpenAiStream, AnErrorInsideTheStreamIsRetriableOnlyWhenTransient) {
    EXPECT_EQ(stream_error(R"({"code":"server_error","message":"Provider disconnected"})").kind,
              failure_kind::retriable);
    EXPECT_EQ(stream_error(R"({"code":429,"message":"Rate limited"})").kind,
              failure_kind::retriable);
    EXPECT_EQ(stream_error(R"({"code":"503","message":"busy"})").kind, failure_kind::retriable);
    EXPECT_EQ(stream_error(R"({"type":"overloaded","message":"busy"})").kind,
              failure_kind::retriable);
    const api_failure context = stream_error(
        R"({"message":"maximum context length is 8192 tokens","type":"invalid_request_error",
            "param":"messages","code":"context_length_exceeded"})");
    EXPECT_EQ(context.kind, failure_kind::final);
    EXPECT_EQ(context.type, "context_length_exceeded");
    EXPECT_EQ(context.message, "maximum context length is 8192 tokens");
    EXPECT_EQ(context.http_status, 0);
}

// Recorded stream shapes, each decoded whole, split at every byte boundary and byte by byte.
struct wire_case {
    const char* file;
    const char* expected;
};

std::string load_wire(const char* file) {
    const auto path = std::filesystem::path{POLYLOGUE_SOURCE_DIR} / "tests/data/wire/openai" / file;
    std::ifstream in{path, std::ios::binary};
    EXPECT_TRUE(in) << "missing sample " << path;
    return std::string{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

class OpenAiWireStream : public ::testing::TestWithParam<wire_case> {};

TEST_P(OpenAiWireStream, DecodesToTheExpectedReply) {
    const std::string stream = load_wire(GetParam().file);
    const auto out = decode(stream);
    EXPECT_EQ(describe(out.reply), GetParam().expected);
    EXPECT_EQ(out.streamed, out.reply.text);
}

TEST_P(OpenAiWireStream, DecodesTheSameWhenSplitAtEveryByteBoundary) {
    const std::string stream = load_wire(GetParam().file);
    const std::string_view view{stream};
    for (std::size_t cut = 0; cut <= view.size(); ++cut) {
        const auto out = decode_chunks({view.substr(0, cut), view.substr(cut)});
        ASSERT_EQ(describe(out.reply), GetParam().expected) << "split at byte " << cut;
        ASSERT_EQ(out.streamed, out.reply.text) << "split at byte " << cut;
    }
}

TEST_P(OpenAiWireStream, DecodesTheSameWhenFedByteByByte) {
    const std::string stream = load_wire(GetParam().file);
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < stream.size(); ++i) {
        bytes.push_back(std::string_view{stream}.substr(i, 1));
    }
    const auto out = decode_chunks(bytes);
    EXPECT_EQ(describe(out.reply), GetParam().expected);
    EXPECT_EQ(out.streamed, out.reply.text);
}

INSTANTIATE_TEST_SUITE_P(
    Samples, OpenAiWireStream,
    ::testing::Values(
        wire_case{"openai_usage_last_chunk.sse",
                  "text=[Hello there, AI-2! 👋] reasoning=[] finish=stop complete=1 usage=42/7"},
        wire_case{"openrouter_reasoning_comments.sse",
                  "text=[Tide pools are tiny oceans.] reasoning=[AI-1 asked about tide pools.] "
                  "finish=stop complete=1 usage=1204/37"},
        wire_case{"groq_x_groq_usage.sse",
                  "text=[Bonjour à tous.] reasoning=[] finish=stop complete=1 usage=57/5"},
        wire_case{"deepseek_reasoning_content.sse",
                  "text=[Both answers forgot the units: it is 9.8 m/s².] reasoning=[Both earlier "
                  "answers missed the units.] finish=stop complete=1 usage=311/58 "
                  "cached=256/0"},
        wire_case{"openrouter_midstream_error.sse",
                  "text=[Let me think about] reasoning=[] finish= complete=0 "
                  "failure=0/0/502/Provider returned error"},
        wire_case{"xai_cut_between_events.sse",
                  "text=[Well, I would push back] reasoning=[] finish= complete=0 "
                  "failure=0/0/stream_cut/the stream ended before the reply was complete"},
        wire_case{"xai_cut_inside_event.sse",
                  "text=[Well, I would push back] reasoning=[] finish= complete=0 "
                  "failure=0/0/stream_cut/the stream ended before the reply was complete"},
        wire_case{"openai_cached_usage.sse",
                  "text=[Still agreed, AI-1.] reasoning=[] finish=stop complete=1 usage=2006/5 "
                  "cached=1920/0"},
        wire_case{"llamacpp_no_done.sse",
                  "text=[Local and proud.] reasoning=[] finish=stop complete=1 usage=96/4"}),
    [](const ::testing::TestParamInfo<wire_case>& sample) {
        std::string name = sample.param.file;
        name = name.substr(0, name.find('.'));
        return name;
    });

// --- whole bodies and errors ----------------------------------------------------------------

TEST(OpenAiBody, AWholeCompletionIsDecoded) {
    const auto reply = adapter().decode_body(R"({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1795919400,
        "model": "deepseek-reasoner",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "42.",
                     "reasoning_content": "Six times seven."}, "logprobs": null,
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 9, "total_tokens": 21}})");
    EXPECT_EQ(describe(reply),
              "text=[42.] reasoning=[Six times seven.] finish=stop complete=1 "
              "usage=12/9");
}

// prompt_tokens counts the cached tokens too (prompt_tokens_details.cached_tokens, in the API's
// CompletionUsage schema).
TEST(OpenAiBody, CachedTokensArePartOfThePrompt) {
    const auto reply = adapter().decode_body(R"({
        "id": "chatcmpl-2", "object": "chat.completion", "created": 1795923000, "model": "gpt-5.1",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Yes."},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 2006, "completion_tokens": 2, "total_tokens": 2008,
                  "prompt_tokens_details": {"cached_tokens": 1920, "audio_tokens": 0}}})");
    EXPECT_EQ(describe(reply),
              "text=[Yes.] reasoning=[] finish=stop complete=1 usage=2006/2 cached=1920/0");
    const auto boastful = adapter().decode_body(
        R"({"choices":[{"message":{"content":"ok"},"finish_reason":"stop"}],
            "usage":{"prompt_tokens":50,"completion_tokens":1,
                     "prompt_tokens_details":{"cached_tokens":80}}})");
    EXPECT_EQ(describe(boastful),
              "text=[ok] reasoning=[] finish=stop complete=1 usage=50/1 "
              "cached=50/0");
}

// The spec's CompletionUsage also has prompt_tokens_details.cache_write_tokens ("prompt tokens
// written to cache"), which routers report for models that bill writes apart.
TEST(OpenAiBody, CacheWritesArePartOfThePromptToo) {
    const auto reply = adapter().decode_body(
        R"({"choices":[{"message":{"content":"ok"},"finish_reason":"stop"}],
            "usage":{"prompt_tokens":3000,"completion_tokens":1,
                     "prompt_tokens_details":{"cached_tokens":1000,"cache_write_tokens":1500}}})");
    EXPECT_EQ(describe(reply),
              "text=[ok] reasoning=[] finish=stop complete=1 usage=3000/1 cached=1000/1500");
    const auto boastful = adapter().decode_body(
        R"({"choices":[{"message":{"content":"ok"},"finish_reason":"stop"}],
            "usage":{"prompt_tokens":3000,"completion_tokens":1,
                     "prompt_tokens_details":{"cached_tokens":1000,"cache_write_tokens":9000}}})");
    EXPECT_EQ(describe(boastful),
              "text=[ok] reasoning=[] finish=stop complete=1 usage=3000/1 cached=1000/2000");
}

TEST(OpenAiBody, NullContentIsAFinalEmptyReply) {
    const auto reply = adapter().decode_body(
        R"({"choices":[{"index":0,"message":{"role":"assistant","content":null},
            "finish_reason":"stop"}]})");
    EXPECT_EQ(reply.text, "");
    ASSERT_TRUE(reply.failure);
    EXPECT_EQ(reply.failure->kind, failure_kind::final);
    EXPECT_EQ(reply.failure->type, "empty_reply");
}

TEST(OpenAiBody, MalformedJsonIsRetriable) {
    const auto reply = adapter().decode_body(R"({"choices":[{"message":)");
    ASSERT_TRUE(reply.failure);
    EXPECT_EQ(reply.failure->kind, failure_kind::retriable);
    EXPECT_EQ(reply.failure->type, "malformed_body");
}

api_failure classify(int status, std::string_view body, const header_list& headers = {}) {
    return adapter().classify_error(status, headers, body);
}

TEST(OpenAiError, A429RateLimitIsRetriableAndNamedByItsCode) {
    const auto failure = classify(429, R"({"error":{
        "message":"Rate limit reached for gpt-5.1 on tokens per min (TPM): Limit 30000.",
        "type":"tokens","param":null,"code":"rate_limit_exceeded"}})");
    EXPECT_EQ(failure.kind, failure_kind::retriable);
    EXPECT_EQ(failure.http_status, 429);
    EXPECT_EQ(failure.type, "rate_limit_exceeded");
    EXPECT_TRUE(failure.message.starts_with("Rate limit reached for gpt-5.1"));
}

TEST(OpenAiError, AnExhaustedQuotaIsNotRetriedDespiteIts429) {
    const auto failure = classify(429, R"({"error":{"message":"You exceeded your current quota.",
        "type":"insufficient_quota","param":null,"code":"insufficient_quota"}})");
    EXPECT_EQ(failure.kind, failure_kind::final);
}

TEST(OpenAiError, A401IsAnAuthenticationFailure) {
    const auto openai = classify(401, R"({"error":{"message":"Incorrect API key provided: sk-p***.",
        "type":"invalid_request_error","param":null,"code":"invalid_api_key"}})");
    EXPECT_EQ(openai.kind, failure_kind::authentication);
    EXPECT_EQ(openai.type, "invalid_api_key");
    const auto openrouter = classify(401, R"({"error":{"message":"No auth credentials found",
        "code":401}})");
    EXPECT_EQ(openrouter.kind, failure_kind::authentication);
    EXPECT_EQ(openrouter.type, "401");
    EXPECT_EQ(openrouter.message, "No auth credentials found");
}

TEST(OpenAiError, An413HtmlBodyIsQuotedFromItsStart) {
    const auto failure =
        classify(413,
                 "\r\n<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n"
                 "<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n"
                 "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n");
    EXPECT_EQ(failure.kind, failure_kind::final);
    EXPECT_EQ(failure.type, "http_413");
    EXPECT_EQ(failure.message,
              "<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n"
              "<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n"
              "<hr><center>nginx</center>\r\n</body>\r\n</html>");
}

TEST(OpenAiError, ALongPlainBodyIsCutAt200BytesOnACharacterBoundary) {
    const std::string body = std::string(199, 'x') + "\xC3\xA9" + std::string(50, 'y');
    const auto failure = classify(413, body);
    EXPECT_EQ(failure.message, std::string(199, 'x'));
}

TEST(OpenAiError, A500WithXShouldRetryFalseIsFinal) {
    const auto failure = classify(500, R"({"error":{
        "message":"The server had an error while processing your request.",
        "type":"server_error","param":null,"code":null}})",
                                  {{"x-should-retry", "false"}});
    EXPECT_EQ(failure.kind, failure_kind::final);
    EXPECT_EQ(failure.type, "server_error");
}

TEST(OpenAiError, OpenRouterRawMetadataIsIgnored) {
    const auto failure = classify(502, R"({"error":{"message":"Provider returned error","code":502,
        "metadata":{"raw":"{\"error\":\"upstream\"}","provider_name":"Google"}}})");
    EXPECT_EQ(failure.kind, failure_kind::retriable);
    EXPECT_EQ(failure.type, "502");
    EXPECT_EQ(failure.message, "Provider returned error");
}

TEST(OpenAiError, OllamaAndVllmErrorShapesAreUnderstood) {
    const auto ollama = classify(404, R"({"error":"model 'llama9' not found"})");
    EXPECT_EQ(ollama.message, "model 'llama9' not found");
    EXPECT_EQ(ollama.type, "http_404");
    const auto vllm = classify(400, R"({"object":"error","message":"bad temperature",
        "type":"BadRequestError","param":null,"code":400})");
    EXPECT_EQ(vllm.type, "BadRequestError");
    EXPECT_EQ(vllm.message, "bad temperature");
}

// A compatible server that does not know prompt_cache_key refuses every request with it; the
// message keeps the server's words and names the option that stops sending it.
constexpr std::string_view cache_hint =
    " (this endpoint does not take prompt_cache_key: set `cache: off` on the model)";

TEST(OpenAiError, AnEndpointRefusingThePromptCacheKeyIsToldWhichOptionToSet) {
    const auto unrecognized = classify(400, R"({"error":{
        "message":"Unrecognized request argument supplied: prompt_cache_key",
        "type":"invalid_request_error","param":null,"code":null}})");
    EXPECT_EQ(unrecognized.kind, failure_kind::final);
    EXPECT_EQ(unrecognized.message,
              "Unrecognized request argument supplied: prompt_cache_key" + std::string{cache_hint});
    const auto rust = classify(422, R"({"error":"Failed to deserialize the JSON body into the )"
                                    R"(target type: unknown field `prompt_cache_key`, expected )"
                                    R"(one of `model`, `messages`"})");
    EXPECT_TRUE(rust.message.starts_with("Failed to deserialize the JSON body"));
    EXPECT_TRUE(rust.message.ends_with(cache_hint)) << rust.message;
    // FastAPI/pydantic servers name the field only in the detail list, past the message.
    const auto pydantic = classify(
        400, R"({"object":"error","message":"extra fields not permitted","type":"BadRequestError",)"
             R"("param":null,"code":400,"detail":[{"loc":["body","prompt_cache_key"]}]})");
    EXPECT_EQ(pydantic.message, "extra fields not permitted" + std::string{cache_hint});
}

TEST(OpenAiError, OtherRefusalsAndRetriableFailuresGetNoCacheHint) {
    const auto other =
        classify(400, R"({"error":{"message":"Unrecognized request argument )"
                      R"(supplied: stream_options","type":"invalid_request_error"}})");
    EXPECT_EQ(other.message, "Unrecognized request argument supplied: stream_options");
    const auto busy = classify(503, R"({"error":{"message":"busy, prompt_cache_key ignored"}})");
    EXPECT_EQ(busy.kind, failure_kind::retriable);
    EXPECT_EQ(busy.message, "busy, prompt_cache_key ignored");
}

}  // namespace
}  // namespace polylogue::providers
