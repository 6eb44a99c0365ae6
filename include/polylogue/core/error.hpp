#pragma once
// Expected failures are values: every fallible operation returns result<T, E>. E is an
// error_code in Polylogue's own category (or a system/SQLite-derived one where that says more)
// unless the caller needs more than a code: a provider's api_failure, a config's refusal with
// its located problems. Exceptions are for bugs and startup, caught at coroutine boundaries.

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <string>
#include <type_traits>

namespace polylogue {

enum class errc {
    invalid_config = 1,  // the configuration was refused; diagnostics say why
    script_exhausted,    // a scripted model has no replies left
    storage_failure,     // the transcript store could not read or write
    corrupt_record,      // a stored record could not be decoded
    not_found,           // a named room, model or file does not exist
    invalid_argument,    // a caller passed something the contract forbids
    cancelled,           // the operation was stopped by shutdown
    room_closed,         // the room has ended or is not running: it takes no requests
    conflict,            // the request contradicts what exists (a room of that name)
    // HTTP client: each names the phase that failed, so a turn_failed record can say it
    invalid_url,      // a URL we cannot use (scheme, host, port)
    resolve_failed,   // DNS gave no address
    connect_failed,   // no TCP connection
    tls_failed,       // handshake or certificate verification failed
    proxy_failed,     // the proxy refused or broke the CONNECT tunnel
    resolve_timeout,  // the deadline of each phase...
    connect_timeout,
    tls_timeout,
    header_timeout,      // ...waiting for the response headers
    idle_timeout,        // ...between two chunks of a streamed body
    deadline_exceeded,   // the whole call took longer than its deadline
    response_too_large,  // headers or body over their limit
    malformed_response,  // not HTTP/1.1 as we know it
    connection_closed,   // the peer closed or reset the connection mid-response
    // A fleet (store kind postgres): the room's lease is held by another node, or with a newer
    // epoch, so this node may not append to it (the fence refused the write).
    fenced,
};

const boost::system::error_category& polylogue_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), polylogue_category()};
}

// Boost.System's result, as Boost.MySQL uses it. Its error() returns a copy: bind it to a value,
// never to a reference, when E is more than an error_code.
template <class T, class E = boost::system::error_code>
using result = boost::system::result<T, E>;

}  // namespace polylogue

template <>
struct boost::system::is_error_code_enum<polylogue::errc> : std::true_type {};
