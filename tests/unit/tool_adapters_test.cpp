#include "polylogue/providers/tool_adapters.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "polylogue/core/base64.hpp"

namespace polylogue::providers {
namespace {

using json = nlohmann::json;

// A query with everything a query string must escape: spaces, '&', '+', '=', '#' and UTF-8.
constexpr std::string_view tricky_query = "rust & c++ = fast? #1 caf\xC3\xA9 \xE2\x98\x95";
constexpr std::string_view tricky_query_encoded =
    "rust%20%26%20c%2B%2B%20%3D%20fast%3F%20%231%20caf%C3%A9%20%E2%98%95";

std::string read_fixture(const std::string& name) {
    std::ifstream file(std::string{POLYLOGUE_SOURCE_DIR} + "/tests/data/wire/tools/" + name,
                       std::ios::binary);
    EXPECT_TRUE(file.good()) << name;
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

std::uint32_t crc32(std::string_view bytes) {
    std::uint32_t crc = 0xFFFFFFFFu;
    for (const char c : bytes) {
        crc ^= static_cast<unsigned char>(c);
        for (int bit = 0; bit < 8; ++bit) {
            crc = (crc >> 1) ^ ((crc & 1u) != 0 ? 0xEDB88320u : 0u);
        }
    }
    return ~crc;
}

std::uint32_t adler32(std::string_view bytes) {
    std::uint32_t a = 1;
    std::uint32_t b = 0;
    for (const char c : bytes) {
        a = (a + static_cast<unsigned char>(c)) % 65521u;
        b = (b + a) % 65521u;
    }
    return (b << 16) | a;
}

std::string big_endian(std::uint32_t value) {
    std::string bytes;
    for (int shift = 24; shift >= 0; shift -= 8) {
        bytes += static_cast<char>((value >> shift) & 0xFFu);
    }
    return bytes;
}

std::string png_chunk(std::string_view type, std::string_view data) {
    const std::string typed = std::string{type} + std::string{data};
    return big_endian(static_cast<std::uint32_t>(data.size())) + typed + big_endian(crc32(typed));
}

// A real 1x1 opaque red RGBA PNG, its pixel row in one stored (uncompressed) deflate block.
std::string tiny_png() {
    const std::string row{"\x00\xFF\x00\x00\xFF", 5};
    const std::string stored_block = std::string{"\x01\x05\x00\xFA\xFF", 5} + row;
    const std::string zlib = std::string{"\x78\x01"} + stored_block + big_endian(adler32(row));
    const std::string header =
        big_endian(1) + big_endian(1) + std::string{"\x08\x06\x00\x00\x00", 5};
    return std::string{"\x89PNG\r\n\x1A\n"} + png_chunk("IHDR", header) + png_chunk("IDAT", zlib) +
           png_chunk("IEND", "");
}

std::optional<std::string> header_value(const http_call& call, std::string_view name) {
    for (const auto& [key, value] : call.headers) {
        if (key == name) {
            return value;
        }
    }
    return std::nullopt;
}

tool_settings settings_for(std::string base_url, std::string key, std::string model = {}) {
    return tool_settings{std::move(base_url), std::move(key), std::move(model), {}};
}

generated_image expect_image(const image_outcome& outcome) {
    EXPECT_TRUE(outcome.has_value())
        << (outcome ? std::string{} : outcome.error().type + ": " + outcome.error().message);
    return outcome ? *outcome : generated_image{};
}

template <typename Outcome>
api_failure expect_failure(const Outcome& outcome) {
    EXPECT_TRUE(outcome.has_error());
    return outcome.error();
}

std::vector<search_hit> expect_hits(const search_outcome& outcome) {
    EXPECT_TRUE(outcome.has_value())
        << (outcome ? std::string{} : outcome.error().type + ": " + outcome.error().message);
    return outcome ? *outcome : std::vector<search_hit>{};
}

std::string openai_b64_body(std::string_view bytes, std::string_view output_format) {
    json body = {{"created", 1767225600},
                 {"data", json::array({{{"b64_json", core::base64_encode(bytes)}}})}};
    if (!output_format.empty()) {
        body["output_format"] = output_format;
    }
    return body.dump();
}

// ---- factories --------------------------------------------------------------------------

TEST(ToolAdapterFactories, KnowTheirKindsAndRejectOthers) {
    for (const char* kind : {"openai", "gemini", "openrouter"}) {
        EXPECT_NE(make_image_adapter(kind), nullptr) << kind;
    }
    for (const char* kind : {"searxng", "brave", "tavily"}) {
        EXPECT_NE(make_search_adapter(kind), nullptr) << kind;
    }
    EXPECT_EQ(make_image_adapter("midjourney"), nullptr);
    EXPECT_EQ(make_image_adapter("OpenAI"), nullptr);
    EXPECT_EQ(make_search_adapter("google"), nullptr);
}

// ---- OpenAI Images ----------------------------------------------------------------------

TEST(OpenAiImageRequest, PostsToImagesGenerationsWithBearerAndJsonBody) {
    tool_settings settings = settings_for("https://api.openai.com/v1", "sk-test", "gpt-image-1");
    settings.extra_headers = {{"openai-organization", "org-42"}};
    const http_call call =
        make_image_adapter("openai")->build_request("a lighthouse \"at dusk\"", settings);
    EXPECT_EQ(call.method, "POST");
    EXPECT_EQ(call.target, "/images/generations");
    EXPECT_EQ(header_value(call, "authorization"), "Bearer sk-test");
    EXPECT_EQ(header_value(call, "content-type"), "application/json");
    EXPECT_EQ(header_value(call, "openai-organization"), "org-42");
    // gpt-image-1 rejects response_format: it always answers base64.
    EXPECT_EQ(json::parse(call.body), (json{{"model", "gpt-image-1"},
                                            {"prompt", "a lighthouse \"at dusk\""},
                                            {"n", 1},
                                            {"size", "1024x1024"}}));
}

TEST(OpenAiImageRequest, AsksDalleModelsForBase64) {
    const http_call call = make_image_adapter("openai")->build_request(
        "a cat", settings_for("https://api.openai.com/v1", "sk-test", "dall-e-3"));
    EXPECT_EQ(json::parse(call.body).value("response_format", ""), "b64_json");
}

TEST(OpenAiImageRequest, SendsNoAuthorizationWithoutAKey) {
    const http_call call = make_image_adapter("openai")->build_request(
        "a cat", settings_for("http://localhost:8080/v1", "", "sdxl"));
    EXPECT_EQ(header_value(call, "authorization"), std::nullopt);
}

TEST(OpenAiImageRequest, InvalidUtf8InThePromptStillGivesValidJson) {
    const http_call call = make_image_adapter("openai")->build_request(
        "bad \xFF byte", settings_for("https://api.openai.com/v1", "k", "gpt-image-1"));
    EXPECT_EQ(json::parse(call.body)["prompt"], "bad \xEF\xBF\xBD byte");
}

TEST(OpenAiImageDecode, DecodesTheBase64PngOfARealResponse) {
    const generated_image image =
        expect_image(make_image_adapter("openai")->decode(read_fixture("openai_image_b64.json")));
    EXPECT_EQ(image.bytes, tiny_png());
    EXPECT_EQ(image.mime, "image/png");
    EXPECT_TRUE(image.url.empty());
}

TEST(OpenAiImageDecode, TakesTheMimeFromOutputFormat) {
    const auto adapter = make_image_adapter("openai");
    EXPECT_EQ(expect_image(adapter->decode(openai_b64_body("\xFF\xD8\xFF\xE0", "jpeg"))).mime,
              "image/jpeg");
    EXPECT_EQ(expect_image(adapter->decode(openai_b64_body("RIFF....WEBPVP8 ", "webp"))).mime,
              "image/webp");
    // Without output_format (DALL-E, compatible servers) the bytes say what they are.
    EXPECT_EQ(expect_image(adapter->decode(openai_b64_body(tiny_png(), ""))).mime, "image/png");
    EXPECT_EQ(expect_image(adapter->decode(openai_b64_body("\xFF\xD8\xFF\xDB", ""))).mime,
              "image/jpeg");
}

TEST(OpenAiImageDecode, ReturnsTheUrlOfADalleResponse) {
    const generated_image image =
        expect_image(make_image_adapter("openai")->decode(read_fixture("openai_image_url.json")));
    EXPECT_TRUE(image.bytes.empty());
    EXPECT_TRUE(image.url.starts_with("https://oaidalleapiprodscus.blob.core.windows.net/"));
}

TEST(OpenAiImageDecode, MalformedBodiesAndBase64AreRetriable) {
    const auto adapter = make_image_adapter("openai");
    for (const char* body : {"{\"data\":[{\"b64_json\":\"iVBOR", "[1,2]", "",
                             R"({"data":[{"b64_json":"not*base64"}]})"}) {
        const api_failure failure = expect_failure(adapter->decode(body));
        EXPECT_EQ(failure.kind, failure_kind::retriable) << body;
        EXPECT_EQ(failure.type, "malformed_body") << body;
    }
}

TEST(OpenAiImageDecode, AnAnswerWithoutImageIsAFinalNoImage) {
    const api_failure failure =
        expect_failure(make_image_adapter("openai")->decode(R"({"created":1,"data":[]})"));
    EXPECT_EQ(failure.kind, failure_kind::final);
    EXPECT_EQ(failure.type, "no_image");
}

// ---- Gemini -----------------------------------------------------------------------------

TEST(GeminiImageRequest, PostsGenerateContentWithGoogApiKeyAndImageModality) {
    const http_call call = make_image_adapter("gemini")->build_request(
        "a lighthouse", settings_for("https://generativelanguage.googleapis.com", "AIza-test",
                                     "gemini-2.5-flash-image"));
    EXPECT_EQ(call.method, "POST");
    EXPECT_EQ(call.target, "/v1beta/models/gemini-2.5-flash-image:generateContent");
    EXPECT_EQ(header_value(call, "x-goog-api-key"), "AIza-test");
    EXPECT_EQ(header_value(call, "authorization"), std::nullopt);
    EXPECT_EQ(header_value(call, "content-type"), "application/json");
    EXPECT_EQ(json::parse(call.body), json::parse(R"({
        "contents": [{"role": "user", "parts": [{"text": "a lighthouse"}]}],
        "generationConfig": {"responseModalities": ["TEXT", "IMAGE"]}})"));
}

TEST(GeminiImageRequest, AcceptsAModelIdWithTheModelsPrefix) {
    const http_call call = make_image_adapter("gemini")->build_request(
        "x", settings_for("https://g", "k", "models/gemini-3-pro-image-preview"));
    EXPECT_EQ(call.target, "/v1beta/models/gemini-3-pro-image-preview:generateContent");
}

TEST(GeminiImageDecode, DecodesTheInlineDataPart) {
    const generated_image image =
        expect_image(make_image_adapter("gemini")->decode(read_fixture("gemini_image.json")));
    EXPECT_EQ(image.bytes, tiny_png());
    EXPECT_EQ(image.mime, "image/png");
}

TEST(GeminiImageDecode, AcceptsSnakeCaseInlineData) {
    const json body = {
        {"candidates",
         {{{"content",
            {{"parts",
              {{{"inline_data",
                 {{"mime_type", "image/jpeg"}, {"data", core::base64_encode("\xFF\xD8\xFF")}}}}}}}},
           {"finishReason", "STOP"}}}}};
    const generated_image image = expect_image(make_image_adapter("gemini")->decode(body.dump()));
    EXPECT_EQ(image.bytes, "\xFF\xD8\xFF");
    EXPECT_EQ(image.mime, "image/jpeg");
}

TEST(GeminiImageDecode, PrefersTheFinalImageOverThoughtDrafts) {
    const auto part = [](std::string_view bytes, bool thought) {
        json value = {
            {"inlineData", {{"mimeType", "image/png"}, {"data", core::base64_encode(bytes)}}}};
        if (thought) {
            value["thought"] = true;
        }
        return value;
    };
    const json body = {{"candidates",
                        {{{"content",
                           {{"parts",
                             {{{"text", "drafting"}, {"thought", true}},
                              part("draft", true),
                              {{"text", "Here it is."}},
                              part("final", false)}}}}}}}};
    EXPECT_EQ(expect_image(make_image_adapter("gemini")->decode(body.dump())).bytes, "final");
}

TEST(GeminiImageDecode, ABlockedPromptIsABlock) {
    const api_failure failure = expect_failure(
        make_image_adapter("gemini")->decode(read_fixture("gemini_prompt_blocked.json")));
    EXPECT_EQ(failure.kind, failure_kind::blocked);
    EXPECT_EQ(failure.type, "PROHIBITED_CONTENT");
    EXPECT_FALSE(failure.message.empty());
}

TEST(GeminiImageDecode, AnImageSafetyStopIsABlock) {
    const api_failure failure = expect_failure(
        make_image_adapter("gemini")->decode(read_fixture("gemini_image_safety.json")));
    EXPECT_EQ(failure.kind, failure_kind::blocked);
    EXPECT_EQ(failure.type, "IMAGE_SAFETY");
}

TEST(GeminiImageDecode, TextWithoutAnImageIsAFinalNoImageCarryingTheText) {
    const api_failure failure =
        expect_failure(make_image_adapter("gemini")->decode(read_fixture("gemini_text_only.json")));
    EXPECT_EQ(failure.kind, failure_kind::final);
    EXPECT_EQ(failure.type, "no_image");
    EXPECT_EQ(failure.message, "I can describe a lighthouse, but I can't draw one right now.");
}

TEST(GeminiImageDecode, MalformedBodyIsRetriable) {
    const auto adapter = make_image_adapter("gemini");
    EXPECT_EQ(expect_failure(adapter->decode("{\"candidates\":[")).kind, failure_kind::retriable);
    const std::string bad_data =
        R"({"candidates":[{"content":{"parts":[{"inlineData":{"mimeType":"image/png","data":"@@"}}]}}]})";
    EXPECT_EQ(expect_failure(adapter->decode(bad_data)).type, "malformed_body");
}

// ---- OpenRouter -------------------------------------------------------------------------

TEST(OpenRouterImageRequest, PostsChatCompletionsWithTheImageModality) {
    tool_settings settings =
        settings_for("https://openrouter.ai/api/v1", "sk-or-test", "google/gemini-2.5-flash-image");
    settings.extra_headers = {{"HTTP-Referer", "https://polylogue.example"}};
    const http_call call =
        make_image_adapter("openrouter")->build_request("a lighthouse", settings);
    EXPECT_EQ(call.method, "POST");
    EXPECT_EQ(call.target, "/chat/completions");
    EXPECT_EQ(header_value(call, "authorization"), "Bearer sk-or-test");
    EXPECT_EQ(header_value(call, "HTTP-Referer"), "https://polylogue.example");
    EXPECT_EQ(json::parse(call.body), json::parse(R"({
        "model": "google/gemini-2.5-flash-image",
        "messages": [{"role": "user", "content": "a lighthouse"}],
        "modalities": ["image", "text"]})"));
}

TEST(OpenRouterImageDecode, DecodesTheDataUrlImage) {
    const generated_image image = expect_image(
        make_image_adapter("openrouter")->decode(read_fixture("openrouter_image.json")));
    EXPECT_EQ(image.bytes, tiny_png());
    EXPECT_EQ(image.mime, "image/png");
}

TEST(OpenRouterImageDecode, KeepsAnHttpsImageUrl) {
    const std::string body = R"({"choices":[{"message":{"role":"assistant","content":"",
        "images":[{"type":"image_url","image_url":{"url":"https://cdn.example/i/1.webp"}}]}}]})";
    const generated_image image = expect_image(make_image_adapter("openrouter")->decode(body));
    EXPECT_EQ(image.url, "https://cdn.example/i/1.webp");
    EXPECT_TRUE(image.bytes.empty());
}

TEST(OpenRouterImageDecode, AContentFilterOrUpstreamSafetyStopIsABlock) {
    const auto adapter = make_image_adapter("openrouter");
    const std::string filtered = R"({"choices":[{"finish_reason":"content_filter",
        "message":{"role":"assistant","content":null}}]})";
    EXPECT_EQ(expect_failure(adapter->decode(filtered)).kind, failure_kind::blocked);
    const std::string upstream = R"({"choices":[{"finish_reason":"stop",
        "native_finish_reason":"IMAGE_SAFETY","message":{"role":"assistant","content":""}}]})";
    const api_failure failure = expect_failure(adapter->decode(upstream));
    EXPECT_EQ(failure.kind, failure_kind::blocked);
    EXPECT_EQ(failure.type, "IMAGE_SAFETY");
}

TEST(OpenRouterImageDecode, AnErrorInsideA200IsAFailure) {
    const std::string body =
        R"({"error":{"code":502,"message":"Provider returned error"},"user_id":"u1"})";
    const api_failure failure = expect_failure(make_image_adapter("openrouter")->decode(body));
    EXPECT_EQ(failure.kind, failure_kind::retriable);
    EXPECT_EQ(failure.http_status, 0);
    EXPECT_EQ(failure.message, "Provider returned error");
}

TEST(OpenRouterImageDecode, TextWithoutImagesIsAFinalNoImage) {
    const std::string body = R"({"choices":[{"finish_reason":"stop",
        "message":{"role":"assistant","content":"I can only describe it."}}]})";
    const api_failure failure = expect_failure(make_image_adapter("openrouter")->decode(body));
    EXPECT_EQ(failure.kind, failure_kind::final);
    EXPECT_EQ(failure.type, "no_image");
    EXPECT_EQ(failure.message, "I can only describe it.");
}

// ---- image errors -----------------------------------------------------------------------

TEST(ImageErrors, AModerationRefusalIsABlock) {
    const api_failure failure = make_image_adapter("openai")->classify_error(
        400, {}, read_fixture("openai_error_moderation.json"));
    EXPECT_EQ(failure.kind, failure_kind::blocked);
    EXPECT_EQ(failure.http_status, 400);
    EXPECT_EQ(failure.type, "moderation_blocked");
    EXPECT_TRUE(failure.message.starts_with("Your request was rejected by the safety system."));
}

TEST(ImageErrors, GeminisInvalidKeyIsAnAuthenticationFailure) {
    const api_failure failure = make_image_adapter("gemini")->classify_error(
        400, {}, read_fixture("gemini_error_api_key.json"));
    EXPECT_EQ(failure.kind, failure_kind::authentication);
    EXPECT_EQ(failure.message, "API key not valid. Please pass a valid API key.");
}

TEST(ImageErrors, TypeComesFromTypeCodeOrStatus) {
    const auto adapter = make_image_adapter("openai");
    const api_failure rate = adapter->classify_error(
        429, {},
        R"({"error":{"message":"Slow down","type":"requests","code":"rate_limit_exceeded"}})");
    EXPECT_EQ(rate.kind, failure_kind::retriable);
    EXPECT_EQ(rate.type, "requests");
    const api_failure gemini = make_image_adapter("gemini")->classify_error(
        503, {},
        R"({"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}})");
    EXPECT_EQ(gemini.kind, failure_kind::retriable);
    EXPECT_EQ(gemini.type, "UNAVAILABLE");
    // OpenRouter's code is the numeric status: the type falls back to it.
    const api_failure credits =
        make_image_adapter("openrouter")
            ->classify_error(402, {}, read_fixture("openrouter_error.json"));
    EXPECT_EQ(credits.kind, failure_kind::final);
    EXPECT_EQ(credits.type, "http_402");
    EXPECT_TRUE(credits.message.starts_with("Insufficient credits."));
}

TEST(ImageErrors, ANonJsonBodyGivesTheStatusAndATrimmedExcerpt) {
    // 199 ASCII bytes, then a two-byte character straddling the 200-byte cut.
    const std::string body = "\n  " + std::string(199, 'x') + "\xC3\xA9 and more";
    const api_failure failure = make_image_adapter("openai")->classify_error(502, {}, body);
    EXPECT_EQ(failure.kind, failure_kind::retriable);
    EXPECT_EQ(failure.type, "http_502");
    EXPECT_EQ(failure.message, std::string(199, 'x'));
    const api_failure html = make_image_adapter("gemini")->classify_error(
        404, {}, "<html><body>Not Found</body></html>\n");
    EXPECT_EQ(html.kind, failure_kind::final);
    EXPECT_EQ(html.type, "http_404");
    EXPECT_EQ(html.message, "<html><body>Not Found</body></html>");
}

TEST(ImageErrors, TheShouldRetryHeaderWins) {
    const api_failure failure = make_image_adapter("openai")->classify_error(
        500, {{"x-should-retry", "false"}},
        R"({"error":{"message":"boom","type":"server_error"}})");
    EXPECT_EQ(failure.kind, failure_kind::final);
}

// ---- search requests --------------------------------------------------------------------

TEST(SearxngRequest, GetsSearchWithAnEncodedQueryAndJsonFormat) {
    const http_call call = make_search_adapter("searxng")->build_request(
        tricky_query, settings_for("http://127.0.0.1:8888", ""), 5);
    EXPECT_EQ(call.method, "GET");
    EXPECT_EQ(call.target, "/search?q=" + std::string{tricky_query_encoded} + "&format=json");
    EXPECT_TRUE(call.body.empty());
    EXPECT_TRUE(call.headers.empty());
}

TEST(SearxngRequest, SendsABearerOnlyWhenAKeyIsSet) {
    const http_call call = make_search_adapter("searxng")->build_request(
        "q", settings_for("https://search.example", "proxy-token"), 5);
    EXPECT_EQ(header_value(call, "authorization"), "Bearer proxy-token");
}

TEST(BraveRequest, GetsWebSearchWithTheSubscriptionTokenAndCount) {
    const http_call call = make_search_adapter("brave")->build_request(
        tricky_query, settings_for("https://api.search.brave.com", "BSA-test"), 5);
    EXPECT_EQ(call.method, "GET");
    EXPECT_EQ(call.target,
              "/res/v1/web/search?q=" + std::string{tricky_query_encoded} + "&count=5");
    EXPECT_EQ(header_value(call, "x-subscription-token"), "BSA-test");
    EXPECT_EQ(header_value(call, "accept"), "application/json");
    EXPECT_EQ(header_value(call, "authorization"), std::nullopt);
    EXPECT_TRUE(call.body.empty());
}

TEST(BraveRequest, ClampsTheCountToWhatTheApiAccepts) {
    const auto adapter = make_search_adapter("brave");
    const tool_settings settings = settings_for("https://api.search.brave.com", "k");
    EXPECT_TRUE(adapter->build_request("q", settings, 50).target.ends_with("&count=20"));
    EXPECT_TRUE(adapter->build_request("q", settings, 0).target.ends_with("&count=1"));
}

TEST(TavilyRequest, PostsTheQueryAndMaxResultsWithABearer) {
    const http_call call = make_search_adapter("tavily")->build_request(
        tricky_query, settings_for("https://api.tavily.com", "tvly-test"), 3);
    EXPECT_EQ(call.method, "POST");
    EXPECT_EQ(call.target, "/search");
    EXPECT_EQ(header_value(call, "authorization"), "Bearer tvly-test");
    EXPECT_EQ(header_value(call, "content-type"), "application/json");
    EXPECT_EQ(json::parse(call.body), (json{{"query", tricky_query}, {"max_results", 3}}));
}

// ---- search decoding --------------------------------------------------------------------

TEST(SearxngDecode, MapsContentToSnippetAndKeepsAtMostMaxResults) {
    const auto hits = expect_hits(
        make_search_adapter("searxng")->decode(read_fixture("searxng_results.json"), 2));
    ASSERT_EQ(hits.size(), 2u);
    EXPECT_EQ(hits[0].title, "CXX \xE2\x80\x94 safe interop between Rust and C++");
    EXPECT_EQ(hits[0].url, "https://cxx.rs/");
    EXPECT_TRUE(hits[0].snippet.starts_with("This library provides a safe mechanism"));
    EXPECT_EQ(hits[1].url, "https://doc.rust-lang.org/nomicon/ffi.html");
}

TEST(SearxngDecode, AResultWithoutContentHasAnEmptySnippet) {
    const auto hits = expect_hits(
        make_search_adapter("searxng")->decode(read_fixture("searxng_results.json"), 10));
    ASSERT_EQ(hits.size(), 3u);
    EXPECT_EQ(hits[2].title, "rust-lang/rust-bindgen");
    EXPECT_EQ(hits[2].snippet, "");
}

TEST(BraveDecode, StripsMarkupAndDecodesEntities) {
    const auto hits =
        expect_hits(make_search_adapter("brave")->decode(read_fixture("brave_results.json"), 5));
    ASSERT_EQ(hits.size(), 2u);
    EXPECT_EQ(hits[0].title, "Eiffel Tower - Wikipedia");
    EXPECT_EQ(hits[0].url, "https://en.wikipedia.org/wiki/Eiffel_Tower");
    EXPECT_EQ(hits[0].snippet,
              "The Eiffel Tower is 330 metres (1,083 ft) tall & it's the tallest structure in "
              "Paris. Its base is square, measuring 125 metres on each side.");
    EXPECT_EQ(hits[1].title, "How tall is the Eiffel Tower? | Official website");
    EXPECT_TRUE(hits[1].snippet.ends_with("expands \"in the heat\"."));
}

TEST(BraveDecode, KeepsALessThanThatOpensNoTag) {
    const std::string body = R"({"web":{"results":[{"title":"a < b &lt;i&gt;",
        "url":"https://x.example","description":"1 <2 and <em>3</em> &#128512; &bogus; &#xD800;"}]}})";
    const auto hits = expect_hits(make_search_adapter("brave")->decode(body, 5));
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].title, "a < b <i>");
    EXPECT_EQ(hits[0].snippet, "1 <2 and 3 \xF0\x9F\x98\x80 &bogus; &#xD800;");
}

TEST(BraveDecode, NoWebSectionMeansNoHits) {
    const auto hits = expect_hits(make_search_adapter("brave")->decode(
        R"({"type":"search","query":{"original":"zxqv"},"mixed":{"main":[]}})", 5));
    EXPECT_TRUE(hits.empty());
}

TEST(TavilyDecode, MapsTitleUrlAndContent) {
    const auto hits =
        expect_hits(make_search_adapter("tavily")->decode(read_fixture("tavily_results.json"), 5));
    ASSERT_EQ(hits.size(), 3u);
    EXPECT_EQ(hits[0].title, "2022 FIFA World Cup final - Wikipedia");
    EXPECT_EQ(hits[0].url, "https://en.wikipedia.org/wiki/2022_FIFA_World_Cup_final");
    EXPECT_EQ(hits[0].snippet,
              "Argentina won 4\xE2\x80\x93"
              "2 on penalties after a 3\xE2\x80\x93"
              "3 draw with France at Lusail Stadium on 18 December 2022.");
}

TEST(SearchDecode, SkipsHitsWithoutAUrl) {
    const std::string body = R"({"results":[{"title":"no url","content":"x"},
        {"title":"blank","url":"  ","content":"y"},{"title":"null","url":null},
        {"title":"kept","url":"https://kept.example","content":"z"}]})";
    for (const char* kind : {"searxng", "tavily"}) {
        const auto hits = expect_hits(make_search_adapter(kind)->decode(body, 5));
        ASSERT_EQ(hits.size(), 1u) << kind;
        EXPECT_EQ(hits[0].title, "kept");
    }
}

TEST(SearchDecode, KeepsOnlyHitsWithAnHttpOrHttpsLink) {
    const std::string results =
        R"json([{"title":"script","url":"javascript:alert(document.cookie)"},
        {"title":"shouting","url":"JAVASCRIPT:alert(1)"},
        {"title":"data","url":"data:text/html;base64,PHNjcmlwdD4="},
        {"title":"relative","url":"/wiki/Fox"},{"title":"files","url":"file:///etc/passwd"},
        {"title":"no host","url":"https:///x"},
        {"title":"plain","url":"http://plain.example/a"},
        {"title":"secure","url":"HTTPS://secure.example/b"}])json";
    const std::string wrapped_as[] = {R"({"results":)" + results + "}",
                                      R"({"web":{"results":)" + results + "}}"};
    for (const char* kind : {"searxng", "brave", "tavily"}) {
        const std::string& body = std::string_view{kind} == "brave" ? wrapped_as[1] : wrapped_as[0];
        const auto hits = expect_hits(make_search_adapter(kind)->decode(body, 20));
        ASSERT_EQ(hits.size(), 2u) << kind;
        EXPECT_EQ(hits[0].url, "http://plain.example/a") << kind;
        EXPECT_EQ(hits[1].url, "HTTPS://secure.example/b") << kind;
    }
}

TEST(SearchDecode, TrimsSnippetsTo500BytesAtACharacterBoundary) {
    // 499 ASCII bytes, then a three-byte character that would cross the limit.
    const std::string content = std::string(499, 'a') + "\xE2\x82\xAC tail";
    const json body = {{"results", {{{"title", "t"}, {"url", "https://u"}, {"content", content}}}}};
    const auto hits = expect_hits(make_search_adapter("tavily")->decode(body.dump(), 5));
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].snippet, std::string(499, 'a'));
    const json exact = {
        {"results", {{{"title", "t"}, {"url", "https://u"}, {"content", std::string(600, 'b')}}}}};
    const auto long_hits = expect_hits(make_search_adapter("searxng")->decode(exact.dump(), 5));
    EXPECT_EQ(long_hits.at(0).snippet.size(), 500u);
}

TEST(SearchDecode, MalformedJsonIsRetriable) {
    for (const char* kind : {"searxng", "brave", "tavily"}) {
        const auto adapter = make_search_adapter(kind);
        for (const char* body : {"{\"results\":[", "<html>oops</html>", "[]", "",
                                 R"({"results":"none","web":{"results":7}})"}) {
            const api_failure failure = expect_failure(adapter->decode(body, 5));
            EXPECT_EQ(failure.kind, failure_kind::retriable) << kind << ": " << body;
            EXPECT_EQ(failure.type, "malformed_body") << kind << ": " << body;
        }
    }
}

// ---- search errors ----------------------------------------------------------------------

TEST(SearchErrors, BraveErrorsCarryCodeAndDetail) {
    const api_failure failure =
        make_search_adapter("brave")->classify_error(422, {}, read_fixture("brave_error.json"));
    EXPECT_EQ(failure.kind, failure_kind::final);
    EXPECT_EQ(failure.http_status, 422);
    EXPECT_EQ(failure.type, "VALIDATION");
    EXPECT_EQ(failure.message, "Unable to validate request parameter(s)");
}

TEST(SearchErrors, TavilysDetailErrorIsTheMessage) {
    const api_failure failure =
        make_search_adapter("tavily")->classify_error(401, {}, read_fixture("tavily_error.json"));
    EXPECT_EQ(failure.kind, failure_kind::authentication);
    EXPECT_EQ(failure.type, "http_401");
    EXPECT_EQ(failure.message, "Unauthorized: missing or invalid API key.");
}

TEST(SearchErrors, ANonJsonBodyGivesTheStatusAndATrimmedExcerpt) {
    const api_failure failure =
        make_search_adapter("searxng")->classify_error(429, {}, "  Too Many Requests\r\n");
    EXPECT_EQ(failure.kind, failure_kind::retriable);
    EXPECT_EQ(failure.type, "http_429");
    EXPECT_EQ(failure.message, "Too Many Requests");
    const api_failure long_body =
        make_search_adapter("brave")->classify_error(500, {}, std::string(300, 'e'));
    EXPECT_EQ(long_body.message.size(), 200u);
}

}  // namespace
}  // namespace polylogue::providers
