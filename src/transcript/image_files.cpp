#include "polylogue/transcript/image_files.hpp"

#include <algorithm>
#include <fstream>

namespace polylogue::transcript {

namespace fs = std::filesystem;

bool is_confined_path(std::string_view path) {
    if (path.empty() || path.front() == '/' || path.find('\0') != std::string_view::npos ||
        path.find('\\') != std::string_view::npos) {
        return false;
    }
    while (!path.empty()) {
        const auto slash = path.find('/');
        if (path.substr(0, slash) == "..") {
            return false;
        }
        path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
    }
    return true;
}

std::optional<std::string> read_image_file(const fs::path& data_dir,
                                           const std::string& relative_path,
                                           std::uintmax_t max_bytes) {
    if (!is_confined_path(relative_path)) {
        return std::nullopt;
    }
    std::error_code error;
    const fs::path root = fs::canonical(data_dir, error);
    const fs::path file = error ? fs::path{} : fs::canonical(data_dir / relative_path, error);
    if (error || !fs::is_regular_file(file, error) || fs::file_size(file, error) > max_bytes ||
        error) {
        return std::nullopt;
    }
    // A symlink inside data_dir may point anywhere: the resolved file must still be inside.
    if (std::mismatch(root.begin(), root.end(), file.begin(), file.end()).first != root.end()) {
        return std::nullopt;
    }
    // Read no further than the limit, even if the file grew since its size was taken.
    std::ifstream in{file, std::ios::binary};
    std::string bytes(static_cast<std::size_t>(max_bytes) + 1, '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (in.bad() || static_cast<std::uintmax_t>(in.gcount()) > max_bytes) {
        return std::nullopt;
    }
    bytes.resize(static_cast<std::size_t>(in.gcount()));
    return bytes;
}

}  // namespace polylogue::transcript
