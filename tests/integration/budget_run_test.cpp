// Spending limits in real runs: a turn that could take a room past max_cost_usd is never sent,
// images and searches are costed in their records and the room's spend, and the daemon's daily
// budget pauses every room, is remembered across a restart and lets rooms go on once a reload
// raises it. /metrics shows the spend by room and model.

#include <gtest/gtest.h>

#include <cmath>

#include <signal.h>

#include <functional>
#include <thread>

#include "polylogue/core/base64.hpp"
#include "polylogue/core/text.hpp"
#include "support/api_client.hpp"
#include "support/eventually.hpp"
#include "support/fake_server.hpp"
#include "support/polylogue_cli.hpp"
#include "support/provider_streams.hpp"

namespace polylogue {
namespace {

using nlohmann::json;
using test::fake_response;
using test::fake_server;
using namespace std::chrono_literals;

constexpr const char* control_token = "budget-control-token-0123456789";

using test::of_type;

TEST(BudgetRun, ATurnThatCouldTakeTheRoomPastMaxCostUsdIsNeverSent) {
    fake_server api;
    api.on_request([](const test::recorded_request&) {
        // 1000 tokens in and 2000 out at $10 per million: $0.03 a turn.
        return fake_response::sse(test::openai_stream("a considered answer", 1000, 2000));
    });
    test::temp_dir dir;
    // A turn may write 10,000 tokens ($0.10): the first fits in $0.12, the second (with $0.03
    // spent) could not, though the $0.03 spent is far from the cap.
    dir.write("thrift.yaml",
              "data_dir: var\n"
              "providers: { api: { kind: openai, base_url: " +
                  api.base_url() +
                  "/v1 } }\n"
                  "models:\n"
                  "  - { name: Dear, provider: api, id: dear-1, max_tokens: 10000,\n"
                  "      price: { input_per_mtok: 10, output_per_mtok: 10 } }\n"
                  "rooms:\n"
                  "  - { name: thrift, members: [Dear], max_turns: 3, turn_delay: 0s,\n"
                  "      max_cost_usd: 0.12 }\n");
    const auto run = test::polylogue({"run", (dir / "thrift.yaml").string()});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(api.requests().size(), 1u) << "the turn that would not fit was sent";
    const auto records = test::transcript_records(dir / "thrift.yaml", "thrift");
    ASSERT_FALSE(records.empty());
    EXPECT_EQ(test::ai_speakers(records), std::vector<std::string>{"AI-1"});
    const json& ended = records.back();
    EXPECT_EQ(ended["type"], "room_ended");
    const std::string reason = ended["text"];
    EXPECT_TRUE(
        reason.starts_with("the next turn would not fit in max_cost_usd: AI-1 (Dear) "
                           "could spend up to $0.1"))
        << reason;
    EXPECT_NE(reason.find("10000 max_tokens at its price), and $0.0900 of $0.1200 is left "
                          "($0.0300 spent)"),
              std::string::npos)
        << reason;
}

std::string png_bytes() {
    return std::string{"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16} + "budget-pixels";
}

void serve_tools(fake_server& tools) {
    tools.on_request([](const test::recorded_request& r) {
        if (r.target.starts_with("/v1/images/generations")) {
            return fake_response::json(
                200, json{{"data", {{{"b64_json", core::base64_encode(png_bytes())}}}}}.dump());
        }
        return fake_response::json(200, json{{"results",
                                              {{{"title", "Red fox"},
                                                {"url", "https://en.wikipedia.org/wiki/Red_fox"},
                                                {"content", "The largest of the true foxes."}}}}}
                                            .dump());
    });
}

TEST(BudgetRun, ImagesAndSearchesAreCostedInTheirRecordsAndTheRoomsSpend) {
    fake_server tools;
    serve_tools(tools);
    ::setenv("PL_BUDGET_TOOLS_KEY", "tools-key-0123", 1);
    test::temp_dir dir;
    dir.write("painter.yaml", "- 'a fox !image \"a red fox\" and !search \"red foxes\"'\n");
    dir.write("studio.yaml",
              "data_dir: var\n"
              "providers: { stage: { kind: scripted } }\n"
              "models: [{ name: Painter, provider: stage, script: painter.yaml }]\n"
              "tools:\n"
              "  - { name: paint, kind: openai_images, base_url: " +
                  tools.base_url() +
                  "/v1, api_key_env: PL_BUDGET_TOOLS_KEY,\n"
                  "      model: gpt-image-1, price_per_call_usd: 0.04 }\n"
                  "  - { name: web, kind: searxng, base_url: " +
                  tools.base_url() +
                  ", price_per_call_usd: 0.01 }\n"
                  "rooms:\n"
                  "  - { name: studio, members: [Painter], max_turns: 1, turn_delay: 0s,\n"
                  "      tools: { image: paint, search: web } }\n");
    const auto config = (dir / "studio.yaml").string();
    const auto run = test::polylogue({"run", config});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto records = test::transcript_records(dir / "studio.yaml", "studio");
    const auto images = of_type(records, "image");
    const auto searches = of_type(records, "search_results");
    ASSERT_EQ(images.size(), 1u);
    ASSERT_EQ(searches.size(), 1u);
    EXPECT_EQ(images[0]["cost_usd"], 0.04);
    EXPECT_EQ(searches[0]["cost_usd"], 0.01);
    const auto html = test::polylogue({"transcript", config, "studio", "--format", "html"});
    ASSERT_EQ(html.exit_code, 0) << html.err;
    EXPECT_NE(html.out.find("<dt>Cost</dt><dd>$0.0500</dd>"), std::string::npos)
        << "the room's spend counts its tools";
    EXPECT_NE(html.out.find("<span class=\"cost\">· $0.0400</span>"), std::string::npos);
    EXPECT_NE(html.out.find("<span class=\"cost\">· $0.0100</span>"), std::string::npos);
}

// Two rooms whose every turn searches at $1/64; a worst case of 8 searches ($0.125) fits in
// the $0.15625 budget while at most $0.03125 is spent: three turns in all, then both pause.
constexpr double search_price = 0.015625;

std::string budget_config(const fake_server& search, double budget) {
    return "data_dir: var\n"
           "control: { listen: 127.0.0.1:0, token_env: PL_BUDGET_CONTROL_TOKEN }\n"
           "shutdown_grace: 2s\n"
           "budget_usd_per_day: " +
           std::to_string(budget) +
           "\n"
           "providers: { stage: { kind: scripted } }\n"
           "models:\n"
           "  - { name: Ada, provider: stage, script: ada.yaml }\n"
           "  - { name: Babbage, provider: stage, script: babbage.yaml }\n"
           "tools:\n"
           "  - { name: web, kind: searxng, base_url: " +
           search.base_url() +
           ", price_per_call_usd: 0.015625 }\n"
           "rooms:\n"
           "  - { name: north, members: [Ada], max_turns: 100, turn_delay: 0s,\n"
           "      tools: { search: web } }\n"
           "  - { name: south, members: [Babbage], max_turns: 100, turn_delay: 0s,\n"
           "      tools: { search: web } }\n";
}

std::string searching_script(const std::string& name) {
    std::string script;
    for (int i = 1; i <= 100; ++i) {
        script += "- '" + name + " looks it up !search \"topic " + std::to_string(i) + "\"'\n";
    }
    return script;
}

class DailyBudget : public ::testing::Test {
  protected:
    fake_server search;
    test::temp_dir dir;
    std::unique_ptr<test::child_process> serve;
    std::uint16_t port = 0;

    void SetUp() override {
        serve_tools(search);
        ::setenv("PL_BUDGET_CONTROL_TOKEN", control_token, 1);
        dir.write("ada.yaml", searching_script("Ada"));
        dir.write("babbage.yaml", searching_script("Babbage"));
        dir.write("budget.yaml", budget_config(search, 0.15625));
    }

    void TearDown() override { stop(); }

    void start() {
        std::filesystem::remove(dir / "var" / "serve.json");
        serve = std::make_unique<test::child_process>(std::vector<std::string>{
            test::polylogue_binary(), "serve", (dir / "budget.yaml").string()});
        port = test::wait_for_serve_port(dir / "var", 20s);
        ASSERT_NE(port, 0);
    }

    void stop() {
        if (serve) {
            serve->send(SIGTERM);
            EXPECT_EQ(serve->wait(10s).exit_code, 0);
            serve.reset();
        }
    }

    test::api_client api() const { return test::api_client{port, control_token}; }

    bool both_paused() const {
        const auto rooms = api().get("/v1/rooms").json()["rooms"];
        return rooms.size() == 2 && rooms[0]["state"] == "paused" && rooms[1]["state"] == "paused";
    }

    std::vector<json> records_of(const std::string& room) const {
        const json records = api().get("/v1/rooms/" + room + "/transcript").json()["records"];
        return records.is_array() ? records.get<std::vector<json>>() : std::vector<json>{};
    }

    std::string metrics() const { return api().get("/metrics").body; }
};

// The value of the metric line that starts with `name` (labels included), or -1.
double metric(const std::string& text, const std::string& name) {
    const auto at = text.find("\n" + name + " ");
    if (at == std::string::npos) {
        return -1;
    }
    return std::stod(text.substr(at + name.size() + 2));
}

TEST_F(DailyBudget, WhenItIsSpentEveryRoomPausesAndARestartRemembersTheDay) {
    start();
    ASSERT_TRUE(test::eventually([&] { return both_paused(); })) << api().get("/v1/rooms").body;
    EXPECT_EQ(search.requests().size(), 3u) << "no turn may take the day past its budget";
    const std::string tomorrow = core::format_rfc3339(
        std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) +
        std::chrono::days{1});
    double listed = 0;
    const std::string text = metrics();
    for (const std::string room : {"north", "south"}) {
        const auto records = records_of(room);
        ASSERT_FALSE(records.empty()) << room;
        const json& paused = records.back();
        EXPECT_EQ(paused["type"], "paused") << paused.dump();
        EXPECT_EQ(paused["resume_at"], tomorrow);
        const std::string why = paused["text"];
        EXPECT_TRUE(
            why.starts_with("The room was paused: the daily budget cannot pay for the next "
                            "turn: AI-1 ("))
            << why;
        EXPECT_NE(why.find("8 tool calls at $0.0156"), std::string::npos) << why;
        const double cost = api().get("/v1/rooms/" + room).json()["cost_usd"];
        listed += cost;
        const std::string model = room == "north" ? "Ada" : "Babbage";
        EXPECT_GT(cost, 0) << room << " never had a turn: the other room took them all";
        EXPECT_DOUBLE_EQ(metric(text, "polylogue_spend_usd_total{room=\"" + room + "\",model=\"" +
                                          model + "\",source=\"search\"}"),
                         cost)
            << text;
    }
    EXPECT_DOUBLE_EQ(listed, 3 * search_price);
    EXPECT_DOUBLE_EQ(metric(text, "polylogue_budget_usd_per_day"), 0.15625) << text;
    EXPECT_DOUBLE_EQ(metric(text, "polylogue_budget_spent_today_usd"), 3 * search_price);
    EXPECT_DOUBLE_EQ(metric(text, "polylogue_cost_usd_total"), 3 * search_price);

    stop();
    start();
    // Both rooms back in their wait until tomorrow, with the day's spending read from the store:
    // the restart has decided everything it would decide.
    EXPECT_TRUE(test::eventually([&] {
        return both_paused() && std::abs(metric(metrics(), "polylogue_budget_spent_today_usd") -
                                         3 * search_price) < 1e-9;
    })) << api().get("/v1/rooms").body
        << metrics();
    EXPECT_EQ(search.requests().size(), 3u) << "a restart forgot what the day had spent";
}

TEST_F(DailyBudget, AReloadThatRaisesItResumesThePausedRooms) {
    start();
    ASSERT_TRUE(test::eventually([&] { return both_paused(); })) << api().get("/v1/rooms").body;
    // $0.25 leaves room for turns while at most $0.125 is spent: nine searches in all.
    dir.write("budget.yaml", budget_config(search, 0.25));
    serve->send(SIGHUP);
    ASSERT_TRUE(test::eventually([&] { return search.requests().size() == 9 && both_paused(); }))
        << search.requests().size() << " searches; " << api().get("/v1/rooms").body;
    for (const std::string room : {"north", "south"}) {
        bool resumed = false;
        for (const auto& r : records_of(room)) {
            resumed |= r["type"] == "resumed" &&
                       r["text"] ==
                           "The room was resumed: a reload raised budget_usd_per_day to "
                           "$0.2500";
        }
        EXPECT_TRUE(resumed) << room;
    }
    EXPECT_DOUBLE_EQ(metric(metrics(), "polylogue_budget_spent_today_usd"), 9 * search_price);
}

}  // namespace
}  // namespace polylogue
