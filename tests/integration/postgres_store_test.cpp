// The shared store on a real PostgreSQL server: appends fenced by the lease rows, seqs without
// gap or repeat, the schema created and versioned, and failures worded for a person.

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>

#include "polylogue/transcript/lease_table.hpp"
#include "polylogue/transcript/open_store.hpp"
#include "support/postgres_server.hpp"
#include "support/records.hpp"
#include "support/scoped_env.hpp"
#include "transcript/postgres_schema.hpp"
#include "transcript/postgres_store.hpp"

namespace polylogue::transcript {
namespace {

using namespace std::chrono_literals;
using test::must;

std::vector<core::record> from(std::int64_t first, std::vector<core::record> records) {
    for (auto& r : records) {
        r.seq = first++;
        r.time = "2026-11-29T04:30:00.000Z";
    }
    return records;
}

class PostgresStore : public ::testing::Test {
  protected:
    test::postgres_server server;
    std::string conninfo = server.create_database("store_test");
    test::sql_client sql{conninfo};
    std::shared_ptr<lease_fence> fence = std::make_shared<lease_fence>("node-a");

    std::unique_ptr<postgres_store> open(std::shared_ptr<lease_fence> with = {}) {
        auto opened = postgres_store::open(conninfo, std::move(with));
        EXPECT_TRUE(opened) << (opened ? "" : opened.error());
        return opened ? std::move(*opened) : nullptr;
    }

    // Waits (5 s at most) until a session of ours waits as described, e.g. "wait_event =
    // 'PgSleep'" or "wait_event_type = 'Lock'".
    bool some_session_waits(const std::string& condition) {
        for (int i = 0; i < 100; ++i) {
            if (sql.value("SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                          "'polylogue' AND " +
                          condition) != "0") {
                return true;
            }
            std::this_thread::sleep_for(50ms);
        }
        return false;
    }

    // The lease row as a claim would leave it, and the fence as the lease keeper would.
    void lease(const std::string& room, const std::string& node, std::int64_t epoch) {
        sql.execute("INSERT INTO leases VALUES ('" + room + "', '" + node + "', " +
                    std::to_string(epoch) +
                    ", now() + interval '1 minute') ON CONFLICT (room) DO UPDATE SET node = "
                    "EXCLUDED.node, epoch = EXCLUDED.epoch");
    }
};

TEST_F(PostgresStore, AppendedRecordsLoadBackInSeqOrder) {
    auto db = open();
    auto paid = test::message("AI-1", "hi \"quoted\" back\\slash\nline {a,b} NULL ünï 🙂", "A");
    paid.cost_usd = 0.25;
    const room_batch batch{"lab", test::numbered({test::join(1, "A"), paid})};
    ASSERT_TRUE(db->append({&batch, 1}).front());
    const auto loaded = db->load("lab", 0).value();
    ASSERT_EQ(loaded.size(), 2U);
    EXPECT_EQ(loaded[1].seq, 2);
    EXPECT_EQ(loaded[1].text, paid.text);
    EXPECT_EQ(db->load("lab", 1).value().size(), 1U);
    EXPECT_EQ(db->last_seq("lab").value(), 2);
    EXPECT_EQ(db->last_seq("elsewhere").value(), 0);
    EXPECT_DOUBLE_EQ(db->cost_since("2026-11-29T00:00:00.000Z").value(), 0.25);
    EXPECT_DOUBLE_EQ(db->cost_since("2026-11-30T00:00:00.000Z").value(), 0.0);
    EXPECT_EQ(db->rooms().value(), std::vector<std::string>{"lab"});
    EXPECT_EQ(sql.value("SELECT type FROM records WHERE room = 'lab' AND seq = 2"), "message");
    EXPECT_EQ(db->where().find(server.password()), std::string::npos);
}

TEST_F(PostgresStore, AGapOrARepeatIsRefusedAndTheOtherRoomsCommit) {
    auto db = open();
    const room_batch first{"lab", test::numbered({test::join(1, "A")})};
    ASSERT_TRUE(db->append({&first, 1}).front());
    const std::vector<room_batch> batches{
        {"lab", from(3, {test::message("AI-1", "gap")})},
        {"den", test::numbered({test::join(1, "B")})},
        {"lab", from(1, {test::message("AI-1", "repeat")})},
    };
    const auto outcomes = db->append(batches);
    EXPECT_EQ(outcomes[0].error(), errc::invalid_argument);
    EXPECT_TRUE(outcomes[1]);
    EXPECT_EQ(outcomes[2].error(), errc::invalid_argument);
    EXPECT_EQ(db->last_seq("lab").value(), 1);
    EXPECT_EQ(db->last_seq("den").value(), 1);
}

TEST_F(PostgresStore, AStaleEpochIsFencedAndCountedWhileAnotherRoomCommits) {
    auto db = open(fence);
    lease("lab", "node-a", 2);
    lease("den", "node-a", 1);
    fence->hold("lab", 1);  // node-b claimed lab (epoch 2) and gave it back to us meanwhile
    fence->hold("den", 1);
    const std::vector<room_batch> batches{{"lab", test::numbered({test::join(1, "A")})},
                                          {"den", test::numbered({test::join(1, "B")})}};
    const auto outcomes = db->append(batches);
    EXPECT_EQ(outcomes[0].error(), errc::fenced);
    EXPECT_TRUE(outcomes[1]);
    EXPECT_EQ(fence->refusals(), 1U);
    EXPECT_EQ(db->last_seq("lab").value(), 0);
    EXPECT_EQ(db->last_seq("den").value(), 1);
}

TEST_F(PostgresStore, ARoomLeasedToAnotherNodeOrNotHeldIsFenced) {
    auto db = open(fence);
    lease("lab", "node-b", 1);
    fence->hold("lab", 1);  // the same epoch, but the row says node-b
    const std::vector<room_batch> batches{{"lab", test::numbered({test::join(1, "A")})},
                                          {"den", test::numbered({test::join(1, "B")})}};
    const auto outcomes = db->append(batches);
    EXPECT_EQ(outcomes[0].error(), errc::fenced);
    EXPECT_EQ(outcomes[1].error(), errc::fenced);  // no epoch for den in the fence
    EXPECT_EQ(fence->refusals(), 2U);
    EXPECT_EQ(sql.value("SELECT count(*) FROM records"), "0");
}

TEST_F(PostgresStore, WithoutAFenceOnlyRoomsNoNodeHoldsAreWritten) {
    auto db = open();
    lease("lab", "node-b", 1);
    sql.execute("INSERT INTO leases VALUES ('den', 'node-b', 3, now() - interval '1 second')");
    const std::vector<room_batch> batches{{"lab", test::numbered({test::join(1, "A")})},
                                          {"den", test::numbered({test::join(1, "B")})}};
    const auto outcomes = db->append(batches);
    EXPECT_EQ(outcomes[0].error(), errc::fenced);
    EXPECT_TRUE(outcomes[1]);
}

// The claim must wait for the append that holds the room's lease row, so that the new owner's
// first load sees every record the old owner committed under its epoch.
TEST_F(PostgresStore, AClaimWaitsForAnAppendHoldingTheLease) {
    auto db = open(fence);
    sql.execute("INSERT INTO leases VALUES ('lab', 'node-a', 1, now() - interval '1 second')");
    fence->hold("lab", 1);
    sql.execute(
        "CREATE FUNCTION slow_insert() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN PERFORM pg_sleep(1); RETURN NEW; END $$; CREATE TRIGGER slow BEFORE INSERT ON "
        "records FOR EACH ROW EXECUTE FUNCTION slow_insert()");
    auto leases = must(lease_table::open(conninfo));
    const auto started = std::chrono::steady_clock::now();
    auto appended = std::async(std::launch::async, [&] {
        const room_batch batch{"lab", test::numbered({test::join(1, "A")})};
        return db->append({&batch, 1}).front();
    });
    // The append holds the row and sleeps in its insert.
    ASSERT_TRUE(some_session_waits("wait_event = 'PgSleep'"));
    const auto grants = leases->claim("node-b", {"lab"}, 1, 5000ms).value();
    const auto claimed = std::chrono::steady_clock::now();
    // The claim went through only once the append had committed: its record is there already.
    // (The database's order, not the two threads' clocks: the append's client may hear of its
    // commit a few microseconds after the claim's does.)
    EXPECT_EQ(sql.value("SELECT count(*) FROM records WHERE room = 'lab'"), "1");
    ASSERT_EQ(appended.wait_for(10s), std::future_status::ready);
    EXPECT_TRUE(appended.get());
    ASSERT_EQ(grants.size(), 1U);
    EXPECT_EQ(grants[0].epoch, 2);
    EXPECT_GT(claimed - started, 900ms);
}

// The other side: a batch that waited for a claim is refused, the new epoch being there.
TEST_F(PostgresStore, AnAppendThatWaitedForAClaimIsFenced) {
    auto db = open(fence);
    lease("lab", "node-a", 1);
    fence->hold("lab", 1);
    test::sql_client claimer{conninfo};
    claimer.execute("BEGIN; UPDATE leases SET node = 'node-b', epoch = 2 WHERE room = 'lab'");
    auto appended = std::async(std::launch::async, [&] {
        const room_batch batch{"lab", test::numbered({test::join(1, "A")})};
        return db->append({&batch, 1}).front();
    });
    EXPECT_TRUE(some_session_waits("wait_event_type = 'Lock'"));
    EXPECT_EQ(appended.wait_for(0ms), std::future_status::timeout);
    claimer.execute("COMMIT");
    ASSERT_EQ(appended.wait_for(10s), std::future_status::ready);
    EXPECT_EQ(appended.get().error(), errc::fenced);
    EXPECT_EQ(sql.value("SELECT count(*) FROM records"), "0");
}

TEST_F(PostgresStore, TheSchemaIsCreatedOnceByNodesOpeningTogether) {
    auto first = std::async(std::launch::async, [&] { return postgres_store::open(conninfo, {}); });
    auto second =
        std::async(std::launch::async, [&] { return postgres_store::open(conninfo, {}); });
    ASSERT_EQ(first.wait_for(20s), std::future_status::ready);
    ASSERT_EQ(second.wait_for(20s), std::future_status::ready);
    const auto a = first.get();
    const auto b = second.get();
    EXPECT_TRUE(a) << (a ? "" : a.error());
    EXPECT_TRUE(b) << (b ? "" : b.error());
    EXPECT_EQ(sql.value("SELECT string_agg(version::text, ',') FROM polylogue_schema"),
              std::to_string(pg::known_schema_version()));
    EXPECT_TRUE(open());  // and again, on a database that is up to date
    EXPECT_EQ(sql.value("SELECT count(*) FROM polylogue_schema"), "1");
}

TEST_F(PostgresStore, ANewerSchemaIsRefusedAndLeftUntouched) {
    sql.execute(
        "CREATE TABLE polylogue_schema (version int NOT NULL); INSERT INTO "
        "polylogue_schema VALUES (99)");
    const auto opened = postgres_store::open(conninfo, {});
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error(), "the database's schema is version 99; this polylogue knows up to " +
                                  std::to_string(pg::known_schema_version()) +
                                  ": upgrade polylogue");
    EXPECT_EQ(sql.value("SELECT version FROM polylogue_schema"), "99");
    EXPECT_EQ(sql.value("SELECT count(*) FROM pg_tables WHERE tablename IN ('records', 'leases')"),
              "0");
}

TEST_F(PostgresStore, ASessionEndedByTheServerIsReplacedOnce) {
    auto db = open();
    const room_batch first{"lab", test::numbered({test::join(1, "A")})};
    ASSERT_TRUE(db->append({&first, 1}).front());
    const auto end_sessions = [&] {
        sql.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
            "application_name = 'polylogue'");
    };
    end_sessions();
    const room_batch second{"lab", from(2, {test::message("AI-1", "again")})};
    EXPECT_TRUE(db->append({&second, 1}).front());
    end_sessions();
    EXPECT_EQ(db->load("lab", 0).value().size(), 2U);
}

TEST_F(PostgresStore, AStoppedServerIsAStorageFailureThatSaysWhy) {
    auto db = open();
    server.stop();
    const auto started = std::chrono::steady_clock::now();
    const room_batch batch{"lab", test::numbered({test::join(1, "A")})};
    EXPECT_EQ(db->append({&batch, 1}).front().error(), errc::storage_failure);
    EXPECT_EQ(db->last_seq("lab").error(), errc::storage_failure);
    EXPECT_EQ(db->last_error().rfind("cannot reach the PostgreSQL server at 127.0.0.1:", 0), 0U)
        << db->last_error();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

class StoreConnection : public ::testing::Test {
  protected:
    test::scoped_env env;
    config::config cfg = [] {
        config::config c;
        c.store.kind = config::store_kind::postgres;
        c.store.url_env = "POLYLOGUE_TEST_DATABASE_URL";
        return c;
    }();

    std::string refusal(const std::string& url) {
        env.set(cfg.store.url_env, url);
        auto opened = open_store(cfg);
        EXPECT_FALSE(opened);
        return opened ? std::string{} : opened.error();
    }
};

TEST_F(StoreConnection, AMissingVariableIsNamed) {
    env.unset(cfg.store.url_env);
    const auto opened = open_store(cfg);
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error().rfind("the environment variable POLYLOGUE_TEST_DATABASE_URL "
                                   "(store.url_env) is not set",
                                   0),
              0U)
        << opened.error();
    EXPECT_FALSE(refusal("").empty());
}

TEST_F(StoreConnection, AWrongPasswordAndAMissingDatabaseAreSaidSo) {
    test::postgres_server server;
    const auto wrong = refusal(server.wrong_password_conninfo());
    EXPECT_EQ(wrong, "PostgreSQL refused the password for user polylogue");
    const auto missing = refusal(server.conninfo("nosuch"));
    EXPECT_EQ(missing, "the database nosuch does not exist on the PostgreSQL server at 127.0.0.1:" +
                           std::to_string(server.port()));
    EXPECT_EQ(missing.find(server.password()), std::string::npos);
    env.set(cfg.store.url_env, "postgresql://polylogue:" + server.password() +
                                   "@127.0.0.1:" + std::to_string(server.port()) + "/postgres");
    EXPECT_TRUE(open_store(cfg));
}

TEST_F(StoreConnection, AnUnreachableServerIsSaidSoWithinTheDeadline) {
    std::string port;
    {
        test::postgres_server server;  // its port, free again once it has stopped
        port = std::to_string(server.port());
    }
    const auto started = std::chrono::steady_clock::now();
    const auto why = refusal("postgresql://polylogue:secret@127.0.0.1:" + port + "/postgres");
    EXPECT_EQ(why.rfind("cannot reach the PostgreSQL server at 127.0.0.1:" + port + ": ", 0), 0U)
        << why;
    EXPECT_EQ(why.find("secret"), std::string::npos);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 12s);
}

}  // namespace
}  // namespace polylogue::transcript
