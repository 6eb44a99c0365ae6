#include "polylogue/transcript/group_committer.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <utility>

namespace polylogue::transcript {

namespace asio = boost::asio;

struct group_committer::waiter {
    explicit waiter(asio::any_io_executor executor, room_batch b)
        : done{executor, asio::steady_timer::time_point::max()}, batch{std::move(b)} {}

    asio::steady_timer done;
    room_batch batch;
    result<void> outcome;
    bool finished = false;
};

namespace {

// Runs on the writer thread: the only place that touches the database while the loop runs.
asio::awaitable<std::vector<result<void>>> append_on_writer(store* db,
                                                            std::vector<room_batch> batches) {
    co_return db->append(batches);
}

asio::awaitable<void> run_on_writer(const std::function<void()>* work) {
    (*work)();
    co_return;
}

}  // namespace

group_committer::group_committer(asio::any_io_executor loop, store& db)
    : loop_{loop}, db_{db}, wakeup_{loop, asio::steady_timer::time_point::max()} {}

group_committer::~group_committer() {
    writer_.join();
}

asio::awaitable<result<void>> group_committer::commit(room_batch batch) {
    if (batch.records.empty()) {
        co_return result<void>{};
    }
    auto entry = std::make_shared<waiter>(loop_, std::move(batch));
    pending_.push_back(entry);
    wakeup_.cancel();
    boost::system::error_code ignored;
    co_await entry->done.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    if (!entry->finished) {
        co_return result<void>{errc::cancelled};
    }
    co_return entry->outcome;
}

asio::awaitable<void> group_committer::on_writer(std::function<void()> work) {
    co_await asio::co_spawn(writer_, run_on_writer(&work), asio::use_awaitable);
}

asio::awaitable<void> group_committer::write_pending() {
    auto taken = std::exchange(pending_, {});
    std::vector<room_batch> batches;
    batches.reserve(taken.size());
    for (const auto& entry : taken) {
        stats_.records += entry->batch.records.size();
        batches.push_back(std::move(entry->batch));
    }
    auto outcomes = co_await asio::co_spawn(writer_, append_on_writer(&db_, std::move(batches)),
                                            asio::use_awaitable);
    ++stats_.transactions;
    stats_.batches += taken.size();
    for (std::size_t i = 0; i < taken.size(); ++i) {
        taken[i]->outcome = outcomes[i];
        taken[i]->finished = true;
        taken[i]->done.cancel();
    }
}

asio::awaitable<void> group_committer::run() {
    for (;;) {
        if (!pending_.empty()) {
            co_await write_pending();
            continue;
        }
        if (stopping_) {
            co_return;
        }
        wakeup_.expires_at(asio::steady_timer::time_point::max());
        boost::system::error_code ignored;
        co_await wakeup_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
}

void group_committer::stop() {
    stopping_ = true;
    wakeup_.cancel();
}

}  // namespace polylogue::transcript
