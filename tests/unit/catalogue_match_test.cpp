#include <gtest/gtest.h>

#include "polylogue/room/catalogue_match.hpp"
#include "support/records.hpp"

namespace polylogue::room {
namespace {

config::model with_id(std::string name, std::string id) {
    auto m = test::catalogue_model(std::move(name));
    m.id = std::move(id);
    return m;
}

const std::vector<config::model> catalogue{
    test::catalogue_model("Gemini 3 Pro"),
    with_id("Claude Opus 4.5", "anthropic/claude-opus-4.5"),
    test::catalogue_model("Claude 3 Opus"),
    test::catalogue_model("DeepSeek R1"),
    test::catalogue_model("Grok 4"),
    test::catalogue_model("Llama 4 Maverick"),
    test::catalogue_model("Claude Opus 4.1"),
    with_id("GPT 4o", "openai/gpt-4o"),
    with_id("Gemini 2.5 Flash Lite", "gemini-2.5-flash-lite"),
};

std::string matched(std::string_view name) {
    const auto match = match_model(catalogue, name);
    return match.model ? match.model->name : "refused: " + match.problem;
}

TEST(CatalogueMatch, ExactNameIgnoresCase) {
    EXPECT_EQ(matched("deepseek r1"), "DeepSeek R1");
    EXPECT_EQ(matched("CLAUDE OPUS 4.5"), "Claude Opus 4.5");
}

TEST(CatalogueMatch, ExactNameIgnoresDashesUnderscoresAndSpacing) {
    EXPECT_EQ(matched("gemini-3-pro"), "Gemini 3 Pro");
    EXPECT_EQ(matched("  Claude   3_Opus "), "Claude 3 Opus");
    EXPECT_EQ(matched("claude-opus-4.5"), "Claude Opus 4.5");
    EXPECT_EQ(matched("GPT-4o"), "GPT 4o");
    EXPECT_EQ(matched("gpt4o"), "GPT 4o");
    EXPECT_EQ(matched("Gemini_2.5_Flash_Lite"), "Gemini 2.5 Flash Lite");
}

TEST(CatalogueMatch, TheProviderModelIdMatchesToo) {
    EXPECT_EQ(matched("anthropic/claude-opus-4.5"), "Claude Opus 4.5");
    EXPECT_EQ(matched("openai/gpt-4o"), "GPT 4o");
    EXPECT_EQ(matched("gemini-2.5-flash-lite"), "Gemini 2.5 Flash Lite");
}

// The namesakes of issue 11: each used to seat the longer-named model.
TEST(CatalogueMatch, ANamesakeIsRefusedWithADidYouMean) {
    EXPECT_EQ(
        matched("Claude Opus 4"),
        "refused: no model named \"Claude Opus 4\" in the catalogue; did you mean "
        "\"Claude Opus 4.5\", \"Claude Opus 4.1\" or \"Claude 3 Opus\"? Write the name exactly");
    EXPECT_EQ(matched("GPT 4"),
              "refused: no model named \"GPT 4\" in the catalogue; did you mean \"GPT 4o\"? "
              "Write the name exactly");
    EXPECT_EQ(matched("Gemini 2.5 Flash"),
              "refused: no model named \"Gemini 2.5 Flash\" in the catalogue; did you mean "
              "\"Gemini 2.5 Flash Lite\"? Write the name exactly");
}

TEST(CatalogueMatch, APrefixOrAPieceOfANameIsRefusedWithTheNamesHoldingIt) {
    EXPECT_EQ(matched("Grok"),
              "refused: no model named \"Grok\" in the catalogue; did you mean \"Grok 4\"? Write "
              "the name exactly");
    const std::string claude = matched("Claude Opus");
    EXPECT_EQ(claude.rfind("refused: no model named \"Claude Opus\" in the catalogue; did you "
                           "mean \"Claude Opus 4.5\", \"Claude Opus 4.1\" or ",
                           0),
              0u)
        << claude;
    EXPECT_NE(matched("maverick").find("did you mean \"Llama 4 Maverick\""), std::string::npos);
}

TEST(CatalogueMatch, ATypoIsRefusedAndTheIntendedNameSuggested) {
    EXPECT_EQ(matched("Gemnii 3 Pro")
                  .rfind("refused: no model named \"Gemnii 3 Pro\" in the "
                         "catalogue; did you mean \"Gemini 3 Pro\"",
                         0),
              0u);
    EXPECT_NE(matched("Deepsek R1").find("did you mean \"DeepSeek R1\""), std::string::npos);
}

TEST(CatalogueMatch, ADifferentVersionIsNeverSubstituted) {
    EXPECT_EQ(matched("Grok 5").rfind("refused: ", 0), 0u);
    EXPECT_EQ(matched("Claude 4 Opus").rfind("refused: ", 0), 0u);
    EXPECT_EQ(matched("Claude Opus 4.6").rfind("refused: ", 0), 0u);
}

TEST(CatalogueMatch, ANameFarFromEveryEntryPointsToListModels) {
    EXPECT_EQ(matched("Mistral Large"),
              "refused: no model named \"Mistral Large\" in the catalogue; !list_models shows the "
              "models you can invite");
}

TEST(CatalogueMatch, TwoEntriesFoldingToTheSameNameAreRefusedAsAmbiguous) {
    const std::vector<config::model> twins{with_id("GPT 5", "openai/gpt-5"),
                                           with_id("GPT 5 Direct", "gpt-5")};
    const auto match = match_model(twins, "gpt_5");
    EXPECT_EQ(match.model, nullptr);
    EXPECT_EQ(match.problem,
              "\"gpt_5\" names several models (GPT 5, GPT 5 Direct); write the display name "
              "exactly");
    EXPECT_EQ(match_model(twins, "GPT 5").model, &twins[0]);
}

TEST(CatalogueMatch, EmptyNameIsRefused) {
    EXPECT_EQ(matched("   "), "refused: the model name is empty");
}

}  // namespace
}  // namespace polylogue::room
