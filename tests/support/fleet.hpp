#pragma once
// A fleet on one machine for the fleet tests and the fleet bench: a real PostgreSQL with a
// database of its own, one config (store kind postgres), and several `polylogue serve --node
// NAME --listen 127.0.0.1:0` processes sharing it, each with its files in data_dir/nodes/NAME/.
// What the fleet did is read straight from the database's tables (records, leases, nodes), the
// names docs/deploy.md and the schema give them.

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/api_client.hpp"
#include "support/postgres_server.hpp"
#include "support/process.hpp"
#include "support/scoped_env.hpp"
#include "support/sql_client.hpp"
#include "support/temp_dir.hpp"

namespace polylogue::test {

inline constexpr const char* fleet_control_token = "fleet-control-token-0123456789abcdef";

// One `polylogue serve --node NAME` of the fleet.
class fleet_node {
  public:
    fleet_node(std::filesystem::path config, std::filesystem::path data_dir, std::string name);
    fleet_node(const fleet_node&) = delete;
    fleet_node& operator=(const fleet_node&) = delete;
    ~fleet_node();

    // Spawns the process and waits (at most 20 s) for its control API; false if it never came.
    bool start();
    // SIGKILL, as a crash; returns once the process is reaped.
    void kill();
    // SIGTERM, a clean stop (it releases its leases); its exit.
    process_result stop(std::chrono::milliseconds limit = std::chrono::seconds{20});
    void pause();   // SIGSTOP
    void resume();  // SIGCONT
    bool running() const { return process_ != nullptr && process_->running(); }

    const std::string& name() const noexcept { return name_; }
    std::uint16_t port() const noexcept { return port_; }
    api_client api() const { return api_client{port_, fleet_control_token}; }
    // The sum of every series of a metric in its /metrics; -1 when it has none.
    double metric(const std::string& metric_name) const;
    // Its stderr and its log file, for failure messages.
    std::string output() const;

  private:
    std::filesystem::path config_;
    std::filesystem::path directory_;  // data_dir/nodes/NAME
    std::string name_;
    std::unique_ptr<child_process> process_;
    std::uint16_t port_ = 0;
};

// A record as the records table holds it; body is the record's JSON.
struct stored_record {
    std::int64_t seq = 0;
    std::string type;
    nlohmann::json body;
};

class fleet {
  public:
    // models_yaml: the providers and models sections (their script files are the test's, in
    // dir()); rooms_yaml: the entries under rooms:; lease: the store's lease.
    fleet(const std::string& models_yaml, const std::string& rooms_yaml,
          std::chrono::milliseconds lease);
    fleet(const fleet&) = delete;
    fleet& operator=(const fleet&) = delete;
    ~fleet();

    const temp_dir& dir() const noexcept { return dir_; }
    std::chrono::milliseconds lease() const noexcept { return lease_; }
    // lease/3: how often a node renews its leases and looks for free rooms.
    std::chrono::milliseconds renewal() const noexcept { return lease_ / 3; }

    // Adds a node (not started).
    fleet_node& add_node(const std::string& name);
    fleet_node& node(const std::string& name);

    // The same config with the embedded store (sqlite, data_dir "solo"), for a reference run.
    std::filesystem::path solo_config() const;

    // From the database. Rooms whose lease is held now (not expired): room → node.
    std::map<std::string, std::string> held_leases();
    // Per node, how many rooms it holds now.
    std::map<std::string, std::size_t> shares();
    // Whether every one of the rooms is leased and no node holds more than its fair share,
    // ceil(rooms / nodes), which the nodes rebalance to.
    bool shared_out(std::size_t rooms, std::size_t nodes);
    // Every room's highest seq.
    std::map<std::string, std::int64_t> last_seqs();
    std::vector<stored_record> records(const std::string& room);
    // The expires_at of the node's row in nodes, as text (it moves at each heartbeat); empty
    // when the node has none.
    std::string node_expiry(const std::string& name);
    sql_client& sql() { return *sql_; }

  private:
    std::string config_text(const std::string& store_and_data_dir) const;

    temp_dir dir_;
    postgres_server server_;
    std::string models_yaml_;
    std::string rooms_yaml_;
    std::chrono::milliseconds lease_;
    scoped_env env_;
    std::unique_ptr<sql_client> sql_;
    std::map<std::string, std::unique_ptr<fleet_node>> nodes_;
};

// The AI messages of a room as (speaker, text), in order, from records' bodies.
std::vector<std::pair<std::string, std::string>> ai_messages(
    const std::vector<nlohmann::json>& bodies);

}  // namespace polylogue::test
