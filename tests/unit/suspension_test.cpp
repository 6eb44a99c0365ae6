// Suspended members are tried again after a cool-down that doubles up to a cap, the schedule
// lives in the records (a restart replays it exactly), a room whose speakers are all suspended
// waits for the first retry, and a room that ended because its members failed can be resumed.

#include <gtest/gtest.h>

#include "polylogue/core/text.hpp"
#include "polylogue/room/room_state.hpp"
#include "polylogue/room/turn_decision.hpp"
#include "room/suspension.hpp"
#include "support/records.hpp"

namespace polylogue::room {
namespace {

using namespace std::chrono_literals;
using core::record_type;
using kind = turn_decision::kind;
using time_point = std::chrono::system_clock::time_point;

const time_point noon = *core::parse_rfc3339("2026-11-29T12:00:00.000Z");

core::record suspended(int slot, int retry, time_point at) {
    core::record r = test::of_type(record_type::member_suspended, slot, "suspended");
    r.retry = retry;
    r.retry_at = retry > 0 ? core::format_rfc3339(at) : std::string{};
    return r;
}

core::record failed(int slot) {
    return test::of_type(record_type::turn_failed, slot, {});
}

config::room room_with(int suspend_after, config::suspension_settings settings) {
    config::room r;
    r.suspend_after_failures = suspend_after;
    r.suspension = settings;
    return r;
}

TEST(CoolDown, DoublesFromTheFirstUpToTheCap) {
    const config::suspension_settings defaults;
    std::vector<std::chrono::milliseconds> waits;
    waits.reserve(8);
    for (int failed_retries = 0; failed_retries < 8; ++failed_retries) {
        waits.push_back(cool_down_before(defaults, failed_retries));
    }
    EXPECT_EQ(waits, (std::vector<std::chrono::milliseconds>{1min, 2min, 4min, 8min, 16min, 30min,
                                                             30min, 30min}));
    EXPECT_EQ(cool_down_before(defaults, 1'000'000), 30min);  // no overflow, however many
}

TEST(AfterFailedTurn, NothingBelowTheLimitThenASuspensionWithItsFirstRetry) {
    const auto room = room_with(3, {200ms, 1s, 4});
    member_state member;
    member.slot = 2;
    member.model = "Flaky";
    member.failures_in_a_row = 1;
    EXPECT_FALSE(after_failed_turn(member, room, noon).has_value());
    member.failures_in_a_row = 2;
    const auto step = after_failed_turn(member, room, noon);
    ASSERT_TRUE(step.has_value());
    EXPECT_EQ(step->retry, 1);
    EXPECT_EQ(step->retry_at, "2026-11-29T12:00:00.200Z");
    EXPECT_NE(step->text.find("AI-2 (Flaky) is suspended after 3 failed turns in a row"),
              std::string::npos)
        << step->text;
    EXPECT_NE(step->text.find("tried again in 200ms"), std::string::npos) << step->text;
}

TEST(AfterFailedTurn, EachFailedRetrySchedulesTheNextLaterUntilTheLastGivesUp) {
    const auto room = room_with(1, {200ms, 500ms, 4});
    member_state member;
    member.slot = 1;
    member.model = "Flaky";
    member.suspended = true;
    std::vector<std::string> at;
    for (int failed_retries = 0; failed_retries < 3; ++failed_retries) {
        member.failed_retries = failed_retries;
        const auto step = after_failed_turn(member, room, noon);
        ASSERT_TRUE(step.has_value());
        EXPECT_EQ(step->retry, failed_retries + 2);
        at.push_back(step->retry_at);
    }
    EXPECT_EQ(at, (std::vector<std::string>{"2026-11-29T12:00:00.400Z", "2026-11-29T12:00:00.500Z",
                                            "2026-11-29T12:00:00.500Z"}));
    member.failed_retries = 3;  // the fourth and last retry just failed
    const auto last = after_failed_turn(member, room, noon);
    ASSERT_TRUE(last.has_value());
    EXPECT_EQ(last->retry, 0);
    EXPECT_TRUE(last->retry_at.empty());
    EXPECT_NE(last->text.find("stays suspended"), std::string::npos) << last->text;
}

TEST(AfterFailedTurn, NoRetriesMeansSuspendedForGood) {
    member_state member;
    member.slot = 1;
    const auto step = after_failed_turn(member, room_with(1, {1min, 30min, 0}), noon);
    ASSERT_TRUE(step.has_value());
    EXPECT_EQ(step->retry, 0);
    EXPECT_TRUE(step->retry_at.empty());
}

TEST(SuspensionFold, TheScheduleComesFromTheRecordsAndReplaysExactly) {
    const auto records =
        test::numbered({test::join(1, "Flaky"), test::join(2, "Steady"), failed(1),
                        suspended(1, 1, noon + 1min), failed(1), suspended(1, 2, noon + 3min)});
    const room_state state = fold(records);
    const member_state& flaky = state.members[0];
    EXPECT_TRUE(flaky.suspended);
    EXPECT_EQ(flaky.failed_retries, 1);
    ASSERT_TRUE(flaky.retry_at.has_value());
    EXPECT_EQ(*flaky.retry_at, noon + 3min);
    // A restart folds the same records: the same schedule, whenever it happens.
    const room_state again = fold(records);
    EXPECT_EQ(again.members[0].retry_at, flaky.retry_at);
    EXPECT_EQ(again.members[0].failed_retries, flaky.failed_retries);
}

TEST(SuspensionFold, AReinstatementClearsTheSuspensionAndItsCounts) {
    const auto records = test::numbered(
        {test::join(1, "Flaky"), failed(1), suspended(1, 1, noon), test::message("AI-1", "back"),
         test::of_type(record_type::member_reinstated, 1, "answered retry 1")});
    const room_state state = fold(records);
    const member_state& flaky = state.members[0];
    EXPECT_FALSE(flaky.suspended);
    EXPECT_FALSE(flaky.retry_at.has_value());
    EXPECT_EQ(flaky.failed_retries, 0);
    EXPECT_EQ(flaky.failures_in_a_row, 0);
}

TEST(SuspensionTurns, ARoomWhoseSpeakersAreAllSuspendedWaitsForTheFirstRetry) {
    const auto records =
        test::numbered({test::join(1, "A"), test::join(2, "B"), failed(1),
                        suspended(1, 1, noon + 2min), failed(2), suspended(2, 1, noon + 1min)});
    const room_state state = fold(records);
    const auto waiting = next_turn(state, 100, std::nullopt, noon);
    EXPECT_EQ(waiting.what, kind::wait);
    EXPECT_EQ(waiting.until, noon + 1min);
    const auto due = next_turn(state, 100, std::nullopt, noon + 1min);
    EXPECT_EQ(due.what, kind::speak);
    EXPECT_EQ(due.slot, 2);
}

TEST(SuspensionTurns, ASuspendedMemberIsPassedOverUntilItsRetryIsDue) {
    const auto records =
        test::numbered({test::join(1, "A"), test::join(2, "B"), failed(1),
                        suspended(1, 1, noon + 1min), test::message("AI-2", "hi")});
    const room_state state = fold(records);
    EXPECT_EQ(next_turn(state, 100, std::nullopt, noon).slot, 2);
    EXPECT_EQ(next_turn(state, 100, std::nullopt, noon + 1min).slot, 1);
}

TEST(SuspensionTurns, TheRoomEndsAsFailedOnceNoMemberHasARetryLeft) {
    const auto records = test::numbered({test::join(1, "A"), test::join(2, "B"), failed(1),
                                         suspended(1, 0, {}), failed(2), suspended(2, 0, {})});
    const auto next = next_turn(fold(records), 100, std::nullopt, noon);
    EXPECT_EQ(next.what, kind::end);
    EXPECT_EQ(next.failure, "members_failed");
}

TEST(SuspensionTurns, ARoomOfExhaustedScriptsEndsWithoutFailure) {
    room_state state = fold(test::numbered({test::join(1, "A")}));
    state.members[0].exhausted = true;
    const auto next = next_turn(state, 100, std::nullopt, noon);
    EXPECT_EQ(next.what, kind::end);
    EXPECT_TRUE(next.failure.empty());
}

TEST(ResumeFold, AResumeReopensARoomThatEndedBecauseItsMembersFailed) {
    auto ended = test::of_type(record_type::room_ended, 0, "no member can speak");
    ended.failure = "members_failed";
    auto records = test::numbered({test::join(1, "A"), failed(1), suspended(1, 0, {}), ended});
    EXPECT_TRUE(fold(records).ended);
    EXPECT_TRUE(fold(records).ended_by_failure);
    records.push_back(test::of_type(record_type::resumed, 0, "resumed by the control API"));
    records.push_back(test::of_type(record_type::member_reinstated, 1, "reinstated"));
    const room_state reopened = fold(test::numbered(records));
    EXPECT_FALSE(reopened.ended);
    EXPECT_TRUE(reopened.end_reason.empty());
    EXPECT_FALSE(reopened.members[0].suspended);
    EXPECT_EQ(next_turn(reopened, 100, std::nullopt, noon).slot, 1);
}

TEST(ResumeFold, AResumeLeavesARoomThatEndedForAnyOtherReasonEnded) {
    const auto records =
        test::numbered({test::join(1, "A"), failed(1), suspended(1, 0, {}),
                        test::of_type(record_type::room_ended, 0, "reached max_turns (1 AI turns)"),
                        test::of_type(record_type::resumed, 0, "resumed")});
    EXPECT_TRUE(fold(records).ended);
}

TEST(ResumeFold, ARoomThatEndedThisWayBeforeTheFailureFieldExistedCanBeResumed) {
    const auto records = test::numbered(
        {test::join(1, "A"), failed(1), suspended(1, 0, {}),
         test::of_type(record_type::room_ended, 0, std::string{legacy_members_failed_reason})});
    EXPECT_TRUE(fold(records).ended_by_failure);
}

}  // namespace
}  // namespace polylogue::room
