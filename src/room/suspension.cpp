#include "suspension.hpp"

#include <algorithm>

#include "polylogue/core/record.hpp"
#include "polylogue/core/text.hpp"

namespace polylogue::room {
namespace {

std::string who(const member_state& member) {
    return core::slot_label(member.slot) + " (" + member.model + ")";
}

suspension_step retry_later(std::string text, int retry, const config::suspension_settings& s,
                            std::chrono::system_clock::time_point now) {
    const auto wait = cool_down_before(s, retry - 1);
    const std::string at = core::format_rfc3339(now + wait);
    return {std::move(text) + "; it is tried again in " + cool_down_text(wait) + " (at " +
                at.substr(11, 8) + " UTC, retry " + std::to_string(retry) + " of " +
                std::to_string(s.retries) + ")",
            retry, at};
}

}  // namespace

std::chrono::milliseconds cool_down_before(const config::suspension_settings& settings,
                                           int failed_retries) {
    auto wait = settings.cool_down;
    for (int i = 0; i < failed_retries && wait < settings.max_cool_down; ++i) {
        wait *= 2;
    }
    return std::min(wait, settings.max_cool_down);
}

std::optional<suspension_step> after_failed_turn(const member_state& member,
                                                 const config::room& room,
                                                 std::chrono::system_clock::time_point now) {
    const auto& settings = room.suspension;
    if (!member.suspended) {
        const int failures = member.failures_in_a_row + 1;
        if (failures < room.suspend_after_failures) {
            return std::nullopt;
        }
        std::string text = who(member) + " is suspended after " + std::to_string(failures) +
                           " failed turns in a row";
        if (settings.retries == 0) {
            return suspension_step{text + "; it is not tried again", 0, {}};
        }
        return retry_later(std::move(text), 1, settings, now);
    }
    const int failed = member.failed_retries + 1;  // the retry that just failed
    std::string text = who(member) + " failed retry " + std::to_string(failed) + " of " +
                       std::to_string(settings.retries);
    if (failed >= settings.retries) {
        return suspension_step{
            text + " and stays suspended; an operator can resume the room", 0, {}};
    }
    return retry_later(std::move(text), failed + 1, settings, now);
}

std::string cool_down_text(std::chrono::milliseconds duration) {
    const auto millis = duration.count();
    if (millis != 0 && millis % 60'000 == 0) {
        return std::to_string(millis / 60'000) + "m";
    }
    if (millis % 1000 == 0) {
        return std::to_string(millis / 1000) + "s";
    }
    return std::to_string(millis) + "ms";
}

}  // namespace polylogue::room
