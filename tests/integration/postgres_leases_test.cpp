// The fleet's lease table and record notices on a real PostgreSQL server: claims take only free
// leases with a growing epoch, renewals keep only a node's own, a release frees at once; a
// listener hears of records once they are committed, never before.

#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>

#include "polylogue/transcript/lease_table.hpp"
#include "polylogue/transcript/record_listener.hpp"
#include "support/loop.hpp"
#include "support/postgres_server.hpp"
#include "support/records.hpp"
#include "transcript/postgres_store.hpp"

namespace polylogue::transcript {
namespace {

using namespace std::chrono_literals;
using test::must;

class LeaseTable : public ::testing::Test {
  protected:
    test::postgres_server server;
    std::string conninfo = server.create_database("lease_test");
    std::unique_ptr<lease_table> leases = must(lease_table::open(conninfo));
    test::sql_client sql{conninfo};

    // Expiry without waiting: the lease ran out a second ago.
    void expire(const std::string& room) {
        sql.execute("UPDATE leases SET expires_at = now() - interval '1 second' WHERE room = '" +
                    room + "'");
    }
    std::string held(const std::string& room) {
        return sql.value("SELECT (expires_at > now())::text FROM leases WHERE room = '" + room +
                         "'");
    }
};

TEST_F(LeaseTable, AClaimTakesFreeRoomsInOrderUpToTheLimit) {
    const auto first = leases->claim("node-a", {"c", "a", "b"}, 2, 5000ms).value();
    ASSERT_EQ(first.size(), 2U);
    EXPECT_EQ(first[0].room, "c");
    EXPECT_EQ(first[1].room, "a");
    EXPECT_EQ(first[0].epoch, 1);
    // node-b gets only what is left: a live lease is never taken.
    const auto second = leases->claim("node-b", {"a", "b", "c"}, 10, 5000ms).value();
    ASSERT_EQ(second.size(), 1U);
    EXPECT_EQ(second[0].room, "b");
    EXPECT_TRUE(leases->claim("node-b", {"a", "c"}, 10, 5000ms).value().empty());
    EXPECT_EQ(leases->claim("node-c", {"d", "d"}, 10, 5000ms).value().size(), 1U);
    EXPECT_EQ(held("a"), "true");
}

TEST_F(LeaseTable, AnExpiredLeaseIsClaimedWithTheNextEpoch) {
    ASSERT_EQ(leases->claim("node-a", {"lab"}, 1, 5000ms).value().size(), 1U);
    expire("lab");
    const auto taken = leases->claim("node-b", {"lab"}, 1, 5000ms).value();
    ASSERT_EQ(taken.size(), 1U);
    EXPECT_EQ(taken[0].epoch, 2);
    EXPECT_EQ(sql.value("SELECT node FROM leases WHERE room = 'lab'"), "node-b");
}

TEST_F(LeaseTable, RenewalKeepsOnlyTheNodesOwnEpochs) {
    const auto mine = leases->claim("node-a", {"lab", "den"}, 2, 5000ms).value();
    ASSERT_EQ(mine.size(), 2U);
    expire("lab");
    expire("den");
    ASSERT_EQ(leases->claim("node-b", {"den"}, 1, 5000ms).value().size(), 1U);
    // lab expired but nobody took it: still node-a's with epoch 1; den is node-b's now.
    const auto renewed = leases->renew("node-a", mine, 5000ms).value();
    EXPECT_EQ(renewed, std::vector<std::string>{"lab"});
    EXPECT_EQ(held("lab"), "true");
    EXPECT_TRUE(leases->renew("node-b", {{"lab", 1}}, 5000ms).value().empty());
    EXPECT_TRUE(leases->renew("node-a", {{"lab", 7}}, 5000ms).value().empty());
}

TEST_F(LeaseTable, AReleaseFreesTheLeaseAtOnceForItsEpochOnly) {
    const auto mine = leases->claim("node-a", {"lab", "den"}, 2, 60'000ms).value();
    ASSERT_TRUE(leases->release("node-a", {{"den", 5}}));  // not the epoch held: kept
    EXPECT_EQ(held("den"), "true");
    ASSERT_TRUE(leases->release("node-a", mine));
    EXPECT_EQ(held("lab"), "false");
    const auto taken = leases->claim("node-b", {"lab", "den"}, 2, 5000ms).value();
    ASSERT_EQ(taken.size(), 2U);
    EXPECT_EQ(taken[1].epoch, 2);
}

TEST_F(LeaseTable, OwnersShowTheNodeItsAddressAndWhetherTheLeaseHolds) {
    EXPECT_EQ(leases->heartbeat("node-a", "127.0.0.1:7001", 5000ms).value(), 1);
    EXPECT_EQ(leases->heartbeat("node-b", "127.0.0.1:7002", 5000ms).value(), 2);
    sql.execute("UPDATE nodes SET expires_at = now() - interval '1 second' WHERE node = 'node-b'");
    EXPECT_EQ(leases->heartbeat("node-a", "127.0.0.1:7001", 5000ms).value(), 1);
    ASSERT_EQ(leases->claim("node-a", {"lab"}, 1, 5000ms).value().size(), 1U);
    ASSERT_EQ(leases->claim("node-c", {"den"}, 1, 5000ms).value().size(), 1U);
    expire("den");
    const auto owners = leases->owners().value();
    ASSERT_EQ(owners.size(), 2U);
    EXPECT_EQ(owners[0].room, "den");
    EXPECT_EQ(owners[0].node, "node-c");
    EXPECT_EQ(owners[0].address, "");
    EXPECT_FALSE(owners[0].held);
    EXPECT_EQ(owners[1].room, "lab");
    EXPECT_EQ(owners[1].address, "127.0.0.1:7001");
    EXPECT_EQ(owners[1].epoch, 1);
    EXPECT_TRUE(owners[1].held);
}

TEST_F(LeaseTable, ALostSessionIsReplacedAndAStoppedServerSaysWhy) {
    sql.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name "
        "= 'polylogue'");
    EXPECT_EQ(leases->claim("node-a", {"lab"}, 1, 5000ms).value().size(), 1U);
    server.stop();
    EXPECT_EQ(leases->owners().error(), errc::storage_failure);
    EXPECT_EQ(leases->last_error().rfind("cannot reach the PostgreSQL server at 127.0.0.1:", 0), 0U)
        << leases->last_error();
}

TEST_F(LeaseTable, AShortLeaseRunsOutOnTheDatabasesClock) {
    ASSERT_EQ(leases->claim("node-a", {"lab"}, 1, 1000ms).value().size(), 1U);
    EXPECT_TRUE(leases->claim("node-b", {"lab"}, 1, 1000ms).value().empty());
    std::this_thread::sleep_for(1100ms);
    EXPECT_EQ(leases->claim("node-b", {"lab"}, 1, 1000ms).value().size(), 1U);
}

class RecordListener : public ::testing::Test {
  protected:
    test::postgres_server server;
    std::string conninfo = server.create_database("listener_test");
    std::unique_ptr<postgres_store> db = must(postgres_store::open(conninfo, {}));
    boost::asio::io_context loop;
    std::unique_ptr<record_listener> listener =
        must(record_listener::open(loop.get_executor(), conninfo));

    std::vector<record_notice> next(std::chrono::milliseconds wait) {
        auto heard = test::run_coroutine(loop, listener->next(wait), wait + 5s);
        EXPECT_TRUE(heard && *heard);
        return heard && *heard ? **heard : std::vector<record_notice>{};
    }
};

TEST_F(RecordListener, ANoticeArrivesOnceTheRecordsAreCommitted) {
    EXPECT_TRUE(next(200ms).empty());
    const std::vector<room_batch> batches{
        {"lab", test::numbered({test::join(1, "A"), test::join(2, "B")})},
        {"den room", test::numbered({test::join(1, "C")})}};
    const auto started = std::chrono::steady_clock::now();
    ASSERT_TRUE(db->append(batches).front());
    auto heard = next(5s);
    if (heard.size() < 2) {
        const auto more = next(1s);
        heard.insert(heard.end(), more.begin(), more.end());
    }
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
    ASSERT_EQ(heard.size(), 2U);
    EXPECT_EQ(heard[0].room, "den room");  // batches commit in room order
    EXPECT_EQ(heard[0].last_seq, 1);
    EXPECT_EQ(heard[1].room, "lab");
    EXPECT_EQ(heard[1].last_seq, 2);
}

TEST_F(RecordListener, NothingIsHeardOfARefusedBatchOrBeforeTheCommit) {
    test::sql_client writer{conninfo};
    writer.execute("BEGIN; SELECT pg_notify('polylogue_records', '1 lab')");
    EXPECT_TRUE(next(300ms).empty());
    writer.execute("ROLLBACK");
    const room_batch gap{"lab", {test::numbered({test::join(1, "A"), test::join(2, "A")})[1]}};
    EXPECT_EQ(db->append({&gap, 1}).front().error(), errc::invalid_argument);
    EXPECT_TRUE(next(300ms).empty());
}

TEST_F(RecordListener, ALostConnectionIsAnError) {
    test::sql_client{conninfo}.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%'");
    auto heard = test::run_coroutine(loop, listener->next(2s), 10s);
    if (heard && *heard) {  // the server's goodbye may come before the end of the stream
        heard = test::run_coroutine(loop, listener->next(2s), 10s);
    }
    ASSERT_TRUE(heard);
    EXPECT_FALSE(*heard);
}

}  // namespace
}  // namespace polylogue::transcript
