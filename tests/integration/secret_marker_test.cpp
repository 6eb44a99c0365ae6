// No key or token ever leaves the daemon: every secret carries a marker, the daemon is given
// every chance to leak it (the token in headers and in ?access_token=, wrong tokens, providers
// and tools whose errors echo the key back, trace logging), and then the marker is looked for
// in every file under data_dir, in the process's output and in every answer of the API.

#include <gtest/gtest.h>

#include <signal.h>

#include <cstdlib>
#include <memory>
#include <thread>

#include "support/api_client.hpp"
#include "support/eventually.hpp"
#include "support/fake_server.hpp"
#include "support/polylogue_cli.hpp"
#include "support/provider_streams.hpp"

namespace polylogue {
namespace {

using nlohmann::json;
using test::fake_response;
using namespace std::chrono_literals;

constexpr const char* marker = "KEYMARKER";
// Not shaped like any vendor's key, so only redaction of the secret itself can hide them.
constexpr const char* provider_key = "pk-KEYMARKER-provider-0123456789";
constexpr const char* tool_key = "tk-KEYMARKER-tool-0123456789";
constexpr const char* control_token = "ct-KEYMARKER-control-0123456789";

// A provider that echoes the credentials it was sent in each of its failures, in turn.
fake_response echoing(const test::recorded_request& r, int call) {
    const std::string sent = r.header("authorization");
    switch (call % 5) {
        case 0:
            return fake_response::json(
                401, json{{"error", {{"message", "Incorrect API key provided: " + sent}}}}.dump());
        case 1:
            return fake_response::json(500, "<html>internal error for " + sent + "</html>");
        case 2:
            return fake_response::json(
                400, json{{"error", {{"message", "bad request"}, {"type", sent}}}}.dump());
        case 3:
            return fake_response::sse(
                {"data: " + json{{"error", {{"message", "stream failed for " + sent}}}}.dump() +
                 "\n\n"});
        default:
            return fake_response::sse(test::openai_stream("a clean reply"));
    }
}

class SecretMarker : public ::testing::Test {
  protected:
    test::fake_server provider;
    test::fake_server painter;
    test::temp_dir dir;
    std::vector<std::string> answers;  // every API answer, head and body

    void SetUp() override {
        ::setenv("PL_MARKER_PROVIDER_KEY", provider_key, 1);
        ::setenv("PL_MARKER_TOOL_KEY", tool_key, 1);
        ::setenv("PL_MARKER_TOKEN", control_token, 1);
        auto calls = std::make_shared<int>(0);
        provider.on_request(
            [calls](const test::recorded_request& r) { return echoing(r, (*calls)++); });
        // The image API echoes its bearer key, the search API (Brave) its subscription token.
        painter.on_request([](const test::recorded_request& r) {
            const std::string sent = r.header("authorization") + r.header("x-subscription-token");
            return fake_response::json(
                401, json{{"error",
                           {{"message", "Incorrect API key provided: " + sent}, {"code", sent}}}}
                         .dump());
        });
        dir.write("artist.yaml",
                  "- 'draw !image \"a key\"'\n- 'look up !search \"locks\"'\n- 'and !image \"x\"'\n"
                  "- quiet\n- quiet\n- quiet\n");
        dir.write(
            "marker.yaml",
            "data_dir: var\n"
            "control: { listen: 127.0.0.1:0, token_env: PL_MARKER_TOKEN }\n"
            "logging: { level: trace }\n"
            "providers:\n"
            "  stage: { kind: scripted }\n"
            "  leaky: { kind: openai, base_url: " +
                provider.base_url() +
                "/v1, api_key_env: PL_MARKER_PROVIDER_KEY,\n"
                "           retry: { attempts: 2, initial_backoff: 10ms } }\n"
                "models:\n"
                "  - { name: Artist, provider: stage, script: artist.yaml }\n"
                "  - { name: Leaky, provider: leaky, id: leaky-1 }\n"
                "tools:\n"
                "  - { name: painter, kind: openai_images, base_url: " +
                painter.base_url() +
                "/v1, api_key_env: PL_MARKER_TOOL_KEY, model: gpt-image-1 }\n"
                "  - { name: finder, kind: brave, base_url: " +
                painter.base_url() +
                ", api_key_env: PL_MARKER_TOOL_KEY }\n"
                "rooms:\n"
                "  - { name: vault, members: [Artist, Leaky], max_turns: 10, turn_delay: 0s,\n"
                "      suspend_after_failures: 100, tools: { image: painter, search: finder } }\n");
    }

    void keep(const test::api_answer& a) {
        std::string text = std::to_string(a.status) + "\n";
        for (const auto& [name, value] : a.headers) {
            text += name + ": " + value + "\n";
        }
        answers.push_back(text + a.body);
    }

    // Every way a client presents the token, right and wrong.
    void knock(std::uint16_t port) {
        const test::api_client right{port, control_token};
        const test::api_client wrong{port, std::string{"wrong-"} + marker + "-token"};
        const test::api_client none{port, ""};
        const std::string query = std::string{"access_token="} + control_token;
        for (const std::string target :
             {"/v1/rooms", "/v1/rooms/vault", "/metrics", "/v1/rooms/vault/transcript", "/"}) {
            keep(right.get(target));
            keep(wrong.get(target));
            keep(none.get(target + "?" + query));
            keep(none.get(target + "?access_token=wrong-" + marker));
        }
        keep(right.call("POST", "/v1/rooms/vault/messages",
                        R"({"speaker": "janus", "text": "hello"})"));
        keep(wrong.call("POST", "/v1/rooms/vault/pause", "{}"));
        // Headers too large (431) while carrying the token: refused, and the token not logged.
        keep(right.call("GET", "/v1/rooms", {}, {{"x-filler", std::string(20 * 1024, 'f')}}));
        const auto events = none.read_events(
            "/v1/rooms/vault/events?" + query,
            [](const std::vector<http::sse_event>& seen) { return seen.size() > 3; }, 3s);
        for (const auto& e : events) {
            answers.push_back(e.event + " " + e.data);
        }
        EXPECT_GT(events.size(), 3u) << "the token in the query did not open the stream";
    }
};

TEST_F(SecretMarker, NoKeyOrTokenReachesALogARecordAnOutputOrAnAnswer) {
    test::child_process daemon{{test::polylogue_binary(), "serve", (dir / "marker.yaml").string()}};
    const auto port = test::wait_for_serve_port(dir / "var", 20s);
    ASSERT_NE(port, 0);
    knock(port);
    const test::api_client api{port, control_token};
    EXPECT_TRUE(test::eventually(
        [&] { return api.get("/v1/rooms/vault").json().value("state", "") == "ended"; }, 10s));
    keep(api.get("/v1/rooms/vault/transcript"));
    const auto rooms = test::polylogue({"rooms", (dir / "marker.yaml").string()});
    const auto tail = test::polylogue({"tail", (dir / "marker.yaml").string(), "vault"}, {}, 5s);
    daemon.send(SIGTERM);
    const auto ended = daemon.wait(10s);
    EXPECT_EQ(ended.exit_code, 0) << ended.err;

    // The secrets were there to leak: sent to the fakes, and their echoes came back as failures.
    ASSERT_FALSE(provider.requests().empty());
    EXPECT_NE(provider.requests().front().header("authorization").find(marker), std::string::npos);
    ASSERT_FALSE(painter.requests().empty());
    const auto records = test::transcript_records(dir / "marker.yaml", "vault");
    int failed_turns = 0;
    int failed_tools = 0;
    for (const auto& r : records) {
        failed_turns += r["type"] == "turn_failed" ? 1 : 0;
        failed_tools += r["type"] == "command" && r["status"] == "failed" ? 1 : 0;
    }
    EXPECT_GT(failed_turns, 0);
    EXPECT_EQ(failed_tools, 3) << "two images and a search";

    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir / "var")) {
        if (entry.is_regular_file()) {
            EXPECT_EQ(test::read_file(entry.path()).find(marker), std::string::npos)
                << entry.path();
        }
    }
    for (const auto& [name, text] :
         std::vector<std::pair<std::string, std::string>>{{"serve stdout", ended.out},
                                                          {"serve stderr", ended.err},
                                                          {"rooms", rooms.out + rooms.err},
                                                          {"tail", tail.out + tail.err}}) {
        EXPECT_EQ(text.find(marker), std::string::npos) << name << ":\n" << text;
    }
    for (const auto& format : {"jsonl", "text", "markdown", "html"}) {
        const auto exported = test::polylogue(
            {"transcript", (dir / "marker.yaml").string(), "vault", "--format", format});
        EXPECT_EQ(exported.out.find(marker), std::string::npos) << format;
    }
    for (const auto& answer : answers) {
        EXPECT_EQ(answer.find(marker), std::string::npos) << answer.substr(0, 2000);
    }
}

}  // namespace
}  // namespace polylogue
