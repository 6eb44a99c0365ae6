#include "image_reading.hpp"

#include <algorithm>

#include "polylogue/providers/image_input.hpp"
#include "polylogue/transcript/image_files.hpp"

namespace polylogue::room {

std::vector<std::string> read_shown_images(providers::conversation& conversation,
                                           const std::filesystem::path& data_dir) {
    std::vector<std::string> unread;
    for (providers::conversation_turn& turn : conversation.turns) {
        for (providers::image_part& image : turn.images) {
            auto bytes =
                transcript::read_image_file(data_dir, image.path, providers::max_input_image_bytes);
            if (bytes) {
                image.bytes = providers::shared_bytes::copy_of(*bytes);
            } else {
                unread.push_back(image.path);
            }
        }
        std::erase_if(turn.images, [](const providers::image_part& image) { return !image.bytes; });
    }
    return unread;
}

boost::asio::awaitable<std::vector<std::string>> read_shown_images_off_loop(
    transcript::group_committer* writer, providers::conversation* conversation,
    std::filesystem::path data_dir) {
    std::vector<std::string> unread;
    co_await writer->on_writer([&] { unread = read_shown_images(*conversation, data_dir); });
    co_return unread;
}

}  // namespace polylogue::room
