// The demo room, run as a user would: `polylogue run config/demo.yaml`.

#include <gtest/gtest.h>

#include "support/polylogue_cli.hpp"

namespace polylogue {
namespace {

using nlohmann::json;

class DemoRoom : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = new test::temp_dir;
        test::copy_from_source("config", *dir_);
        run_ = new test::process_result{test::polylogue({"run", (*dir_ / "demo.yaml").string()})};
        records_ = new std::vector<json>(test::transcript_records(*dir_ / "demo.yaml", "demo"));
    }
    static void TearDownTestSuite() {
        delete records_;
        delete run_;
        delete dir_;
    }

    static const json* find_command(const std::string& name, const std::string& status) {
        for (const auto& r : *records_) {
            if (r["type"] == "command" && r["command"] == name && r["status"] == status) {
                return &r;
            }
        }
        return nullptr;
    }

    static test::temp_dir* dir_;
    static test::process_result* run_;
    static std::vector<json>* records_;
};

test::temp_dir* DemoRoom::dir_ = nullptr;
test::process_result* DemoRoom::run_ = nullptr;
std::vector<json>* DemoRoom::records_ = nullptr;

TEST_F(DemoRoom, RunsToItsEndAndExitsZero) {
    EXPECT_EQ(run_->exit_code, 0) << run_->err;
    ASSERT_FALSE(records_->empty());
    EXPECT_EQ(records_->back()["type"], "room_ended");
    EXPECT_EQ(records_->back()["text"], "reached max_turns (18 AI turns)");
}

TEST_F(DemoRoom, PrintsTheChat) {
    EXPECT_NE(run_->out.find("AI-1 (Gemini 3 Pro):"), std::string::npos);
    EXPECT_NE(run_->out.find("maximum of 5 AIs already reached"), std::string::npos);
    EXPECT_NE(run_->out.find("The room ended: reached max_turns"), std::string::npos);
}

TEST_F(DemoRoom, AisInviteOthersUntilTheCapRefusesOne) {
    std::vector<std::string> joined;
    for (const auto& r : *records_) {
        if (r["type"] == "join") {
            joined.push_back(r["model"]);
        }
    }
    EXPECT_EQ(joined, (std::vector<std::string>{"Gemini 3 Pro", "Claude Opus 4.5", "Claude 3 Opus",
                                                "DeepSeek R1", "Grok 4"}));
    bool already_here = false;
    for (const auto& r : *records_) {
        already_here |= r["type"] == "command" && r["speaker"] == "AI-4" &&
                        r["detail"] == "Claude Opus 4.5 is already here as AI-2";
    }
    EXPECT_TRUE(already_here);
    bool cap_hit = false;
    for (const auto& r : *records_) {
        cap_hit |= r["type"] == "command" && r["detail"] == "maximum of 5 AIs already reached" &&
                   r["args"][0] == "Llama 3";
    }
    EXPECT_TRUE(cap_hit);
}

TEST_F(DemoRoom, ANearMissInvitationIsRefusedWithADidYouMeanThenTheExactNameJoins) {
    std::vector<const json*> invitations;
    for (const auto& r : *records_) {
        if (r["type"] == "command" && r["command"] == "add_ai" && r["speaker"] == "AI-2") {
            invitations.push_back(&r);
        }
    }
    ASSERT_EQ(invitations.size(), 2u);
    EXPECT_EQ((*invitations[0])["args"][0], "Grok");
    EXPECT_EQ((*invitations[0])["status"], "rejected");
    EXPECT_EQ((*invitations[0])["detail"],
              "no model named \"Grok\" in the catalogue; did you mean \"Grok 4\"? Write the name "
              "exactly");
    EXPECT_EQ((*invitations[1])["args"][0], "Grok 4");
    EXPECT_EQ((*invitations[1])["status"], "ok");
    EXPECT_EQ((*invitations[1])["detail"], "Grok 4 joined as AI-5");
    EXPECT_NE(run_->out.find("did you mean \"Grok 4\"?"), std::string::npos);
}

TEST_F(DemoRoom, ATemperatureIsClamped) {
    bool clamped = false;
    for (const auto& r : *records_) {
        if (r["type"] == "command" && r["command"] == "temperature" && r.contains("requested")) {
            clamped = true;
            EXPECT_EQ(r["value"], 1.0);
            EXPECT_EQ(r["requested"], 1.4);
        }
    }
    EXPECT_TRUE(clamped);
}

TEST_F(DemoRoom, AMalformedCommandIsRejectedWithAReason) {
    const json* rejected = find_command("temperature", "rejected");
    ASSERT_NE(rejected, nullptr);
    EXPECT_FALSE((*rejected)["detail"].get<std::string>().empty());
}

TEST_F(DemoRoom, ImageAndSearchAreUnavailable) {
    ASSERT_NE(find_command("image", "unavailable"), nullptr);
    ASSERT_NE(find_command("search", "unavailable"), nullptr);
}

TEST_F(DemoRoom, SeqsRunOneTwoThreeWithoutGaps) {
    for (std::size_t i = 0; i < records_->size(); ++i) {
        EXPECT_EQ((*records_)[i]["seq"], i + 1);
    }
}

TEST_F(DemoRoom, ChatLogShowsTheSameChat) {
    const std::string log = test::read_file(*dir_ / "var/logs/demo.log");
    EXPECT_NE(log.find("AI-5 ran !add_ai \"Llama 3\""), std::string::npos);
    const std::string daemon_log = test::read_file(*dir_ / "var/logs/polylogue.log");
    EXPECT_NE(daemon_log.find("[demo] ⛔ AI-5 ran !add_ai \"Llama 3\""), std::string::npos);
}

}  // namespace
}  // namespace polylogue
