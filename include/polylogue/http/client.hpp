#pragma once
// The one HTTP(S) client of the daemon (Boost.Beast + OpenSSL, behind a pimpl so that Beast
// stays in few translation units). Keep-alive connections are pooled per (scheme, host, port,
// CA file) and shared by every room; a cap bounds the connections per host, and calls waiting
// for one are served in the order they came (an async_semaphore). A pooled connection the
// server closed meanwhile is noticed before use. The client sends a request a second time by
// itself only when the server cannot have acted on it (its bytes did not all leave, or, for an
// idempotent method, no answer came on a reused connection): a POST that reached the server is
// the caller's attempt to count. Every phase has a deadline, and so has the whole call. TLS
// verifies the peer against the system CA store (or the given CA file) with SNI and host-name
// verification; there is no way to turn that off. Redirects are never followed.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "polylogue/core/error.hpp"
#include "polylogue/http/proxy.hpp"

namespace polylogue::http {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct client_limits {
    std::chrono::milliseconds resolve_timeout{10'000};
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds tls_timeout{10'000};
    std::chrono::milliseconds header_timeout{120'000};  // models may think before the first byte
    std::chrono::milliseconds idle_timeout{60'000};     // between two chunks of a body
    std::chrono::milliseconds total_timeout{600'000};   // the whole call
    std::size_t max_header_bytes = 64 * 1024;
    std::size_t max_body_bytes = 32 * 1024 * 1024;
    std::size_t max_connections_per_host = 8;
    std::chrono::milliseconds idle_connection_lifetime{60'000};  // pooled keep-alive connections
};

struct request {
    std::string method = "POST";
    std::string url;  // absolute: https://host[:port]/path?query
    header_list headers;
    std::string body;
    std::string ca_file;  // empty: the system's CA store
    // Per-call overrides of client_limits (zero: use the client's).
    std::chrono::milliseconds connect_timeout{0};
    std::chrono::milliseconds header_timeout{0};
    std::chrono::milliseconds idle_timeout{0};
    std::chrono::milliseconds total_timeout{0};
};

struct response {
    int status = 0;
    header_list headers;  // names lower-case, in arrival order
    std::string body;     // empty when the body went to a chunk handler

    // The first header with that (lower-case) name, or empty.
    std::string_view header(std::string_view name) const;
};

// Receives a 2xx body as it arrives; non-2xx bodies are always collected into response.body.
using chunk_handler = std::function<void(std::string_view)>;

struct client_stats {
    std::uint64_t requests = 0;
    std::uint64_t connections_opened = 0;
    std::uint64_t connections_reused = 0;
};

class client {
  public:
    client(boost::asio::any_io_executor executor, client_limits limits = {},
           proxy_settings proxies = proxy_settings::from_environment());
    client(const client&) = delete;
    client& operator=(const client&) = delete;
    ~client();

    // Transport failures are values in the polylogue category naming the phase (errc::
    // connect_timeout, errc::tls_failed, errc::connection_closed...). HTTP error statuses are
    // not failures here: the response carries them.
    boost::asio::awaitable<result<response>> send(request req, chunk_handler on_body = {});
    // The same without taking the request: it must outlive the call, and can be sent again
    // (a retry) without a copy of its body.
    boost::asio::awaitable<result<response>> send_kept(const request* req,
                                                       chunk_handler on_body = {});

    const client_stats& stats() const noexcept;
    const client_limits& limits() const noexcept;

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace polylogue::http
