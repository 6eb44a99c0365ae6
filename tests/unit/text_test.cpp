#include <gtest/gtest.h>

#include "polylogue/core/text.hpp"

namespace polylogue::core {
namespace {

TEST(SanitizeUtf8, ValidTextIsUnchanged) {
    EXPECT_EQ(sanitize_utf8("héllo 🌡 “quotes”"), "héllo 🌡 “quotes”");
}

TEST(SanitizeUtf8, InvalidBytesBecomeReplacementCharacters) {
    EXPECT_EQ(sanitize_utf8("a\xff"
                            "b"),
              "a\xEF\xBF\xBD"
              "b");
    EXPECT_EQ(sanitize_utf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
    EXPECT_EQ(sanitize_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
    EXPECT_EQ(sanitize_utf8("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // truncated
}

TEST(SanitizeUtf8, NulBytesAreDropped) {
    EXPECT_EQ(sanitize_utf8(std::string_view{"a\0b", 3}), "ab");
}

TEST(EditDistance, CountsEditsAndStopsPastTheLimit) {
    EXPECT_EQ(edit_distance("kitten", "sitting", 5), 3u);
    EXPECT_EQ(edit_distance("same", "same", 0), 0u);
    EXPECT_EQ(edit_distance("abc", "xyzabc", 2), 3u);
}

TEST(FormatRfc3339, IsUtcWithMilliseconds) {
    const auto when =
        std::chrono::system_clock::time_point{std::chrono::milliseconds{1'796'010'000'123}};
    EXPECT_EQ(format_rfc3339(when), "2026-11-30T03:40:00.123Z");
}

}  // namespace
}  // namespace polylogue::core
