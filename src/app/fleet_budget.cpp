#include "app/fleet_budget.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <utility>

namespace polylogue::app {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using steady_clock = std::chrono::steady_clock;

namespace {

constexpr milliseconds first_poll{20};
constexpr milliseconds longest_poll{400};
// After the database failed a call: how long tickets go without a fleet slot before it is
// asked again (each ask may cost libpq's 5 s connect timeout).
constexpr auto unreachable_pause = std::chrono::seconds{5};
constexpr auto prune_interval = std::chrono::seconds{30};

}  // namespace

milliseconds next_fleet_poll(const transcript::call_admission& refused,
                             providers::budget_limits limits, int polls, double jitter) {
    const bool minute_full =
        limits.requests_per_minute > 0 && refused.started_last_minute >= limits.requests_per_minute;
    if (minute_full) {
        // A few ms past it: the database's clock and ours do not tick together.
        return refused.window_frees_in + milliseconds{5};
    }
    auto backoff = first_poll;
    for (int i = 0; i < polls && backoff < longest_poll; ++i) {
        backoff *= 2;
    }
    backoff = std::min(backoff, longest_poll);
    const double stretch = 1.0 + std::clamp(jitter, 0.0, 1.0) / 4.0;
    return milliseconds{
        static_cast<milliseconds::rep>(static_cast<double>(backoff.count()) * stretch)};
}

fleet_budget::fleet_budget(std::string conninfo, std::string node,
                           std::shared_ptr<spdlog::logger> log)
    : conninfo_{std::move(conninfo)}, node_{std::move(node)}, log_{std::move(log)} {}

fleet_budget::~fleet_budget() {
    // A clean stop has nothing in flight any more; tickets already given back are queued first.
    asio::post(db_thread_, [this] {
        if (db_ && steady_clock::now() >= quiet_until_) {
            finish_pending();
            (void)db_->finish_all();
        }
    });
    db_thread_.join();
}

asio::awaitable<result<fleet_budget::ticket>> fleet_budget::acquire(
    std::string provider, providers::budget_limits limits, steady_clock::time_point deadline) {
    const auto executor = co_await asio::this_coro::executor;
    for (int polls = 0;; ++polls) {
        if (unreachable_ && steady_clock::now() < ask_again_at_) {
            co_return ticket{};
        }
        const admission answer = co_await asio::co_spawn(
            db_thread_, start_on_db_thread(this, provider, limits), asio::use_awaitable);
        if (!answer) {
            note_unreachable(answer.error());
            co_return ticket{};
        }
        note_reachable();
        if (answer->call) {
            co_return grant(*answer->call);
        }
        const double jitter = std::uniform_real_distribution<double>{0.0, 1.0}(jitter_source_);
        const auto now = steady_clock::now();
        const auto wait = next_fleet_poll(*answer, limits, polls, jitter);
        asio::steady_timer timer{executor, deadline - now > wait ? now + wait : deadline};
        boost::system::error_code ignored;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        const auto state = co_await asio::this_coro::cancellation_state;
        if (state.cancelled() != asio::cancellation_type::none) {
            co_return result<ticket>{errc::cancelled};
        }
        if (steady_clock::now() >= deadline) {
            co_return result<ticket>{errc::deadline_exceeded};
        }
    }
}

void fleet_budget::give_back(std::int64_t call) noexcept {
    try {
        asio::post(db_thread_, [this, call] { finish_call(call); });
    } catch (...) {
        // Out of memory: the call stays unfinished until the node's clean stop or its death.
    }
}

asio::awaitable<fleet_budget::admission> fleet_budget::start_on_db_thread(
    fleet_budget* self, std::string provider, providers::budget_limits limits) {
    co_return self->start_call(provider, limits);
}

fleet_budget::admission fleet_budget::start_call(const std::string& provider,
                                                 providers::budget_limits limits) {
    auto db = connected();
    if (!db) {
        return db.error();
    }
    finish_pending();
    prune_now_and_then();
    auto answer = (*db)->try_start(provider, std::max(1, limits.max_in_flight),
                                   std::max(0, limits.requests_per_minute));
    if (!answer) {
        note_failure_on_db_thread(answer.error());
    }
    return answer;
}

void fleet_budget::finish_call(std::int64_t call) {
    unfinished_.push_back(call);
    if (db_ && steady_clock::now() >= quiet_until_) {
        finish_pending();
    }
}

result<transcript::postgres_budget*, std::string> fleet_budget::connected() {
    // Calls queued behind one that found the database unreachable fail at once, instead of
    // each waiting out the timeouts again.
    if (steady_clock::now() < quiet_until_) {
        return last_failure_;
    }
    if (!db_) {
        auto opened = transcript::postgres_budget::open(conninfo_, node_);
        if (!opened) {
            note_failure_on_db_thread(opened.error());
            return opened.error();
        }
        // Calls an earlier process of this name left unfinished are not in flight any more.
        if (auto cleared = (*opened)->finish_all(); !cleared) {
            note_failure_on_db_thread(cleared.error());
            return cleared.error();
        }
        db_ = std::move(*opened);
    }
    return db_.get();
}

void fleet_budget::note_failure_on_db_thread(const std::string& why) {
    last_failure_ = why;
    quiet_until_ = steady_clock::now() + unreachable_pause;
}

void fleet_budget::finish_pending() {
    // Stops at the first failure: each may cost libpq's timeouts, and the rest would fail alike.
    while (!unfinished_.empty()) {
        if (auto done = db_->finish(unfinished_.back()); !done) {
            note_failure_on_db_thread(done.error());
            return;
        }
        unfinished_.pop_back();
    }
}

void fleet_budget::prune_now_and_then() {
    const auto now = steady_clock::now();
    if (now < next_prune_) {
        return;
    }
    next_prune_ = now + prune_interval;
    // A failure is harmless: the rows wait for the next prune.
    (void)db_->prune();
}

void fleet_budget::note_unreachable(const std::string& why) {
    reached_ = false;
    ask_again_at_ = steady_clock::now() + unreachable_pause;
    if (!unreachable_) {
        unreachable_ = true;
        log_->warn("fleet budget: {}; provider limits hold per node until the database answers",
                   why);
    }
}

void fleet_budget::note_reachable() {
    reached_ = true;
    if (unreachable_) {
        unreachable_ = false;
        log_->info(
            "fleet budget: the database answers again; provider limits hold across the "
            "fleet");
    }
}

}  // namespace polylogue::app
