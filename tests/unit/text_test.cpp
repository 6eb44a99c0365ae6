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

TEST(ParseRfc3339, ReadsBackWhatFormatWrites) {
    const auto when =
        std::chrono::system_clock::time_point{std::chrono::milliseconds{1'796'010'000'123}};
    EXPECT_EQ(parse_rfc3339(format_rfc3339(when)), when);
    EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00.000Z"), std::chrono::system_clock::time_point{});
}

TEST(ParseRfc3339, RefusesAnythingElse) {
    for (const char* text :
         {"", "2026-11-30T03:40:00Z", "2026-11-30T03:40:00.123+01:00", "2026-13-30T03:40:00.123Z",
          "2026-02-30T03:40:00.123Z", "2026-11-30T24:40:00.123Z", "2026-11-30 03:40:00.123Z",
          "2026-11-30T03:40:00.12aZ"}) {
        EXPECT_FALSE(parse_rfc3339(text).has_value()) << text;
    }
}

TEST(IsWebUrl, AcceptsOnlyAbsoluteHttpUrlsWithAHost) {
    EXPECT_TRUE(is_web_url("https://example.com/x?y=1"));
    EXPECT_TRUE(is_web_url("http://127.0.0.1:8080"));
    EXPECT_TRUE(is_web_url("HTTPS://Example.com"));
    EXPECT_FALSE(is_web_url("https://"));
    EXPECT_FALSE(is_web_url("https:///etc/passwd"));
    EXPECT_FALSE(is_web_url("javascript:alert(1)"));
    EXPECT_FALSE(is_web_url("JavaScript:alert(1)"));
    EXPECT_FALSE(is_web_url("data:text/html,<script>"));
    EXPECT_FALSE(is_web_url("/relative"));
    EXPECT_FALSE(is_web_url("ftp://example.com/"));
    EXPECT_FALSE(is_web_url("https://a b"));
    EXPECT_FALSE(is_web_url("https://a\nb"));
    EXPECT_FALSE(is_web_url(" https://example.com"));
}

}  // namespace
}  // namespace polylogue::core
