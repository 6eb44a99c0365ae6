#pragma once
// The I/O half of showing images to vision models: the renderer (pure) chose which image records
// a member sees; their files are read here, just before the request, and dropped with it, so a
// room never holds its images in memory.

#include <boost/asio/awaitable.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "polylogue/providers/conversation.hpp"
#include "polylogue/transcript/group_committer.hpp"

namespace polylogue::room {

// Fills the bytes of every image part of conversation from data_dir. A file that cannot be read
// (gone, over providers::max_input_image_bytes, outside data_dir) is left out of the request,
// its notice stays; the paths of those are returned, for the log.
std::vector<std::string> read_shown_images(providers::conversation& conversation,
                                           const std::filesystem::path& data_dir);

// The same on the committer's writer thread, so that the loop never waits for the disk (a request
// may show up to 12 MiB of images); conversation lives in the caller's frame meanwhile.
boost::asio::awaitable<std::vector<std::string>> read_shown_images_off_loop(
    transcript::group_committer* writer, providers::conversation* conversation,
    std::filesystem::path data_dir);

}  // namespace polylogue::room
