#pragma once
// The daemon's daily budget (docs/config.md, budget_usd_per_day): what every room of the
// data_dir spent in the current UTC day, counted from the committed records' costs, and what
// the turns in flight may still spend. A room reserves its next turn's worst case before the
// provider call and gives it back once the turn is committed, so rooms running side by side
// never take the day past its budget together. One per daemon, on the event loop's thread.

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <optional>
#include <span>
#include <vector>

#include "polylogue/core/record.hpp"

namespace polylogue::room {

class daily_budget {
  public:
    using time_point = std::chrono::system_clock::time_point;

    struct verdict {
        enum class kind {
            granted,  // the turn may go on; its worst case is held until released
            busy,     // it would fit once the turns in flight settle: wait for a release
            spent,    // it does not fit in what is left today
        };
        kind what = kind::granted;
        double spent = 0;  // today's, by every room
        double held = 0;   // reserved by the turns in flight
        double limit = 0;  // budget_usd_per_day
    };

    explicit daily_budget(std::optional<double> usd_per_day = std::nullopt) : limit_{usd_per_day} {}
    daily_budget(const daily_budget&) = delete;
    daily_budget& operator=(const daily_budget&) = delete;

    // A reload's value; nullopt: no limit.
    void set_limit(std::optional<double> usd_per_day) noexcept { limit_ = usd_per_day; }
    std::optional<double> limit() const noexcept { return limit_; }

    // Spending at `when`: it counts when that is the current UTC day (a later day starts anew).
    void add(time_point when, double usd);
    // Committed records: each cost counts on its record's day.
    void count(std::span<const core::record> records);

    // May a turn that costs at most worst_case_usd start now? With no limit, always. A turn is
    // refused once today's spend reaches the limit, and when its worst case would take the
    // spend past it; granted, its worst case is held until release().
    verdict reserve(double worst_case_usd, time_point now);
    void release(double worst_case_usd);

    double spent_today(time_point now);
    double held() const noexcept { return held_; }

    // The timer of a room waiting for a busy budget: release() cancels it.
    void wake_on_release(boost::asio::steady_timer* timer);
    void forget(boost::asio::steady_timer* timer);

    // 00:00 UTC after now: when a day's spend no longer counts.
    static time_point next_day(time_point now);

  private:
    void roll_to(std::chrono::sys_days day);

    std::optional<double> limit_;
    std::chrono::sys_days day_{};
    double spent_ = 0;
    double held_ = 0;
    std::vector<boost::asio::steady_timer*> waiting_;
};

}  // namespace polylogue::room
