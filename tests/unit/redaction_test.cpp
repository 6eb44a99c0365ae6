// redact() on hostile text: huge key-like runs, megabytes of near-matches, and the key echoed
// back upper-cased or percent-encoded.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "polylogue/providers/provider_factory.hpp"

namespace polylogue::providers {
namespace {

using steady_clock = std::chrono::steady_clock;

constexpr std::string_view letters_and_digits =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

std::string key_like_run(std::size_t size, std::string_view alphabet = "_-") {
    const std::string characters = std::string{letters_and_digits} + std::string{alphabet};
    std::string run;
    run.reserve(size);
    for (std::size_t i = 0; i < size; ++i) {
        run += characters[(i * 7 + i / 13) % characters.size()];
    }
    return run;
}

TEST(Redaction, AThirtyThousandCharacterKeyRunIsMaskedWhole) {
    const std::string text =
        "Incorrect API key provided: sk-" + key_like_run(30'000) + ". See the docs.";
    EXPECT_EQ(redact(text, "sk-the-configured-key"),
              "Incorrect API key provided: [redacted]. See the docs.");
}

TEST(Redaction, AKeyRunOfFourMegabytesIsMaskedWhole) {
    const std::string text = "AIza" + key_like_run(4 * 1024 * 1024) + " and xai-" +
                             key_like_run(1024 * 1024, "") + " end";
    EXPECT_EQ(redact(text, ""), "[redacted] and [redacted] end");
}

// Each kind of near-match a naive scanner would read again and again: prefixes whose run is
// one byte too short, the secret's own prefix repeated, percent signs that almost decode.
TEST(Redaction, MegabytesOfNearMatchesTakeLinearTime) {
    const std::string secret = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab";
    std::string text;
    while (text.size() < 3 * 1024 * 1024) {
        text += "sk-abcde AIza123456789 xai-12345678 %4%4%G aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa%61%41";
    }
    const auto began = steady_clock::now();
    const auto out = redact(text, secret);
    const auto took = steady_clock::now() - began;
    EXPECT_EQ(out, text) << "none of these is a key";
    EXPECT_LT(took, std::chrono::seconds{3}) << "3 MiB of near-matches";
}

TEST(Redaction, TheKeyIsMaskedInAnyLetterCase) {
    const std::string key = "pk-Live-7Hq2Lm9Xz4";
    EXPECT_EQ(redact("bad key PK-LIVE-7HQ2LM9XZ4!", key), "bad key [redacted]!");
    EXPECT_EQ(redact("bad key pk-live-7hq2lm9xz4!", key), "bad key [redacted]!");
    EXPECT_EQ(redact("bad key pK-lIvE-7hQ2lM9xZ4!", key), "bad key [redacted]!");
}

TEST(Redaction, ThePercentEncodedKeyIsMaskedWhateverTheHexCase) {
    const std::string key = "tok+en/42=secret";
    EXPECT_EQ(redact("url ?key=tok%2Ben%2F42%3Dsecret&x=1", key), "url ?key=[redacted]&x=1");
    EXPECT_EQ(redact("url ?key=tok%2ben%2f42%3dsecret&x=1", key), "url ?key=[redacted]&x=1");
    EXPECT_EQ(redact("url ?key=TOK%2BEN%2F42%3DSECRET&x=1", key), "url ?key=[redacted]&x=1");
    EXPECT_EQ(redact("all %74%6f%6b%2b%65%6e%2f%34%32%3d%73%65%63%72%65%74 encoded", key),
              "all [redacted] encoded");
}

TEST(Redaction, AKeyHoldingAPercentSignIsMaskedAsWritten) {
    EXPECT_EQ(redact("the key 50%41off was refused", "50%41off"), "the key [redacted] was refused");
}

TEST(Redaction, OverlappingAndAdjacentOccurrencesLeaveNoFragment) {
    EXPECT_EQ(redact("x abcabcabc y", "abcabc"), "x [redacted] y");
    EXPECT_EQ(redact("wxyzwxyz", "wxyz"), "[redacted]");
}

TEST(Redaction, KeyShapesAreMaskedInAnyCase) {
    EXPECT_EQ(redact("Incorrect API key provided: SK-ABC***XYZ.", ""),
              "Incorrect API key provided: [redacted].");
    EXPECT_EQ(redact("key aizaSyA1234567890abcdefgh is invalid", ""), "key [redacted] is invalid");
}

TEST(Redaction, WordsThatOnlyStartLikeAKeyStay) {
    EXPECT_EQ(redact("a risk-free sk-abc trial", ""), "a risk-free sk-abc trial");
    EXPECT_EQ(redact("xai-short and AIzaShort", ""), "xai-short and AIzaShort");
    EXPECT_EQ(redact("naïve café – ünïcode", "secret-key"), "naïve café – ünïcode");
}

TEST(Redaction, AShortSecretIsNotSearchedFor) {
    EXPECT_EQ(redact("the cat sat", "at"), "the cat sat");
}

}  // namespace
}  // namespace polylogue::providers
