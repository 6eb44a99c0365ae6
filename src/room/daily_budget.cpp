#include "polylogue/room/daily_budget.hpp"

#include <algorithm>

#include "polylogue/core/text.hpp"

namespace polylogue::room {

namespace {

std::chrono::sys_days day_of(daily_budget::time_point when) {
    return std::chrono::floor<std::chrono::days>(when);
}

}  // namespace

void daily_budget::roll_to(std::chrono::sys_days day) {
    if (day > day_) {
        day_ = day;
        spent_ = 0;
    }
}

void daily_budget::add(time_point when, double usd) {
    const auto day = day_of(when);
    roll_to(day);
    if (day == day_) {
        spent_ += usd;
    }
}

void daily_budget::count(std::span<const core::record> records) {
    for (const auto& r : records) {
        if (r.cost_usd && *r.cost_usd > 0) {
            if (const auto when = core::parse_rfc3339(r.time)) {
                add(*when, *r.cost_usd);
            }
        }
    }
}

daily_budget::verdict daily_budget::reserve(double worst_case_usd, time_point now) {
    roll_to(day_of(now));
    verdict answer{verdict::kind::granted, spent_, held_, limit_.value_or(0)};
    if (limit_) {
        if (spent_ >= *limit_ || spent_ + worst_case_usd > *limit_) {
            answer.what = verdict::kind::spent;
            return answer;
        }
        if (spent_ + held_ + worst_case_usd > *limit_) {
            answer.what = verdict::kind::busy;
            return answer;
        }
    }
    held_ += worst_case_usd;
    return answer;
}

void daily_budget::release(double worst_case_usd) {
    held_ = std::max(0.0, held_ - worst_case_usd);
    for (auto* timer : waiting_) {
        timer->cancel();
    }
}

double daily_budget::spent_today(time_point now) {
    roll_to(day_of(now));
    return spent_;
}

void daily_budget::wake_on_release(boost::asio::steady_timer* timer) {
    if (std::find(waiting_.begin(), waiting_.end(), timer) == waiting_.end()) {
        waiting_.push_back(timer);
    }
}

void daily_budget::forget(boost::asio::steady_timer* timer) {
    waiting_.erase(std::remove(waiting_.begin(), waiting_.end(), timer), waiting_.end());
}

daily_budget::time_point daily_budget::next_day(time_point now) {
    return day_of(now) + std::chrono::days{1};
}

}  // namespace polylogue::room
