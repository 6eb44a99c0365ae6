// The incremental request path (render cache, text escaped once per record, bodies assembled by
// concatenation) against the DOM-based path it replaced (tests/support/reference_request.hpp):
// for every API kind the bodies must be the same JSON, and since keys come in the order
// nlohmann::json sorts them, the same bytes.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "polylogue/providers/api_adapter.hpp"
#include "polylogue/room/renderer.hpp"
#include "support/records.hpp"
#include "support/reference_request.hpp"

namespace polylogue::providers {
namespace {

using json = nlohmann::json;
using test::api_kind;
using test::plain_request;
using test::plain_turn;

constexpr auto user = turn_role::user;
constexpr auto assistant = turn_role::assistant;
constexpr api_kind every_kind[] = {api_kind::openai, api_kind::anthropic, api_kind::gemini};

std::string_view name_of(api_kind kind) {
    switch (kind) {
        case api_kind::openai:
            return "openai";
        case api_kind::anthropic:
            return "anthropic";
        case api_kind::gemini:
            return "gemini";
    }
    return "?";
}

std::unique_ptr<api_adapter> adapter_for(api_kind kind) {
    switch (kind) {
        case api_kind::openai:
            return make_openai_adapter();
        case api_kind::anthropic:
            return make_anthropic_adapter();
        case api_kind::gemini:
            return make_gemini_adapter();
    }
    return nullptr;
}

void expect_same_body(api_kind kind, const std::string& body, const std::string& reference) {
    SCOPED_TRACE(std::string{name_of(kind)});
    const json parsed = json::parse(body, nullptr, false);
    ASSERT_FALSE(parsed.is_discarded()) << body;
    EXPECT_EQ(parsed, json::parse(reference));
    EXPECT_EQ(body, reference);
}

void expect_same_bodies(const plain_request& request, const endpoint_settings& endpoint = {}) {
    for (const api_kind kind : every_kind) {
        const std::string body =
            adapter_for(kind)->build_request(test::to_api_request(request), endpoint).body;
        expect_same_body(kind, body, test::reference_body(kind, request, endpoint));
    }
}

plain_request with_turns(std::vector<plain_turn> turns, std::string system = "You are AI-2.") {
    plain_request request;
    request.messages.system = std::move(system);
    request.messages.turns = std::move(turns);
    return request;
}

TEST(RequestEquivalence, OwnAndOtherTurnsAlternatingOrNot) {
    expect_same_bodies(with_turns({{user, "[AI-1 (GPT)]: hello"}, {assistant, "hi"}}));
    expect_same_bodies(with_turns({{assistant, "I speak first"}, {user, "[janus]: ok"}}));
    expect_same_bodies(
        with_turns({{user, "a"}, {user, "b"}, {assistant, "c"}, {assistant, "d"}, {user, "e"}}));
    expect_same_bodies(with_turns({{assistant, "only mine"}, {assistant, "again"}}));
}

TEST(RequestEquivalence, EmptyHistoriesBlankTurnsAndNoSystemPrompt) {
    expect_same_bodies(with_turns({}));
    expect_same_bodies(with_turns({}, ""));
    expect_same_bodies(with_turns({{user, ""}, {assistant, " \t\r\n"}, {user, "  "}}));
    expect_same_bodies(with_turns({{user, "x"}, {assistant, "\n\n"}, {user, "y"}}, ""));
    expect_same_bodies(with_turns({{assistant, " "}, {assistant, "real"}, {user, "\t"}}));
}

TEST(RequestEquivalence, UnicodeQuotesBackslashesAndControlCharacters) {
    expect_same_bodies(with_turns(
        {{user, "naïve “fair” 😊 日本語 e\u0301 \u2028\u2029"},
         {assistant, "say \"hi\" \\ path C:\\x\\y / </script>"},
         {user, std::string{"ctl \x01\x08\x0c\x1f\x7f tab\tcr\rnul"} + std::string(1, '\0') + "!"}},
        "système 🚀 \"quoted\"\n{braces}"));
}

TEST(RequestEquivalence, InvalidUtf8IsReplacedAsBeforeEvenWhereTurnsAreMerged) {
    // A lone byte, a sequence cut short (at a turn's end, where merging joins it to the next
    // turn), a turn opening with a continuation byte, an overlong form, a surrogate, beyond
    // U+10FFFF.
    plain_request request = with_turns({{user, "lone \xff byte"},
                                        {user, "cut short \xe2\x82"},
                                        {user, "\x80\xbf continuation first"},
                                        {assistant, "overlong \xc0\xaf and \xe0\x80\xaf"},
                                        {assistant, "surrogate \xed\xa0\x80 big \xf4\x90\x80\x80"},
                                        {assistant, "\xf0\x9f\x98"},
                                        {user, "\xc3"}},
                                       "bad \xfe system \xe2\x28\xa1");
    request.model_id = "model-\xff";
    expect_same_bodies(request);
}

TEST(RequestEquivalence, TemperatureTokenLimitsAndStreaming) {
    plain_request request = with_turns({{user, "hello"}});
    for (const std::optional<double> temperature :
         {std::optional<double>{}, std::optional<double>{0.0}, std::optional<double>{0.7},
          std::optional<double>{1.0}, std::optional<double>{1.9999999}}) {
        request.temperature = temperature;
        for (const bool stream : {true, false}) {
            request.stream = stream;
            request.max_tokens = stream ? 4096 : 1;
            expect_same_bodies(request);
            endpoint_settings openai;
            openai.max_tokens_field = "max_completion_tokens";
            expect_same_bodies(request, openai);
        }
    }
}

// Random conversations built from bytes that matter to escaping and UTF-8 decoding.
std::string random_text(std::mt19937& random) {
    static const std::vector<std::string> pieces = {"a",
                                                    " ",
                                                    "\n",
                                                    "\t",
                                                    "\r",
                                                    "\"",
                                                    "\\",
                                                    "/",
                                                    std::string(1, '\0'),
                                                    "\x01",
                                                    "\x7f",
                                                    "é",
                                                    "😊",
                                                    "日",
                                                    "\xc3",
                                                    "\xe2\x82",
                                                    "\x80",
                                                    "\xff",
                                                    "\xf0\x9f",
                                                    "\xed\xa0\x80",
                                                    "[AI-1 (GPT)]: "};
    std::string text;
    const int length = std::uniform_int_distribution<int>{0, 12}(random);
    for (int i = 0; i < length; ++i) {
        text += pieces[std::uniform_int_distribution<std::size_t>{0, pieces.size() - 1}(random)];
    }
    return text;
}

TEST(RequestEquivalence, RandomConversations) {
    std::mt19937 random{20261129};
    for (int round = 0; round < 400; ++round) {
        std::vector<plain_turn> turns;
        const int count = std::uniform_int_distribution<int>{0, 8}(random);
        turns.reserve(static_cast<std::size_t>(count));
        for (int i = 0; i < count; ++i) {
            turns.push_back({random() % 2 == 0 ? user : assistant, random_text(random)});
        }
        plain_request request = with_turns(std::move(turns), random_text(random));
        if (round % 3 == 0) {
            request.temperature = round / 400.0;
        }
        SCOPED_TRACE(round);
        expect_same_bodies(request);
        if (HasFailure()) {
            return;
        }
    }
}

}  // namespace
}  // namespace polylogue::providers
