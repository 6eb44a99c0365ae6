// The pure parts of the PostgreSQL store: libpq's messages read and reworded for a person,
// array literals for unnest(), and the payload of a record notice.

#include <gtest/gtest.h>

#include "transcript/postgres_connection.hpp"
#include "transcript/postgres_listener.hpp"
#include "transcript/postgres_schema.hpp"

namespace polylogue::transcript {
namespace {

const pg::target server{"db.example", "6432", "poly", "rooms"};

constexpr std::string_view wrong_password =
    "connection to server at \"db.example\" (10.0.0.5), port 6432 failed: FATAL:  28P01: "
    "password authentication failed for user \"poly\"\nLOCATION:  auth_failed, auth.c:334\n";

TEST(PostgresMessages, TheSqlstateOfAVerboseMessageIsRead) {
    EXPECT_EQ(pg::sqlstate_of(wrong_password), "28P01");
    EXPECT_EQ(pg::sqlstate_of("connection to server at \"h\", port 1 failed: Connection refused"),
              "");
    EXPECT_EQ(pg::sqlstate_of("ERROR:  3D000: database \"x\" does not exist"), "3D000");
    EXPECT_EQ(pg::sqlstate_of("FATAL:  abcde: lower case is no SQLSTATE"), "");
}

TEST(PostgresMessages, APlainMessageKeepsOnlyWhatAPersonReads) {
    EXPECT_EQ(pg::plain_message(wrong_password),
              "password authentication failed for user \"poly\"");
    EXPECT_EQ(pg::plain_message("connection to server at \"h\", port 1 failed: Connection "
                                "refused\n\tIs the server running on that host?\n"),
              "Connection refused");
}

TEST(PostgresMessages, ConnectFailuresAreWordedByKind) {
    EXPECT_EQ(pg::explain_connect_failure(server, wrong_password),
              "PostgreSQL refused the password for user poly");
    EXPECT_EQ(pg::explain_connect_failure(
                  server,
                  "connection to server at \"db.example\", port 6432 failed: FATAL:  "
                  "3D000: database \"rooms\" does not exist\n"),
              "the database rooms does not exist on the PostgreSQL server at db.example:6432");
    EXPECT_EQ(pg::explain_connect_failure(
                  server,
                  "connection to server at \"db.example\", port 6432 failed: Connection "
                  "refused\n"),
              "cannot reach the PostgreSQL server at db.example:6432: Connection refused");
    EXPECT_EQ(
        pg::explain_connect_failure(server,
                                    "connection to server at \"db.example\", port 6432 failed: "
                                    "fe_sendauth: no password supplied\n"),
        "the PostgreSQL server at db.example:6432 wants a password for user poly and the "
        "connection string holds none");
    EXPECT_EQ(pg::explain_connect_failure(
                  server,
                  "connection to server at \"db.example\", port 6432 failed: FATAL:  "
                  "53300: sorry, too many clients already\n"),
              "the PostgreSQL server at db.example:6432 refused the connection: sorry, too many "
              "clients already");
}

TEST(PostgresMessages, ATargetNeverShowsThePassword) {
    const auto t = pg::describe_target("postgresql://poly:hunter2@db.example:6432/rooms");
    EXPECT_EQ(pg::where(t), "db.example:6432/rooms");
    EXPECT_EQ(t.user, "poly");
    EXPECT_EQ(pg::where(pg::describe_target("dbname=rooms password=hunter2")),
              "localhost:5432/rooms");
}

TEST(PostgresMessages, ANewerSchemaIsRefusedInWords) {
    EXPECT_EQ(pg::newer_schema_message(3, 1),
              "the database's schema is version 3; this polylogue knows up to 1: upgrade "
              "polylogue");
    EXPECT_EQ(pg::known_schema_version(), static_cast<int>(pg::migrations().size()));
}

TEST(PostgresArrays, TextElementsAreQuotedAndEscaped) {
    const std::vector<std::string> values{"plain", "with \"quotes\"", "back\\slash", "", "{,}"};
    EXPECT_EQ(pg::text_array(values), R"({"plain","with \"quotes\"","back\\slash","","{,}"})");
    EXPECT_EQ(pg::text_array({}), "{}");
}

TEST(PostgresArrays, NumbersRoundTripAndMissingCostsAreNull) {
    const std::vector<std::int64_t> seqs{1, 2, 9'000'000'000};
    EXPECT_EQ(pg::int_array(seqs), "{1,2,9000000000}");
    const std::vector<std::optional<double>> costs{0.1, std::nullopt, 1e-7,
                                                   std::numeric_limits<double>::infinity()};
    EXPECT_EQ(pg::float_array(costs), "{0.1,NULL,1e-07,NULL}");
}

TEST(RecordNotice, APayloadIsTheLastSeqAndTheRoom) {
    const auto notice = parse_record_notice("42 lab");
    ASSERT_TRUE(notice);
    EXPECT_EQ(notice->room, "lab");
    EXPECT_EQ(notice->last_seq, 42);
    EXPECT_EQ(parse_record_notice("7 a room with spaces")->room, "a room with spaces");
}

TEST(RecordNotice, AnythingElseIsIgnored) {
    for (const std::string_view bad : {"", "42", "42 ", " lab", "x lab", "0 lab", "-1 lab",
                                       "4x2 lab", "99999999999999999999 lab"}) {
        EXPECT_FALSE(parse_record_notice(bad)) << bad;
    }
}

}  // namespace
}  // namespace polylogue::transcript
