// OpenAI's own API description judges the requests the OpenAI adapter builds: Steady serves
// tests/data/openapi/openai-chat-completions.yml as a validating mock and reports every place a
// body breaks CreateChatCompletionRequest. Needs `npm ci --prefix tests/openapi` to have been run.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <sstream>

#include "polylogue/http/sse_parser.hpp"
#include "polylogue/providers/api_adapter.hpp"
#include "support/openapi_mock.hpp"
#include "support/process.hpp"

namespace polylogue {
namespace {

using providers::api_request;
using providers::endpoint_settings;
using providers::turn_role;

// The part of OpenAI's API description these tests need, kept in the repository so that they
// always run (tests/data/openapi/README.md says where it comes from).
std::filesystem::path spec_path() {
    return test::source_dir() / "tests" / "data" / "openapi" / "openai-chat-completions.yml";
}

std::filesystem::path openapi_dir() {
    return test::source_dir() / "tests" / "openapi";
}

const providers::api_adapter& adapter() {
    static const auto instance = providers::make_openai_adapter();
    return *instance;
}

api_request conversation_request() {
    api_request request;
    request.model_id = "gpt-5.1";
    request.messages.system = "You are AI-2 (GPT) in a group chat with other AIs and humans.";
    request.messages.turns = {
        {turn_role::user, "[Human]: Bonjour à tous — what is 2 + 2? 🌡"},
        {turn_role::user, "[AI-1 (Claude)]: Four."},
        {turn_role::assistant, "I agree: four."},
        {turn_role::user, "[Polylogue] AI-3 joined the room."},
    };
    request.temperature = 0.7;
    request.max_tokens = 512;
    return request;
}

// Everything Steady said about a request, for the failure message.
std::string report(const test::http_response& response) {
    std::ostringstream out;
    out << "HTTP " << response.status << "\n";
    for (const auto& [name, value] : response.headers) {
        if (name.starts_with("x-steady-")) {
            out << name << ": " << value << "\n";
        }
    }
    out << response.body.substr(0, 2000);
    return out.str();
}

class OpenAiOpenApi : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        const auto steady = test::find_steady(openapi_dir());
        if (!std::filesystem::exists(spec_path()) || !steady) {
            return;  // SetUp says why, in every test
        }
        try {
            server_ = std::make_unique<test::steady_server>(*steady, spec_path());
        } catch (const std::exception& error) {
            start_error_ = error.what();
        }
    }

    static void TearDownTestSuite() { server_.reset(); }

    void SetUp() override {
        ASSERT_TRUE(std::filesystem::exists(spec_path())) << spec_path() << " is missing";
        ASSERT_TRUE(test::find_steady(openapi_dir()))
            << "Steady (npm @stdy/cli) is not installed in " << openapi_dir()
            << ": run `npm ci --prefix tests/openapi` from the repository root first";
        ASSERT_TRUE(server_) << "steady did not start: " << start_error_;
    }

    static test::http_response post(const providers::http_call& call) {
        auto headers = call.headers;
        // Steady's knobs: a short, fast mock stream.
        headers.emplace_back("x-steady-stream-count", "2");
        headers.emplace_back("x-steady-stream-interval-ms", "0");
        return test::http_post(server_->port(), call.target, headers, call.body);
    }

    static void expect_valid(const providers::http_call& call) {
        const auto response = post(call);
        EXPECT_GE(response.status, 200) << report(response) << "\nbody sent: " << call.body;
        EXPECT_LT(response.status, 300) << report(response) << "\nbody sent: " << call.body;
        EXPECT_EQ(response.header("x-steady-matched-path"), "/chat/completions");
        // Steady answers 200 to some schema breaks (an unmatched oneOf), so count them too.
        EXPECT_EQ(response.header("x-steady-error-count"), "0")
            << report(response) << "\nbody sent: " << call.body;
    }

    static inline std::unique_ptr<test::steady_server> server_;
    static inline std::string start_error_;
};

TEST_F(OpenAiOpenApi, EveryRequestShapeWeBuildIsAValidCreateChatCompletionRequest) {
    for (const bool stream : {true, false}) {
        for (const bool temperature : {true, false}) {
            for (const char* limit_field : {"max_tokens", "max_completion_tokens"}) {
                for (const bool system : {true, false}) {
                    api_request request = conversation_request();
                    request.stream = stream;
                    if (!temperature) {
                        request.temperature.reset();
                    }
                    if (!system) {
                        request.messages.system = {};
                    }
                    endpoint_settings endpoint;
                    endpoint.api_key = "sk-test";
                    endpoint.max_tokens_field = limit_field;
                    SCOPED_TRACE(::testing::Message()
                                 << "stream=" << stream << " temperature=" << temperature << " "
                                 << limit_field << " system=" << system);
                    expect_valid(adapter().build_request(request, endpoint));
                }
            }
        }
    }
}

TEST_F(OpenAiOpenApi, ARequestShowingAVisionModelImagesIsValid) {
    for (const bool stream : {true, false}) {
        api_request request = conversation_request();
        request.stream = stream;
        providers::conversation_turn notice{
            turn_role::user,
            "[Polylogue] AI-1 (Claude) created an image for \"a fox\" (images/lab/5-ab.png)."};
        for (const char* mime : {"image/png", "image/jpeg"}) {
            notice.images.push_back({"images/lab/5-ab.png", mime,
                                     providers::shared_bytes::copy_of("\x89PNG\r\n\x1a\n")});
        }
        request.messages.turns.push_back(notice);
        request.messages.turns.push_back({turn_role::assistant, "A fine fox."});
        const auto call = adapter().build_request(request, endpoint_settings{});
        ASSERT_NE(call.body.find("\"image_url\""), std::string::npos);
        SCOPED_TRACE(::testing::Message() << "stream=" << stream);
        expect_valid(call);
    }
}

TEST_F(OpenAiOpenApi, ARequestWithThePromptCacheKeyIsValid) {
    for (const bool stream : {true, false}) {
        api_request request = conversation_request();
        request.stream = stream;
        request.cache = {true, "polylogue-0123456789abcdef-AI-2"};
        const auto call = adapter().build_request(request, endpoint_settings{});
        ASSERT_NE(call.body.find("\"prompt_cache_key\""), std::string::npos);
        SCOPED_TRACE(::testing::Message() << "stream=" << stream);
        expect_valid(call);
    }
}

TEST_F(OpenAiOpenApi, AMinimalRequestWithoutAKeyIsValid) {
    api_request request = conversation_request();
    request.messages.turns.resize(1);
    expect_valid(adapter().build_request(request, endpoint_settings{}));
}

TEST_F(OpenAiOpenApi, ABodyWithMessagesAsAStringIsRejected) {
    auto call = adapter().build_request(conversation_request(), endpoint_settings{});
    auto body = nlohmann::json::parse(call.body);
    body["messages"] = "hello";
    call.body = body.dump();
    const auto response = post(call);
    EXPECT_GE(response.status, 400) << report(response);
    EXPECT_LT(response.status, 500) << report(response);
}

TEST_F(OpenAiOpenApi, AMessageWithAnUnknownRoleIsReported) {
    auto call = adapter().build_request(conversation_request(), endpoint_settings{});
    auto body = nlohmann::json::parse(call.body);
    body["messages"][1]["role"] = "robot";
    call.body = body.dump();
    EXPECT_NE(post(call).header("x-steady-error-count"), "0");
}

TEST_F(OpenAiOpenApi, OurDecodersDigestTheRepliesTheSchemaDescribes) {
    api_request request = conversation_request();
    request.stream = false;
    const auto whole = post(adapter().build_request(request, endpoint_settings{}));
    ASSERT_EQ(whole.status, 200) << report(whole);
    const auto body_reply = adapter().decode_body(whole.body);
    EXPECT_TRUE(!body_reply.failure || body_reply.failure->type != "malformed_body") << whole.body;

    request.stream = true;
    const auto streamed = post(adapter().build_request(request, endpoint_settings{}));
    ASSERT_EQ(streamed.status, 200) << report(streamed);
    EXPECT_TRUE(streamed.header("content-type").starts_with("text/event-stream"));
    auto decoder = adapter().make_stream_decoder();
    http::sse_parser parser{[&](const http::sse_event& event) { decoder->on_event(event); }};
    EXPECT_TRUE(parser.feed(streamed.body));
    parser.finish();
    decoder->finish();
    const auto& reply = decoder->reply();
    EXPECT_TRUE(!reply.failure || reply.failure->type != "malformed_stream") << streamed.body;
    EXPECT_FALSE(reply.finish_reason.empty()) << streamed.body;
}

}  // namespace
}  // namespace polylogue
