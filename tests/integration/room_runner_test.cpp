// room_runner in-process: scripted members, a store in a temporary directory behind the group
// committer, one event loop with a time limit. Its observer is where the chat log, the metrics
// and the control API's feed get everything they show, so what it hears, and when, is the
// room's contract with them.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <nlohmann/json.hpp>

#include "polylogue/room/room_runner.hpp"
#include "support/room_bench.hpp"

namespace polylogue {
namespace {

namespace asio = boost::asio;

std::string config_of(const std::string& rooms) {
    return "data_dir: var\n"
           "providers: { stage: { kind: scripted } }\n"
           "models:\n"
           "  - { name: Ada, provider: stage, script: ada.yaml }\n"
           "  - { name: Bob, provider: stage, script: bob.yaml }\n"
           "rooms:\n" +
           rooms;
}

// Writes down what the room tells, and checks, at each commit, that the batch is durable and
// already folded into the room's state.
class recording_observer final : public room::room_observer {
  public:
    explicit recording_observer(transcript::store& reader) : reader_{&reader} {}

    void committed(const room::room_handle& room, std::span<const core::record> records) override {
        batches.emplace_back(records.begin(), records.end());
        events.push_back("commit " + std::to_string(records.front().seq) + ".." +
                         std::to_string(records.back().seq));
        const auto stored = reader_->last_seq(room.room().name);
        durable_when_told = durable_when_told && stored && *stored >= records.back().seq;
        folded_when_told = folded_when_told && room.state().last_seq == records.back().seq &&
                           !room.history().empty() &&
                           room.history().back().seq == records.back().seq;
    }

    void live(const room::room_handle&, const room::live_text& text) override {
        events.push_back(text.restart ? "restart" : "live " + std::string{text.chunk});
    }

    void call_ended(const room::room_handle&, const config::model& model,
                    std::chrono::steady_clock::duration, std::string_view outcome) override {
        events.push_back("call " + model.name + " " + std::string{outcome});
    }

    void stopped_running(const room::room_handle& room) override {
        events.push_back(std::string{"stopped "} + (room.state().ended ? "ended" : "not ended") +
                         (room.running() ? " running" : ""));
    }

    std::vector<std::vector<core::record>> batches;
    std::vector<std::string> events;
    bool durable_when_told = true;
    bool folded_when_told = true;

  private:
    transcript::store* reader_;
};

class RoomRunner : public ::testing::Test {
  protected:
    test::room_bench bench;

    void SetUp() override {
        bench.write_script("ada", {"Hello from Ada.", "Ada again.", "Ada, third."});
        bench.write_script("bob", {"Bob here.", "Bob again."});
    }
};

TEST_F(RoomRunner, ItsObserverHearsEveryBatchInSeqOrderOnceItIsDurableAndFolded) {
    bench.load(
        config_of("  - { name: lobby, members: [Ada, Bob], max_turns: 4, turn_delay: 0s,\n"
                  "      opening: { speaker: janus, text: \"Talk.\" } }\n"));
    recording_observer heard{*bench.reader};
    auto runner = bench.make_runner("lobby", &heard);
    bench.spawn(*runner);
    bench.run();

    ASSERT_FALSE(heard.batches.empty());
    std::vector<core::record> told;
    for (const auto& batch : heard.batches) {
        told.insert(told.end(), batch.begin(), batch.end());
    }
    ASSERT_EQ(told.size(), runner->history().size());
    for (std::size_t i = 0; i < told.size(); ++i) {
        EXPECT_EQ(told[i].seq, static_cast<std::int64_t>(i) + 1);
        EXPECT_EQ(core::to_json(told[i]), core::to_json(runner->history()[i]));
    }
    EXPECT_TRUE(heard.durable_when_told) << "told of a batch before it was durable";
    EXPECT_TRUE(heard.folded_when_told) << "told of a batch before the state had it";
    // The opening (two joins and janus's message) is one batch; each turn's reply another.
    EXPECT_EQ(heard.batches.front().size(), 3U);
    EXPECT_EQ(heard.batches.back().back().type, core::record_type::room_ended);
}

TEST_F(RoomRunner, LiveTextAndTheCallPrecedeTheReplysCommitAndTheEndIsToldLast) {
    bench.load(
        config_of("  - { name: lobby, members: [Ada, Bob], max_turns: 2, turn_delay: 0s }\n"));
    recording_observer heard{*bench.reader};
    auto runner = bench.make_runner("lobby", &heard);
    bench.spawn(*runner);
    bench.run();

    const std::vector<std::string> expected{"commit 1..2",  // the joins
                                            "live Hello from Ada.", "call Ada ok", "commit 3..3",
                                            "live Bob here.",       "call Bob ok", "commit 4..4",
                                            "commit 5..5",  // room_ended: max_turns
                                            "stopped ended"};
    EXPECT_EQ(heard.events, expected);
    EXPECT_EQ(runner->outcome(), room::room_outcome::ended);
}

TEST_F(RoomRunner, AFailedCallIsToldWithItsKindAndItsRecord) {
    bench.write_script("ada", {"Only this."});
    bench.load(config_of("  - { name: solo, members: [Ada], max_turns: 5, turn_delay: 0s }\n"));
    recording_observer heard{*bench.reader};
    auto runner = bench.make_runner("solo", &heard);
    bench.spawn(*runner);
    bench.run();

    const std::vector<std::string> expected{
        "commit 1..1",  "live Only this.",    "call Ada ok",
        "commit 2..2",  "call Ada exhausted", "commit 3..3",  // member_exhausted
        "commit 4..4",                                        // room_ended: nobody can speak
        "stopped ended"};
    EXPECT_EQ(heard.events, expected);
    ASSERT_EQ(heard.batches.size(), 4U);
    EXPECT_EQ(heard.batches[2].front().type, core::record_type::member_exhausted);
}

// The operator's side of the handle, as the control API drives it: each request is answered
// with its record's seq once the observer has been told of it.
asio::awaitable<void> steer(room::room_handle* room, const recording_observer* heard,
                            std::vector<std::string>* answers) {
    const auto told = [heard] { return std::to_string(heard->batches.size()) + " batches"; };
    auto paused = co_await room->pause("a test");
    answers->push_back("pause " + (paused ? std::to_string(*paused) : paused.error().message()) +
                       " " + told() + (room->state().paused ? " paused" : ""));
    auto said = co_await room->interject("grace", "Hold on.");
    answers->push_back("message " + (said ? std::to_string(*said) : said.error().message()) + " " +
                       told());
    auto again = co_await room->pause("a test");
    answers->push_back("pause " + (again ? std::to_string(*again) : again.error().message()) + " " +
                       told());
    auto ended = co_await room->end("enough");
    answers->push_back("end " + (ended ? std::to_string(*ended) : ended.error().message()) + " " +
                       told());
    auto late = co_await room->interject("grace", "Too late.");
    answers->push_back(late ? "late message accepted" : "late message refused");
}

TEST_F(RoomRunner, RequestsThroughItsHandleAreCommittedInOrderAndToldBeforeTheyAreAnswered) {
    bench.load(
        config_of("  - { name: lobby, members: [Ada, Bob], max_turns: 4, turn_delay: 0s }\n"));
    recording_observer heard{*bench.reader};
    auto runner = bench.make_runner("lobby", &heard);
    std::vector<std::string> answers;
    bench.spawn(*runner);
    asio::co_spawn(bench.loop, steer(runner.get(), &heard, &answers),
                   [](std::exception_ptr e) { EXPECT_FALSE(e); });
    bench.run();

    // The pause arrives while the joins commit: no AI speaks before it.
    const std::vector<std::string> expected{"pause 3 2 batches paused", "message 4 3 batches",
                                            "pause 4 3 batches",  // already paused: no record
                                            "end 5 4 batches", "late message refused"};
    EXPECT_EQ(answers, expected);
    ASSERT_EQ(runner->history().size(), 5U);
    EXPECT_EQ(runner->history()[2].type, core::record_type::paused);
    EXPECT_EQ(runner->history()[3].speaker, "grace");
    EXPECT_EQ(runner->history()[3].text, "Hold on.");
    EXPECT_EQ(runner->history()[4].type, core::record_type::room_ended);
    EXPECT_EQ(runner->history()[4].text, "enough");
    EXPECT_EQ(heard.events.back(), "stopped ended");
}

// An observer is downstream of the room: one that throws is logged, and the room goes on.
class throwing_observer final : public room::room_observer {
  public:
    void committed(const room::room_handle&, std::span<const core::record> records) override {
        seen += records.size();
        throw std::runtime_error{"the watcher broke"};
    }
    void stopped_running(const room::room_handle&) override {
        stopped = true;
        throw std::runtime_error{"the watcher broke again"};
    }
    std::size_t seen = 0;
    bool stopped = false;
};

TEST_F(RoomRunner, AnObserverThatThrowsNeitherStopsNorFailsTheRoom) {
    bench.load(
        config_of("  - { name: lobby, members: [Ada, Bob], max_turns: 3, turn_delay: 0s }\n"));
    throwing_observer broken;
    auto runner = bench.make_runner("lobby", &broken);
    bench.spawn(*runner);
    bench.run();
    EXPECT_EQ(runner->outcome(), room::room_outcome::ended);
    EXPECT_EQ(broken.seen, runner->history().size());
    EXPECT_TRUE(broken.stopped);
}

}  // namespace
}  // namespace polylogue

namespace polylogue {
namespace {

// A fleet's follower: another node's runner of the room. It stops the writer after a number of
// batches, then, once the writer has stopped, follows the store and takes the room over.
class handover_observer final : public room::room_observer {
  public:
    handover_observer(test::room_bench& bench, std::size_t stop_after)
        : bench_{&bench}, stop_after_{stop_after} {}

    void committed(const room::room_handle&, std::span<const core::record>) override {
        if (++batches_ == stop_after_ && writer != nullptr) {
            writer->stop();
        }
    }
    void followed(const room::room_handle&, std::span<const core::record> records) override {
        followed_records += records.size();
    }
    void stopped_running(const room::room_handle& room) override {
        if (&room != writer || follower == nullptr) {
            return;
        }
        auto stored = bench_->reader->load("lobby");
        ASSERT_TRUE(stored);
        follower->follow(*stored);
        follower->take_over();
        bench_->spawn(*follower);
    }

    room::room_runner* writer = nullptr;
    room::room_runner* follower = nullptr;
    std::size_t followed_records = 0;

  private:
    test::room_bench* bench_;
    std::size_t stop_after_;
    std::size_t batches_ = 0;
};

TEST_F(RoomRunner, AFollowerFoldsAnotherWritersRecordsAndGoesOnFromTheLastAsAnUnbrokenRunWould) {
    bench.load(
        config_of("  - { name: lobby, members: [Ada, Bob], max_turns: 4, turn_delay: 0s }\n"));
    handover_observer handover{bench, 3};  // the joins, Ada's first reply, Bob's
    auto writer = bench.make_runner("lobby", &handover);
    auto follower = bench.make_runner("lobby", &handover);
    handover.writer = writer.get();
    handover.follower = follower.get();
    bench.spawn(*writer);
    bench.run();

    EXPECT_EQ(writer->outcome(), room::room_outcome::stopped);
    EXPECT_EQ(handover.followed_records, 4U);  // two joins and two replies
    EXPECT_EQ(follower->outcome(), room::room_outcome::ended);
    const auto stored = bench.reader->load("lobby");
    ASSERT_TRUE(stored);
    std::vector<std::string> said;
    for (std::size_t i = 0; i < stored->size(); ++i) {
        EXPECT_EQ((*stored)[i].seq, static_cast<std::int64_t>(i) + 1);
        if ((*stored)[i].type == core::record_type::message) {
            said.push_back((*stored)[i].text);
        }
    }
    const std::vector<std::string> unbroken{"Hello from Ada.", "Bob here.", "Ada again.",
                                            "Bob again."};
    EXPECT_EQ(said, unbroken);
    ASSERT_EQ(follower->history().size(), stored->size());
}

TEST_F(RoomRunner, AFollowerRefusesRecordsThatDoNotContinueItsLastSeq) {
    bench.load(
        config_of("  - { name: lobby, members: [Ada, Bob], max_turns: 2, turn_delay: 0s }\n"));
    auto writer = bench.make_runner("lobby", nullptr);
    auto follower = bench.make_runner("lobby", nullptr);
    bench.spawn(*writer);
    bench.run();
    const auto stored = bench.reader->load("lobby");
    ASSERT_TRUE(stored);
    ASSERT_GE(stored->size(), 4U);

    const std::span<const core::record> all{*stored};
    EXPECT_FALSE(follower->follow(all.subspan(1)));  // seq 1 is missing
    EXPECT_EQ(follower->state().last_seq, 0);
    EXPECT_TRUE(follower->follow(all.first(2)));
    EXPECT_TRUE(follower->follow(all.first(3)));  // seqs 1..2 again, then 3: taken once
    EXPECT_EQ(follower->history().size(), 3U);
    EXPECT_TRUE(follower->follow(all));
    EXPECT_EQ(follower->state().last_seq, writer->state().last_seq);
    EXPECT_EQ(follower->state().ai_turns, writer->state().ai_turns);
    EXPECT_TRUE(follower->state().ended);
}

}  // namespace
}  // namespace polylogue
