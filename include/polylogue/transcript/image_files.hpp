#pragma once
// The image files image records point to, under data_dir (docs/transcript.md, `image`). Reading
// one is careful: a record's path never leads outside data_dir, and a file is read only up to a
// size its reader chose.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace polylogue::transcript {

// True for a relative path that cannot leave the directory it is relative to: not empty, not
// absolute, no ".." component, no NUL and no backslash.
bool is_confined_path(std::string_view relative_path);

// The bytes of data_dir/relative_path when the path is confined, the file, its symlinks
// resolved, still lies inside data_dir, and it holds at most max_bytes; nullopt when not, or
// when it cannot be read.
std::optional<std::string> read_image_file(const std::filesystem::path& data_dir,
                                           const std::string& relative_path,
                                           std::uintmax_t max_bytes);

}  // namespace polylogue::transcript
