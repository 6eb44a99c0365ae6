// turn_order parallel in-process: against the daemon's daily budget the round's worst case is
// held as one, and each member's part is given back as its records commit; a stop waits for
// the round in flight and commits all of it.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "polylogue/http/client.hpp"
#include "polylogue/providers/provider_factory.hpp"
#include "polylogue/room/daily_budget.hpp"
#include "polylogue/room/room_runner.hpp"
#include "support/fake_server.hpp"
#include "support/provider_streams.hpp"
#include "support/room_bench.hpp"

namespace polylogue {
namespace {

// Two scripted members whose worst case is about $0.10 each: 10,000 max_tokens at $10 per
// million (a scripted reply records no usage, so nothing is spent).
constexpr const char* priced_config =
    "data_dir: var\n"
    "providers: { stage: { kind: scripted } }\n"
    "models:\n"
    "  - { name: Ada, provider: stage, script: ada.yaml, max_tokens: 10000,\n"
    "      price: { input_per_mtok: 10, output_per_mtok: 10 } }\n"
    "  - { name: Bob, provider: stage, script: bob.yaml, max_tokens: 10000,\n"
    "      price: { input_per_mtok: 10, output_per_mtok: 10 } }\n"
    "rooms:\n"
    "  - { name: pair, members: [Ada, Bob], turn_order: parallel, max_turns: 2, turn_delay: "
    "0s }\n";

// What the budget holds when each batch commits; stops the room once it pauses.
class budget_watcher final : public room::room_observer {
  public:
    explicit budget_watcher(const room::daily_budget& budget) : budget_{&budget} {}

    void committed(const room::room_handle&, std::span<const core::record> records) override {
        for (const auto& r : records) {
            held_at.push_back(std::string{core::to_string(r.type)} + " " + r.speaker + " " +
                              std::to_string(budget_->held()));
            if (r.type == core::record_type::paused && runner != nullptr) {
                pause_text = r.text;
                runner->stop();
            }
        }
    }

    room::room_runner* runner = nullptr;
    std::vector<std::string> held_at;
    std::string pause_text;

  private:
    const room::daily_budget* budget_;
};

class ParallelBudget : public ::testing::Test {
  protected:
    test::room_bench bench;

    void SetUp() override {
        bench.write_script("ada", {"Ada speaks"});
        bench.write_script("bob", {"Bob speaks"});
        bench.load(priced_config);
    }

    // Runs the room under a daily budget of limit; returns what the watcher saw.
    std::unique_ptr<budget_watcher> run_under(double limit) {
        budget = std::make_shared<room::daily_budget>(limit);
        auto watcher = std::make_unique<budget_watcher>(*budget);
        room::room_services services = bench.services(watcher.get());
        services.budget = budget;
        const config::room& room = *bench.cfg->find_room("pair");
        runner = std::make_unique<room::room_runner>(bench.loop.get_executor(), room, services,
                                                     std::vector<core::record>{});
        watcher->runner = runner.get();
        bench.spawn(*runner);
        bench.run();
        return watcher;
    }

    std::shared_ptr<room::daily_budget> budget;
    std::unique_ptr<room::room_runner> runner;
};

TEST_F(ParallelBudget, ARoundThatDoesNotFitTogetherPausesTheRoomBeforeAnyCall) {
    const auto watcher = run_under(0.15);  // one member's worst case fits, the round's does not
    EXPECT_NE(watcher->pause_text.find("the daily budget cannot pay for the next turn: the round "
                                       "of AI-1 (Ada), AI-2 (Bob) could spend up to $0.2"),
              std::string::npos)
        << watcher->pause_text;
    EXPECT_EQ(runner->state().ai_turns, 0);
    EXPECT_DOUBLE_EQ(budget->held(), 0.0);
}

TEST_F(ParallelBudget, TheRoundHoldsEveryWorstCaseAndGivesEachBackAsItCommits) {
    const auto watcher = run_under(1.0);
    ASSERT_EQ(runner->state().ai_turns, 2);
    // Observers hear of a commit before the room gives that member's part back: at AI-1's
    // message the round's whole worst case (about $0.20) is held, at AI-2's only its own.
    double at_first = -1;
    double at_second = -1;
    for (const std::string& line : watcher->held_at) {
        if (line.starts_with("message AI-1 ")) {
            at_first = std::stod(line.substr(13));
        }
        if (line.starts_with("message AI-2 ")) {
            at_second = std::stod(line.substr(13));
        }
    }
    EXPECT_GT(at_first, 0.20);
    EXPECT_LT(at_first, 0.22);
    EXPECT_GT(at_second, 0.10);
    EXPECT_LT(at_second, 0.11);
    EXPECT_DOUBLE_EQ(budget->held(), 0.0);
}

// Stops the room at the first streamed text: every call of the round is in flight by then.
class stop_on_first_text final : public room::room_observer {
  public:
    void live(const room::room_handle&, const room::live_text&) override {
        if (runner != nullptr && !stopped) {
            stopped = true;
            runner->stop();
        }
    }

    room::room_runner* runner = nullptr;
    bool stopped = false;
};

TEST(ParallelStop, AStopDuringARoundCommitsEveryReplyOfTheRoundThenStops) {
    test::fake_server server;
    server.on_request([](const test::recorded_request& request) {
        const std::string model = nlohmann::json::parse(request.body)["model"];
        auto response = test::fake_response::sse(test::openai_stream("reply of " + model));
        response.header_delay =
            model == "alpha" ? std::chrono::milliseconds{300} : std::chrono::milliseconds{900};
        return response;
    });
    test::room_bench bench;
    bench.load(
        "data_dir: var\n"
        "providers: { router: { kind: openai, base_url: " +
        server.base_url() +
        "/v1 } }\n"
        "models:\n"
        "  - { name: Alpha, provider: router, id: alpha }\n"
        "  - { name: Beta, provider: router, id: beta }\n"
        "rooms:\n"
        "  - { name: pair, members: [Alpha, Beta], turn_order: parallel, max_turns: 10, "
        "turn_delay: 0s }\n");
    http::client client{bench.loop.get_executor()};
    auto providers = std::make_shared<room::provider_map>();
    providers->emplace("router",
                       providers::make_provider(bench.cfg->providers.front(), {&client}).value());
    stop_on_first_text watcher;
    room::room_services services = bench.services(&watcher);
    services.providers = providers;
    room::room_runner runner{
        bench.loop.get_executor(), *bench.cfg->find_room("pair"), services, {}};
    watcher.runner = &runner;
    bench.spawn(runner);
    bench.run();
    EXPECT_TRUE(watcher.stopped);
    EXPECT_EQ(runner.outcome(), room::room_outcome::stopped);
    EXPECT_EQ(server.requests().size(), 2u);
    std::vector<std::string> said;
    for (const auto& r : runner.history()) {
        if (r.type == core::record_type::message) {
            said.push_back(r.speaker + ": " + r.text);
        }
    }
    EXPECT_EQ(said, (std::vector<std::string>{"AI-1: reply of alpha", "AI-2: reply of beta"}));
}

}  // namespace
}  // namespace polylogue
