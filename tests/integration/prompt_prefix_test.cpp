// A long room with the default context settings, run by `polylogue run` against an
// OpenAI-compatible fake: once a member's budget is full, each of its requests must share most
// of its bytes as a prefix with its previous one, or a provider's prompt cache has nothing to
// serve (issue 14; docs/performance.md, "Prompt prefix share").

#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <map>
#include <sstream>

#include "polylogue/config/config.hpp"
#include "support/fake_server.hpp"
#include "support/polylogue_cli.hpp"
#include "support/prompt_prefix.hpp"

namespace polylogue {
namespace {

using nlohmann::json;
using test::fake_response;
using test::fake_server;
using namespace std::chrono_literals;

constexpr int members = 5;
// A chat turn of about 250 tokens. The share falls as replies grow against the window (each
// request adds the five replies since the member's last): docs/performance.md, "Prompt prefix
// share", has it at 1,200 and 1,700 bytes too.
constexpr std::size_t mean_reply_bytes = 1000;
// About 120 turns fill the default window with replies of this size; the 240 after them take
// every member through three or more trims back to half its budget.
constexpr int turns = 360;

// The reply as a few deltas, then the finish reason, the usage and [DONE].
std::vector<std::string> reply_stream(const std::string& text, std::size_t body_bytes) {
    std::vector<std::string> events;
    constexpr std::size_t pieces = 4;
    const std::size_t step = text.size() / pieces + 1;
    for (std::size_t at = 0; at < text.size(); at += step) {
        const json delta{
            {"choices", {{{"index", 0}, {"delta", {{"content", text.substr(at, step)}}}}}}};
        events.push_back("data: " + delta.dump() + "\n\n");
    }
    const json stop{
        {"choices", {{{"index", 0}, {"delta", json::object()}, {"finish_reason", "stop"}}}}};
    const json usage{
        {"choices", json::array()},
        {"usage", {{"prompt_tokens", body_bytes / 4}, {"completion_tokens", text.size() / 4}}}};
    events.push_back("data: " + stop.dump() + "\n\ndata: " + usage.dump() + "\n\ndata: [DONE]\n\n");
    return events;
}

std::string long_room_config(const std::string& base_url) {
    std::ostringstream out;
    out << "data_dir: var\n"
        << "providers: { api: { kind: openai, base_url: " << base_url << "/v1 } }\n"
        << "models:\n";
    std::string names;
    for (int i = 1; i <= members; ++i) {
        out << "  - { name: Member" << i << ", provider: api, id: member-" << i << " }\n";
        names += (i > 1 ? ", Member" : "Member") + std::to_string(i);
    }
    out << "rooms:\n"
        << "  - { name: long, members: [" << names << "], max_turns: " << turns
        << ", turn_delay: 0s }\n";
    return out.str();
}

std::map<std::string, int> trims_by_member(const std::vector<json>& records) {
    std::map<std::string, int> trims;
    for (const auto& r : test::of_type(records, "context_trimmed")) {
        ++trims[r["speaker"].get<std::string>()];
    }
    return trims;
}

TEST(PromptPrefix, ABudgetFullRoomOfFiveSharesMostOfEachRequest) {
    fake_server api;
    std::atomic<std::uint64_t> answered{0};
    api.on_request([&answered](const test::recorded_request& request) {
        const std::string reply = test::varied_reply(answered++, mean_reply_bytes);
        return fake_response::sse(reply_stream(reply, request.body.size()));
    });
    test::temp_dir dir;
    const auto config = dir.write("long.yaml", long_room_config(api.base_url()));
    const auto run = test::polylogue({"run", config.string()}, {}, 45s);
    ASSERT_EQ(run.exit_code, 0) << run.err;

    std::vector<std::string> bodies;
    for (const auto& request : api.requests()) {
        bodies.push_back(request.body);
    }
    ASSERT_EQ(bodies.size(), static_cast<std::size_t>(turns));
    const config::model defaults;
    const auto budget = static_cast<std::size_t>(defaults.context_tokens - defaults.max_tokens);
    const auto share = test::measure_prefix_share(bodies, budget);
    auto trims = trims_by_member(test::transcript_records(config, "long"));
    std::ostringstream figures;
    figures << "mean_share=" << share.mean_share << " byte_share=" << share.byte_share
            << " min_share=" << share.min_share << " budget_full=" << share.budget_full << " of "
            << share.requests << " low_share=" << share.low_share
            << " mean_body_bytes=" << share.mean_body_bytes << " trims:";
    for (const auto& [member, count] : trims) {
        figures << " " << member << "=" << count;
    }
    RecordProperty("figures", figures.str());
    std::cout << "[ figures  ] " << figures.str() << "\n";

    EXPECT_EQ(share.members, static_cast<std::size_t>(members)) << figures.str();
    EXPECT_GE(share.budget_full, static_cast<std::size_t>(turns / 2)) << figures.str();
    for (int slot = 1; slot <= members; ++slot) {
        EXPECT_GE(trims["AI-" + std::to_string(slot)], 3) << figures.str();
    }
    EXPECT_GT(share.mean_share, 0.85) << figures.str();
    EXPECT_GT(share.byte_share, 0.85) << figures.str();
}

}  // namespace
}  // namespace polylogue
