#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <stdexcept>
#include <string>
#include <thread>

#include "polylogue/transcript/group_committer.hpp"
#include "support/loop.hpp"
#include "support/records.hpp"
#include "support/temp_dir.hpp"

namespace polylogue::transcript {
namespace {

namespace asio = boost::asio;

struct room_writer_result {
    int committed = 0;
    bool resumed_on_loop_thread = true;
};

// Commits count single-record batches for room, one after the other, like a room's turns.
asio::awaitable<void> write_room(group_committer* committer, std::string room, int count,
                                 room_writer_result* out, std::thread::id loop_thread) {
    for (int seq = 1; seq <= count; ++seq) {
        auto r = test::message("AI-1", "turn " + std::to_string(seq), "A");
        r.seq = seq;
        r.time = "2026-11-29T04:30:00.000Z";
        room_batch batch{room, {}};
        batch.records.push_back(r);
        auto done = co_await committer->commit(std::move(batch));
        out->resumed_on_loop_thread &= std::this_thread::get_id() == loop_thread;
        if (done) {
            ++out->committed;
        }
    }
}

asio::awaitable<void> stop_after(group_committer* committer, std::vector<room_writer_result>* all,
                                 int rooms, int count) {
    asio::steady_timer poll{co_await asio::this_coro::executor};
    for (;;) {
        int done = 0;
        for (const auto& r : *all) {
            done += r.committed;
        }
        if (done == rooms * count) {
            break;
        }
        poll.expires_after(std::chrono::milliseconds{1});
        co_await poll.async_wait(asio::use_awaitable);
    }
    committer->stop();
}

TEST(GroupCommitter, RoomsCommittingTogetherShareTransactions) {
    test::temp_dir dir;
    auto db = store::open(dir / "t.db").value();
    asio::io_context loop;
    group_committer committer{loop.get_executor(), *db};
    constexpr int rooms = 20;
    constexpr int turns = 5;
    std::vector<room_writer_result> results(std::size_t{rooms});
    asio::co_spawn(loop, committer.run(), asio::detached);
    for (int i = 0; i < rooms; ++i) {
        asio::co_spawn(
            loop,
            write_room(&committer, "room" + std::to_string(i), turns,
                       &results[static_cast<std::size_t>(i)], std::this_thread::get_id()),
            asio::detached);
    }
    asio::co_spawn(loop, stop_after(&committer, &results, rooms, turns), asio::detached);
    test::run_with_limit(loop, std::chrono::seconds{20});

    for (int i = 0; i < rooms; ++i) {
        const auto& result = results[static_cast<std::size_t>(i)];
        EXPECT_EQ(result.committed, turns);
        EXPECT_TRUE(result.resumed_on_loop_thread);
        EXPECT_EQ(db->load("room" + std::to_string(i)).value().size(), std::size_t{turns});
    }
    EXPECT_EQ(committer.stats().records, std::uint64_t{rooms * turns});
    // 100 batches from 20 rooms at once: grouped, far fewer transactions than batches.
    EXPECT_LE(committer.stats().transactions, std::uint64_t{turns * 2});
}

TEST(GroupCommitter, StopDrainsWhatIsQueued) {
    test::temp_dir dir;
    auto db = store::open(dir / "t.db").value();
    asio::io_context loop;
    group_committer committer{loop.get_executor(), *db};
    room_writer_result result;
    asio::co_spawn(loop, write_room(&committer, "lab", 1, &result, std::this_thread::get_id()),
                   asio::detached);
    committer.stop();
    asio::co_spawn(loop, committer.run(), asio::detached);
    test::run_with_limit(loop, std::chrono::seconds{10});
    EXPECT_EQ(result.committed, 1);
    EXPECT_EQ(db->load("lab").value().size(), 1u);
}

struct disk_work_seen {
    std::thread::id worked_on;
    std::thread::id resumed_on;
    std::string rethrown;
};

asio::awaitable<void> work_off_loop(group_committer* committer, disk_work_seen* seen) {
    co_await committer->on_writer([seen] { seen->worked_on = std::this_thread::get_id(); });
    seen->resumed_on = std::this_thread::get_id();
    try {
        co_await committer->on_writer([] { throw std::runtime_error{"disk full"}; });
    } catch (const std::runtime_error& e) {
        seen->rethrown = e.what();
    }
}

TEST(GroupCommitter, OtherDiskWorkRunsOnTheWriterThreadAndResumesOnTheLoop) {
    test::temp_dir dir;
    auto db = store::open(dir / "t.db").value();
    asio::io_context loop;
    group_committer committer{loop.get_executor(), *db};
    disk_work_seen seen;
    asio::co_spawn(loop, work_off_loop(&committer, &seen), asio::detached);
    test::run_with_limit(loop, std::chrono::seconds{10});
    EXPECT_NE(seen.worked_on, std::thread::id{});
    EXPECT_NE(seen.worked_on, std::this_thread::get_id()) << "the work ran on the loop thread";
    EXPECT_EQ(seen.resumed_on, std::this_thread::get_id());
    EXPECT_EQ(seen.rethrown, "disk full");
}

}  // namespace
}  // namespace polylogue::transcript
