// The one rule for quoting untrusted text in an error message, and the JSON lookups every
// adapter reads servers' answers with.

#include <gtest/gtest.h>

#include <string>

#include "providers/body_excerpt.hpp"
#include "providers/json_access.hpp"

namespace polylogue::providers {
namespace {

using nlohmann::json;

bool valid_utf8(const std::string& text) {
    return json(text).dump(-1, ' ', false, json::error_handler_t::strict).size() > 0;
}

TEST(BodyExcerpt, TrimsWhiteSpaceAndKeepsAShortBodyWhole) {
    EXPECT_EQ(body_excerpt(" \r\n\t<h1>502 Bad Gateway</h1>\n\n"), "<h1>502 Bad Gateway</h1>");
    EXPECT_EQ(body_excerpt(" \n\t "), "");
    EXPECT_EQ(body_excerpt(""), "");
}

TEST(BodyExcerpt, QuotesAtMostTheBoundCountedFromTheFirstVisibleByte) {
    const std::string body = std::string(50, ' ') + std::string(1000, 'x');
    EXPECT_EQ(body_excerpt(body), std::string(body_excerpt_bytes, 'x'));
    EXPECT_EQ(excerpt(std::string(10 * 1024 * 1024, 'y'), 5), "yyyyy");
}

TEST(BodyExcerpt, NeverSplitsACharacterAtTheCut) {
    // 199 ASCII bytes, then "é" (two bytes) straddling the 200-byte bound: it is left out whole.
    const std::string body = std::string(199, 'a') + "\xC3\xA9" + "tail";
    const std::string quoted = body_excerpt(body);
    EXPECT_EQ(quoted, std::string(199, 'a'));
    // A four-byte character that ends exactly at the bound is kept.
    const std::string emoji = std::string(196, 'b') + "\xF0\x9F\x98\x80" + "tail";
    EXPECT_EQ(body_excerpt(emoji), std::string(196, 'b') + "\xF0\x9F\x98\x80");
}

TEST(BodyExcerpt, ReplacesInvalidBytesSoTheMessageIsValidUtf8) {
    const std::string quoted = body_excerpt("bad \xFF\xFE bytes \xC3 and a NUL \0 here");
    EXPECT_TRUE(valid_utf8(quoted)) << quoted;
    EXPECT_NE(quoted.find("\xEF\xBF\xBD"), std::string::npos) << "no U+FFFD in " << quoted;
    EXPECT_TRUE(quoted.starts_with("bad "));
    EXPECT_LE(quoted.size(), body_excerpt_bytes);
    const std::string all_invalid(1000, '\xFF');
    const std::string replaced = body_excerpt(all_invalid);
    EXPECT_TRUE(valid_utf8(replaced));
    EXPECT_LE(replaced.size(), body_excerpt_bytes);
    EXPECT_EQ(replaced.size() % 3, 0u) << "a U+FFFD was cut in half";
}

TEST(JsonAccess, LookupsOnMissingOrMistypedValuesReadAsNullAndNeverThrow) {
    const json document = json::parse(R"({"a": {"b": [ {"c": "deep"} ]}, "n": 3, "s": "text"})");
    EXPECT_EQ(string_field(first_element(member(member(document, "a"), "b")), "c"), "deep");
    EXPECT_TRUE(member(document, "missing").is_null());
    EXPECT_TRUE(member(document["n"], "x").is_null());            // not an object
    EXPECT_TRUE(first_element(member(document, "s")).is_null());  // not an array
    EXPECT_TRUE(first_element(json::array()).is_null());
    EXPECT_EQ(string_field(document, "n"), "");  // a number is not a string
    EXPECT_EQ(string_field(json{}, "anything"), "");
}

}  // namespace
}  // namespace polylogue::providers
