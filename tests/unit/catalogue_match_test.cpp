#include <gtest/gtest.h>

#include "polylogue/room/catalogue_match.hpp"
#include "support/records.hpp"

namespace polylogue::room {
namespace {

const std::vector<config::model> catalogue{
    test::catalogue_model("Gemini 3 Pro"),    test::catalogue_model("Claude Opus 4.5"),
    test::catalogue_model("Claude 3 Opus"),   test::catalogue_model("DeepSeek R1"),
    test::catalogue_model("Grok 4"),          test::catalogue_model("Llama 4 Maverick"),
    test::catalogue_model("Claude Opus 4.1"),
};

std::string matched(std::string_view name) {
    const auto match = match_model(catalogue, name);
    return match.model ? match.model->name : "refused: " + match.problem;
}

TEST(CatalogueMatch, ExactNameIgnoresCase) {
    EXPECT_EQ(matched("deepseek r1"), "DeepSeek R1");
}

TEST(CatalogueMatch, ExactNameIgnoresDashesUnderscoresAndSpacing) {
    EXPECT_EQ(matched("gemini-3-pro"), "Gemini 3 Pro");
    EXPECT_EQ(matched("  Claude   3_Opus "), "Claude 3 Opus");
}

TEST(CatalogueMatch, UniquePrefixMatches) {
    EXPECT_EQ(matched("Grok"), "Grok 4");
}

TEST(CatalogueMatch, AmbiguousPrefixIsRefusedNamingTheCandidates) {
    const auto result = matched("Claude Opus");
    EXPECT_EQ(result.rfind("refused: ", 0), 0u);
    EXPECT_NE(result.find("Claude Opus 4.5"), std::string::npos);
    EXPECT_NE(result.find("Claude Opus 4.1"), std::string::npos);
}

TEST(CatalogueMatch, UniqueSubstringMatches) {
    EXPECT_EQ(matched("maverick"), "Llama 4 Maverick");
}

TEST(CatalogueMatch, SmallTypoMatchesTheClosestName) {
    EXPECT_EQ(matched("Gemnii 3 Pro"), "Gemini 3 Pro");
    EXPECT_EQ(matched("Deepsek R1"), "DeepSeek R1");
}

TEST(CatalogueMatch, DifferentVersionNumberIsNeverSubstituted) {
    EXPECT_EQ(matched("Grok 5").rfind("refused: ", 0), 0u);
    EXPECT_EQ(matched("Claude 4 Opus").rfind("refused: ", 0), 0u);
}

TEST(CatalogueMatch, UnknownNameIsRefusedWithTheNearestNames) {
    const auto result = matched("Llama 3");
    EXPECT_EQ(result.rfind("refused: no model named \"Llama 3\" in the catalogue; nearest: ", 0),
              0u)
        << result;
}

TEST(CatalogueMatch, EmptyNameIsRefused) {
    EXPECT_EQ(matched("   "), "refused: the model name is empty");
}

}  // namespace
}  // namespace polylogue::room
