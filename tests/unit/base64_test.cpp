#include "polylogue/core/base64.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace polylogue::core {
namespace {

// RFC 4648 section 10.
const std::pair<std::string, std::string> rfc_vectors[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

std::string all_byte_values() {
    std::string bytes;
    for (int value = 0; value < 256; ++value) {
        bytes += static_cast<char>(value);
    }
    return bytes;
}

TEST(Base64Encode, MatchesTheRfcTestVectors) {
    for (const auto& [plain, encoded] : rfc_vectors) {
        EXPECT_EQ(base64_encode(plain), encoded) << plain;
    }
}

TEST(Base64Decode, InvertsTheRfcTestVectors) {
    for (const auto& [plain, encoded] : rfc_vectors) {
        EXPECT_EQ(base64_decode(encoded), plain) << encoded;
    }
}

TEST(Base64Decode, AcceptsMissingPadding) {
    EXPECT_EQ(base64_decode("Zg"), "f");
    EXPECT_EQ(base64_decode("Zm8"), "fo");
    EXPECT_EQ(base64_decode("Zm9vYmE"), "fooba");
}

TEST(Base64Decode, IgnoresWhitespaceAndLineBreaks) {
    EXPECT_EQ(base64_decode(" Zm9v\r\nYmFy\n"), "foobar");
    EXPECT_EQ(base64_decode("Zm9vYg=\n="), "foob");
    EXPECT_EQ(base64_decode("\t \n"), "");
}

TEST(Base64Decode, RejectsCharactersOutsideTheStandardAlphabet) {
    EXPECT_EQ(base64_decode("Zm9v-_"), std::nullopt);  // URL-safe alphabet
    EXPECT_EQ(base64_decode("Zm9v*"), std::nullopt);
    EXPECT_EQ(base64_decode("Zm9v\xC3\xA9"), std::nullopt);
    EXPECT_EQ(base64_decode(std::string_view{"Zm9v\0", 5}), std::nullopt);
}

TEST(Base64Decode, RejectsMisplacedOrExcessPadding) {
    EXPECT_EQ(base64_decode("Zg==Zm8="), std::nullopt);
    EXPECT_EQ(base64_decode("Zg="), std::nullopt);
    EXPECT_EQ(base64_decode("Zg==="), std::nullopt);
    EXPECT_EQ(base64_decode("Zm9v="), std::nullopt);
    EXPECT_EQ(base64_decode("="), std::nullopt);
}

TEST(Base64Decode, RejectsALengthNoEncoderProduces) {
    EXPECT_EQ(base64_decode("Z"), std::nullopt);
    EXPECT_EQ(base64_decode("Zm9vY"), std::nullopt);
}

TEST(Base64RoundTrip, EveryByteValueAndLengthSurvives) {
    const std::string bytes = all_byte_values();
    for (std::size_t length = 0; length <= bytes.size(); length += 7) {
        const std::string slice = bytes.substr(bytes.size() - length);
        EXPECT_EQ(base64_decode(base64_encode(slice)), slice) << length;
    }
    EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes);
}

TEST(ParseDataUrl, DecodesABase64Image) {
    const auto parsed = parse_data_url("data:image/png;base64,iVBORw0KGgo=");
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->first, "image/png");
    EXPECT_EQ(parsed->second, "\x89PNG\r\n\x1A\n");
}

TEST(ParseDataUrl, LowerCasesTheMediaTypeAndDropsItsParameters) {
    const auto parsed = parse_data_url("DATA:Image/WebP;name=cat.webp;BASE64,Zm9v");
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->first, "image/webp");
    EXPECT_EQ(parsed->second, "foo");
}

TEST(ParseDataUrl, PercentDecodesDataWithoutBase64AndDefaultsToTextPlain) {
    const auto parsed = parse_data_url("data:,Hello%2C%20World%21");
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->first, "text/plain");
    EXPECT_EQ(parsed->second, "Hello, World!");
}

TEST(ParseDataUrl, RejectsOtherUrlsAndBrokenData) {
    EXPECT_EQ(parse_data_url("https://example.com/cat.png"), std::nullopt);
    EXPECT_EQ(parse_data_url("data:image/png;base64"), std::nullopt);  // no comma
    EXPECT_EQ(parse_data_url("data:image/png;base64,@@@"), std::nullopt);
    EXPECT_EQ(parse_data_url("data:,100%"), std::nullopt);
    EXPECT_EQ(parse_data_url("data:,%G1"), std::nullopt);
    EXPECT_EQ(parse_data_url(""), std::nullopt);
}

TEST(UrlEncodeComponent, KeepsUnreservedCharacters) {
    EXPECT_EQ(url_encode_component("AZaz09-._~"), "AZaz09-._~");
}

TEST(UrlEncodeComponent, EncodesEverythingElseAsUpperCaseHex) {
    EXPECT_EQ(url_encode_component("a b&c=d+e/f?g#h%"), "a%20b%26c%3Dd%2Be%2Ff%3Fg%23h%25");
    EXPECT_EQ(url_encode_component("caf\xC3\xA9 \xE2\x98\x95"), "caf%C3%A9%20%E2%98%95");
    EXPECT_EQ(url_encode_component(std::string_view{"\0\xFF", 2}), "%00%FF");
}

}  // namespace
}  // namespace polylogue::core
