// The configuration of network providers, models' network settings, tools and room budgets.
// config_loader_test.cpp covers the rest of the loader; the fixture here is a smaller copy.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "polylogue/config/config.hpp"
#include "polylogue/config/loader.hpp"

namespace polylogue::config {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using header_list = std::vector<std::pair<std::string, std::string>>;

class ConfigNetwork : public ::testing::Test {
  protected:
    void SetUp() override {
        static std::atomic<int> counter{0};
        const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
        dir_ =
            fs::temp_directory_path() / ("polylogue-config-network-test-" + std::to_string(stamp) +
                                         "-" + std::to_string(++counter));
        fs::create_directories(dir_);
    }

    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }

    fs::path write(const fs::path& relative, std::string_view text) const {
        fs::path path = dir_ / relative;
        fs::create_directories(path.parent_path());
        std::ofstream{path, std::ios::binary} << text;
        return path;
    }

    result<config, refusal> parse(std::string_view text) const {
        return parse_config(text, dir_ / "polylogue.yaml");
    }

    config load_valid(std::string_view text) const {
        const result<config, refusal> outcome = parse(text);
        for (const diagnostic& problem : outcome.error().problems) {
            ADD_FAILURE() << problem.to_string();
        }
        EXPECT_TRUE(outcome.has_value());
        return (outcome ? *outcome : config{});
    }

    fs::path dir_;
};

// "LINE:COL: message" for every problem, in the order reported.
std::vector<std::string> located(const result<config, refusal>& outcome) {
    std::vector<std::string> lines;
    for (const diagnostic& problem : outcome.error().problems) {
        lines.push_back(std::to_string(problem.line) + ":" + std::to_string(problem.column) + ": " +
                        problem.message);
    }
    return lines;
}

std::string listing(const result<config, refusal>& outcome) {
    std::string text;
    for (const std::string& line : located(outcome)) {
        text += "\n  " + line;
    }
    return text;
}

void expect_one_problem(const result<config, refusal>& outcome, int line, int column,
                        std::string_view fragment) {
    EXPECT_FALSE(outcome.has_value());
    ASSERT_EQ(outcome.error().problems.size(), 1u) << listing(outcome);
    const diagnostic problem = outcome.error().problems.front();
    EXPECT_EQ(problem.line, line) << problem.message;
    EXPECT_EQ(problem.column, column) << problem.message;
    EXPECT_NE(problem.message.find(fragment), std::string::npos)
        << "'" << problem.message << "' lacks '" << fragment << "'";
}

// One provider "api" whose settings (a flow map's inside) a test chooses, on line 1 from column
// 21, and one model "A" using it on line 2.
std::string with_provider(std::string_view settings) {
    return "providers: { api: { " + std::string{settings} +
           " } }\n"
           "models: [{ name: A, provider: api, id: a }]\n";
}

// A valid provider and model, then the lines a test adds (tools, rooms), from line 3.
std::string with_catalogue(std::string_view rest) {
    return "providers: { api: { kind: openai, base_url: \"https://api.example/v1\" } }\n"
           "models: [{ name: A, provider: api, id: a }]\n" +
           std::string{rest};
}

TEST_F(ConfigNetwork, NetworkProviderLoadsWithEveryDefault) {
    const config loaded = load_valid(with_catalogue("rooms: [{ name: lab, members: [A] }]\n"));
    ASSERT_EQ(loaded.providers.size(), 1u);
    const provider& api = loaded.providers[0];
    EXPECT_EQ(api.kind, provider_kind::openai);
    EXPECT_EQ(api.base_url, "https://api.example/v1");
    EXPECT_EQ(api.api_key_env, "");
    EXPECT_TRUE(api.ca_file.empty());
    EXPECT_EQ(api.max_tokens_field, "max_tokens");
    EXPECT_TRUE(api.headers.empty());
    EXPECT_EQ(api.anthropic_version, "2023-06-01");
    EXPECT_EQ(api.max_in_flight, 4);
    EXPECT_EQ(api.requests_per_minute, 0);
    EXPECT_EQ(api.retry.attempts, 4);
    EXPECT_EQ(api.retry.initial_backoff, 1s);
    EXPECT_EQ(api.retry.max_backoff, 30s);
    EXPECT_EQ(api.retry.max_wait, 2min);
    EXPECT_EQ(api.timeouts.connect, 10s);
    EXPECT_EQ(api.timeouts.first_byte, 120s);
    EXPECT_EQ(api.timeouts.idle, 60s);
    EXPECT_EQ(api.timeouts.total, 10min);
    ASSERT_EQ(loaded.models.size(), 1u);
    const model& a = loaded.models[0];
    EXPECT_EQ(a.id, "a");
    EXPECT_EQ(a.max_tokens, 1024);
    EXPECT_FALSE(a.price.has_value());
    EXPECT_FALSE(a.vision);
    ASSERT_EQ(loaded.rooms.size(), 1u);
    const room& lab = loaded.rooms[0];
    EXPECT_FALSE(lab.max_cost_usd.has_value());
    EXPECT_EQ(lab.suspend_after_failures, 3);
    EXPECT_EQ(lab.image_tool, "");
    EXPECT_EQ(lab.search_tool, "");
    EXPECT_TRUE(loaded.tools.empty());
}

constexpr std::string_view explicit_providers = R"(providers:
  openrouter:
    kind: openai
    base_url: https://openrouter.ai/api/v1/
    api_key_env: OPENROUTER_API_KEY
    ca_file: certs/../my-ca.pem
    max_tokens_field: max_completion_tokens
    headers: { HTTP-Referer: "https://example.org", X-Title: Polylogue, X-Empty: "" }
    max_in_flight: 256
    requests_per_minute: 100000
    retry: { attempts: 20, initial_backoff: 250ms, max_backoff: 1m, max_wait: 0s }
    timeouts: { connect: 1.5s, first_byte: 60m, idle: 500ms, total: 60m }
  claude:
    kind: anthropic
    base_url: https://api.anthropic.com
    anthropic_version: "2024-02-29"
models:
  - name: Claude Opus 4.5
    provider: claude
    id: claude-opus-4-5
    max_tokens: 1000000
    temperature_range: none
    price: { input_per_mtok: 5.0, output_per_mtok: 25 }
    vision: true
  - { name: Free, provider: openrouter, id: "x/y:free", price: { input_per_mtok: 0, output_per_mtok: 0 },
      max_tokens: 1, vision: False }
)";

TEST_F(ConfigNetwork, NetworkProviderKeepsEveryExplicitValue) {
    write("my-ca.pem", "-----BEGIN CERTIFICATE-----\n");
    const config loaded = load_valid(explicit_providers);
    ASSERT_EQ(loaded.providers.size(), 2u);
    const provider& router = loaded.providers[0];
    EXPECT_EQ(router.base_url, "https://openrouter.ai/api/v1");
    EXPECT_EQ(router.api_key_env, "OPENROUTER_API_KEY");
    EXPECT_EQ(router.ca_file, dir_ / "my-ca.pem");
    EXPECT_EQ(router.max_tokens_field, "max_completion_tokens");
    EXPECT_EQ(router.headers, (header_list{{"HTTP-Referer", "https://example.org"},
                                           {"X-Title", "Polylogue"},
                                           {"X-Empty", ""}}));
    EXPECT_EQ(router.max_in_flight, 256);
    EXPECT_EQ(router.requests_per_minute, 100000);
    EXPECT_EQ(router.retry.attempts, 20);
    EXPECT_EQ(router.retry.initial_backoff, 250ms);
    EXPECT_EQ(router.retry.max_backoff, 1min);
    EXPECT_EQ(router.retry.max_wait, 0ms);
    EXPECT_EQ(router.timeouts.connect, 1500ms);
    EXPECT_EQ(router.timeouts.first_byte, 1h);
    EXPECT_EQ(router.timeouts.idle, 500ms);
    EXPECT_EQ(router.timeouts.total, 1h);
    EXPECT_EQ(loaded.providers[1].anthropic_version, "2024-02-29");
    ASSERT_EQ(loaded.models.size(), 2u);
    const model& claude = loaded.models[0];
    EXPECT_EQ(claude.id, "claude-opus-4-5");
    EXPECT_EQ(claude.max_tokens, 1000000);
    ASSERT_TRUE(claude.price.has_value());
    EXPECT_EQ(claude.price->input_per_mtok, 5.0);
    EXPECT_EQ(claude.price->output_per_mtok, 25.0);
    EXPECT_TRUE(claude.vision);
    const model& free = loaded.models[1];
    EXPECT_EQ(free.id, "x/y:free");
    EXPECT_EQ(free.max_tokens, 1);
    ASSERT_TRUE(free.price.has_value());
    EXPECT_EQ(free.price->output_per_mtok, 0.0);
    EXPECT_FALSE(free.vision);
}

TEST_F(ConfigNetwork, BaseUrlLosesTrailingSlashesAndKeepsTheRest) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"https://openrouter.ai/api/v1/", "https://openrouter.ai/api/v1"},
        {"http://127.0.0.1:11434/v1//", "http://127.0.0.1:11434/v1"},
        {"https://api.anthropic.com/", "https://api.anthropic.com"},
        {"HTTPS://Example.ORG", "HTTPS://Example.ORG"},
        {"http://[::1]:8080/v1", "http://[::1]:8080/v1"},
        {"http://ollama_host:11434/v1", "http://ollama_host:11434/v1"},
        {"https://gw.example/p%20q/v1", "https://gw.example/p%20q/v1"},
    };
    for (const auto& [written, stored] : cases) {
        SCOPED_TRACE(written);
        const config loaded =
            load_valid(with_provider("kind: gemini, base_url: \"" + written + "\""));
        ASSERT_EQ(loaded.providers.size(), 1u);
        EXPECT_EQ(loaded.providers[0].base_url, stored);
    }
}

TEST_F(ConfigNetwork, MaxTokensFieldDefaultsByHost) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"https://api.openai.com/v1", "max_completion_tokens"},
        {"https://API.OpenAI.com:443/v1/", "max_completion_tokens"},
        {"https://openrouter.ai/api/v1", "max_tokens"},
        {"https://api.openai.com.example/v1", "max_tokens"},
        {"http://127.0.0.1:11434/v1", "max_tokens"},
    };
    for (const auto& [url, expected_field] : cases) {
        SCOPED_TRACE(url);
        const config loaded = load_valid(with_provider("kind: openai, base_url: \"" + url + "\""));
        EXPECT_EQ(loaded.providers.at(0).max_tokens_field, expected_field);
    }
    const config explicit_field = load_valid(with_provider(
        "kind: openai, base_url: \"https://api.openai.com/v1\", max_tokens_field: max_tokens"));
    EXPECT_EQ(explicit_field.providers.at(0).max_tokens_field, "max_tokens");
}

TEST_F(ConfigNetwork, BaseUrlIsRequiredForNetworkProvidersOnly) {
    const result<config, refusal> outcome = parse(R"(providers:
  a: { kind: openai }
  b: { kind: anthropic }
  c: { kind: gemini }
  d: { kind: opneai }
)");
    EXPECT_EQ(located(outcome), (std::vector<std::string>{
                                    "2:6: provider 'a' is missing required key 'base_url'",
                                    "3:6: provider 'b' is missing required key 'base_url'",
                                    "4:6: provider 'c' is missing required key 'base_url'",
                                    "5:14: unknown provider kind 'opneai'; did you mean 'openai'?",
                                }));
}

TEST_F(ConfigNetwork, MalformedBaseUrlsAreRefusedWithTheReason) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"ftp://example.org", "base_url must start with http:// or https://"},
        {"openrouter.ai/api/v1", "base_url must start with http:// or https://"},
        {"https://example.org/v1?key=1", "base_url must not have a query ('?...')"},
        {"https://example.org/v1#top", "base_url must not have a fragment"},
        {"https://exa mple.org", "base_url must be printable ASCII without spaces"},
        {"https://caf\xC3\xA9.example", "base_url must be printable ASCII without spaces"},
        {"https://", "base_url has no host"},
        {"https:///v1", "base_url has no host"},
        {"https://:8080/v1", "base_url has no host"},
        {"https://example.org:0", "base_url's port must be a number from 1 to 65535"},
        {"https://example.org:65536", "base_url's port must be a number from 1 to 65535"},
        {"https://example.org:+80", "base_url's port must be a number from 1 to 65535"},
        {"https://example.org:", "base_url's port must be a number from 1 to 65535"},
        {"https://exa$mple.org", "base_url's host must be letters, digits"},
        {"http://[::1", "base_url has an IPv6 address without its closing ']'"},
        {"http://[::1]x/v1", "base_url has text after its IPv6 address"},
        {"http://[zz::1]/v1", "base_url's IPv6 address must be hexadecimal digits"},
        {"", "base_url must not be empty"},
    };
    for (const auto& [url, message] : cases) {
        SCOPED_TRACE(url);
        expect_one_problem(parse(with_provider("kind: openai, base_url: \"" + url + "\"")), 1, 45,
                           message);
    }
}

TEST_F(ConfigNetwork, CredentialsInABaseUrlAreRefusedWithoutEchoingThem) {
    const result<config, refusal> outcome =
        parse(with_provider("kind: openai, base_url: \"https://me:sk-secret-1@example.org/v1\""));
    expect_one_problem(outcome, 1, 45, "base_url must not hold a user name or password");
    EXPECT_EQ(outcome.error().problems.at(0).message.find("sk-secret-1"), std::string::npos);
}

TEST_F(ConfigNetwork, ApiKeyEnvMustNameAVariableAndNeverEchoesAKey) {
    for (const std::string_view bad : {"sk-or-v1-0123456789abcdef", "1KEY", "MY KEY", "$KEY"}) {
        SCOPED_TRACE(bad);
        const result<config, refusal> outcome = parse(with_provider(
            "kind: openai, base_url: \"http://x\", api_key_env: \"" + std::string{bad} + "\""));
        expect_one_problem(outcome, 1, 70,
                           "api_key_env must be the name of an environment variable (letters, "
                           "digits and '_', not starting with a digit) such as OPENROUTER_API_KEY; "
                           "the key itself never goes in the configuration");
        EXPECT_EQ(outcome.error().problems.at(0).message.find(bad), std::string::npos);
    }
    const config loaded =
        load_valid(with_provider("kind: openai, base_url: \"http://x\", api_key_env: _Key_2"));
    EXPECT_EQ(loaded.providers.at(0).api_key_env, "_Key_2");
}

TEST_F(ConfigNetwork, CaFileResolvesBesideTheConfigAndMustBeReadable) {
    fs::create_directories(dir_ / "certs");
    const fs::path missing = dir_ / "missing.pem";
    expect_one_problem(
        parse(with_provider("kind: openai, base_url: \"http://x\", ca_file: missing.pem")), 1, 66,
        "cannot read ca_file " + missing.string() + ": No such file or directory");
    expect_one_problem(parse(with_provider("kind: openai, base_url: \"http://x\", ca_file: certs")),
                       1, 66,
                       "cannot read ca_file " + (dir_ / "certs").string() + ": it is a directory");
    const fs::path absolute = write("elsewhere/ca.pem", "pem");
    const config loaded = load_valid(with_provider(
        "kind: openai, base_url: \"http://x\", ca_file: \"" + absolute.string() + "\""));
    EXPECT_EQ(loaded.providers.at(0).ca_file, absolute);
}

TEST_F(ConfigNetwork, HeadersRefuseReservedAndMalformedNames) {
    const result<config, refusal> outcome = parse(R"(providers:
  api:
    kind: openai
    base_url: http://x
    headers:
      Authorization: Bearer sk-x
      X-API-KEY: k
      x-goog-api-key: k
      Host: evil.example
      Content-Length: "5"
      X Title: Polylogue
      X-Title: Polylogue
      x-title: again
      X-Multi: "a\r\nInjected: yes"
      X-List: [a, b]
      X-Nothing:
)");
    const std::string key_reason =
        "cannot be set here: the API key is sent from the variable api_key_env names, never from "
        "the configuration";
    EXPECT_EQ(located(outcome),
              (std::vector<std::string>{
                  "6:7: header 'Authorization' " + key_reason,
                  "7:7: header 'X-API-KEY' " + key_reason,
                  "8:7: header 'x-goog-api-key' " + key_reason,
                  "9:7: header 'Host' cannot be set here: the HTTP client sets it from base_url",
                  // NOLINTNEXTLINE(bugprone-suspicious-missing-comma): one message split over lines
                  "10:7: header 'Content-Length' cannot be set here: the HTTP client sets it from "
                  "the request body",
                  "11:7: header name 'X Title' must be letters, digits and !#$%&'*+-.^_`|~",
                  "13:7: duplicate header 'x-title'; first at 12:7",
                  "14:16: header 'X-Multi' must not contain control characters such as line "
                  "breaks",
                  "15:15: header 'X-List' must be a string, not a list",
                  "16:7: header 'X-Nothing' has no value; expected a string",
              }));
    expect_one_problem(parse(with_provider("kind: openai, base_url: \"http://x\", headers: [a]")),
                       1, 66, "headers must be a map from header names to values, not a list");
}

TEST_F(ConfigNetwork, KindSpecificKeysAreRefusedOnOtherKinds) {
    const result<config, refusal> outcome = parse(R"(providers:
  a: { kind: anthropic, base_url: "http://x", max_tokens_field: max_tokens }
  g: { kind: gemini, base_url: "http://x", max_tokens_field: max_tokens }
  o: { kind: openai, base_url: "http://x", anthropic_version: "2023-06-01" }
)");
    EXPECT_EQ(located(outcome),
              (std::vector<std::string>{
                  "2:47: max_tokens_field is for openai providers, not anthropic ones",
                  "3:44: max_tokens_field is for openai providers, not gemini ones",
                  "4:44: anthropic_version is for anthropic providers, not openai ones",
              }));
}

TEST_F(ConfigNetwork, MaxTokensFieldAndAnthropicVersionHaveAFixedForm) {
    expect_one_problem(
        parse(with_provider("kind: openai, base_url: \"http://x\", max_tokens_field: max_token")),
        1, 75, "unknown max_tokens_field 'max_token'; did you mean 'max_tokens'?");
    for (const std::string_view bad : {"2023-6-1", "2023-13-01", "2023-06-32", "20230601", "x"}) {
        SCOPED_TRACE(bad);
        expect_one_problem(parse(with_provider("kind: anthropic, base_url: \"http://x\", "
                                               "anthropic_version: \"" +
                                               std::string{bad} + "\"")),
                           1, 79,
                           "anthropic_version must be a date written YYYY-MM-DD, such as "
                           "2023-06-01");
    }
}

TEST_F(ConfigNetwork, ScriptedProvidersRefuseEveryNetworkKey) {
    const result<config, refusal> outcome = parse(R"(providers:
  stage:
    kind: scripted
    headers: { X-Title: x }
    max_in_flight: [not, checked]
    retry: { attempts: 3 }
    timeouts: { total: 1m }
)");
    const std::string rest = " is for openai, anthropic and gemini providers, not scripted ones";
    EXPECT_EQ(located(outcome), (std::vector<std::string>{
                                    "4:5: headers" + rest,
                                    "5:5: max_in_flight" + rest,
                                    "6:5: retry" + rest,
                                    "7:5: timeouts" + rest,
                                }));
}

TEST_F(ConfigNetwork, TrafficLimitsOutsideTheirRangesAreRefused) {
    const result<config, refusal> outcome = parse(R"(providers:
  a: { kind: openai, base_url: "http://x", max_in_flight: 0 }
  b: { kind: openai, base_url: "http://x", max_in_flight: 257 }
  c: { kind: openai, base_url: "http://x", requests_per_minute: -1 }
  d: { kind: openai, base_url: "http://x", requests_per_minute: 100001 }
  e: { kind: openai, base_url: "http://x", retry: { attempts: 0 } }
  f: { kind: openai, base_url: "http://x", retry: { attempts: 21 } }
  g: { kind: openai, base_url: "http://x", retry: { max_wait: 2h } }
  h: { kind: openai, base_url: "http://x", max_inflight: 2 }
)");
    EXPECT_EQ(located(outcome),
              (std::vector<std::string>{
                  "2:59: max_in_flight must be an integer from 1 to 256",
                  "3:59: max_in_flight must be an integer from 1 to 256",
                  "4:65: requests_per_minute must be an integer from 0 to 100000",
                  "5:65: requests_per_minute must be an integer from 0 to 100000",
                  "6:63: attempts must be an integer from 1 to 20",
                  "7:63: attempts must be an integer from 1 to 20",
                  // NOLINTNEXTLINE(bugprone-suspicious-missing-comma): one message split over lines
                  "8:63: max_wait must be a duration from 0s to 1h written as a number and a unit "
                  "(ms, s or m), such as 500ms, 1.5s or 2m",
                  "9:44: unknown key 'max_inflight' in provider 'h'; did you mean "
                  "'max_in_flight'?",
              }));
}

TEST_F(ConfigNetwork, RetryBackoffsMustBeInOrder) {
    const result<config, refusal> outcome = parse(R"(providers:
  a: { kind: openai, base_url: "http://x", retry: { initial_backoff: 45s } }
  b: { kind: openai, base_url: "http://x", retry: { max_backoff: 500ms } }
  c: { kind: openai, base_url: "http://x", retry: { initial_backoff: 2s, max_backoff: 1s } }
  d: { kind: openai, base_url: "http://x", retry: { initial_backoff: 2s, max_backoff: 2s } }
  e: { kind: openai, base_url: "http://x", retry: 3 }
)");
    EXPECT_EQ(located(outcome),
              (std::vector<std::string>{
                  "2:70: initial_backoff must not exceed max_backoff (30s)",
                  "3:66: max_backoff must not be shorter than initial_backoff (1s)",
                  "4:70: initial_backoff must not exceed max_backoff (1s)",
                  "6:51: retry must be a map such as { attempts: 4, max_wait: 2m }, not a scalar",
              }));
}

TEST_F(ConfigNetwork, TimeoutsArePositiveDurationsOfAtMostAnHour) {
    const result<config, refusal> outcome = parse(R"(providers:
  a:
    kind: openai
    base_url: http://x
    timeouts: { connect: 0s, first_byte: 61m, idle: 2, total: 60m, conect: 1s }
  b: { kind: openai, base_url: "http://x", timeouts: 10s }
)");
    const std::string rule =
        " must be a duration above 0s and at most 1h, written as a number and a unit (ms, s or "
        "m), such as 500ms, 10s or 2m";
    EXPECT_EQ(located(outcome),
              (std::vector<std::string>{
                  "5:26: connect" + rule,
                  "5:42: first_byte" + rule,
                  "5:53: idle" + rule,
                  "5:68: unknown key 'conect' in timeouts; did you mean 'connect'?",
                  // NOLINTNEXTLINE(bugprone-suspicious-missing-comma): one message split over lines
                  "6:54: timeouts must be a map such as { connect: 10s, total: 10m }, not a "
                  "scalar",
              }));
}

TEST_F(ConfigNetwork, NetworkModelsNeedAnIdAndScriptedModelsRefuseOne) {
    write("a.yaml", "- hi\n");
    const result<config, refusal> outcome = parse(R"(providers:
  api: { kind: anthropic, base_url: "http://x" }
  stage: { kind: scripted }
models:
  - { name: A, provider: api }
  - { name: B, provider: stage, script: a.yaml, id: b }
)");
    EXPECT_EQ(located(outcome),
              (std::vector<std::string>{
                  "5:5: model 'A' uses anthropic provider 'api' and needs an id (the provider's "
                  "name for the model)",
                  "6:49: id is only for openai, anthropic and gemini providers; 'stage' is of "
                  "kind scripted",
              }));
}

TEST_F(ConfigNetwork, ModelNetworkSettingsAreChecked) {
    const result<config, refusal> outcome =
        parse(R"(providers: { api: { kind: openai, base_url: "http://x" } }
models:
  - { name: A, provider: api, id: "has space" }
  - { name: B, provider: api, id: b, max_tokens: 0 }
  - { name: C, provider: api, id: c, max_tokens: 1000001 }
  - { name: D, provider: api, id: d, price: { input_per_mtok: -1, output_per_mtok: x } }
  - { name: E, provider: api, id: e, price: { input_per_mtok: 1 } }
  - { name: F, provider: api, id: f, price: 5 }
  - { name: G, provider: api, id: g, vision: yes }
  - { name: H, provider: api, id: h, price: { input_per_mtok: 1, output_per_mtok: 2, cached: 0 } }
)");
    const std::string rate = " must be a number of 0 or more (US dollars per million tokens)";
    EXPECT_EQ(located(outcome),
              (std::vector<std::string>{
                  // NOLINTNEXTLINE(bugprone-suspicious-missing-comma): one message split over lines
                  "3:35: id must be the provider's model id: at most 256 characters, without "
                  "spaces or control characters",
                  "4:50: max_tokens must be an integer from 1 to 1000000",
                  "5:50: max_tokens must be an integer from 1 to 1000000",
                  "6:63: input_per_mtok" + rate,
                  "6:84: output_per_mtok" + rate,
                  "7:45: price is missing required key 'output_per_mtok'",
                  "8:45: price must be a map such as { input_per_mtok: 5, output_per_mtok: 25 }, "
                  "not a scalar",
                  "9:46: vision must be true or false",
                  "10:86: unknown key 'cached' in price; did you mean 'cached_input_per_mtok'?",
              }));
}

constexpr std::string_view tools_config =
    R"(providers: { api: { kind: openai, base_url: "http://x" } }
models: [{ name: A, provider: api, id: a }]
tools:
  - name: Web
    kind: searxng
    base_url: http://127.0.0.1:8888/
  - name: dalle
    kind: openai_images
    base_url: https://api.openai.com/v1
    api_key_env: OPENAI_API_KEY
    model: gpt-image-1
    ca_file: ca.pem
    timeouts: { total: 5m }
    price_per_call_usd: 0.04
  - { name: brave, kind: brave, base_url: "https://api.search.brave.com", api_key_env: B,
      max_results: 20 }
  - { name: gem, kind: gemini_image, base_url: "https://g.example", api_key_env: G, model: m }
  - { name: or, kind: openrouter_image, base_url: "https://o.example", api_key_env: O, model: m }
  - { name: tav, kind: tavily, base_url: "https://t.example", api_key_env: T, max_results: 1 }
rooms:
  - { name: lab, members: [A], tools: { image: DALLE, search: web } }
  - { name: quiet, members: [A], tools: {} }
)";

TEST_F(ConfigNetwork, ToolsLoadWithTheirDefaultsAndRoomsUseTheirSpelling) {
    write("ca.pem", "pem");
    const config loaded = load_valid(tools_config);
    ASSERT_EQ(loaded.tools.size(), 6u);
    const tool& web = loaded.tools[0];
    EXPECT_EQ(web.name, "Web");
    EXPECT_EQ(web.kind, tool_kind::searxng);
    EXPECT_FALSE(web.is_image());
    EXPECT_EQ(web.base_url, "http://127.0.0.1:8888");
    EXPECT_EQ(web.api_key_env, "");
    EXPECT_EQ(web.max_results, 5);
    EXPECT_TRUE(web.ca_file.empty());
    EXPECT_EQ(web.timeouts.connect, 10s);
    EXPECT_EQ(web.timeouts.first_byte, 120s);
    EXPECT_EQ(web.timeouts.idle, 60s);
    EXPECT_EQ(web.timeouts.total, 2min);
    EXPECT_EQ(web.price_per_call_usd, 0.0);
    const tool& dalle = loaded.tools[1];
    EXPECT_TRUE(dalle.is_image());
    EXPECT_EQ(dalle.model, "gpt-image-1");
    EXPECT_EQ(dalle.api_key_env, "OPENAI_API_KEY");
    EXPECT_EQ(dalle.ca_file, dir_ / "ca.pem");
    EXPECT_EQ(dalle.timeouts.total, 5min);
    EXPECT_EQ(dalle.timeouts.connect, 10s);
    EXPECT_EQ(dalle.price_per_call_usd, 0.04);
    EXPECT_EQ(loaded.tools[2].max_results, 20);
    EXPECT_EQ(loaded.tools[3].kind, tool_kind::gemini_image);
    EXPECT_EQ(loaded.tools[4].kind, tool_kind::openrouter_image);
    EXPECT_EQ(loaded.tools[5].kind, tool_kind::tavily);
    ASSERT_EQ(loaded.rooms.size(), 2u);
    EXPECT_EQ(loaded.rooms[0].image_tool, "dalle");
    EXPECT_EQ(loaded.rooms[0].search_tool, "Web");
    EXPECT_EQ(loaded.rooms[1].image_tool, "");
    ASSERT_NE(loaded.find_tool("WEB"), nullptr);
    EXPECT_EQ(loaded.find_tool("WEB")->name, "Web");
    EXPECT_EQ(loaded.find_tool("webs"), nullptr);
}

TEST_F(ConfigNetwork, ToolSettingsDependOnTheToolsFamily) {
    const result<config, refusal> outcome = parse(R"(tools:
  - { name: a, kind: openai_images, base_url: "http://x", api_key_env: K }
  - { name: b, kind: searxng, base_url: "http://x", model: m }
  - { name: c, kind: gemini_image, base_url: "http://x", api_key_env: K, model: m, max_results: 3 }
  - { name: d, kind: brave, base_url: "http://x" }
  - { name: e, kind: tavily, base_url: "http://x", api_key_env: K, max_results: 21 }
  - { name: f, kind: serxng, base_url: "http://x" }
  - { name: g, kind: searxng }
  - { kind: searxng, base_url: "http://x" }
  - just a name
tool: []
)");
    EXPECT_EQ(located(outcome),
              (std::vector<std::string>{
                  "2:5: tool 'a' is missing required key 'model'",
                  "3:53: model is for image tools, not searxng ones",
                  "4:84: max_results is for search tools, not gemini_image ones",
                  "5:5: tool 'd' is missing required key 'api_key_env'",
                  "6:81: max_results must be an integer from 1 to 20",
                  "7:22: unknown tool kind 'serxng'; did you mean 'searxng'?",
                  "8:5: tool 'g' is missing required key 'base_url'",
                  "9:5: a tool is missing required key 'name'",
                  "10:5: each tool must be a map with a name, a kind and a base_url, not a scalar",
                  "11:1: unknown key 'tool' in the configuration; did you mean 'tools'?",
              }));
}

TEST_F(ConfigNetwork, AToolsPriceIsANumberOfZeroOrMoreDollars) {
    const result<config, refusal> outcome = parse(R"(tools:
  - { name: a, kind: searxng, base_url: "http://x", price_per_call_usd: 0 }
  - { name: b, kind: searxng, base_url: "http://x", price_per_call_usd: -0.01 }
  - { name: c, kind: searxng, base_url: "http://x", price_per_call_usd: cheap }
  - { name: d, kind: searxng, base_url: "http://x", price_per_call: 1 }
)");
    EXPECT_EQ(located(outcome),
              (std::vector<std::string>{
                  "3:73: price_per_call_usd must be a number of 0 or more (US dollars per image "
                  "or search)",
                  "4:73: price_per_call_usd must be a number of 0 or more (US dollars per image "
                  "or search)",
                  "5:53: unknown key 'price_per_call' in a tool; did you mean "
                  "'price_per_call_usd'?",
              }));
}

TEST_F(ConfigNetwork, RoomToolsMustNameDefinedToolsOfTheRightFamily) {
    const result<config, refusal> outcome = parse(with_catalogue(R"(tools:
  - { name: web, kind: searxng, base_url: "http://x" }
  - { name: dalle, kind: openai_images, base_url: "http://x", api_key_env: K, model: m }
rooms:
  - { name: a, members: [A], tools: { image: web } }
  - { name: b, members: [A], tools: { search: dalle } }
  - { name: c, members: [A], tools: { image: dale, search: wbe } }
  - { name: d, members: [A], tools: { images: dalle } }
  - { name: e, members: [A], tools: [dalle] }
)"));
    EXPECT_EQ(located(outcome),
              (std::vector<std::string>{
                  // NOLINTNEXTLINE(bugprone-suspicious-missing-comma): one message split over lines
                  "7:46: tool 'web' is a search tool (searxng); tools.image needs an image tool; "
                  "the image tools are 'dalle'",
                  "8:47: tool 'dalle' is an image tool (openai_images); tools.search needs a "
                  "search tool; the search tools are 'web'",
                  "9:46: tool 'dale' is not defined; did you mean 'dalle'?",
                  "9:60: tool 'wbe' is not defined; did you mean 'web'?",
                  "10:39: unknown key 'images' in tools; did you mean 'image'?",
                  "11:37: tools must be a map such as { image: dalle, search: web }, not a list",
              }));
    expect_one_problem(
        parse(with_catalogue("rooms: [{ name: a, members: [A], tools: { search: web } }]\n")), 3,
        51, "tool 'web' is not defined; no tools are defined");
}

TEST_F(ConfigNetwork, DuplicateToolNamesAreRefusedIgnoringCase) {
    expect_one_problem(parse(R"(tools:
  - { name: web, kind: searxng, base_url: "http://x" }
  - { name: WEB, kind: searxng, base_url: "http://y" }
)"),
                       3, 13, "duplicate tool name 'WEB'; first at 2:13");
}

TEST_F(ConfigNetwork, RoomBudgetsAreChecked) {
    const result<config, refusal> outcome = parse(with_catalogue(R"(rooms:
  - { name: a, members: [A], max_cost_usd: 0 }
  - { name: b, members: [A], max_cost_usd: -1 }
  - { name: c, members: [A], max_cost_usd: 2 dollars }
  - { name: d, members: [A], suspend_after_failures: 0 }
  - { name: e, members: [A], suspend_after_failures: 101 }
)"));
    EXPECT_EQ(located(outcome), (std::vector<std::string>{
                                    "4:44: max_cost_usd must be a number above 0 (US dollars)",
                                    "5:44: max_cost_usd must be a number above 0 (US dollars)",
                                    "6:44: max_cost_usd must be a number above 0 (US dollars)",
                                    "7:54: suspend_after_failures must be an integer from 1 to 100",
                                    "8:54: suspend_after_failures must be an integer from 1 to 100",
                                }));
    const config loaded = load_valid(with_catalogue(
        "rooms: [{ name: a, members: [A], max_cost_usd: 2.5, suspend_after_failures: 100 }]\n"));
    ASSERT_EQ(loaded.rooms.size(), 1u);
    EXPECT_EQ(loaded.rooms[0].max_cost_usd, 2.5);
    EXPECT_EQ(loaded.rooms[0].suspend_after_failures, 100);
}

TEST_F(ConfigNetwork, HostileNetworkInputIsReportedNeverThrown) {
    const std::vector<std::string> inputs{
        with_provider("kind: openai, base_url: \"http://x:99999999999999999999999\""),
        with_provider("kind: openai, base_url: \"http://[\""),
        with_provider("kind: openai, base_url: \"http://@\""),
        with_provider("kind: openai, base_url: \"https://x/\\u0000\""),
        with_provider("kind: openai, base_url: \"http://x\", headers: { ? [a] : b, c: *nowhere }"),
        with_provider("kind: openai, base_url: \"http://x\", retry: { attempts: [[[]]] }"),
        with_provider("kind: openai, base_url: \"http://x\", timeouts: { total: 1e400ms }"),
        with_provider("kind: anthropic, base_url: \"http://x\", anthropic_version: \"\\xFF\""),
        "tools: [{ name: a, kind: [searxng], base_url: { x: 1 } }]\n",
        "tools: { a: b }\n",
        "rooms: [{ name: a, members: [A], tools: { image: [x], search: ~ } }]\n",
        // NOLINTNEXTLINE(bugprone-suspicious-missing-comma): one message split over lines
        "models: [{ name: A, provider: p, price: { input_per_mtok: 1e400, output_per_mtok: nan } "
        "}]\n",
    };
    for (const std::string& input : inputs) {
        SCOPED_TRACE(input);
        result<config, refusal> outcome;
        EXPECT_NO_THROW(outcome = parse(input));
        EXPECT_FALSE(outcome.error().problems.empty());
        EXPECT_FALSE(outcome.has_value());
    }
}

TEST_F(ConfigNetwork, KindsPrintAsTheyAreWritten) {
    EXPECT_EQ(to_string(provider_kind::scripted), "scripted");
    EXPECT_EQ(to_string(provider_kind::openai), "openai");
    EXPECT_EQ(to_string(provider_kind::anthropic), "anthropic");
    EXPECT_EQ(to_string(provider_kind::gemini), "gemini");
    EXPECT_EQ(to_string(tool_kind::openai_images), "openai_images");
    EXPECT_EQ(to_string(tool_kind::gemini_image), "gemini_image");
    EXPECT_EQ(to_string(tool_kind::openrouter_image), "openrouter_image");
    EXPECT_EQ(to_string(tool_kind::searxng), "searxng");
    EXPECT_EQ(to_string(tool_kind::brave), "brave");
    EXPECT_EQ(to_string(tool_kind::tavily), "tavily");
}

TEST(ConfigExamples, EveryExampleConfigPassesCheck) {
    const fs::path examples = fs::path{POLYLOGUE_SOURCE_DIR} / "config" / "examples";
    std::vector<fs::path> files;
    for (const fs::directory_entry& entry : fs::directory_iterator{examples}) {
        if (entry.path().extension() == ".yaml") {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    const std::vector<std::string> required{"mixed-room.yaml", "ollama-local.yaml",
                                            "reference-room.yaml"};
    for (const std::string& name : required) {
        EXPECT_NE(std::find(files.begin(), files.end(), examples / name), files.end()) << name;
    }
    for (const fs::path& file : files) {
        SCOPED_TRACE(file.string());
        const result<config, refusal> outcome = load_config(file);
        EXPECT_TRUE(outcome.error().problems.empty()) << listing(outcome);
        ASSERT_TRUE(outcome.has_value());
        EXPECT_FALSE(outcome->rooms.empty());
    }
}

}  // namespace
}  // namespace polylogue::config
