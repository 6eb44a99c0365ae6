// The fleet tests' PostgreSQL (tests/support/postgres_server.hpp): a real server that starts on
// 127.0.0.1 with password logins, gives each test a database of its own, and can be stopped or
// killed to make it unreachable.

#include "support/postgres_server.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace polylogue {
namespace {

using namespace std::chrono_literals;

TEST(PostgresServer, StartsAndAcceptsItsPassword) {
    const auto started = std::chrono::steady_clock::now();
    test::postgres_server server;
    EXPECT_LT(std::chrono::steady_clock::now() - started, 30s);
    EXPECT_GT(server.port(), 0);
    EXPECT_NE(server.conninfo().find("port=" + std::to_string(server.port())), std::string::npos);
    EXPECT_EQ(test::connection_error(server.conninfo()), "");
    test::sql_client client{server.conninfo()};
    EXPECT_EQ(client.value("SHOW server_version_num").substr(0, 2), "15");
    EXPECT_EQ(client.value("SELECT current_user"), "polylogue");
    EXPECT_EQ(client.value("SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user"),
              "true");
}

TEST(PostgresServer, RefusesAWrongPassword) {
    test::postgres_server server;
    const auto why = test::connection_error(server.wrong_password_conninfo());
    EXPECT_NE(why.find("password authentication failed"), std::string::npos) << why;
    const auto no_password = "host=127.0.0.1 port=" + std::to_string(server.port()) +
                             " user=polylogue password= dbname=postgres connect_timeout=5";
    EXPECT_NE(test::connection_error(no_password), "");
}

TEST(PostgresServer, GivesEachTestADatabaseOfItsOwn) {
    test::postgres_server server;
    const auto first = server.create_database("first_test");
    const auto second = server.create_database("second_test");
    test::sql_client{first}.execute("CREATE TABLE records (room text, seq bigint)");
    test::sql_client{first}.execute("INSERT INTO records VALUES ('lobby', 1), ('lobby', 2)");
    EXPECT_EQ(test::sql_client{first}.value("SELECT count(*) FROM records"), "2");
    EXPECT_EQ(test::sql_client{second}.value("SELECT count(*) FROM pg_tables WHERE tablename = "
                                             "'records'"),
              "0");
    EXPECT_EQ(test::sql_client{first}.value("SELECT current_database()"), "first_test");
    EXPECT_EQ(test::sql_client{server.url("second_test")}.value("SELECT current_database()"),
              "second_test");
    EXPECT_THROW(server.create_database("no; DROP"), std::invalid_argument);
    const auto rows =
        test::sql_client{first}.rows("SELECT room, seq, NULL FROM records ORDER BY seq");
    ASSERT_EQ(rows.size(), 2U);
    EXPECT_EQ(rows[1][0].value_or(""), "lobby");
    EXPECT_EQ(rows[1][1].value_or(""), "2");
    EXPECT_FALSE(rows[1][2].has_value());
}

TEST(PostgresServer, ReportsAFailedStatement) {
    test::postgres_server server;
    test::sql_client client{server.conninfo()};
    try {
        client.execute("SELECT * FROM no_such_table");
        FAIL() << "the statement should have failed";
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string{error.what()}.find("no_such_table"), std::string::npos);
    }
}

TEST(PostgresServer, StopMakesItUnreachable) {
    test::postgres_server server;
    test::sql_client session{server.conninfo()};
    server.stop();
    EXPECT_FALSE(server.running());
    EXPECT_NE(test::connection_error(server.conninfo()), "");
    EXPECT_THROW(session.execute("SELECT 1"), std::runtime_error);
}

TEST(PostgresServer, KillEndsTheServerAndItsSessionsAtOnce) {
    test::postgres_server server;
    test::sql_client session{server.conninfo()};
    const auto started = std::chrono::steady_clock::now();
    server.kill();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
    EXPECT_FALSE(server.running());
    EXPECT_NE(test::connection_error(server.conninfo()), "");
    EXPECT_THROW(session.execute("SELECT 1"), std::runtime_error);
}

TEST(PostgresServer, TwoServersRunSideBySide) {
    test::postgres_server one;
    test::postgres_server two;
    EXPECT_NE(one.port(), two.port());
    test::sql_client{one.conninfo()}.execute("CREATE DATABASE only_on_one");
    EXPECT_EQ(test::sql_client{two.conninfo()}.value(
                  "SELECT count(*) FROM pg_database WHERE datname = 'only_on_one'"),
              "0");
}

}  // namespace
}  // namespace polylogue
