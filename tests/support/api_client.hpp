#pragma once
// A plain blocking HTTP/1.1 client for tests that talk to a `polylogue serve` process: one
// request per connection, every read and write under a deadline, and an SSE reader that
// collects events until the test has what it waits for.

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "polylogue/http/sse_parser.hpp"

namespace polylogue::test {

struct api_answer {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
    std::string body;

    std::string header(const std::string& name) const;
    nlohmann::json json() const;  // discarded (is_discarded) when the body is not JSON
};

class api_client {
  public:
    api_client(std::uint16_t port, std::string token);

    api_answer call(const std::string& method, const std::string& target,
                    const std::string& body = {},
                    std::vector<std::pair<std::string, std::string>> headers = {},
                    bool with_token = true) const;
    api_answer get(const std::string& target) const { return call("GET", target); }
    api_answer post(const std::string& target, const nlohmann::json& body) const {
        return call("POST", target, body.dump());
    }

    // Reads the event stream at target until done(events so far) holds or limit passes.
    std::vector<http::sse_event> read_events(
        const std::string& target,
        const std::function<bool(const std::vector<http::sse_event>&)>& done,
        std::chrono::milliseconds limit,
        std::vector<std::pair<std::string, std::string>> headers = {}) const;

    std::uint16_t port() const noexcept { return port_; }

  private:
    std::uint16_t port_;
    std::string token_;
};

class connection;

// A request for target whose answer is never read: a client that cannot keep up. The
// connection stays open until the object goes.
class silent_stream {
  public:
    silent_stream(std::uint16_t port, const std::string& target, const std::string& token);
    silent_stream(const silent_stream&) = delete;
    silent_stream& operator=(const silent_stream&) = delete;
    ~silent_stream();

  private:
    std::unique_ptr<connection> connection_;
};

// GET /v1/rooms/ROOM/transcript's records (null when the answer has none).
inline nlohmann::json room_records(const api_client& api, const std::string& room) {
    return api.get("/v1/rooms/" + room + "/transcript").json()["records"];
}

// Whether records (an array of them) end with the room's room_ended record.
inline bool has_ended(const nlohmann::json& records) {
    return records.is_array() && !records.empty() && records.back()["type"] == "room_ended";
}

// Waits for data_dir/serve.json of a starting daemon and returns its port; 0 after limit.
std::uint16_t wait_for_serve_port(const std::filesystem::path& data_dir,
                                  std::chrono::milliseconds limit);

}  // namespace polylogue::test
