// What a vision member sees of a room's images (issue 11, item 2): each image record in its
// window carries the image beside its notice, counted against the member's context budget with
// the API's estimate, newest first when they do not all fit; any other member gets the notice.

#include <gtest/gtest.h>

#include <limits>

#include "polylogue/providers/image_input.hpp"
#include "polylogue/room/renderer.hpp"
#include "support/records.hpp"

namespace polylogue::room {
namespace {

using config::provider_kind;
constexpr std::size_t unlimited = std::numeric_limits<std::size_t>::max();

core::record image(std::string path, int width, int height, std::int64_t bytes = 1000,
                   std::string mime = "image/png") {
    core::record r = test::of_type(core::record_type::image, 2, "a fox");
    r.model = "Grok 4";
    r.path = std::move(path);
    r.mime = std::move(mime);
    r.bytes = bytes;
    r.width = width;
    r.height = height;
    return r;
}

class ImageView : public ::testing::Test {
  protected:
    config::room room = [] {
        config::room r;
        r.name = "lab";
        r.system_prompt = "You are {slot}.";
        return r;
    }();
    std::vector<core::record> records = test::numbered({
        test::join(1, "GPT 5"),
        test::join(2, "Grok 4"),
        test::message("AI-2", "here is an old one", "Grok 4"),
        image("images/lab/4-old.png", 500, 500),
        test::message("AI-2", "and a new one", "Grok 4"),
        image("images/lab/6-new.png", 1024, 1024),
        test::message("AI-2", "what do you see?", "Grok 4"),
    });
    room_state state = fold(records);

    rendered_view view(image_rules rules, std::size_t budget = unlimited) {
        return render_within(room, state, records, 1, budget, rules);
    }

    static std::vector<std::string> shown_paths(const rendered_view& v) {
        std::vector<std::string> paths;
        for (const auto& turn : v.conversation.turns) {
            for (const auto& part : turn.images) {
                paths.push_back(part.path);
                EXPECT_EQ(part.mime, "image/png");
                EXPECT_FALSE(part.bytes) << "the renderer reads no file";
                EXPECT_EQ(turn.role, providers::turn_role::user);
            }
        }
        return paths;
    }
};

TEST_F(ImageView, AMemberWithoutVisionGetsTheNoticesAlone) {
    const auto text_only = view({});
    EXPECT_TRUE(shown_paths(text_only).empty());
    EXPECT_EQ(text_only.images, 0u);
    EXPECT_EQ(view({false, provider_kind::anthropic}).estimated_tokens, text_only.estimated_tokens);
    EXPECT_EQ(text_only.conversation.turns[3].text.plain(),
              "[Polylogue] AI-2 (Grok 4) created an image for \"a fox\" (images/lab/4-old.png, "
              "1000 bytes).");
}

TEST_F(ImageView, AVisionMemberSeesEveryImageBesideItsNoticeCountedByItsApisEstimate) {
    const std::size_t text_tokens = view({}).estimated_tokens;
    const auto openai = view({true, provider_kind::openai});
    EXPECT_EQ(shown_paths(openai),
              (std::vector<std::string>{"images/lab/4-old.png", "images/lab/6-new.png"}));
    EXPECT_EQ(openai.conversation.turns[3].images.size(), 1u);
    EXPECT_EQ(openai.conversation.turns[5].images.size(), 1u);
    EXPECT_EQ(openai.images, 2u);
    EXPECT_EQ(openai.estimated_tokens, text_tokens + 255 + 765);
    EXPECT_EQ(view({true, provider_kind::anthropic}).estimated_tokens, text_tokens + 334 + 1399);
    EXPECT_EQ(view({true, provider_kind::gemini}).estimated_tokens, text_tokens + 258 + 4 * 258);
}

// A window shows every image it holds, so that its older turns keep their bytes while it grows
// (docs/config.md, "context windows"). The records before the old image (two joins, a message)
// take 55 tokens, so 100 spare tokens cannot hold the old image (255): the window is trimmed to
// end after it, and the new image is still shown.
TEST_F(ImageView, WhenTheyDoNotAllFitTheWindowEndsAfterTheNewestImageItCannotShow) {
    const std::size_t text_tokens = view({}).estimated_tokens;
    const std::size_t budget = text_tokens + 765 + 100;
    const auto v = view({true, provider_kind::openai}, budget);
    EXPECT_EQ(shown_paths(v), (std::vector<std::string>{"images/lab/6-new.png"}));
    EXPECT_EQ(v.images_left_out, 0u);
    EXPECT_EQ(v.trimmed_from_seq, 5);
    EXPECT_EQ(v.dropped, 4u);
    EXPECT_LE(v.estimated_tokens, budget);
    ASSERT_EQ(v.conversation.turns.size(), 3u);
    EXPECT_EQ(v.conversation.turns.front().text.plain(), "[AI-2 (Grok 4)]: and a new one");
}

// Images count where their records are, newest first: an image may leave older records out.
TEST_F(ImageView, AShownImageCanPushTheOldestRecordsOutOfTheWindow) {
    const std::size_t text_tokens = view({}).estimated_tokens;
    const auto v = view({true, provider_kind::openai}, text_tokens + 765 + 255 - 10);
    EXPECT_EQ(v.images, 2u);
    EXPECT_EQ(v.dropped, 1u);
    EXPECT_EQ(v.trimmed_from_seq, 2);
    EXPECT_LE(v.estimated_tokens, text_tokens + 765 + 255 - 10);
}

TEST_F(ImageView, AnImageTheWholeBudgetCannotHoldKeepsItsNoticeAndTrimsNothing) {
    const std::size_t text_tokens = view({}).estimated_tokens;
    // Room for the old image (255) but never for the new one (765).
    const auto v = view({true, provider_kind::openai}, text_tokens + 300);
    EXPECT_EQ(shown_paths(v), (std::vector<std::string>{"images/lab/4-old.png"}));
    EXPECT_EQ(v.images_left_out, 1u);
    EXPECT_EQ(v.trimmed_from_seq, 0);
    EXPECT_EQ(v.estimated_tokens, text_tokens + 255);
}

TEST_F(ImageView, AnImageTheApiCannotTakeIsLeftOutAndOlderOnesStillShown) {
    records[5].mime = "image/gif";
    state = fold(records);
    const auto gemini = view({true, provider_kind::gemini});
    EXPECT_EQ(shown_paths(gemini), (std::vector<std::string>{"images/lab/4-old.png"}));
    EXPECT_EQ(gemini.images_left_out, 1u);
    records[5].mime = "image/png";
    records[5].bytes = static_cast<std::int64_t>(providers::max_input_image_bytes) + 1;
    state = fold(records);
    EXPECT_EQ(shown_paths(view({true, provider_kind::openai})),
              (std::vector<std::string>{"images/lab/4-old.png"}));
}

TEST_F(ImageView, OneRequestCarriesAtMostTwentyImagesAndTwelveMebibytes) {
    records.resize(2);
    for (int i = 0; i < 25; ++i) {
        records.push_back(image("images/lab/" + std::to_string(i) + ".png", 100, 100, 1000));
    }
    records = test::numbered(std::move(records));
    state = fold(records);
    const auto many = view({true, provider_kind::openai});
    ASSERT_EQ(many.images, 20u);
    EXPECT_EQ(many.conversation.turns.back().images.front().path, "images/lab/24.png");
    EXPECT_EQ(many.images_left_out, 0u) << "the window ends after the newest image it cannot show";
    EXPECT_EQ(many.conversation.turns.size(), 20u);
    EXPECT_EQ(many.dropped, 7u);

    records.resize(2);
    for (int i = 0; i < 4; ++i) {
        records.push_back(
            image("images/lab/" + std::to_string(i) + ".png", 100, 100, 4 * 1024 * 1024));
    }
    records = test::numbered(std::move(records));
    state = fold(records);
    EXPECT_EQ(view({true, provider_kind::openai}).images, 3u);
}

TEST_F(ImageView, AnImageOfUnknownSizeCountsAsTheLargestTheApiBills) {
    records[5].width = records[5].height = 0;
    state = fold(records);
    const std::size_t text_tokens = view({}).estimated_tokens;
    EXPECT_EQ(view({true, provider_kind::anthropic}).estimated_tokens, text_tokens + 334 + 1600);
}

}  // namespace
}  // namespace polylogue::room
