// Prompt caching accounted for against the real daemon: `polylogue serve` runs a room of one
// member per API kind, each a fake provider that reports cached input in its API's documented
// usage shape (OpenAI prompt_tokens_details.cached_tokens, Anthropic cache_read_input_tokens and
// cache_creation_input_tokens, Gemini cachedContentTokenCount), and the models have cache
// prices. The message records carry the parts and their cost at the right rates; the room's
// listing, /metrics, `polylogue rooms` and the HTML export show them.

#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "support/api_client.hpp"
#include "support/eventually.hpp"
#include "support/fake_server.hpp"
#include "support/polylogue_cli.hpp"

namespace polylogue {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::fake_response;
using test::fake_server;

constexpr const char* control_token = "prompt-cache-control-token-0123456789";

std::string sse_data(const json& data) {
    return "data: " + data.dump() + "\n\n";
}

// 2,000 prompt tokens of which 1,536 were read from the cache; OpenAI reports no writes.
std::vector<std::string> openai_reply(const std::string& text) {
    return {sse_data({{"id", "c1"},
                      {"object", "chat.completion.chunk"},
                      {"choices", {{{"index", 0}, {"delta", {{"content", text}}}}}}}),
            sse_data({{"choices",
                       {{{"index", 0}, {"delta", json::object()}, {"finish_reason", "stop"}}}}}),
            sse_data({{"choices", json::array()},
                      {"usage",
                       {{"prompt_tokens", 2000},
                        {"completion_tokens", 50},
                        {"total_tokens", 2050},
                        {"prompt_tokens_details", {{"cached_tokens", 1536}}}}}}) +
                "data: [DONE]\n\n"};
}

std::string anthropic_event(const std::string& name, const json& data) {
    return "event: " + name + "\ndata: " + data.dump() + "\n\n";
}

// input_tokens 20 beside 3,000 read from the cache and 1,200 written to it: 4,220 in all.
std::vector<std::string> anthropic_reply(const std::string& text) {
    return {
        anthropic_event("message_start", {{"type", "message_start"},
                                          {"message",
                                           {{"id", "m1"},
                                            {"type", "message"},
                                            {"role", "assistant"},
                                            {"content", json::array()},
                                            {"usage",
                                             {{"input_tokens", 20},
                                              {"cache_creation_input_tokens", 1200},
                                              {"cache_read_input_tokens", 3000},
                                              {"output_tokens", 1}}}}}}),
        anthropic_event("content_block_start",
                        {{"type", "content_block_start"},
                         {"index", 0},
                         {"content_block", {{"type", "text"}, {"text", ""}}}}),
        anthropic_event("content_block_delta",
                        {{"type", "content_block_delta"},
                         {"index", 0},
                         {"delta", {{"type", "text_delta"}, {"text", text}}}}),
        anthropic_event("content_block_stop", {{"type", "content_block_stop"}, {"index", 0}}),
        anthropic_event("message_delta", {{"type", "message_delta"},
                                          {"delta", {{"stop_reason", "end_turn"}}},
                                          {"usage", {{"output_tokens", 9}}}}),
        anthropic_event("message_stop", {{"type", "message_stop"}}),
    };
}

// 5,000 prompt tokens of which 4,096 came from the cache.
std::vector<std::string> gemini_reply(const std::string& text) {
    const json first{
        {"candidates", {{{"content", {{"role", "model"}, {"parts", {{{"text", text}}}}}}}}}};
    const json last{{"candidates",
                     {{{"content", {{"role", "model"}, {"parts", {{{"text", ""}}}}}},
                       {"finishReason", "STOP"}}}},
                    {"usageMetadata",
                     {{"promptTokenCount", 5000},
                      {"cachedContentTokenCount", 4096},
                      {"candidatesTokenCount", 11},
                      {"totalTokenCount", 5011}}}};
    return {"data: " + first.dump() + "\r\n\r\n", "data: " + last.dump() + "\r\n\r\n"};
}

std::string config_text(const fake_server& openai, const fake_server& anthropic,
                        const fake_server& gemini) {
    return "data_dir: var\n"
           "control: { listen: 127.0.0.1:0, token_env: PL_CACHE_CONTROL_TOKEN }\n"
           "shutdown_grace: 2s\n"
           "providers:\n"
           "  router: { kind: openai, base_url: " +
           openai.base_url() +
           "/v1, api_key_env: PL_CACHE_KEY }\n"
           "  claude: { kind: anthropic, base_url: " +
           anthropic.base_url() +
           ", api_key_env: PL_CACHE_KEY }\n"
           "  google: { kind: gemini, base_url: " +
           gemini.base_url() +
           ", api_key_env: PL_CACHE_KEY }\n"
           "models:\n"
           "  - { name: GPT 5, provider: router, id: openai/gpt-5, max_tokens: 300,\n"
           "      price: { input_per_mtok: 1.25, output_per_mtok: 10, cached_input_per_mtok: "
           "0.125 } }\n"
           "  - { name: Claude Opus 4.5, provider: claude, id: claude-opus-4-5, max_tokens: 300,\n"
           "      price: { input_per_mtok: 5, output_per_mtok: 25, cached_input_per_mtok: 0.5,\n"
           "               cache_write_per_mtok: 6.25 } }\n"
           "  - { name: Gemini 3 Pro, provider: google, id: gemini-3-pro-preview, max_tokens: "
           "300,\n"
           "      price: { input_per_mtok: 2, output_per_mtok: 12, cached_input_per_mtok: 0.2 } }\n"
           "rooms:\n"
           "  - name: ledger\n"
           "    members: [GPT 5, Claude Opus 4.5, Gemini 3 Pro]\n"
           "    max_turns: 3\n"
           "    turn_delay: 0s\n"
           "    opening: { speaker: janus, text: what does a long room cost }\n";
}

// What each reply costs at its model's rates, worked out by hand from the usage above.
constexpr double gpt_cost = (464 * 1.25 + 1536 * 0.125 + 50 * 10.0) / 1e6;
constexpr double claude_cost = (20 * 5.0 + 3000 * 0.5 + 1200 * 6.25 + 9 * 25.0) / 1e6;
constexpr double gemini_cost = (904 * 2.0 + 4096 * 0.2 + 11 * 12.0) / 1e6;

class PromptCacheAccounts : public ::testing::Test {
  protected:
    fake_server openai;
    fake_server anthropic;
    fake_server gemini;
    test::temp_dir dir;
    std::unique_ptr<test::child_process> serve;
    std::uint16_t port = 0;

    void SetUp() override {
        ::setenv("PL_CACHE_CONTROL_TOKEN", control_token, 1);
        ::setenv("PL_CACHE_KEY", "cache-test-key-0123456789", 1);
        openai.on_request(
            [](const auto&) { return fake_response::sse(openai_reply("gpt counts the cost")); });
        anthropic.on_request(
            [](const auto&) { return fake_response::sse(anthropic_reply("claude reads cache")); });
        gemini.on_request(
            [](const auto&) { return fake_response::sse(gemini_reply("gemini agrees")); });
        dir.write("cache.yaml", config_text(openai, anthropic, gemini));
        serve = std::make_unique<test::child_process>(std::vector<std::string>{
            test::polylogue_binary(), "serve", (dir / "cache.yaml").string()});
        port = test::wait_for_serve_port(dir / "var", 20s);
    }

    void TearDown() override {
        if (serve) {
            serve->send(SIGTERM);
            EXPECT_EQ(serve->wait(10s).exit_code, 0);
        }
    }

    test::api_client api() const { return test::api_client{port, control_token}; }

    // The room once it has ended (its three turns taken), or what it was when time ran out.
    json ended_room() const {
        json room;
        EXPECT_TRUE(test::eventually([&] {
            room = api().get("/v1/rooms/ledger").json();
            return room.is_object() && room.value("state", "") == "ended";
        })) << room.dump();
        return room;
    }

    std::vector<json> messages_by(const std::string& speaker) const {
        const json records = api().get("/v1/rooms/ledger/transcript").json()["records"];
        std::vector<json> found;
        for (const auto& r : records) {
            if (r["type"] == "message" && r.value("speaker", "") == speaker) {
                found.push_back(r);
            }
        }
        return found;
    }
};

// The message record of each API's reply: the whole prompt, its cached and written parts (only
// when there were some), and the cost at the model's rates.
void expect_usage(const std::vector<json>& messages, std::int64_t input, std::int64_t cached,
                  std::int64_t written, double cost) {
    ASSERT_EQ(messages.size(), 1u);
    const json& m = messages.front();
    EXPECT_EQ(m.value("input_tokens", std::int64_t{-1}), input) << m.dump();
    EXPECT_EQ(m.value("cached_input_tokens", std::int64_t{0}), cached) << m.dump();
    EXPECT_EQ(m.contains("cache_write_tokens"), written > 0) << m.dump();
    EXPECT_EQ(m.value("cache_write_tokens", std::int64_t{0}), written) << m.dump();
    EXPECT_NEAR(m.value("cost_usd", -1.0), cost, 1e-12) << m.dump();
}

TEST_F(PromptCacheAccounts, EachApisCachedTokensAreRecordedAndPricedAtTheirRates) {
    ASSERT_NE(port, 0);
    ended_room();
    expect_usage(messages_by("AI-1"), 2000, 1536, 0, gpt_cost);
    expect_usage(messages_by("AI-2"), 4220, 3000, 1200, claude_cost);
    expect_usage(messages_by("AI-3"), 5000, 4096, 0, gemini_cost);
}

TEST_F(PromptCacheAccounts, TheListingMetricsCliAndExportShowTheCachedTokens) {
    ASSERT_NE(port, 0);
    const json room = ended_room();
    EXPECT_EQ(room.value("input_tokens", 0), 11220) << room.dump();
    EXPECT_EQ(room.value("cached_input_tokens", 0), 8632) << room.dump();
    EXPECT_EQ(room.value("cache_write_tokens", 0), 1200) << room.dump();
    EXPECT_NEAR(room.value("cached_input_share", 0.0), 8632.0 / 11220.0, 1e-12) << room.dump();
    EXPECT_NEAR(room.value("cost_usd", 0.0), gpt_cost + claude_cost + gemini_cost, 1e-12);
    const json listed = api().get("/v1/rooms").json()["rooms"];
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].value("cached_input_tokens", 0), 8632);

    const std::string metrics = api().get("/metrics").body;
    for (const char* line : {"polylogue_tokens_total{direction=\"input\"} 11220\n",
                             "polylogue_prompt_cache_tokens_total{operation=\"read\"} 8632\n",
                             "polylogue_prompt_cache_tokens_total{operation=\"write\"} 1200\n"}) {
        EXPECT_NE(metrics.find(line), std::string::npos) << line << " in:\n" << metrics;
    }

    const std::string config = (dir / "cache.yaml").string();
    const auto rooms = test::polylogue({"rooms", config});
    EXPECT_EQ(rooms.exit_code, 0) << rooms.err;
    EXPECT_NE(rooms.out.find("11k (77% cached, 1.2k written)"), std::string::npos) << rooms.out;

    const auto page = test::polylogue({"transcript", config, "ledger", "--format", "html"});
    ASSERT_EQ(page.exit_code, 0) << page.err;
    EXPECT_NE(page.out.find("<dt>Tokens</dt><dd>11,220 in (8,632 cached, 1,200 written) · 70 "
                            "out</dd>"),
              std::string::npos)
        << page.out.substr(0, 4000);
    EXPECT_NE(page.out.find("4,220 tokens in (3,000 cached, 1,200 written) · 9 out"),
              std::string::npos);
}

}  // namespace
}  // namespace polylogue
