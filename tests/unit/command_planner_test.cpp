#include <gtest/gtest.h>

#include "polylogue/commands/parser.hpp"
#include "polylogue/room/command_planner.hpp"
#include "support/records.hpp"

namespace polylogue::room {
namespace {

using core::command_status;

class CommandPlanner : public ::testing::Test {
  protected:
    std::vector<config::model> catalogue{
        test::catalogue_model("Gemini 3 Pro"),
        test::catalogue_model("Claude Opus 4.5", config::temperature_range{0, 1}),
        test::catalogue_model("Claude 3 Opus"),
        test::catalogue_model("DeepSeek R1"),
        test::catalogue_model("Grok 4"),
        test::catalogue_model("Llama 3"),
        test::catalogue_model("Fixed", std::nullopt),
    };
    room_state state =
        fold(test::numbered({test::join(1, "Gemini 3 Pro"), test::join(2, "Claude Opus 4.5"),
                             test::join(3, "Fixed", "config", std::nullopt)}));

    std::vector<core::record> plan(int slot, std::string_view reply, int max_ais = 5) {
        const auto parsed = commands::parse(reply);
        return plan_commands(state, slot, parsed, planning_rules{catalogue, max_ais}).records;
    }
};

TEST_F(CommandPlanner, AddAiSeatsTheNewcomerInTheNextSlotWithItsInvite) {
    const auto out = plan(1, R"(!add_ai "Claude 3 Opus" "opus wake up")");
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].status, command_status::ok);
    EXPECT_EQ(out[0].detail, "Claude 3 Opus joined as AI-4");
    EXPECT_EQ(out[1].type, core::record_type::join);
    EXPECT_EQ(out[1].speaker, "AI-4");
    EXPECT_EQ(out[1].invited_by, "AI-1");
    EXPECT_EQ(out[1].invite, "opus wake up");
}

TEST_F(CommandPlanner, AddAiOfAModelAlreadyHereIsRejected) {
    const auto out = plan(1, R"(!add_ai "claude opus 4.5")");
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].status, command_status::rejected);
    EXPECT_EQ(out[0].detail, "Claude Opus 4.5 is already here as AI-2");
}

TEST_F(CommandPlanner, AddAiPastTheCapIsRejectedWithTheCap) {
    const auto out = plan(2, R"(!add_ai "DeepSeek R1" !add_ai "Grok 4" !add_ai "Llama 3")");
    ASSERT_EQ(out.size(), 5u);  // two commands + two joins + one refusal
    EXPECT_EQ(out[4].status, command_status::rejected);
    EXPECT_EQ(out[4].detail, "maximum of 5 AIs already reached");
}

TEST_F(CommandPlanner, CapFollowsTheRoomsMaxAis) {
    const auto out = plan(1, R"(!add_ai "Grok 4")", 3);
    EXPECT_EQ(out.at(0).detail, "maximum of 3 AIs already reached");
}

TEST_F(CommandPlanner, AddAiOfAnUnknownModelNeverSubstitutesAnother) {
    const auto out = plan(1, R"(!add_ai "GPT-5")");
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].status, command_status::rejected);
    EXPECT_NE(out[0].detail.find("no model named \"GPT-5\""), std::string::npos);
}

TEST_F(CommandPlanner, TemperatureInsideTheRangeIsApplied) {
    const auto out = plan(1, "!temperature 1.7");
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].value, 1.7);
    EXPECT_FALSE(out[0].requested.has_value());
}

TEST_F(CommandPlanner, TemperatureOutsideTheRangeIsClampedAndSaysWhatWasAsked) {
    const auto out = plan(2, "!temperature 1.4");
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].status, command_status::ok);
    EXPECT_EQ(out[0].value, 1.0);
    EXPECT_EQ(out[0].requested, 1.4);
    EXPECT_EQ(out[0].detail, "temperature set to 1 (asked 1.4, clamped to the range 0–1)");
}

TEST_F(CommandPlanner, NegativeTemperatureIsClampedToTheFloor) {
    EXPECT_EQ(plan(1, "!temperature -3").at(0).value, 0.0);
}

TEST_F(CommandPlanner, TemperatureForAModelThatTakesNoneIsRejected) {
    const auto out = plan(3, "!temperature 0.5");
    EXPECT_EQ(out.at(0).status, command_status::rejected);
    EXPECT_EQ(out.at(0).detail, "Fixed takes no temperature");
}

TEST_F(CommandPlanner, MalformedCommandIsRecordedAsRejectedWithTheParsersReason) {
    const auto out = plan(1, "!temperature hot");
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].status, command_status::rejected);
    EXPECT_FALSE(out[0].detail.empty());
}

TEST_F(CommandPlanner, ImageAndSearchAreUnavailableWithoutTools) {
    const auto out = plan(1, R"(!image "a cat" !search "cats")");
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].status, command_status::unavailable);
    EXPECT_EQ(out[0].detail, "no image tool is configured for this room");
    EXPECT_EQ(out[1].status, command_status::unavailable);
}

TEST_F(CommandPlanner, PromptAdditionsBeyondTheLimitAreRejected) {
    const std::string long_text(1500, 'x');
    const auto out = plan(1, "!prompt \"" + long_text + "\" !prompt \"" + long_text + "y\"");
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].status, command_status::ok);
    EXPECT_EQ(out[1].status, command_status::rejected);
    EXPECT_NE(out[1].detail.find("2000"), std::string::npos);
}

TEST_F(CommandPlanner, ListModelsNamesOnlyModelsThatCanBeInvited) {
    const auto out = plan(1, "!list_models");
    EXPECT_EQ(out.at(0).detail,
              "models you can invite: Claude 3 Opus, DeepSeek R1, Grok 4, Llama 3");
}

TEST_F(CommandPlanner, ListModelsSaysWhichModelsSeeImages) {
    catalogue[3].vision = true;
    catalogue[5].vision = true;
    EXPECT_EQ(plan(1, "!list_models").at(0).detail,
              "models you can invite: Claude 3 Opus, DeepSeek R1 (sees images), Grok 4, Llama 3 "
              "(sees images)");
}

TEST_F(CommandPlanner, MuteSelfIsAcknowledged) {
    const auto out = plan(2, "!mute_self");
    EXPECT_EQ(out.at(0).status, command_status::ok);
    EXPECT_EQ(out.at(0).detail, "AI-2 will sit out its next turn");
}

TEST_F(CommandPlanner, OutcomesKeepTheOrderWritten) {
    const auto out = plan(1, R"(!search "x" !mute_self !image "y")");
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0].command, core::command_name::search);
    EXPECT_EQ(out[1].command, core::command_name::mute_self);
    EXPECT_EQ(out[2].command, core::command_name::image);
}

TEST_F(CommandPlanner, ImageAndSearchBecomeToolJobsThatPointAtTheirCommands) {
    const auto parsed = commands::parse(R"(!search "tides" !mute_self !image "a red fox")");
    const auto planned = plan_commands(state, 1, parsed, planning_rules{catalogue, 5, true, true});
    ASSERT_EQ(planned.records.size(), 3u);
    ASSERT_EQ(planned.tool_jobs.size(), 2u);
    EXPECT_EQ(planned.tool_jobs[0].kind, tool_job::tool::search);
    EXPECT_EQ(planned.tool_jobs[0].command, 0u);
    EXPECT_EQ(planned.tool_jobs[0].argument, "tides");
    EXPECT_EQ(planned.tool_jobs[1].kind, tool_job::tool::image);
    EXPECT_EQ(planned.tool_jobs[1].command, 2u);
    EXPECT_EQ(planned.tool_jobs[1].argument, "a red fox");
    EXPECT_EQ(planned.records[2].status, command_status::ok);
}

TEST_F(CommandPlanner, ImageAndSearchWithoutToolsAreUnavailableAndNoJobs) {
    const auto parsed = commands::parse(R"(!search "tides" !image "a red fox")");
    const auto planned = plan_commands(state, 1, parsed, planning_rules{catalogue, 5});
    EXPECT_TRUE(planned.tool_jobs.empty());
    ASSERT_EQ(planned.records.size(), 2u);
    EXPECT_EQ(planned.records[0].status, command_status::unavailable);
    EXPECT_EQ(planned.records[1].status, command_status::unavailable);
}

}  // namespace
}  // namespace polylogue::room
