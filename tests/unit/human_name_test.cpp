// The rule for a human's name: the opening's speaker in the config, and a message's speaker over
// the control API. Pure.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "polylogue/config/human_name.hpp"

namespace polylogue::config {
namespace {

TEST(HumanName, NamesThatReadAsAnAiSlotAreRefusedWhateverTheirSeparatorsOrLookAlikes) {
    const std::vector<std::string> slots{
        "AI-1",
        "ai-2",
        "AI 3",
        "ai_4",
        "AI5",
        "AI1",
        "ai 1",
        "AI\u20101",
        "AI\u2212"
        "7",
        "AI\u00A08",
        "AI.9",
        "A\u200BI-1",
        "\uFF21\uFF29-\uFF11",
        "\u0391\u0399-2",
        "\u0410\u0406-3",
        "Al-1",
        "AI-12 (Gemini 3 Pro)",
        "AI-1:",
        "ai-1!",
    };
    for (const std::string& name : slots) {
        EXPECT_EQ(check_human_name(name), human_name_verdict::ai_slot) << name;
    }
}

TEST(HumanName, PolylogueIsTheRoomsOwnName) {
    for (const std::string name :
         {"Polylogue", "polylogue", "POLY-LOGUE", "[Polylogue]", "Poly logue", "\"Polylogue\""}) {
        EXPECT_EQ(check_human_name(name), human_name_verdict::reserved) << name;
    }
}

TEST(HumanName, MalformedNamesAreRefused) {
    for (const std::string& name :
         {std::string{}, std::string{" janus"}, std::string{"janus "}, std::string{"ja\tnus"},
          std::string{"ja\nnus"}, std::string(65, 'j')}) {
        EXPECT_EQ(check_human_name(name), human_name_verdict::malformed) << name;
    }
}

TEST(HumanName, OrdinaryNamesPass) {
    for (const std::string& name : std::vector<std::string>{
             "janus", "Aiko", "AIden", "Ai", "AI researcher", "Alan Turing", "Jürgen", "AI5x",
             "Polylogue fan", "Poly\u2603logue", std::string(64, 'j')}) {
        EXPECT_EQ(check_human_name(name), human_name_verdict::ok) << name;
    }
}

}  // namespace
}  // namespace polylogue::config
