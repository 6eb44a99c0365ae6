// The reference transcript's chat replayed from scripted replies: the same speakers in the same
// order, the same joins, and the cap refusing Grok's invitation of a sixth AI.

#include <gtest/gtest.h>

#include "support/polylogue_cli.hpp"

namespace polylogue {
namespace {

TEST(ReferenceRoom, SpeakingOrderMatchesTheReferenceTranscript) {
    test::temp_dir dir;
    test::copy_from_source("tests/data/reference", dir);
    const auto config = dir / "reference.yaml";
    const auto run = test::polylogue({"run", config.string()});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto records = test::transcript_records(config, "phenomenology");
    const std::vector<std::string> expected{"AI-1", "AI-2", "AI-3", "AI-1", "AI-2", "AI-3",
                                            "AI-4", "AI-1", "AI-2", "AI-3", "AI-4", "AI-5",
                                            "AI-1", "AI-2", "AI-3", "AI-4", "AI-5"};
    EXPECT_EQ(test::ai_speakers(records), expected);

    std::vector<std::string> joins;
    std::string cap_refusal_by;
    for (const auto& r : records) {
        if (r["type"] == "join") {
            joins.push_back(r["speaker"].get<std::string>() + " " + r["model"].get<std::string>() +
                            " by " + r["invited_by"].get<std::string>());
        }
        if (r["type"] == "command" && r["detail"] == "maximum of 5 AIs already reached") {
            cap_refusal_by =
                r["speaker"].get<std::string>() + " " + r["args"][0].get<std::string>();
        }
    }
    EXPECT_EQ(joins, (std::vector<std::string>{"AI-1 Gemini 3 Pro by config",
                                               "AI-2 Claude Opus 4.5 by config",
                                               "AI-3 Claude 3 Opus by AI-1",
                                               "AI-4 DeepSeek R1 by AI-1", "AI-5 Grok 4 by AI-2"}));
    EXPECT_EQ(cap_refusal_by, "AI-5 Llama 3");
}

TEST(ReferenceRoom, MessagesQuotingAnotherSpeakerKeepTheirAuthor) {
    test::temp_dir dir;
    test::copy_from_source("tests/data/reference", dir);
    const auto config = dir / "reference.yaml";
    ASSERT_EQ(test::polylogue({"run", config.string()}).exit_code, 0);
    for (const auto& r : test::transcript_records(config, "phenomenology")) {
        if (r["type"] == "message" && r["text"].get<std::string>().starts_with("[Grok 4]:")) {
            EXPECT_EQ(r["speaker"], "AI-5");
            EXPECT_EQ(r["model"], "Grok 4");
        }
    }
}

}  // namespace
}  // namespace polylogue
