// Images as model input: sizes read from headers, the formats each API takes, and the token
// estimates docs/config.md documents under `vision`.

#include "polylogue/providers/image_input.hpp"

#include <gtest/gtest.h>

#include <string>

namespace polylogue::providers {
namespace {

using config::provider_kind;

std::string png_header(unsigned width, unsigned height) {
    std::string bytes{"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16};
    for (const unsigned value : {width, height}) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            bytes += static_cast<char>((value >> shift) & 0xFF);
        }
    }
    return bytes + std::string{"\x08\x06\0\0\0", 5};
}

std::string little(unsigned value, int count) {
    std::string bytes;
    for (int i = 0; i < count; ++i) {
        bytes += static_cast<char>((value >> (8 * i)) & 0xFF);
    }
    return bytes;
}

std::string webp(std::string_view chunk, std::string payload) {
    return "RIFF" + little(4 + 8 + static_cast<unsigned>(payload.size()), 4) + "WEBP" +
           std::string{chunk} + little(static_cast<unsigned>(payload.size()), 4) + payload;
}

bool is(std::optional<image_size> size, int width, int height) {
    return size && size->width == width && size->height == height;
}

TEST(ImageDimensions, ReadsPngGifJpegAndWebpHeaders) {
    EXPECT_TRUE(is(image_dimensions(png_header(1024, 768)), 1024, 768));
    EXPECT_TRUE(
        is(image_dimensions("GIF89a" + little(320, 2) + little(200, 2) + "rest"), 320, 200));
    // A JPEG with an APP0 segment, then a baseline frame header: 600 wide, 400 high.
    const std::string jpeg =
        std::string{"\xFF\xD8\xFF\xE0\x00\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0", 20} +
        std::string{"\xFF\xC0\x00\x11\x08\x01\x90\x02\x58\x03", 10} + "...";
    EXPECT_TRUE(is(image_dimensions(jpeg), 600, 400));
    // Lossy: frame tag and start code, then 14-bit sides.
    EXPECT_TRUE(is(image_dimensions(
                       webp("VP8 ", "\x9d\x01\x2a\x9d\x01\x2a" + little(640, 2) + little(480, 2))),
                   640, 480));
    // Lossless: signature byte, then width - 1 and height - 1 in 14 bits each.
    const unsigned bits = (800 - 1) | ((600 - 1) << 14);
    EXPECT_TRUE(is(image_dimensions(webp("VP8L", "\x2f" + little(bits, 4) + "....")), 800, 600));
    EXPECT_TRUE(
        is(image_dimensions(webp("VP8X", std::string(4, '\0') + little(1919, 3) + little(1079, 3))),
           1920, 1080));
}

TEST(ImageDimensions, AnythingElseOrATruncatedHeaderHasNoSize) {
    EXPECT_FALSE(image_dimensions(""));
    EXPECT_FALSE(image_dimensions("not an image at all, just text"));
    EXPECT_FALSE(image_dimensions(png_header(1024, 768).substr(0, 20)));
    EXPECT_FALSE(image_dimensions(png_header(0, 768)));
    EXPECT_FALSE(image_dimensions(std::string{"\xFF\xD8\xFF\xE0\x00\x10JFIF", 10}));
    EXPECT_FALSE(image_dimensions(std::string{"\xFF\xD8\xFF\xDA\x00\x02", 6}));
    EXPECT_FALSE(image_dimensions(std::string{"\xFF\xD8", 2} + std::string(100000, '\xFF')));
}

TEST(ImageFormats, GifGoesEverywhereButGemini) {
    for (const auto api :
         {provider_kind::openai, provider_kind::anthropic, provider_kind::gemini}) {
        EXPECT_TRUE(accepts_image(api, "image/png"));
        EXPECT_TRUE(accepts_image(api, "image/jpeg"));
        EXPECT_TRUE(accepts_image(api, "image/webp"));
        EXPECT_FALSE(accepts_image(api, "image/svg+xml"));
        EXPECT_FALSE(accepts_image(api, ""));
    }
    EXPECT_TRUE(accepts_image(provider_kind::openai, "image/gif"));
    EXPECT_TRUE(accepts_image(provider_kind::anthropic, "image/gif"));
    EXPECT_FALSE(accepts_image(provider_kind::gemini, "image/gif"));
}

// The worked examples of each API's own documentation.
TEST(ImageTokens, FollowEachApisPublishedRule) {
    EXPECT_EQ(image_tokens(provider_kind::openai, image_size{1024, 1024}), 765u);
    EXPECT_EQ(image_tokens(provider_kind::openai, image_size{2048, 4096}), 1105u);
    EXPECT_EQ(image_tokens(provider_kind::openai, image_size{500, 500}), 255u);
    EXPECT_EQ(image_tokens(provider_kind::anthropic, image_size{200, 200}), 54u);
    EXPECT_EQ(image_tokens(provider_kind::anthropic, image_size{1000, 1000}), 1334u);
    EXPECT_EQ(image_tokens(provider_kind::anthropic, image_size{4000, 4000}), 1600u);
    EXPECT_EQ(image_tokens(provider_kind::gemini, image_size{384, 300}), 258u);
    EXPECT_EQ(image_tokens(provider_kind::gemini, image_size{1600, 900}), 258u * 6);
}

TEST(ImageTokens, AnImageOfUnknownSizeCostsTheMostTheApiBills) {
    EXPECT_EQ(image_tokens(provider_kind::openai, std::nullopt), 1445u);
    EXPECT_EQ(image_tokens(provider_kind::openai, image_size{768, 2048}), 1445u);
    EXPECT_EQ(image_tokens(provider_kind::anthropic, std::nullopt), 1600u);
    EXPECT_EQ(image_tokens(provider_kind::gemini, std::nullopt), 258u * 9);
}

}  // namespace
}  // namespace polylogue::providers
