#include "polylogue/http/async_semaphore.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <utility>

namespace polylogue::http {

namespace asio = boost::asio;

struct async_semaphore::waiter {
    explicit waiter(asio::any_io_executor executor) : timer{executor} {}

    asio::steady_timer timer;  // its deadline; cancelled when a permit is handed over
    bool granted = false;
};

async_semaphore::permit::permit(permit&& other) noexcept
    : owner_{std::exchange(other.owner_, nullptr)} {}

async_semaphore::permit& async_semaphore::permit::operator=(permit&& other) noexcept {
    if (this != &other) {
        release();
        owner_ = std::exchange(other.owner_, nullptr);
    }
    return *this;
}

async_semaphore::permit::~permit() {
    release();
}

void async_semaphore::permit::release() noexcept {
    if (auto* owner = std::exchange(owner_, nullptr)) {
        owner->give_back();
    }
}

async_semaphore::async_semaphore(std::size_t permits) : available_{permits} {}

async_semaphore::~async_semaphore() = default;

std::optional<async_semaphore::permit> async_semaphore::try_acquire() {
    if (available_ == 0 || !queue_.empty()) {
        return std::nullopt;
    }
    --available_;
    return permit{this};
}

asio::awaitable<result<async_semaphore::permit>> async_semaphore::acquire(
    std::chrono::steady_clock::time_point deadline) {
    if (auto now = try_acquire()) {
        co_return std::move(*now);
    }
    auto entry = std::make_shared<waiter>(co_await asio::this_coro::executor);
    entry->timer.expires_at(deadline);
    const auto place = queue_.insert(queue_.end(), entry);
    boost::system::error_code ignored;
    co_await entry->timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    // Granted wins over a deadline that passed meanwhile: the permit is already ours, and
    // dropping it here would lose it.
    if (entry->granted) {
        co_return permit{this};
    }
    queue_.erase(place);
    co_return result<permit>{errc::deadline_exceeded};
}

void async_semaphore::give_back() noexcept {
    if (queue_.empty()) {
        ++available_;
        return;
    }
    // Straight to the oldest waiter, so that no newcomer takes it first.
    const auto next = std::move(queue_.front());
    queue_.pop_front();
    next->granted = true;
    next->timer.cancel();
}

}  // namespace polylogue::http
