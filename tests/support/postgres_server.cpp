#include "support/postgres_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace polylogue::test {
namespace {

using namespace std::chrono_literals;

constexpr auto startup_limit = 30s;
constexpr int launch_attempts = 5;
// PostgreSQL will not run as root; as root the tests hand it to this user.
constexpr const char* server_user = "nobody";
constexpr const char* server_group = "nogroup";

std::filesystem::path binary(const std::string& name) {
    // POLYLOGUE_PG_BINDIR: another installation's bin directory (Debian's is the default).
    const char* dir = std::getenv("POLYLOGUE_PG_BINDIR");
    return std::filesystem::path{dir != nullptr ? dir : "/usr/lib/postgresql/15/bin"} / name;
}

bool running_as_root() {
    return ::geteuid() == 0;
}

// A port that was free a moment ago (the kernel's choice for port 0); a clash is retried.
int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    const bool bound = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&address), length) == 0 &&
                       ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
    if (fd >= 0) {
        ::close(fd);
    }
    if (!bound) {
        throw std::runtime_error{"cannot find a free port on 127.0.0.1"};
    }
    return ntohs(address.sin_port);
}

std::string random_password() {
    static constexpr char alphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    std::random_device device;
    std::uniform_int_distribution<std::size_t> pick{0, sizeof alphabet - 2};
    std::string password;
    for (int i = 0; i < 24; ++i) {
        password += alphabet[pick(device)];
    }
    return password;
}

void give_to_server_user(const std::filesystem::path& path) {
    if (!running_as_root()) {
        return;
    }
    const passwd* user = ::getpwnam(server_user);
    if (user == nullptr || ::chown(path.c_str(), user->pw_uid, user->pw_gid) != 0) {
        throw std::runtime_error{"cannot give " + path.string() + " to " + server_user};
    }
}

std::string last_lines(const std::string& text, std::size_t count) {
    auto start = text.size();
    for (std::size_t seen = 0; start > 0 && seen <= count;) {
        --start;
        if (text[start] == '\n') {
            ++seen;
        }
    }
    return text.substr(start);
}

// The processes whose parent is pid (a postmaster's backends and helpers).
std::vector<pid_t> children_of(pid_t pid) {
    std::vector<pid_t> children;
    for (const auto& entry : std::filesystem::directory_iterator{"/proc"}) {
        const auto name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        std::ifstream stat{entry.path() / "stat"};
        std::string line;
        std::getline(stat, line);
        // pid (comm) state ppid ...: comm may hold spaces, so read after its closing paren.
        const auto paren = line.rfind(')');
        if (paren == std::string::npos) {
            continue;
        }
        std::istringstream rest{line.substr(paren + 1)};
        char state = 0;
        pid_t parent = 0;
        rest >> state >> parent;
        if (parent == pid) {
            children.push_back(std::stoi(name));
        }
    }
    return children;
}

bool gone(pid_t pid) {
    std::ifstream stat{"/proc/" + std::to_string(pid) + "/stat"};
    std::string line;
    if (!std::getline(stat, line)) {
        return true;
    }
    const auto paren = line.rfind(')');
    return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z';
}

// A killed postmaster leaves its small System V segment behind (postmaster.pid, line 7: "key
// id"); removing it keeps a long test run from filling the kernel's table.
void remove_shared_memory(const std::filesystem::path& pid_file) {
    std::ifstream in{pid_file};
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        std::istringstream fields{line};
        long key = 0;
        int id = -1;
        if (number == 7 && fields >> key >> id && id >= 0) {
            ::shmctl(id, IPC_RMID, nullptr);
        }
    }
}

}  // namespace

postgres_server::postgres_server() : data_dir_{dir_ / "pg" / "data"}, password_{random_password()} {
    initialize();
    const auto deadline = std::chrono::steady_clock::now() + startup_limit;
    for (int attempt = 1; attempt <= launch_attempts; ++attempt) {
        if (launch(deadline)) {
            return;
        }
    }
    throw std::runtime_error{"PostgreSQL found no free port in " + std::to_string(launch_attempts) +
                             " tries:\n" + log_tail()};
}

postgres_server::~postgres_server() {
    try {
        stop();
    } catch (...) {
        // A destructor cannot report; the child's own destructor kills what is left.
    }
}

std::vector<std::string> postgres_server::as_server_user(std::vector<std::string> argv) const {
    if (!running_as_root()) {
        return argv;
    }
    std::vector<std::string> wrapped{"/usr/bin/setpriv", std::string{"--reuid="} + server_user,
                                     std::string{"--regid="} + server_group, "--clear-groups"};
    wrapped.insert(wrapped.end(), argv.begin(), argv.end());
    return wrapped;
}

void postgres_server::initialize() {
    const auto home = dir_ / "pg";
    std::filesystem::create_directories(home);
    give_to_server_user(home);
    const auto password_file = dir_.write("pg/password", password_ + "\n");
    std::filesystem::permissions(
        password_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    give_to_server_user(password_file);
    const auto result =
        run_process(as_server_user({binary("initdb").string(), "--pgdata=" + data_dir_.string(),
                                    "--username=polylogue", "--pwfile=" + password_file.string(),
                                    "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C",
                                    "--no-sync", "--no-instructions"}),
                    {}, 60s);
    std::filesystem::remove(password_file);
    if (result.exit_code != 0) {
        throw std::runtime_error{"initdb failed (exit " + std::to_string(result.exit_code) +
                                 "):\n" + last_lines(result.out + result.err, 30)};
    }
    // Password logins over TCP from 127.0.0.1 only; there is no Unix socket to log in through.
    const auto hba =
        dir_.write("pg/data/pg_hba.conf", "host all polylogue 127.0.0.1/32 scram-sha-256\n");
    give_to_server_user(hba);
}

bool postgres_server::launch(std::chrono::steady_clock::time_point deadline) {
    port_ = free_port();
    server_ = std::make_unique<child_process>(as_server_user({binary("postgres").string(),
                                                              "-D",
                                                              data_dir_.string(),
                                                              "-p",
                                                              std::to_string(port_),
                                                              "-c",
                                                              "listen_addresses=127.0.0.1",
                                                              "-c",
                                                              "unix_socket_directories=",
                                                              "-c",
                                                              "fsync=off",
                                                              "-c",
                                                              "synchronous_commit=off",
                                                              "-c",
                                                              "full_page_writes=off",
                                                              "-c",
                                                              "shared_buffers=16MB",
                                                              "-c",
                                                              "max_connections=100",
                                                              "-c",
                                                              "dynamic_shared_memory_type=mmap"}));
    const auto probe = conninfo("postgres") + " connect_timeout=2";
    std::string why;
    while (std::chrono::steady_clock::now() < deadline) {
        why = connection_error(probe);
        if (why.empty()) {
            return true;
        }
        if (!server_->running()) {
            const auto log = server_->stderr_so_far();
            if (log.find("could not bind") != std::string::npos ||
                log.find("Address already in use") != std::string::npos) {
                server_->wait(1s);
                return false;
            }
            throw std::runtime_error{"PostgreSQL exited while starting:\n" + log_tail()};
        }
        std::this_thread::sleep_for(50ms);
    }
    throw std::runtime_error{"PostgreSQL was not ready within " +
                             std::to_string(startup_limit.count()) + " s (last: " + why + "):\n" +
                             log_tail()};
}

std::string postgres_server::conninfo(const std::string& database) const {
    return "host=127.0.0.1 port=" + std::to_string(port_) +
           " user=polylogue password=" + password_ + " dbname=" + database + " connect_timeout=5";
}

std::string postgres_server::url(const std::string& database) const {
    // The password is letters and digits only: nothing in it needs percent-encoding.
    return "postgresql://polylogue:" + password_ + "@127.0.0.1:" + std::to_string(port_) + "/" +
           database + "?connect_timeout=5";
}

std::string postgres_server::wrong_password_conninfo() const {
    return "host=127.0.0.1 port=" + std::to_string(port_) + " user=polylogue password=not-" +
           password_ + " dbname=postgres connect_timeout=5";
}

std::string postgres_server::create_database(const std::string& name) {
    if (name.empty() || name.size() > 63 ||
        name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
        throw std::invalid_argument{"not a plain database name: " + name};
    }
    sql_client{conninfo()}.execute("CREATE DATABASE " + name);
    return conninfo(name);
}

bool postgres_server::running() const {
    return server_ != nullptr && server_->running();
}

void postgres_server::stop() {
    if (!running()) {
        return;
    }
    server_->send(SIGINT);  // fast shutdown: sessions are ended, no waiting for clients
    server_->wait(30s);     // SIGKILLs it when it takes longer
}

void postgres_server::kill() {
    if (!running()) {
        return;
    }
    const pid_t postmaster = server_->pid();
    // Stopped, it forks no new backend while its children are collected and killed.
    ::kill(postmaster, SIGSTOP);
    const auto children = children_of(postmaster);
    for (const pid_t child : children) {
        ::kill(child, SIGKILL);
    }
    server_->send(SIGKILL);
    server_->wait(10s);
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    for (const pid_t child : children) {
        while (!gone(child) && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(5ms);
        }
    }
    remove_shared_memory(data_dir_ / "postmaster.pid");
}

std::string postgres_server::log_tail(std::size_t lines) const {
    return server_ == nullptr ? std::string{} : last_lines(server_->stderr_so_far(), lines);
}

}  // namespace polylogue::test
