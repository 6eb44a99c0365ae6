#include "server_support.hpp"

#include <nlohmann/json.hpp>

#include <boost/asio/use_awaitable.hpp>

#include <charconv>
#include <vector>

namespace polylogue::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::string_view server_request::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (key == name) {
            return value;
        }
    }
    return {};
}

std::string error_body(std::string_view code, std::string_view message) {
    const nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
    // Replace, not throw: a message may quote bytes a peer sent.
    return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace detail {
namespace {

result<std::uint16_t> parse_port(std::string_view text) {
    unsigned value = 0;
    const auto* end = text.data() + text.size();
    const auto [stop, problem] = std::from_chars(text.data(), end, value);
    if (text.empty() || problem != std::errc{} || stop != end || value > 65535) {
        return errc::invalid_argument;
    }
    return static_cast<std::uint16_t>(value);
}

}  // namespace

server_core::server_core(asio::any_io_executor on, server_settings limits, request_handler& to)
    : executor{std::move(on)}, acceptor{executor}, settings{limits}, handler{to} {}

std::uint64_t server_core::enrol(std::weak_ptr<closable> connection) {
    const auto id = next_id_++;
    open_.emplace(id, open_connection{std::move(connection), connection_phase::reading,
                                      std::chrono::steady_clock::now()});
    stats.open_connections = open_.size();
    return id;
}

void server_core::set_phase(std::uint64_t id, connection_phase phase) {
    if (const auto found = open_.find(id); found != open_.end()) {
        found->second.phase = phase;
        found->second.since = std::chrono::steady_clock::now();
    }
}

std::optional<std::uint64_t> server_core::longest_in(connection_phase phase) const {
    std::optional<std::uint64_t> oldest;
    std::chrono::steady_clock::time_point oldest_since;
    for (const auto& [id, entry] : open_) {
        if (entry.phase == phase && (!oldest || entry.since < oldest_since)) {
            oldest = id;
            oldest_since = entry.since;
        }
    }
    return oldest;
}

bool server_core::make_room() {
    auto victim = longest_in(connection_phase::waiting);
    if (!victim) {
        victim = longest_in(connection_phase::reading);
    }
    if (victim) {
        const auto handle = open_.at(*victim).handle.lock();
        open_.erase(*victim);  // its slot is free now, though its coroutine ends a little later
        stats.open_connections = open_.size();
        ++stats.connections_evicted;
        if (handle) {
            handle->close();
        }
    } else {
        ++stats.connections_refused;
    }
    tell_full();
    return victim.has_value();
}

void server_core::tell_full() {
    const auto now = std::chrono::steady_clock::now();
    if (last_told_full_ && now - *last_told_full_ < std::chrono::minutes{1}) {
        return;
    }
    last_told_full_ = now;
    if (on_full != nullptr && *on_full) {
        (*on_full)(stats);
    }
}

void server_core::leave(std::uint64_t id) {
    open_.erase(id);
    stats.open_connections = open_.size();
}

void server_core::report(const std::string& what) const {
    if (on_error != nullptr && *on_error) {
        (*on_error)(what);
    }
}

void server_core::report_accept_failure(const std::string& what, std::uint64_t failures) const {
    if (on_accept_failure != nullptr && *on_accept_failure) {
        (*on_accept_failure)(what, failures);
    }
}

void server_core::stop() {
    stopping = true;
    boost::system::error_code ignored;
    acceptor.close(ignored);
    // Locked first: closing must not run into a connection leaving the map meanwhile.
    std::vector<std::shared_ptr<closable>> live;
    for (const auto& [id, entry] : open_) {
        if (auto connection = entry.handle.lock()) {
            live.push_back(std::move(connection));
        }
    }
    for (const auto& connection : live) {
        connection->close();
    }
}

result<void> open_acceptor(server_core& core, std::string_view listen_address) {
    const auto endpoint = parse_listen_address(listen_address);
    if (!endpoint) {
        return endpoint.error();
    }
    boost::system::error_code ec;
    core.acceptor.open(endpoint->protocol(), ec);
    if (!ec) {
        core.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
        core.acceptor.bind(*endpoint, ec);
    }
    if (!ec) {
        core.acceptor.listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        return ec;  // the system's code: address_in_use, access_denied...
    }
    core.port = core.acceptor.local_endpoint(ec).port();
    return {};
}

asio::awaitable<std::optional<server_response>> call_handler(std::shared_ptr<server_core> core,
                                                             server_request request) {
    const auto remote = request.remote;
    std::optional<server_response> response;
    try {
        response = co_await core->handler.handle(std::move(request));
    } catch (...) {
        core->report(remote + ": handler failed: " + describe(std::current_exception()));
    }
    if (response && (response->status < 200 || response->status > 599)) {
        core->report(remote + ": handler answered status " + std::to_string(response->status));
        response.reset();
    }
    co_return response;
}

result<tcp::endpoint> parse_listen_address(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
        return errc::invalid_argument;
    }
    auto port = parse_port(text.substr(colon + 1));
    if (!port) {
        return port.error();
    }
    std::string host{text.substr(0, colon)};
    boost::system::error_code ec;
    if (host.front() == '[') {
        if (host.size() < 3 || host.back() != ']') {
            return errc::invalid_argument;
        }
        const auto address = asio::ip::make_address_v6(host.substr(1, host.size() - 2), ec);
        if (ec) {
            return errc::invalid_argument;
        }
        return tcp::endpoint{address, *port};
    }
    // make_address_v4 would also take inet_aton's shorthands ("1.2.3"); only dotted quads pass.
    const auto address = asio::ip::make_address_v4(host, ec);
    if (ec || address.to_string() != host) {
        return errc::invalid_argument;
    }
    return tcp::endpoint{address, *port};
}

std::string describe_endpoint(const tcp::endpoint& endpoint) {
    const auto host = endpoint.address().to_string();
    const auto port = std::to_string(endpoint.port());
    if (endpoint.address().is_v6()) {
        return "[" + host + "]:" + port;
    }
    return host + ":" + port;
}

server_response refusal(int status) {
    server_response response;
    response.status = status;
    response.headers = {{"content-type", "application/json"}};
    if (status == 431) {
        response.body = error_body("headers_too_large", "the request headers are too large");
    } else if (status == 413) {
        response.body = error_body("body_too_large", "the request body is too large");
    } else if (status == 500) {
        response.body = error_body("internal_error", "the request could not be answered");
    } else {
        response.body = error_body("bad_request", "the request is not HTTP/1.x as expected");
    }
    return response;
}

std::string describe(const std::exception_ptr& failure) {
    try {
        std::rethrow_exception(failure);
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "an exception of unknown type";
    }
}

}  // namespace detail
}  // namespace polylogue::http
