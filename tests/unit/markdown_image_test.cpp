// The Markdown export shows an image record as an image too, linked relative to data_dir.

#include <gtest/gtest.h>

#include "polylogue/transcript/format.hpp"
#include "support/records.hpp"

namespace polylogue::transcript {
namespace {

core::record image_record(std::string prompt, std::string path) {
    core::record r = test::of_type(core::record_type::image, 1, std::move(prompt));
    r.model = "GPT 5";
    r.path = std::move(path);
    r.mime = "image/png";
    r.bytes = 73;
    return r;
}

TEST(MarkdownImage, FollowsItsNoticeAsAnImageLinkedByItsPath) {
    EXPECT_EQ(format_markdown(image_record("a red fox", "images/lab/5-ab12.png")),
              "> 🖼 AI-1 (GPT 5) created an image for \"a red fox\" (images/lab/5-ab12.png, 73 "
              "bytes).\n\n![a red fox](images/lab/5-ab12.png)\n\n");
}

TEST(MarkdownImage, APromptOrPathCannotBreakOutOfTheLink) {
    const std::string text = format_markdown(
        image_record("a ](javascript:x) fox\nsecond [line] \\", "images/a b(c).png"));
    EXPECT_NE(
        text.find("![a \\](javascript:x) fox second \\[line\\] \\\\](images/a%20b%28c%29.png)"),
        std::string::npos)
        << text;
}

TEST(MarkdownImage, APathLeavingTheDataDirIsNoLink) {
    const std::string text = format_markdown(image_record("a fox", "../secret.png"));
    EXPECT_EQ(text.find("!["), std::string::npos) << text;
}

}  // namespace
}  // namespace polylogue::transcript
