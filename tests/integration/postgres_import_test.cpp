// `polylogue import CONFIG --from-sqlite DATA_DIR` into a real PostgreSQL server, and the CLI's
// readers (transcript, tail) on the shared store: copied rooms are verified by count and
// checksum, an import run again changes nothing, a differing or leased room is refused.

#include <gtest/gtest.h>

#include <fstream>

#include "polylogue/transcript/store.hpp"
#include "support/polylogue_cli.hpp"
#include "support/postgres_server.hpp"
#include "support/records.hpp"
#include "support/scoped_env.hpp"

namespace polylogue {
namespace {

class PostgresImport : public ::testing::Test {
  protected:
    void SetUp() override {
        test::copy_from_source("config", dir);
        std::ofstream{config, std::ios::app}
            << "\nstore: {kind: postgres, url_env: POLYLOGUE_TEST_DATABASE_URL}\n";
        env.set("POLYLOGUE_TEST_DATABASE_URL", conninfo);
        append("demo", 1,
               {test::join(1, "Gemini 3 Pro"), test::message("AI-1", "hello"),
                test::message("AI-2", "hi")});
        append("other", 1, {test::join(1, "Grok 4"), test::message("AI-1", "alone")});
    }

    void append(const std::string& room, std::int64_t first, std::vector<core::record> records) {
        for (auto& r : records) {
            r.seq = first++;
            r.time = "2026-11-29T04:30:00.000Z";
        }
        const transcript::room_batch batch{room, std::move(records)};
        ASSERT_TRUE(sqlite->append({&batch, 1}).front());
    }

    test::process_result import() {
        return test::polylogue({"import", config.string(), "--from-sqlite", (dir / "old").string()},
                               {}, std::chrono::seconds{60});
    }

    test::temp_dir dir;
    std::filesystem::path config = dir / "demo.yaml";
    std::unique_ptr<transcript::store> sqlite =
        transcript::store::open(dir / "old/transcripts.db").value();
    test::postgres_server server;
    std::string conninfo = server.create_database("import_test");
    test::scoped_env env;
};

std::string line_of(const std::string& text, const std::string& start) {
    const auto at = text.find(start);
    return at == std::string::npos ? std::string{} : text.substr(at, text.find('\n', at) - at);
}

TEST_F(PostgresImport, RoomsAreCopiedVerifiedAndNotCopiedTwice) {
    const auto first = import();
    ASSERT_EQ(first.exit_code, 0) << first.err;
    const auto demo = line_of(first.out, "room demo: ");
    EXPECT_NE(demo.find(": 3 records, checksum "), std::string::npos) << first.out;
    EXPECT_TRUE(demo.ends_with(": imported")) << demo;
    EXPECT_NE(first.out.find("2 rooms: 2 imported, 0 already there, 0 refused"), std::string::npos)
        << first.out;
    const auto records = test::transcript_records(config, "demo");
    ASSERT_EQ(records.size(), 3U);
    EXPECT_EQ(records[2]["text"], "hi");
    const auto tail = test::polylogue({"tail", config.string(), "demo"});
    EXPECT_EQ(tail.exit_code, 0) << tail.err;
    EXPECT_NE(tail.out.find("hello"), std::string::npos) << tail.out;

    const auto again = import();
    ASSERT_EQ(again.exit_code, 0) << again.err;
    const auto same = line_of(again.out, "room demo: ");
    EXPECT_EQ(same.substr(0, same.rfind(':')), demo.substr(0, demo.rfind(':')));
    EXPECT_TRUE(same.ends_with(": already there")) << same;
    EXPECT_NE(again.out.find("2 rooms: 0 imported, 2 already there, 0 refused"), std::string::npos)
        << again.out;
    EXPECT_EQ(test::sql_client{conninfo}.value("SELECT count(*) FROM records"), "5");
}

TEST_F(PostgresImport, ARoomThatWentOnGetsTheRestAndADifferingOneIsRefused) {
    ASSERT_EQ(import().exit_code, 0);
    append("other", 3, {test::message("AI-1", "still here")});
    test::sql_client sql{conninfo};
    sql.execute("UPDATE records SET body = replace(body, 'hello', 'HELLO') WHERE room = 'demo'");
    const auto second = import();
    EXPECT_EQ(second.exit_code, 1);
    EXPECT_NE(second.out.find("room other: 3 records"), std::string::npos) << second.out;
    EXPECT_NE(second.out.find("imported (the first 2 were there)"), std::string::npos)
        << second.out;
    EXPECT_NE(second.err.find("room demo: the store holds other records (3 records, checksum "),
              std::string::npos)
        << second.err;
    EXPECT_NE(second.err.find("): not merged"), std::string::npos) << second.err;
    EXPECT_EQ(sql.value("SELECT count(*) FROM records WHERE body LIKE '%HELLO%'"), "1");
    EXPECT_EQ(sql.value("SELECT max(seq) FROM records WHERE room = 'other'"), "3");
}

TEST_F(PostgresImport, ARoomANodeHoldsIsRefused) {
    ASSERT_EQ(import().exit_code, 0);
    append("other", 3, {test::message("AI-1", "still here")});
    test::sql_client sql{conninfo};
    sql.execute("INSERT INTO leases VALUES ('other', 'node-b', 1, now() + interval '1 minute')");
    const auto refused = import();
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("room other: node node-b holds its lease"), std::string::npos)
        << refused.err;
    EXPECT_EQ(sql.value("SELECT max(seq) FROM records WHERE room = 'other'"), "2");
}

TEST_F(PostgresImport, AnSqliteConfigOrAMissingSourceIsAUsageError) {
    const auto missing =
        test::polylogue({"import", config.string(), "--from-sqlite", (dir / "nowhere").string()});
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_NE(missing.err.find("there is no "), std::string::npos) << missing.err;
    env.unset("POLYLOGUE_TEST_DATABASE_URL");
    const auto unset = import();
    EXPECT_EQ(unset.exit_code, 1);
    EXPECT_NE(unset.err.find("the environment variable POLYLOGUE_TEST_DATABASE_URL "
                             "(store.url_env) is not set"),
              std::string::npos)
        << unset.err;
}

}  // namespace
}  // namespace polylogue
