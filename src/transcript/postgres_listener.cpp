// LISTEN polylogue_records on a connection of its own, waited on by the event loop: libpq's
// socket (a duplicate of it, which asio may own and close) is watched for reading, and what
// arrived is read without blocking (PQconsumeInput, PQnotifies).

#include "postgres_listener.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <unistd.h>

#include <charconv>

#include "postgres_connection.hpp"

namespace polylogue::transcript {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

std::optional<record_notice> parse_record_notice(std::string_view payload) {
    const auto space = payload.find(' ');
    if (space == std::string_view::npos || space == 0 || space + 1 == payload.size()) {
        return std::nullopt;
    }
    std::int64_t seq = 0;
    const char* end = payload.data() + space;
    const auto [stop, error] = std::from_chars(payload.data(), end, seq);
    if (error != std::errc{} || stop != end || seq < 1) {
        return std::nullopt;
    }
    return record_notice{std::string{payload.substr(space + 1)}, seq};
}

namespace {

class postgres_listener final : public record_listener {
  public:
    postgres_listener(asio::any_io_executor executor, pg::connection db, int socket)
        : db_{std::move(db)}, socket_{executor, socket}, deadline_{executor} {}

    asio::awaitable<result<std::vector<record_notice>>> next(
        std::chrono::milliseconds wait) override {
        auto arrived = take_notices();
        if (!arrived || !arrived->empty() || wait.count() <= 0) {
            co_return arrived;
        }
        deadline_.expires_after(wait);
        boost::system::error_code readable, timed_out;
        co_await (socket_.async_wait(asio::posix::stream_descriptor::wait_read,
                                     asio::redirect_error(asio::use_awaitable, readable)) ||
                  deadline_.async_wait(asio::redirect_error(asio::use_awaitable, timed_out)));
        co_return take_notices();
    }

  private:
    // What libpq has received, without waiting; an error when the connection is gone.
    result<std::vector<record_notice>> take_notices() {
        PGconn* conn = db_.native();
        if (PQconsumeInput(conn) == 0 || PQstatus(conn) != CONNECTION_OK) {
            return errc::connection_closed;
        }
        std::vector<record_notice> notices;
        while (PGnotify* notice = PQnotifies(conn)) {
            if (notice->relname == records_channel) {
                if (auto parsed = parse_record_notice(notice->extra)) {
                    notices.push_back(std::move(*parsed));
                }
            }
            PQfreemem(notice);
        }
        return notices;
    }

    pg::connection db_;
    asio::posix::stream_descriptor socket_;
    asio::steady_timer deadline_;
};

}  // namespace

result<std::unique_ptr<record_listener>, std::string> record_listener::open(
    asio::any_io_executor executor, const std::string& conninfo) {
    auto db = pg::connection::open(conninfo);
    if (!db) {
        return db.error();
    }
    if (!db->execute("LISTEN polylogue_records")) {
        return "cannot LISTEN on the PostgreSQL connection: " + db->last_error();
    }
    const int socket = ::dup(PQsocket(db->native()));
    if (socket < 0) {
        return std::string{"cannot watch the PostgreSQL connection (dup failed)"};
    }
    return std::unique_ptr<record_listener>{
        std::make_unique<postgres_listener>(executor, std::move(*db), socket)};
}

}  // namespace polylogue::transcript
