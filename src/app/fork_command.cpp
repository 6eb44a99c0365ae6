// polylogue fork CONFIG ROOM --at SEQ --as NEW: through the daemon's control API when one holds
// the data_dir, else on the store itself, under the data_dir lock, so that the next serve runs
// the fork.

#include <boost/asio/io_context.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "daemon_client.hpp"
#include "data_dir_lock.hpp"
#include "fork_plan.hpp"
#include "polylogue/core/text.hpp"
#include "polylogue/transcript/open_store.hpp"
#include "room_files.hpp"
#include "store_location.hpp"

namespace polylogue::app {

namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

// A path segment: every byte but [A-Za-z0-9._-] as %XX.
std::string path_segment(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte) != 0 || c == '.' || c == '_' || c == '-') {
            out += c;
        } else {
            out += '%';
            out += hex[byte >> 4];
            out += hex[byte & 0xF];
        }
    }
    return out;
}

asio::awaitable<int> fork_on_daemon(asio::any_io_executor executor, daemon_address daemon,
                                    control::fork_request request) {
    http::client client{executor};
    auto req = api_request(daemon, "/v1/rooms/" + path_segment(request.origin) + "/fork");
    req.method = "POST";
    req.headers.emplace_back("content-type", "application/json");
    req.body = nlohmann::json{{"at", request.at}, {"name", request.name}}.dump();
    req.total_timeout = std::chrono::seconds{60};
    const auto answer = co_await client.send(std::move(req));
    if (!answer) {
        std::cerr << "polylogue: the daemon did not answer: " << answer.error().message() << "\n";
        co_return exit_failure;
    }
    if (answer->status != 201) {
        const auto body = nlohmann::json::parse(answer->body, nullptr, false);
        const std::string message =
            body.is_object() && body.contains("error") && body["error"].is_object()
                ? body["error"].value("message", answer->body)
                : answer->body;
        std::cerr << "polylogue: the daemon refused the fork (HTTP " << answer->status
                  << "): " << message << "\n";
        co_return answer->status >= 500 ? exit_failure : exit_usage;
    }
    std::cout << "forked " << request.origin << " at seq " << request.at << " as " << request.name
              << "; the daemon runs it now\n";
    co_return exit_ok;
}

bool name_in_use(const config::config& cfg, transcript::store& db, const std::string& name) {
    std::error_code ec;
    const auto stored = db.last_seq(name);
    return cfg.find_room(name) != nullptr || !stored || *stored > 0 ||
           fs::exists(created_room_dir(cfg) / (name + ".yaml"), ec) ||
           fs::exists(pending_fork_file(cfg, name), ec);
}

int refuse(const std::string& message, int code) {
    std::cerr << "polylogue: " << message << "\n";
    return code;
}

// The room file as NAME.fork, the records, then NAME.yaml; why not, or nullopt when done.
std::optional<std::string> store_fork(const config::config& cfg, transcript::store& db,
                                      const std::string& name, fork_plan plan) {
    std::error_code ec;
    fs::create_directories(created_room_dir(cfg), ec);
    if (ec || !write_atomically(pending_fork_file(cfg, name), plan.room_text)) {
        return "cannot write " + pending_fork_file(cfg, name).string();
    }
    const transcript::room_batch batch{name, std::move(plan.records)};
    if (auto stored = db.append({&batch, 1}).front(); !stored) {
        fs::remove(pending_fork_file(cfg, name), ec);
        return "cannot store the fork's records: " + store_failure(db, stored.error());
    }
    if (!finish_fork_file(cfg, name)) {
        return "the fork's records are stored, but its room file cannot be renamed; the next "
               "serve settles it";
    }
    return std::nullopt;
}

// Only with the data_dir lock held: nothing else writes the store meanwhile.
int fork_offline(const config::config& cfg, const control::fork_request& request) {
    const auto origin = room_named(cfg, request.origin);
    if (!origin) {
        return refuse("no room named '" + request.origin + "' in the config or in " +
                          created_room_dir(cfg).string(),
                      exit_usage);
    }
    auto db = transcript::open_store(cfg);
    if (!db) {
        return refuse(db.error(), exit_failure);
    }
    auto history = (*db)->load(request.origin);
    if (!history) {
        return refuse("cannot read the transcript: " + store_failure(**db, history.error()),
                      exit_failure);
    }
    auto plan = plan_fork(request, *origin, *history, cfg,
                          core::format_rfc3339(std::chrono::system_clock::now()));
    if (!plan) {
        const auto& refused = plan.error();
        return refuse(refused.invalid.problems.empty() ? refused.message
                                                       : refused.invalid.problems.front().message,
                      exit_usage);
    }
    if (name_in_use(cfg, **db, request.name)) {
        return refuse(name_taken(request.name).message, exit_usage);
    }
    if (auto failed = store_fork(cfg, **db, request.name, std::move(*plan))) {
        return refuse(*failed, exit_failure);
    }
    std::cout << "forked " << request.origin << " at seq " << request.at << " as " << request.name
              << "; the next serve runs it\n";
    return exit_ok;
}

}  // namespace

int fork_command(const std::string& config_path, const std::string& room, std::int64_t at,
                 const std::string& name) {
    const auto cfg = load_or_report(config_path);
    if (!cfg) {
        return exit_usage;
    }
    control::fork_request request{room, at, name, "the polylogue CLI"};
    std::string held;
    if (const auto lock = data_dir_lock::acquire(cfg->data_dir, &held)) {
        return fork_offline(*cfg, request);
    }
    if (const auto daemon = find_daemon(*cfg)) {
        asio::io_context loop;
        return run_on_loop(loop, fork_on_daemon(loop.get_executor(), *daemon, std::move(request)));
    }
    return refuse("cannot fork now: " + held +
                      ". It has no control API to fork through (a `run`, or a `serve` whose "
                      "control API is off)",
                  exit_failure);
}

}  // namespace polylogue::app
