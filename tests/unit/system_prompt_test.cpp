// The default system prompt lists only the commands the room can carry out (issue 11, item 4).

#include <gtest/gtest.h>

#include "polylogue/room/system_prompt.hpp"
#include "support/records.hpp"

namespace polylogue::room {
namespace {

constexpr std::string_view head =
    "You are AI-1, the model Gemini 3 Pro, in the room \"lab\": a group conversation among AIs.\n"
    "Present now: AI-1 (Gemini 3 Pro), AI-2 (Grok 4). The room seats at most 5 AIs, and humans "
    "may join in.\n"
    "Speak as yourself, answer what the others said, disagree when you disagree; keep it brief.\n"
    "You may use these commands anywhere in a message; they take effect when it is sent:\n";

config::room room_with_tools(std::string image, std::string search, int max_ais = 5) {
    config::room room;
    room.name = "lab";
    room.max_ais = max_ais;
    room.image_tool = std::move(image);
    room.search_tool = std::move(search);
    return room;
}

std::vector<core::record> two_members(std::optional<double> first_temperature = 1.0) {
    return test::numbered(
        {test::join(1, "Gemini 3 Pro", "config", first_temperature), test::join(2, "Grok 4")});
}

core::record tool_outcome(std::string command, core::command_status status, std::string detail) {
    core::record r = test::command(2, std::move(command), {"a fox"}, status);
    r.detail = std::move(detail);
    return r;
}

TEST(SystemPrompt, ARoomWithoutToolsNeverMentionsImageOrSearch) {
    const auto records = two_members();
    EXPECT_EQ(render_system_prompt(room_with_tools("", ""), fold(records), 1),
              std::string{head} +
                  "  !add_ai \"Model Name\" \"invite message\"  invite another model, by its "
                  "exact name, while seats remain\n"
                  "  !temperature X                         set your own sampling temperature\n"
                  "  !mute_self                             sit out your next turn and let the "
                  "others talk\n"
                  "  !prompt \"text\"                         add a line to your own "
                  "instructions\n"
                  "  !list_models                           see which models can be invited\n");
}

TEST(SystemPrompt, ARoomWithBothToolsListsEveryCommand) {
    const auto records = two_members();
    EXPECT_EQ(render_system_prompt(room_with_tools("painter", "web"), fold(records), 1),
              std::string{head} +
                  "  !image \"prompt\"                        create an image and show it to "
                  "the room\n"
                  "  !add_ai \"Model Name\" \"invite message\"  invite another model, by its "
                  "exact name, while seats remain\n"
                  "  !temperature X                         set your own sampling temperature\n"
                  "  !search \"query\"                        search the web and share what you "
                  "find\n"
                  "  !mute_self                             sit out your next turn and let the "
                  "others talk\n"
                  "  !prompt \"text\"                         add a line to your own "
                  "instructions\n"
                  "  !list_models                           see which models can be invited\n");
}

TEST(SystemPrompt, AFullRoomAndAModelWithoutTemperatureLeaveOutWhatCannotBeDone) {
    const auto records = two_members(std::nullopt);
    const std::string prompt =
        render_system_prompt(room_with_tools("", "web", 2), fold(records), 1);
    EXPECT_EQ(prompt.substr(prompt.find("You may use")),
              "You may use these commands anywhere in a message; they take effect when it is "
              "sent:\n"
              "  !search \"query\"                        search the web and share what you "
              "find\n"
              "  !mute_self                             sit out your next turn and let the "
              "others talk\n"
              "  !prompt \"text\"                         add a line to your own "
              "instructions\n");
}

TEST(SystemPrompt, AFailingToolIsSaidToBeFailingUntilItWorksAgain) {
    auto records = two_members();
    records.push_back(tool_outcome("image", core::command_status::failed,
                                   "the tool failed: server_error (HTTP 503): overloaded"));
    records.push_back(tool_outcome("image", core::command_status::failed,
                                   "the tool failed: transport: connection refused"));
    records.push_back(
        tool_outcome("search", core::command_status::failed, "the tool failed: timeout"));
    records = test::numbered(std::move(records));
    const config::room room = room_with_tools("painter", "web");
    const std::string failing = render_system_prompt(room, fold(records), 1);
    EXPECT_NE(failing.find("  !image \"prompt\"                        create an image and show "
                           "it to the room\n"
                           "    (the room's image tool is failing: its last 2 calls failed; the "
                           "tool failed: transport: connection refused)\n"),
              std::string::npos)
        << failing;
    EXPECT_NE(failing.find("    (the room's search tool is failing: its last call failed; the "
                           "tool failed: timeout)\n"),
              std::string::npos)
        << failing;

    records.push_back(tool_outcome("image", core::command_status::ok, "image saved as x.png"));
    records = test::numbered(std::move(records));
    const std::string recovered = render_system_prompt(room, fold(records), 1);
    EXPECT_EQ(recovered.find("image tool is failing"), std::string::npos) << recovered;
    EXPECT_NE(recovered.find("search tool is failing"), std::string::npos) << recovered;
}

TEST(SystemPrompt, StaysTheSameFromTurnToTurn) {
    auto records = two_members();
    const config::room room = room_with_tools("painter", "");
    const std::string before = render_system_prompt(room, fold(test::numbered(records)), 1);
    records.push_back(test::message("AI-1", "hello", "Gemini 3 Pro"));
    records.push_back(test::message("AI-2", "hi", "Grok 4"));
    records.push_back(test::command(1, "temperature", {"0.5"}));
    records.back().value = 0.5;
    records.push_back(tool_outcome("image", core::command_status::ok, "image saved as x.png"));
    EXPECT_EQ(render_system_prompt(room, fold(test::numbered(records)), 1), before);
}

}  // namespace
}  // namespace polylogue::room
