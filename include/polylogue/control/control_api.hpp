#pragma once
// The control API of docs/control-api.md as a request handler for http::server: a route table,
// the bearer-token check, and one small handler per route. Runs on the event loop thread; the
// little it reads from disk (image files) it reads on a thread of its own.

#include <boost/asio/thread_pool.hpp>

#include <spdlog/logger.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "polylogue/control/metrics.hpp"
#include "polylogue/control/room_directory.hpp"
#include "polylogue/control/room_feed.hpp"
#include "polylogue/http/client.hpp"
#include "polylogue/http/server.hpp"

namespace polylogue::control {

struct host_rules;  // src/control/request_checks.hpp

// Who may use the API; a reload may change it while the daemon runs.
struct api_access {
    std::optional<std::string> token;        // nullopt: no token is asked (loopback only)
    std::vector<std::string> allowed_hosts;  // Host names answered besides the listen address
};

struct api_services {
    room_directory* rooms = nullptr;
    room_feed* feed = nullptr;
    const metrics* counters = nullptr;
    std::function<metric_gauges()> gauges;  // read at scrape time
    std::string listen;                     // control.listen: the Host the API answers to
    api_access access;
    std::shared_ptr<spdlog::logger> log;
    // A fleet: an operator's request for a room another node runs is sent on to that node
    // through this client (docs/deploy.md, "A fleet"). Null outside a fleet.
    http::client* forward_client = nullptr;
};

class control_api final : public http::request_handler {
  public:
    explicit control_api(api_services services);
    ~control_api() override;

    boost::asio::awaitable<http::server_response> handle(http::server_request request) override;

    // From the next request on: a new token (the old one stops working), new allowed hosts.
    // Returns whether the token changed.
    bool update_access(api_access access);

    struct route_match {
        std::vector<std::string> params;                        // the {…} parts, decoded
        std::map<std::string, std::string, std::less<>> query;  // decoded
    };
    using route_handler = boost::asio::awaitable<http::server_response> (control_api::*)(
        http::server_request, route_match);

  private:
    struct route;
    static const std::vector<route>& routes();

    boost::asio::awaitable<http::server_response> dispatch(http::server_request request);
    bool authorized(const http::server_request& request, const route_match& match) const;
    // A refusal when the request fails Host, Origin or Content-Type; nullopt when it passes.
    std::optional<http::server_response> refusal(const route& r,
                                                 const http::server_request& request) const;

    boost::asio::awaitable<http::server_response> health(http::server_request, route_match);
    boost::asio::awaitable<http::server_response> scrape(http::server_request, route_match);
    boost::asio::awaitable<http::server_response> viewer(http::server_request, route_match);
    boost::asio::awaitable<http::server_response> list_rooms(http::server_request, route_match);
    boost::asio::awaitable<http::server_response> create_room(http::server_request, route_match);
    boost::asio::awaitable<http::server_response> show_room(http::server_request, route_match);
    boost::asio::awaitable<http::server_response> transcript(http::server_request, route_match);
    boost::asio::awaitable<http::server_response> events(http::server_request, route_match);
    boost::asio::awaitable<http::server_response> image(http::server_request, route_match);
    boost::asio::awaitable<http::server_response> interject(http::server_request, route_match);
    boost::asio::awaitable<http::server_response> choose_next(http::server_request, route_match);
    boost::asio::awaitable<http::server_response> pause(http::server_request, route_match);
    boost::asio::awaitable<http::server_response> resume(http::server_request, route_match);
    boost::asio::awaitable<http::server_response> stop(http::server_request, route_match);
    boost::asio::awaitable<http::server_response> fork(http::server_request, route_match);
    boost::asio::awaitable<http::server_response> patch_room(http::server_request, route_match);
    boost::asio::awaitable<http::server_response> remove_member(http::server_request, route_match);
    boost::asio::awaitable<http::server_response> archive_room(http::server_request, route_match);

    // A fleet (forward_route.cpp): the owner's answer to a request that changes a room this
    // node does not run; nullopt when the room runs here (or there is no fleet).
    boost::asio::awaitable<std::optional<http::server_response>> forwarded(
        const http::server_request& request, const route_match& match);

    enum class steering { pause, resume, end };
    boost::asio::awaitable<http::server_response> steer(steering action,
                                                        http::server_request request,
                                                        route_match match);

    api_services services_;
    std::unique_ptr<host_rules> hosts_;  // from services_.listen and access.allowed_hosts
    boost::asio::thread_pool disk_{1};   // file reads, so that the loop never waits for the disk
};

}  // namespace polylogue::control
