// The tool runner in process, against loopback fake servers: an image made, an image fetched
// from the URL a backend answers with, a search and the failures of each, every call on one
// io_context with a time limit.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <nlohmann/json.hpp>

#include <optional>

#include "polylogue/core/base64.hpp"
#include "polylogue/http/client.hpp"
#include "polylogue/providers/tool_runner.hpp"
#include "support/fake_server.hpp"
#include "support/loop.hpp"
#include "support/test_ca.hpp"

namespace polylogue::providers {
namespace {

namespace asio = boost::asio;
using nlohmann::json;
using namespace std::chrono_literals;
using test::fake_response;
using test::fake_server;

const std::string tool_key = "tool-key-0123456789abcdef0123456789";

std::string png_bytes() {
    return std::string{"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16} + "in-process-pixels";
}

config::tool tool_at(std::string name, config::tool_kind kind, std::string base_url) {
    config::tool tool;
    tool.name = std::move(name);
    tool.kind = kind;
    tool.base_url = std::move(base_url);
    tool.api_key_env = "PL_TOOL_KEY";
    tool.model = "gpt-image-1";
    tool.max_results = 2;
    tool.ca_file = test::test_ca::instance().ca_file;
    tool.timeouts.total = 5s;
    return tool;
}

asio::awaitable<image_outcome> draw(tool_runner* tools, std::string tool, std::string prompt) {
    co_return co_await tools->generate_image(std::move(tool), std::move(prompt));
}

asio::awaitable<search_outcome> look_up(tool_runner* tools, std::string tool, std::string query) {
    co_return co_await tools->search(std::move(tool), std::move(query));
}

class ToolRunner : public ::testing::Test {
  protected:
    asio::io_context loop;
    http::client client{loop.get_executor(), {}, http::proxy_settings{}};
    fake_server images;                             // the image API
    fake_server files{fake_server::scheme::https};  // where its URLs point
    fake_server search;                             // SearXNG
    config::config cfg;
    std::optional<std::string> key = tool_key;

    tool_runner make() {
        cfg.tools = {tool_at("painter", config::tool_kind::openai_images, images.base_url()),
                     tool_at("finder", config::tool_kind::searxng, search.base_url())};
        return tool_runner{cfg, client, [this](std::string_view) { return key; }};
    }

    image_outcome generate(tool_runner& tools, std::string prompt, std::string tool = "painter") {
        return test::run_coroutine(loop, draw(&tools, std::move(tool), std::move(prompt)), 10s)
            .value_or(api_failure{});
    }

    search_outcome find(tool_runner& tools, std::string query, std::string tool = "finder") {
        return test::run_coroutine(loop, look_up(&tools, std::move(tool), std::move(query)), 10s)
            .value_or(api_failure{});
    }
};

TEST_F(ToolRunner, AnImageComesBackDecodedFromTheBackendsBase64) {
    images.on_request([](const test::recorded_request&) {
        return fake_response::json(
            200, json{{"data", {{{"b64_json", core::base64_encode(png_bytes())}}}}}.dump());
    });
    auto tools = make();
    const auto outcome = generate(tools, "a fox");
    ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
    const auto* image = &*outcome;
    EXPECT_EQ(image->bytes, png_bytes());
    EXPECT_EQ(image->mime, "image/png");
    ASSERT_EQ(images.requests().size(), 1u);
    EXPECT_EQ(images.requests().front().target, "/images/generations");
    EXPECT_EQ(images.requests().front().header("authorization"), "Bearer " + tool_key);
    EXPECT_EQ(json::parse(images.requests().front().body)["prompt"], "a fox");
}

TEST_F(ToolRunner, AnImageGivenAsAnHttpsUrlIsFetchedWithTheToolsCa) {
    images.on_request([this](const test::recorded_request&) {
        return fake_response::json(
            200, json{{"data", {{{"url", files.base_url() + "/fox.png"}}}}}.dump());
    });
    files.on_request([](const test::recorded_request&) {
        return fake_response::json(200, png_bytes(), {{"content-type", "image/png"}});
    });
    auto tools = make();
    const auto outcome = generate(tools, "a fox");
    ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
    const auto* image = &*outcome;
    EXPECT_EQ(image->bytes, png_bytes());
    ASSERT_EQ(files.requests().size(), 1u);
    EXPECT_EQ(files.requests().front().target, "/fox.png");
    EXPECT_TRUE(files.requests().front().header("authorization").empty())
        << "the tool's key went to the image's host";
}

TEST_F(ToolRunner, AnImageUrlThatIsNotHttpsIsRefusedWithoutARequest) {
    images.on_request([this](const test::recorded_request&) {
        return fake_response::json(
            200, json{{"data", {{{"url", search.base_url() + "/fox.png"}}}}}.dump());
    });
    auto tools = make();
    const auto outcome = generate(tools, "a fox");
    ASSERT_FALSE(outcome.has_value());
    const api_failure failure_value = outcome.error();
    const api_failure* failure = &failure_value;
    EXPECT_EQ(failure->type, "insecure_url");
    EXPECT_TRUE(search.requests().empty());
}

TEST_F(ToolRunner, ASearchKeepsMaxResultsHitsWithTitleUrlAndSnippet) {
    search.on_request([](const test::recorded_request&) {
        json results = json::array();
        for (int i = 1; i <= 3; ++i) {
            results.push_back({{"title", "Hit " + std::to_string(i)},
                               {"url", "https://example.org/" + std::to_string(i)},
                               {"content", "snippet " + std::to_string(i)}});
        }
        return fake_response::json(200, json{{"results", results}}.dump());
    });
    auto tools = make();
    const auto outcome = find(tools, "foxes & hounds");
    ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
    const auto* hits = &*outcome;
    ASSERT_EQ(hits->size(), 2u);
    EXPECT_EQ(hits->front().title, "Hit 1");
    EXPECT_EQ(hits->front().url, "https://example.org/1");
    EXPECT_EQ(hits->front().snippet, "snippet 1");
    ASSERT_EQ(search.requests().size(), 1u);
    EXPECT_EQ(search.requests().front().target, "/search?q=foxes%20%26%20hounds&format=json");
}

TEST_F(ToolRunner, ASearchErrorPageIsQuotedShortAndWithoutTheKey) {
    search.on_request([](const test::recorded_request&) {
        return fake_response::json(502,
                                   "  <html>" + std::string(300, 'x') + " " + tool_key + "</html>",
                                   {{"content-type", "text/html"}});
    });
    auto tools = make();
    const auto outcome = find(tools, "foxes");
    ASSERT_FALSE(outcome.has_value());
    const api_failure failure_value = outcome.error();
    const api_failure* failure = &failure_value;
    EXPECT_EQ(failure->http_status, 502);
    EXPECT_EQ(failure->type, "http_502");
    EXPECT_TRUE(failure->message.starts_with("<html>xxx")) << failure->message;
    EXPECT_LE(failure->message.size(), 200u);
}

TEST_F(ToolRunner, AnErrorEchoingTheKeyComesBackRedacted) {
    search.on_request([](const test::recorded_request&) {
        return fake_response::json(
            401, json{{"error", {{"message", "invalid key " + tool_key}}}}.dump());
    });
    auto tools = make();
    const auto outcome = find(tools, "foxes");
    ASSERT_FALSE(outcome.has_value());
    const api_failure failure_value = outcome.error();
    const api_failure* failure = &failure_value;
    EXPECT_EQ(failure->kind, failure_kind::authentication);
    EXPECT_NE(failure->message.find("invalid key"), std::string::npos) << failure->message;
    EXPECT_EQ(failure->message.find(tool_key), std::string::npos) << failure->message;
}

TEST_F(ToolRunner, AnUnknownToolOrAMissingKeyFailsWithoutARequest) {
    key.reset();
    auto tools = make();
    const auto unknown = generate(tools, "a fox", "nobody");
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().type, "no_tool");
    const auto unkeyed = find(tools, "foxes");
    ASSERT_FALSE(unkeyed.has_value());
    EXPECT_EQ(unkeyed.error().type, "missing_api_key");
    EXPECT_TRUE(images.requests().empty());
    EXPECT_TRUE(search.requests().empty());
}

TEST_F(ToolRunner, TheTotalDeadlineEndsASearchThatNeverAnswers) {
    search.on_request([](const test::recorded_request&) {
        auto answer = fake_response::json(200, R"({"results": []})");
        answer.header_delay = 5s;
        return answer;
    });
    auto tools = make();
    cfg.tools[1].timeouts.total = 200ms;
    const auto started = std::chrono::steady_clock::now();
    const auto outcome = find(tools, "foxes");
    ASSERT_FALSE(outcome.has_value());
    const api_failure failure_value = outcome.error();
    const api_failure* failure = &failure_value;
    EXPECT_EQ(failure->type, "transport");
    EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
}

}  // namespace
}  // namespace polylogue::providers
