#include "support/fleet.hpp"

#include <signal.h>

#include <sstream>
#include <stdexcept>

namespace polylogue::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* database_url_variable = "POLYLOGUE_DATABASE_URL";
constexpr const char* token_variable = "PL_TEST_CONTROL_TOKEN";

}  // namespace

fleet_node::fleet_node(std::filesystem::path config, std::filesystem::path data_dir,
                       std::string name)
    : config_{std::move(config)}, directory_{data_dir / "nodes" / name}, name_{std::move(name)} {}

fleet_node::~fleet_node() {
    if (running()) {
        resume();  // a stopped process would sit out SIGTERM's grace
        kill();
    }
}

bool fleet_node::start() {
    std::filesystem::remove(directory_ / "serve.json");
    port_ = 0;
    process_ = std::make_unique<child_process>(std::vector<std::string>{
        polylogue_binary(), "serve", config_.string(), "--node", name_, "--listen", "127.0.0.1:0"});
    // A node that exits at once (a bad option, a refused store) is not waited for.
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (port_ == 0 && process_->running() && std::chrono::steady_clock::now() < deadline) {
        port_ = wait_for_serve_port(directory_, 100ms);
    }
    return port_ != 0;
}

void fleet_node::kill() {
    process_->send(SIGKILL);
    process_->wait(10s);
}

process_result fleet_node::stop(std::chrono::milliseconds limit) {
    process_->send(SIGTERM);
    return process_->wait(limit);
}

void fleet_node::pause() {
    process_->send(SIGSTOP);
}

void fleet_node::resume() {
    process_->send(SIGCONT);
}

double fleet_node::metric(const std::string& metric_name) const {
    const auto answer = api().get("/metrics");
    if (answer.status != 200) {
        return -1;
    }
    std::istringstream lines{answer.body};
    double sum = 0;
    bool found = false;
    for (std::string line; std::getline(lines, line);) {
        // "name value" or "name{labels} value"; a longer name sharing the prefix is another one.
        if (line.rfind(metric_name, 0) != 0 || line.size() <= metric_name.size()) {
            continue;
        }
        const char next = line[metric_name.size()];
        if (next != ' ' && next != '{') {
            continue;
        }
        sum += std::stod(line.substr(line.rfind(' ') + 1));
        found = true;
    }
    return found ? sum : -1;
}

std::string fleet_node::output() const {
    std::string text = "--- " + name_ + " stderr ---\n";
    text += process_ == nullptr ? std::string{} : process_->stderr_so_far();
    text += "--- " + name_ + " log ---\n" + read_file(directory_ / "logs" / "polylogue.log");
    return text;
}

fleet::fleet(const std::string& models_yaml, const std::string& rooms_yaml,
             std::chrono::milliseconds lease)
    : models_yaml_{models_yaml}, rooms_yaml_{rooms_yaml}, lease_{lease} {
    const auto conninfo = server_.create_database("fleet");
    sql_ = std::make_unique<sql_client>(conninfo);
    env_.set(database_url_variable, server_.url("fleet"));
    env_.set(token_variable, fleet_control_token);
    dir_.write("fleet.yaml", config_text("data_dir: var\nstore: { kind: postgres, url_env: " +
                                         std::string{database_url_variable} +
                                         ", lease: " + std::to_string(lease_.count()) + "ms }\n"));
    dir_.write("solo.yaml", config_text("data_dir: solo\n"));
}

fleet::~fleet() {
    nodes_.clear();  // every node goes before the server they use
}

std::string fleet::config_text(const std::string& store_and_data_dir) const {
    return store_and_data_dir + "control: { listen: 127.0.0.1:0, token_env: " + token_variable +
           " }\nshutdown_grace: 2s\n" + models_yaml_ + "rooms:\n" + rooms_yaml_;
}

fleet_node& fleet::add_node(const std::string& name) {
    auto& slot = nodes_[name];
    slot = std::make_unique<fleet_node>(dir_ / "fleet.yaml", dir_ / "var", name);
    return *slot;
}

fleet_node& fleet::node(const std::string& name) {
    return *nodes_.at(name);
}

std::filesystem::path fleet::solo_config() const {
    return dir_ / "solo.yaml";
}

std::map<std::string, std::string> fleet::held_leases() {
    std::map<std::string, std::string> held;
    for (const auto& row : sql_->rows(
             "SELECT room, node FROM leases WHERE expires_at > now() AND node IS NOT NULL")) {
        held[row[0].value_or("")] = row[1].value_or("");
    }
    return held;
}

std::map<std::string, std::size_t> fleet::shares() {
    std::map<std::string, std::size_t> held;
    for (const auto& [room, node] : held_leases()) {
        ++held[node];
    }
    return held;
}

bool fleet::shared_out(std::size_t rooms, std::size_t nodes) {
    const std::size_t share = (rooms + nodes - 1) / nodes;
    std::size_t leased = 0;
    for (const auto& [node, count] : shares()) {
        if (count > share) {
            return false;
        }
        leased += count;
    }
    return leased == rooms;
}

std::map<std::string, std::int64_t> fleet::last_seqs() {
    std::map<std::string, std::int64_t> seqs;
    for (const auto& row : sql_->rows("SELECT room, max(seq) FROM records GROUP BY room")) {
        seqs[row[0].value_or("")] = std::stoll(row[1].value_or("0"));
    }
    return seqs;
}

std::vector<stored_record> fleet::records(const std::string& room) {
    // The room name is the test's own, never untrusted; quote it all the same.
    std::string quoted;
    for (const char c : room) {
        quoted += c == '\'' ? std::string{"''"} : std::string{c};
    }
    std::vector<stored_record> out;
    for (const auto& row : sql_->rows("SELECT seq, type, body FROM records WHERE room = '" +
                                      quoted + "' ORDER BY seq")) {
        stored_record r{std::stoll(row[0].value_or("0")), row[1].value_or(""),
                        nlohmann::json::parse(row[2].value_or("null"), nullptr, false)};
        // The columns are the truth; a body without them gets them for ai_messages().
        if (r.body.is_object()) {
            r.body["seq"] = r.seq;
            r.body["type"] = r.type;
        }
        out.push_back(std::move(r));
    }
    return out;
}

std::string fleet::node_expiry(const std::string& name) {
    const auto rows = sql_->rows("SELECT expires_at::text FROM nodes WHERE node = '" + name + "'");
    return rows.empty() ? std::string{} : rows.front().front().value_or("");
}

std::vector<std::pair<std::string, std::string>> ai_messages(
    const std::vector<nlohmann::json>& bodies) {
    std::vector<std::pair<std::string, std::string>> messages;
    for (const auto& body : bodies) {
        if (body.is_object() && body.value("type", "") == "message" &&
            body.value("speaker", "").rfind("AI-", 0) == 0) {
            messages.emplace_back(body.value("speaker", ""), body.value("text", ""));
        }
    }
    return messages;
}

}  // namespace polylogue::test
