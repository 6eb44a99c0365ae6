// Cache-stable windows (issue 14, item 1): a member's window only grows until it overflows its
// budget, then it is trimmed back to half of it in one step, so that consecutive requests share
// everything but their newest turns as a prefix. Where the window starts is a fold over the
// room's context_trimmed records, so a resumed room renders exactly the windows it would have.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "polylogue/room/renderer.hpp"
#include "support/records.hpp"

namespace polylogue::room {
namespace {

config::room lab() {
    config::room r;
    r.name = "lab";
    r.system_prompt = "You are {slot} in {room}.";
    return r;
}

std::vector<std::string> texts(const rendered_view& view) {
    std::vector<std::string> out;
    for (const auto& turn : view.conversation.turns) {
        out.push_back(turn.text.plain());
    }
    return out;
}

bool starts_with(const std::vector<std::string>& whole, const std::vector<std::string>& part) {
    return part.size() <= whole.size() && std::equal(part.begin(), part.end(), whole.begin());
}

// A room of two AIs where each turn renders AI-1's view, as the room would, and commits the
// context_trimmed record a trim asks for before the next message.
class GrowingRoom : public ::testing::Test {
  protected:
    static constexpr std::size_t budget = 1'500;
    std::vector<core::record> records = test::numbered({
        test::join(1, "Gemini 3 Pro"),
        test::join(2, "Grok 4"),
        test::message("janus", "the opening question"),
    });

    rendered_view turn(std::size_t n) {
        const room_state state = fold(records);
        rendered_view view = render_within(lab(), state, records, 1, budget);
        if (view.trimmed_from_seq > 0) {
            core::record trimmed = test::of_type(core::record_type::context_trimmed, 1, "trim");
            trimmed.from_seq = view.trimmed_from_seq;
            append(std::move(trimmed));
        }
        append(test::message(n % 2 == 0 ? "AI-1" : "AI-2",
                             "reply " + std::to_string(n) + " " + std::string(150, 'x'),
                             n % 2 == 0 ? "Gemini 3 Pro" : "Grok 4"));
        return view;
    }

    void append(core::record r) {
        r.seq = records.back().seq + 1;
        records.push_back(std::move(r));
    }
};

TEST_F(GrowingRoom, BetweenTrimsEachRequestBeginsWithTheWholePreviousOne) {
    std::vector<std::string> previous;
    int trims = 0;
    int appends = 0;
    for (std::size_t n = 0; n < 200; ++n) {
        const rendered_view view = turn(n);
        const auto now = texts(view);
        EXPECT_LE(view.estimated_tokens, budget);
        if (view.trimmed_from_seq > 0) {
            ++trims;
        } else if (!previous.empty()) {
            EXPECT_TRUE(starts_with(now, previous)) << "turn " << n << " changed its prefix";
            ++appends;
        }
        previous = now;
    }
    EXPECT_GE(trims, 3);
    EXPECT_GT(appends, 5 * trims) << "a trim is followed by many turns that only append";
}

TEST_F(GrowingRoom, ATrimKeepsTheNewestRecordsInHalfOfWhatTheBudgetLeaves) {
    rendered_view view;
    std::size_t n = 0;
    for (; view.trimmed_from_seq == 0 && n < 200; ++n) {
        view = turn(n);
    }
    ASSERT_GT(view.trimmed_from_seq, 0) << "the window never overflowed";
    const std::size_t prompt = estimate_tokens(view.conversation.system.plain()) +
                               estimate_tokens("[janus]: the opening question");
    EXPECT_LE(view.estimated_tokens, prompt + (budget - prompt) / 2);
    EXPECT_GT(view.estimated_tokens, prompt + (budget - prompt) / 2 - 60)
        << "it keeps as much as fits in that half";
    const auto now = texts(view);
    EXPECT_EQ(now.front(), "[janus]: the opening question");
    EXPECT_NE(now.back().find("reply " + std::to_string(n - 2) + " "), std::string::npos)
        << "the newest record is kept";
    // from_seq names the first record of the window, right after the opening.
    const auto first = std::find_if(records.begin(), records.end(), [&](const core::record& r) {
        return r.seq == view.trimmed_from_seq;
    });
    ASSERT_NE(first, records.end());
    EXPECT_NE(now[1].find(first->text), std::string::npos);
    EXPECT_EQ(view.dropped, static_cast<std::size_t>(first - records.begin()) - 1)
        << "every record before the window but the opening is left out";
}

TEST_F(GrowingRoom, AResumedRoomRendersTheWindowItsTrimRecordsSay) {
    // Up to just after a trim, so that the window has room to grow by the next message.
    bool trimmed_late = false;
    for (std::size_t n = 0; !trimmed_late && n < 500; ++n) {
        trimmed_late = turn(n).trimmed_from_seq > 0 && n >= 30;
    }
    ASSERT_TRUE(trimmed_late);
    const room_state state = fold(records);
    ASSERT_GT(state.member(1)->window_from_seq, 0);
    render_cache warm;
    const auto first = render_within(lab(), state, records, 1, budget, warm);
    const auto again = render_within(lab(), state, records, 1, budget);  // a fresh process
    EXPECT_EQ(texts(first), texts(again));
    EXPECT_EQ(first.trimmed_from_seq, 0) << "the window still fits: no new trim";
    EXPECT_GT(first.dropped, 0u);
}

TEST_F(GrowingRoom, TrimRecordsOfOtherMembersLeaveAWindowAlone) {
    for (std::size_t n = 0; n < 60; ++n) {
        turn(n);
    }
    room_state state = fold(records);
    const auto before = texts(render_within(lab(), state, records, 1, budget));
    core::record other = test::of_type(core::record_type::context_trimmed, 2, "trim");
    other.from_seq = records.back().seq;
    append(std::move(other));
    state = fold(records);
    EXPECT_EQ(texts(render_within(lab(), state, records, 1, budget)), before);
}

TEST(StableWindow, ARecordWrittenBeforeBlockTrimsStartsAWindowAtTheNextRender) {
    // A context_trimmed record of an older version has no from_seq: the window starts over.
    std::vector<core::record> records{test::join(1, "Gemini 3 Pro"), test::join(2, "Grok 4")};
    for (int i = 0; i < 100; ++i) {
        records.push_back(test::message("AI-2", std::string(200, 'y'), "Grok 4"));
    }
    records.push_back(test::of_type(core::record_type::context_trimmed, 1, "old"));
    records = test::numbered(std::move(records));
    const auto view = render_within(lab(), fold(records), records, 1, 2'000);
    EXPECT_GT(view.trimmed_from_seq, 0);
    EXPECT_LE(view.estimated_tokens, 2'000u);
}

}  // namespace
}  // namespace polylogue::room
