// One room holding all three API kinds plus image and search tools, run by `polylogue run` in a
// real process against fake providers on 127.0.0.1 over HTTP and HTTPS.

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "polylogue/core/base64.hpp"
#include "support/fake_server.hpp"
#include "support/polylogue_cli.hpp"
#include "support/provider_streams.hpp"
#include "support/test_ca.hpp"

namespace polylogue {
namespace {

using nlohmann::json;
using test::fake_response;
using test::fake_server;

// Keys carry a marker so the test can prove none of them reaches a log or a record.
constexpr const char* openai_key = "sk-test-KEYMARKER-openai-0123456789abcdef";
constexpr const char* anthropic_key = "sk-ant-KEYMARKER-anthropic-0123456789";
constexpr const char* gemini_key = "AIzaKEYMARKERgemini0123456789abcdefghij";
constexpr const char* tools_key = "tools-KEYMARKER-0123456789";

std::string png_bytes() {
    return std::string{"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16} + "fake-pixels";
}

std::string config_text(const fake_server& openai, const fake_server& anthropic,
                        const fake_server& gemini, const fake_server& tools) {
    const std::string ca = test::test_ca::instance().ca_file.string();
    return "data_dir: var\n"
           "providers:\n"
           "  router: { kind: openai, base_url: " +
           openai.base_url() +
           "/api/v1, api_key_env: PL_TEST_OPENAI_KEY,\n"
           "            headers: { HTTP-Referer: https://polylogue.test, X-Title: Polylogue },\n"
           "            retry: { attempts: 3, initial_backoff: 50ms } }\n"
           "  claude: { kind: anthropic, base_url: " +
           anthropic.base_url() + ", api_key_env: PL_TEST_ANTHROPIC_KEY, ca_file: " + ca +
           " }\n"
           "  google: { kind: gemini, base_url: " +
           gemini.base_url() +
           ", api_key_env: PL_TEST_GEMINI_KEY }\n"
           "models:\n"
           "  - { name: GPT 5, provider: router, id: openai/gpt-5, max_tokens: 300 }\n"
           "  - { name: Claude Opus 4.5, provider: claude, id: claude-opus-4-5, max_tokens: 400, "
           "temperature_range: [0, 1],\n"
           "      price: { input_per_mtok: 5, output_per_mtok: 25 } }\n"
           "  - { name: Gemini 3 Pro, provider: google, id: gemini-3-pro-preview, max_tokens: 500 "
           "}\n"
           "tools:\n"
           "  - { name: painter, kind: openai_images, base_url: " +
           tools.base_url() +
           "/v1, api_key_env: PL_TEST_TOOLS_KEY, model: gpt-image-1, ca_file: " + ca +
           " }\n"
           "  - { name: web, kind: searxng, base_url: " +
           tools.base_url() + ", ca_file: " + ca +
           " }\n"
           "rooms:\n"
           "  - name: mixed\n"
           "    members: [GPT 5, Claude Opus 4.5, Gemini 3 Pro]\n"
           "    max_turns: 6\n"
           "    turn_delay: 0s\n"
           "    opening: { speaker: janus, text: hello models }\n"
           "    tools: { image: painter, search: web }\n";
}

class NetworkRoom : public ::testing::Test {
  protected:
    fake_server openai;
    fake_server anthropic{fake_server::scheme::https};
    fake_server gemini;
    fake_server tools{fake_server::scheme::https};
    test::temp_dir dir;

    void SetUp() override {
        ::setenv("PL_TEST_OPENAI_KEY", openai_key, 1);
        ::setenv("PL_TEST_ANTHROPIC_KEY", anthropic_key, 1);
        ::setenv("PL_TEST_GEMINI_KEY", gemini_key, 1);
        ::setenv("PL_TEST_TOOLS_KEY", tools_key, 1);
        int openai_turns = 0;
        openai.on_request([openai_turns](const auto&) mutable {
            return fake_response::sse(test::openai_stream(
                ++openai_turns == 1 ? "hi all !temperature 1.7 and !image \"a red fox\""
                                    : "second turn from gpt"));
        });
        anthropic.on_request([](const auto&) {
            return fake_response::sse(test::anthropic_stream("claude here !search \"red foxes\""));
        });
        gemini.on_request([](const auto&) {
            return fake_response::sse(test::gemini_stream("[AI-1 (GPT 5)]: gemini quoting gpt"));
        });
        tools.on_request([](const test::recorded_request& r) {
            if (r.target.starts_with("/v1/images/generations")) {
                return fake_response::json(
                    200, json{{"data", {{{"b64_json", core::base64_encode(png_bytes())}}}}}.dump());
            }
            return fake_response::json(
                200, json{{"results",
                           {{{"title", "Red fox"},
                             {"url", "https://en.wikipedia.org/wiki/Red_fox"},
                             {"content", "The red fox is the largest of the true foxes."}}}}}
                         .dump());
        });
        dir.write("mixed.yaml", config_text(openai, anthropic, gemini, tools));
    }

    std::vector<json> run_room() {
        const auto run = test::polylogue({"run", (dir / "mixed.yaml").string()});
        EXPECT_EQ(run.exit_code, 0) << run.err;
        EXPECT_EQ(run.out.find("KEYMARKER"), std::string::npos);
        EXPECT_EQ(run.err.find("KEYMARKER"), std::string::npos);
        return test::transcript_records(dir / "mixed.yaml", "mixed");
    }
};

TEST_F(NetworkRoom, AllThreeApiKindsTakeTurnsAndToolsRun) {
    const auto records = run_room();
    EXPECT_EQ(test::ai_speakers(records),
              (std::vector<std::string>{"AI-1", "AI-2", "AI-3", "AI-1", "AI-2", "AI-3"}));
    bool image_seen = false;
    bool search_seen = false;
    for (const auto& r : records) {
        if (r["type"] == "image") {
            image_seen = true;
            EXPECT_EQ(r["speaker"], "AI-1");
            EXPECT_EQ(r["text"], "a red fox");
            EXPECT_EQ(r["mime"], "image/png");
            EXPECT_EQ(test::read_file(dir / "var" / r["path"].get<std::string>()), png_bytes());
        }
        if (r["type"] == "search_results") {
            search_seen = true;
            EXPECT_EQ(r["speaker"], "AI-2");
            EXPECT_EQ(r["results"][0]["url"], "https://en.wikipedia.org/wiki/Red_fox");
        }
        if (r["type"] == "message" && r["speaker"] == "AI-2") {
            EXPECT_EQ(r["reasoning"], "let me think");
            EXPECT_EQ(r["input_tokens"], 20);
            EXPECT_EQ(r["output_tokens"], 9);
            EXPECT_DOUBLE_EQ(r["cost_usd"].get<double>(), (20 * 5 + 9 * 25) / 1e6);
        }
        if (r["type"] == "message" && r["speaker"] == "AI-3") {
            EXPECT_EQ(r["text"], "[AI-1 (GPT 5)]: gemini quoting gpt")
                << "attribution comes from the record";
        }
    }
    EXPECT_TRUE(image_seen);
    EXPECT_TRUE(search_seen);
}

TEST_F(NetworkRoom, OpenAiRequestsCarryAuthHeadersTokensAndTheNewTemperature) {
    run_room();
    const auto requests = openai.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].target, "/api/v1/chat/completions");
    EXPECT_EQ(requests[0].header("authorization"), std::string{"Bearer "} + openai_key);
    EXPECT_EQ(requests[0].header("http-referer"), "https://polylogue.test");
    const auto first = json::parse(requests[0].body);
    EXPECT_EQ(first["model"], "openai/gpt-5");
    EXPECT_EQ(first["max_tokens"], 300);
    EXPECT_EQ(first["temperature"], 1.0);
    EXPECT_EQ(first["stream"], true);
    EXPECT_EQ(first["messages"][0]["role"], "system");
    const auto second = json::parse(requests[1].body);
    EXPECT_EQ(second["temperature"], 1.7);
    // cache: auto (the default): one prompt cache key for the member, in every request.
    const std::string key = first.value("prompt_cache_key", "");
    EXPECT_TRUE(key.starts_with("polylogue-") && key.ends_with("-AI-1")) << key;
    EXPECT_EQ(second["prompt_cache_key"], key);
    bool saw_own_message = false;
    for (const auto& m : second["messages"]) {
        saw_own_message |= m["role"] == "assistant";
    }
    EXPECT_TRUE(saw_own_message);
}

TEST_F(NetworkRoom, AnthropicRequestsAlternateRolesWithTheSystemPromptOnTop) {
    run_room();
    const auto requests = anthropic.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].target, "/v1/messages");
    EXPECT_EQ(requests[0].header("x-api-key"), anthropic_key);
    EXPECT_EQ(requests[0].header("anthropic-version"), "2023-06-01");
    const auto body = json::parse(requests[1].body);
    EXPECT_EQ(body["max_tokens"], 400);
    const auto& messages = body["messages"];
    ASSERT_FALSE(messages.empty());
    EXPECT_EQ(messages[0]["role"], "user");
    for (std::size_t i = 1; i < messages.size(); ++i) {
        EXPECT_NE(messages[i]["role"], messages[i - 1]["role"]) << "roles must alternate";
    }
    EXPECT_EQ(messages.back()["role"], "user");
    // cache: auto (the default): breakpoints on the system prompt and on the last block.
    const json breakpoint = {{"type", "ephemeral"}};
    ASSERT_TRUE(body["system"].is_array()) << body.dump();
    EXPECT_EQ(body["system"][0]["type"], "text");
    EXPECT_EQ(body["system"][0]["cache_control"], breakpoint);
    EXPECT_EQ(messages.back()["content"].back()["cache_control"], breakpoint) << body.dump();
}

// An endpoint that refuses the cache fields: with `cache: off` the room sends none of them.
TEST_F(NetworkRoom, ModelsWithCacheOffSendNoneOfTheCacheFields) {
    std::string config = config_text(openai, anthropic, gemini, tools);
    for (const std::string id : {"id: openai/gpt-5,", "id: claude-opus-4-5,"}) {
        config.replace(config.find(id), id.size(), id + " cache: off,");
    }
    dir.write("mixed.yaml", config);
    run_room();
    ASSERT_FALSE(openai.requests().empty());
    for (const auto& request : openai.requests()) {
        EXPECT_EQ(request.body.find("prompt_cache_key"), std::string::npos) << request.body;
    }
    ASSERT_FALSE(anthropic.requests().empty());
    for (const auto& request : anthropic.requests()) {
        EXPECT_EQ(request.body.find("cache_control"), std::string::npos) << request.body;
        EXPECT_TRUE(json::parse(request.body)["system"].is_string()) << request.body;
    }
}

TEST_F(NetworkRoom, GeminiRequestsUseUserAndModelRolesAndSystemInstruction) {
    run_room();
    const auto requests = gemini.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].target,
              "/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse");
    EXPECT_EQ(requests[0].header("x-goog-api-key"), gemini_key);
    const auto body = json::parse(requests[1].body);
    EXPECT_TRUE(body.contains("systemInstruction"));
    EXPECT_EQ(body["generationConfig"]["maxOutputTokens"], 500);
    bool model_role = false;
    for (const auto& c : body["contents"]) {
        EXPECT_TRUE(c["role"] == "user" || c["role"] == "model");
        model_role |= c["role"] == "model";
    }
    EXPECT_TRUE(model_role);
}

TEST_F(NetworkRoom, NoKeyAppearsInLogsOrTranscripts) {
    run_room();
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path())) {
        if (!entry.is_regular_file() || entry.path().filename() == "mixed.yaml") {
            continue;
        }
        EXPECT_EQ(test::read_file(entry.path()).find("KEYMARKER"), std::string::npos)
            << entry.path();
    }
    const auto jsonl = test::polylogue(
        {"transcript", (dir / "mixed.yaml").string(), "mixed", "--format", "jsonl"});
    EXPECT_EQ(jsonl.out.find("KEYMARKER"), std::string::npos);
}

TEST_F(NetworkRoom, MissingKeyKeepsTheRoomFromStartingAndNamesTheVariable) {
    ::unsetenv("PL_TEST_GEMINI_KEY");
    const auto run = test::polylogue({"run", (dir / "mixed.yaml").string()});
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_NE(run.err.find("PL_TEST_GEMINI_KEY"), std::string::npos) << run.err;
    EXPECT_TRUE(openai.requests().empty());
}

}  // namespace
}  // namespace polylogue
