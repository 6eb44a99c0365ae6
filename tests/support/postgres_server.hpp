#pragma once
// A real PostgreSQL 15 server for one test: initdb into a temporary directory, `postgres` on
// 127.0.0.1 at a free port, a superuser `polylogue` with a password (scram-sha-256), no Unix
// socket. It starts in the constructor (at most ~30 s; a failure throws with the server log's
// tail) and stops in the destructor. Run as root (CI runs the suite as root in a chroot), the
// server runs as `nobody`, since PostgreSQL refuses to run as root. Durability is off (fsync,
// synchronous_commit): the tests check what the server is told, not what survives a power cut.

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include "polylogue/core/error.hpp"
#include "support/process.hpp"
#include "support/sql_client.hpp"
#include "support/temp_dir.hpp"

namespace polylogue::test {

class postgres_server {
  public:
    postgres_server();
    postgres_server(const postgres_server&) = delete;
    postgres_server& operator=(const postgres_server&) = delete;
    ~postgres_server();

    // "host=127.0.0.1 port=P user=polylogue password=... dbname=postgres connect_timeout=5"
    std::string conninfo() const { return conninfo("postgres"); }
    std::string conninfo(const std::string& database) const;
    // The same as a URL, the form POLYLOGUE_DATABASE_URL takes:
    // "postgresql://polylogue:PASSWORD@127.0.0.1:P/DATABASE?connect_timeout=5".
    std::string url(const std::string& database) const;
    // The same with a password the server does not accept.
    std::string wrong_password_conninfo() const;
    int port() const noexcept { return port_; }
    const std::string& password() const noexcept { return password_; }

    // Creates an empty database (name: lowercase letters, digits, '_') and returns its conninfo,
    // so each test gets a store of its own.
    std::string create_database(const std::string& name);

    // Fast shutdown (sessions are ended, then the server exits); waits for it.
    void stop();
    // SIGKILL to the server and all its processes, as a crash would; waits until they are gone.
    void kill();
    bool running() const;
    // The last lines of the server's log (stderr), for failure messages.
    std::string log_tail(std::size_t lines = 30) const;

  private:
    void initialize();
    bool launch(std::chrono::steady_clock::time_point deadline);
    std::vector<std::string> as_server_user(std::vector<std::string> argv) const;

    temp_dir dir_;
    std::filesystem::path data_dir_;
    std::string password_;
    int port_ = 0;
    std::unique_ptr<child_process> server_;
};

// What opened or ran, or the test's setup stops with the database's words.
template <class T>
T must(result<T, std::string> opened) {
    if (!opened) {
        throw std::runtime_error{opened.error()};
    }
    return std::move(*opened);
}

inline void must(const result<void, std::string>& ran) {
    if (!ran) {
        throw std::runtime_error{ran.error()};
    }
}

}  // namespace polylogue::test
