#pragma once
// One process per data_dir: `run` and `serve` hold an exclusive lock on DATA_DIR/polylogue.lock
// for as long as they live. It is an fcntl lock, which the kernel drops when the process ends
// however it ends (SIGKILL included): there is never a stale lock to clean up. The file holds
// the holder's pid for people; the refusal names the pid the kernel reports.

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>

namespace polylogue::app {

class data_dir_lock {
  public:
    // Takes the lock, creating data_dir if need be; null with *refusal saying who holds it (or
    // why it could not be taken).
    static std::unique_ptr<data_dir_lock> acquire(const std::filesystem::path& data_dir,
                                                  std::string* refusal);

    data_dir_lock(const data_dir_lock&) = delete;
    data_dir_lock& operator=(const data_dir_lock&) = delete;
    ~data_dir_lock();

  private:
    explicit data_dir_lock(int fd) noexcept : fd_{fd} {}

    int fd_;
};

inline std::filesystem::path lock_file(const std::filesystem::path& data_dir) {
    return data_dir / "polylogue.lock";
}

}  // namespace polylogue::app
