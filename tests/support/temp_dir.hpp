#pragma once
// A fresh directory under the system temp dir, removed with everything in it at scope exit.

#include <filesystem>
#include <string>

namespace polylogue::test {

class temp_dir {
  public:
    temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    ~temp_dir();

    const std::filesystem::path& path() const noexcept { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

    // Writes text to path()/relative, creating parent directories; returns the full path.
    std::filesystem::path write(const std::string& relative, const std::string& text) const;

  private:
    std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& file);

}  // namespace polylogue::test
