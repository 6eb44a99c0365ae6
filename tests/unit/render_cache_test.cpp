// The room's render cache: a growing room rendered turn after turn through one cache gives the
// same views and the same request bodies, for every API kind, as the renderer and DOM-based
// adapters it replaced (tests/support/reference_request.hpp), and holds only the windows of
// members that can still speak.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "polylogue/providers/api_adapter.hpp"
#include "polylogue/room/render_cache.hpp"
#include "polylogue/room/renderer.hpp"
#include "support/records.hpp"
#include "support/reference_request.hpp"

namespace polylogue::room {
namespace {

using json = nlohmann::json;
using test::api_kind;

// What a JSON parser reads back from text dumped with UTF-8 replacement.
std::string as_sent(const std::string& text) {
    return json::parse(json(text).dump(-1, ' ', false, json::error_handler_t::replace))
        .get<std::string>();
}

std::unique_ptr<providers::api_adapter> adapter_for(api_kind kind) {
    if (kind == api_kind::openai) {
        return providers::make_openai_adapter();
    }
    return kind == api_kind::anthropic ? providers::make_anthropic_adapter()
                                       : providers::make_gemini_adapter();
}

config::room lab() {
    config::room r;
    r.name = "lab \xff";
    r.system_prompt = "You are {slot} ({model}) in {room} with {members}.";
    return r;
}

// Messages and every kind of record a room writes, with text that exercises escaping.
core::record next_record(std::mt19937& random, std::size_t step) {
    static const std::vector<std::string> texts = {"plain words",
                                                   "naïve “fair” 😊",
                                                   "quote \" and \\ backslash",
                                                   "bad \xff byte",
                                                   "cut \xe2\x82",
                                                   "\x80 leading continuation",
                                                   "tab\there\nnew line",
                                                   " \n ",
                                                   std::string(600, 'x'),
                                                   "[AI-1 (Gemini 3 Pro)]: quoted header"};
    const auto pick = [&random](std::size_t n) {
        return std::uniform_int_distribution<std::size_t>{0, n - 1}(random);
    };
    const int slot = static_cast<int>(step % 3) + 1;
    switch (pick(12)) {
        case 0:
            return test::command(slot, "image", {texts[pick(texts.size())]},
                                 core::command_status::rejected);
        case 1: {
            core::record image = test::of_type(core::record_type::image, slot, "a cat \xc3");
            image.path = "images/lab/7.png";
            image.mime = "image/png";
            image.bytes = 1234;
            return image;
        }
        case 2: {
            core::record found = test::of_type(core::record_type::search_results, slot, "q");
            found.results.push_back({"t\xff", "https://example.com", "snippet \"s\""});
            return found;
        }
        case 3:
            return test::of_type(core::record_type::paused, 0, "paused by ops");
        case 4:
            return test::of_type(core::record_type::context_trimmed, slot, "trimmed");
        case 5:
            return test::message("janus", texts[pick(texts.size())]);
        default:
            return test::message(core::slot_label(slot), texts[pick(texts.size())],
                                 slot == 1 ? "Gemini 3 Pro" : "Grok \xe2\x82");
    }
}

void expect_same_view(const rendered_view& view, const test::plain_view& reference) {
    EXPECT_EQ(view.estimated_tokens, reference.estimated_tokens);
    EXPECT_EQ(view.dropped, reference.dropped);
    EXPECT_EQ(view.trimmed_from_seq, reference.trimmed_from_seq);
    EXPECT_EQ(view.conversation.system.plain(), as_sent(reference.conversation.system));
    ASSERT_EQ(view.conversation.turns.size(), reference.conversation.turns.size());
    for (std::size_t i = 0; i < view.conversation.turns.size(); ++i) {
        EXPECT_EQ(view.conversation.turns[i].role, reference.conversation.turns[i].role);
        EXPECT_EQ(view.conversation.turns[i].text.plain(),
                  as_sent(reference.conversation.turns[i].text));
    }
}

void expect_same_bodies(const rendered_view& view, const test::plain_view& reference) {
    test::plain_request plain;
    plain.messages = reference.conversation;
    plain.temperature = 0.5;
    providers::api_request request;
    request.model_id = plain.model_id;
    request.messages = view.conversation;
    request.temperature = plain.temperature;
    for (const api_kind kind : {api_kind::openai, api_kind::anthropic, api_kind::gemini}) {
        const auto body = adapter_for(kind)->build_request(request, {}).body;
        const auto expected = test::reference_body(kind, plain, {});
        EXPECT_EQ(json::parse(body), json::parse(expected));
        EXPECT_EQ(body, expected);
    }
}

TEST(RenderCache, AGrowingRoomRendersAndRequestsExactlyAsWithoutIt) {
    std::mt19937 random{5};
    std::vector<core::record> records{
        test::join(1, "Gemini 3 Pro"), test::join(2, "Grok \xe2\x82", "AI-1"),
        test::join(3, "GPT", "AI-2"), test::message("janus", "the opening \xff question")};
    records[2].invite = "come \"in\"";
    const std::size_t budgets[] = {400, 1'500, 900};  // by slot: three windows of their own
    render_cache cache;
    for (std::size_t step = 0; step < 700; ++step) {
        records.push_back(next_record(random, step));
        records = test::numbered(std::move(records));
        const auto state = fold(records);
        const int slot = static_cast<int>(step % 3) + 1;
        const std::size_t budget = budgets[slot - 1];
        const auto view = render_within(lab(), state, records, slot, budget, cache);
        const auto reference = test::reference_render(lab(), state, records, slot, budget);
        SCOPED_TRACE("step " + std::to_string(step));
        expect_same_view(view, reference);
        if (step % 7 == 0) {
            expect_same_bodies(view, reference);
        }
        if (HasFailure()) {
            return;
        }
    }
}

std::vector<core::record> talk(std::size_t messages) {
    std::vector<core::record> records{test::join(1, "A"), test::join(2, "B", "AI-1"),
                                      test::join(3, "C", "AI-2")};
    for (std::size_t i = 0; i < messages; ++i) {
        const int slot = static_cast<int>(i % 3) + 1;
        records.push_back(test::message(core::slot_label(slot), std::string(396, 'm'),
                                        std::string(1, static_cast<char>('A' + slot - 1))));
    }
    return records;
}

TEST(RenderCache, HoldsTheWidestWindowOfMembersThatCanStillSpeakNotTheRoom) {
    // 400 bytes a message: 105 tokens by the estimate, so a budget of 2,100 holds 19, and a
    // window trimmed to half of it about 9 (docs/config.md, "context windows").
    auto records = test::numbered(talk(30));
    render_cache cache;
    render_within(lab(), fold(records), records, 3, 4'200, cache);  // AI-3: about 39 records
    std::size_t widest = 0;
    for (std::size_t turn = 0; turn < 600; ++turn) {
        records.push_back(test::message("AI-1", std::string(396, 'm'), "A"));
        if (turn == 0) {
            core::record suspended = test::of_type(core::record_type::member_suspended, 3);
            records.push_back(suspended);
        }
        records = test::numbered(std::move(records));
        const int slot = static_cast<int>(turn % 2) + 1;
        const auto view = render_within(lab(), fold(records), records, slot, 2'100, cache);
        widest = std::max(widest, view.conversation.turns.size());
        if (view.trimmed_from_seq > 0) {  // as the room records it
            core::record trimmed = test::of_type(core::record_type::context_trimmed, slot);
            trimmed.from_seq = view.trimmed_from_seq;
            records.push_back(trimmed);
        }
    }
    EXPECT_GE(widest, 19u);
    EXPECT_LE(widest, 20u);
    EXPECT_LE(cache.entries(), 25u) << "AI-3 is suspended: its wider window no longer counts";
    EXPECT_GE(cache.entries(), 9u);
}

TEST(RenderCache, AnotherHistoryIsRenderedAfreshNotFromTheCache) {
    const auto first = test::numbered(talk(40));
    auto second = talk(40);
    for (auto& r : second) {
        r.text = "other " + r.text;
    }
    second = test::numbered(std::vector<core::record>(second.begin() + 1, second.end()));
    render_cache cache;
    render_within(lab(), fold(first), first, 1, 2'100, cache);
    const auto view = render_within(lab(), fold(second), second, 1, 2'100, cache);
    const auto fresh = render_within(lab(), fold(second), second, 1, 2'100);
    ASSERT_EQ(view.conversation.turns.size(), fresh.conversation.turns.size());
    for (std::size_t i = 0; i < view.conversation.turns.size(); ++i) {
        EXPECT_EQ(view.conversation.turns[i].text.escaped(),
                  fresh.conversation.turns[i].text.escaped());
    }
}

TEST(RenderCache, ARenderedRecordSharesItsBytesBetweenOwnAndOtherViews) {
    const core::record r = test::message("AI-1", "say \"hi\"", "GPT");
    const rendered_record rendered = render_record(r);
    const auto own = turn_of(rendered, 1);
    const auto other = turn_of(rendered, 2);
    EXPECT_EQ(own.role, providers::turn_role::assistant);
    EXPECT_EQ(own.text.escaped(), R"(say \"hi\")");
    EXPECT_EQ(other.role, providers::turn_role::user);
    EXPECT_EQ(other.text.escaped(), R"([AI-1 (GPT)]: say \"hi\")");
    EXPECT_EQ(own.text.escaped().data(), other.text.escaped().data() + 14);
    EXPECT_EQ(other.text.plain_bytes(), 22u);
    EXPECT_FALSE(render_record(test::of_type(core::record_type::paused, 0, "x")).escaped);
}

}  // namespace
}  // namespace polylogue::room
