#include "data_dir_lock.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <string_view>
#include <system_error>

namespace polylogue::app {
namespace {

struct flock whole_file(short type) {
    struct flock range {};
    range.l_type = type;
    range.l_whence = SEEK_SET;
    range.l_start = 0;
    range.l_len = 0;  // to the end, however long the file grows
    return range;
}

// The pid written in the lock file, for when the kernel cannot say (another pid namespace).
pid_t pid_in_file(int fd) {
    char text[32] = {};
    const ssize_t size = ::pread(fd, text, sizeof text - 1, 0);
    pid_t pid = 0;
    if (size > 0) {
        std::from_chars(text, text + size, pid);
    }
    return pid;
}

pid_t holder_of(int fd) {
    struct flock probe = whole_file(F_WRLCK);
    if (::fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type != F_UNLCK && probe.l_pid > 0) {
        return probe.l_pid;
    }
    return pid_in_file(fd);
}

std::string held_by(const std::filesystem::path& data_dir, pid_t holder) {
    return data_dir.string() + " is in use by another polylogue process" +
           (holder > 0 ? " (pid " + std::to_string(holder) + ")" : std::string{}) +
           ", which holds " + lock_file(data_dir).string() +
           "; stop it first, or give this configuration another data_dir";
}

void write_pid(int fd) {
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) == 0) {
        (void)::pwrite(fd, pid.data(), pid.size(), 0);  // for people only: the lock is the truth
    }
}

}  // namespace

std::unique_ptr<data_dir_lock> data_dir_lock::acquire(const std::filesystem::path& data_dir,
                                                      std::string* refusal) {
    std::error_code failed;
    std::filesystem::create_directories(data_dir, failed);
    if (failed) {
        *refusal = "cannot create " + data_dir.string() + ": " + failed.message();
        return nullptr;
    }
    const auto file = lock_file(data_dir);
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        *refusal = "cannot open " + file.string() + ": " + std::strerror(errno);
        return nullptr;
    }
    struct flock lock = whole_file(F_WRLCK);
    if (::fcntl(fd, F_SETLK, &lock) != 0) {
        const int why = errno;
        *refusal = why == EACCES || why == EAGAIN
                       ? held_by(data_dir, holder_of(fd))
                       : "cannot lock " + file.string() + ": " + std::strerror(why);
        ::close(fd);
        return nullptr;
    }
    write_pid(fd);
    return std::unique_ptr<data_dir_lock>{new data_dir_lock{fd}};
}

data_dir_lock::~data_dir_lock() {
    ::close(fd_);  // releases the lock; the file stays, and the next holder rewrites it
}

}  // namespace polylogue::app
