#include <gtest/gtest.h>

#include "polylogue/transcript/store.hpp"
#include "support/records.hpp"
#include "support/temp_dir.hpp"

namespace polylogue::transcript {
namespace {

class TranscriptStore : public ::testing::Test {
  protected:
    test::temp_dir dir;
    std::unique_ptr<store> db = store::open(dir / "sub/transcripts.db").value();

    result<void> append(std::string room, std::vector<core::record> records) {
        const room_batch batch{std::move(room), std::move(records)};
        return db->append(std::span{&batch, 1}).front();
    }
};

TEST_F(TranscriptStore, AppendedRecordsLoadBackInSeqOrder) {
    const auto records = test::numbered({test::join(1, "A"), test::message("AI-1", "hi", "A")});
    ASSERT_TRUE(append("lab", records));
    const auto loaded = db->load("lab").value();
    ASSERT_EQ(loaded.size(), 2u);
    EXPECT_EQ(loaded[1].seq, 2);
    EXPECT_EQ(loaded[1].text, "hi");
    EXPECT_EQ(db->last_seq("lab").value(), 2);
}

TEST_F(TranscriptStore, LoadAfterSkipsEarlierRecords) {
    ASSERT_TRUE(append("lab", test::numbered({test::join(1, "A"), test::join(2, "B")})));
    EXPECT_EQ(db->load("lab", 1).value().size(), 1u);
}

TEST_F(TranscriptStore, RoomsAreKeptApart) {
    ASSERT_TRUE(append("a", test::numbered({test::join(1, "A")})));
    ASSERT_TRUE(append("b", test::numbered({test::join(1, "B")})));
    EXPECT_EQ(db->load("a").value().at(0).model, "A");
    EXPECT_EQ(db->load("b").value().at(0).model, "B");
    EXPECT_TRUE(db->load("c").value().empty());
}

TEST_F(TranscriptStore, CostSinceSumsEveryRoomsCostsFromThatTimeOn) {
    auto yesterday = test::message("AI-1", "old", "A");
    yesterday.cost_usd = 5.0;
    auto reply = test::message("AI-1", "new", "A");
    reply.cost_usd = 0.25;
    auto image = test::of_type(core::record_type::image, 1, "a fox");
    image.cost_usd = 0.04;
    auto lab = test::numbered({yesterday, reply, image, test::join(2, "B")});
    lab[0].time = "2026-11-28T23:59:59.999Z";
    for (std::size_t i = 1; i < lab.size(); ++i) {
        lab[i].time = "2026-11-29T00:00:0" + std::to_string(i) + ".000Z";
    }
    auto search = test::of_type(core::record_type::search_results, 1, "foxes");
    search.cost_usd = 0.5;
    auto other = test::numbered({search});
    other[0].time = "2026-11-29T13:00:00.000Z";
    ASSERT_TRUE(append("lab", lab));
    ASSERT_TRUE(append("other", other));
    EXPECT_DOUBLE_EQ(db->cost_since("2026-11-29T00:00:00.000Z").value(), 0.25 + 0.04 + 0.5);
    EXPECT_DOUBLE_EQ(db->cost_since("2026-11-30T00:00:00.000Z").value(), 0.0);
}

TEST_F(TranscriptStore, ASeqGapIsRefused) {
    auto records = test::numbered({test::join(1, "A")});
    records[0].seq = 2;
    EXPECT_EQ(append("lab", records).error(), errc::invalid_argument);
    EXPECT_TRUE(db->load("lab").value().empty());
}

TEST_F(TranscriptStore, ARepeatedSeqIsRefused) {
    ASSERT_TRUE(append("lab", test::numbered({test::join(1, "A")})));
    EXPECT_FALSE(append("lab", test::numbered({test::join(1, "A")})));
    EXPECT_EQ(db->load("lab").value().size(), 1u);
}

TEST_F(TranscriptStore, OneBadBatchDoesNotCostTheOthersTheirCommit) {
    auto bad = test::numbered({test::join(1, "A")});
    bad[0].seq = 5;
    const std::vector<room_batch> batches{{"good", test::numbered({test::join(1, "G")})},
                                          {"bad", bad},
                                          {"also", test::numbered({test::join(1, "H")})}};
    const auto outcomes = db->append(batches);
    EXPECT_TRUE(outcomes[0]);
    EXPECT_FALSE(outcomes[1]);
    EXPECT_TRUE(outcomes[2]);
    EXPECT_EQ(db->load("good").value().size(), 1u);
    EXPECT_TRUE(db->load("bad").value().empty());
    EXPECT_EQ(db->load("also").value().size(), 1u);
}

TEST_F(TranscriptStore, TwoBatchesOfOneRoomInOneTransactionContinueEachOther) {
    const auto records =
        test::numbered({test::join(1, "A"), test::join(2, "B"), test::message("AI-1", "hi", "A")});
    const std::vector<room_batch> batches{{"lab", {records[0], records[1]}}, {"lab", {records[2]}}};
    const auto outcomes = db->append(batches);
    EXPECT_TRUE(outcomes[0]);
    EXPECT_TRUE(outcomes[1]);
    EXPECT_EQ(db->load("lab").value().size(), 3u);
}

TEST_F(TranscriptStore, AfterARefusedBatchTheRoomContinuesFromWhatIsStored) {
    const auto records = test::numbered({test::join(1, "A"), test::join(2, "B")});
    ASSERT_TRUE(append("lab", {records[0]}));
    auto gap = records[1];
    gap.seq = 4;
    EXPECT_FALSE(append("lab", {records[1], gap}));
    EXPECT_FALSE(append("lab", {records[0]}));
    ASSERT_TRUE(append("lab", {records[1]}));
    EXPECT_EQ(db->last_seq("lab").value(), 2);
}

TEST_F(TranscriptStore, AReopenedStoreContinuesEachRoomFromItsLastSeq) {
    const auto records = test::numbered({test::join(1, "A"), test::join(2, "B")});
    ASSERT_TRUE(append("lab", {records[0]}));
    db.reset();
    db = store::open(dir / "sub/transcripts.db").value();
    EXPECT_EQ(append("lab", {records[0]}).error(), errc::invalid_argument);
    ASSERT_TRUE(append("lab", {records[1]}));
    EXPECT_EQ(db->load("lab").value().size(), 2u);
}

TEST_F(TranscriptStore, RecordsSurviveReopening) {
    ASSERT_TRUE(append("lab", test::numbered({test::join(1, "A")})));
    db.reset();
    db = store::open(dir / "sub/transcripts.db").value();
    EXPECT_EQ(db->load("lab").value().size(), 1u);
}

}  // namespace
}  // namespace polylogue::transcript
