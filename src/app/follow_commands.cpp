// rooms and tail: the commands that talk to a running daemon over its control API (found
// through data_dir/serve.json), and tail's fallback to the store when none runs.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <nlohmann/json.hpp>

#include <signal.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <set>
#include <sstream>

#include "commands.hpp"
#include "control_setup.hpp"
#include "daemon_client.hpp"
#include "polylogue/config/loader.hpp"
#include "polylogue/http/client.hpp"
#include "polylogue/http/sse_parser.hpp"
#include "polylogue/transcript/format.hpp"
#include "polylogue/transcript/open_store.hpp"
#include "store_location.hpp"

namespace polylogue::app {

namespace asio = boost::asio;

namespace {

// 950, 12.3k, 1.2M: a column's worth of tokens.
std::string compact_count(std::int64_t n) {
    std::ostringstream out;
    if (n < 1'000) {
        out << n;
    } else if (n < 1'000'000) {
        out << std::fixed << std::setprecision(n < 10'000 ? 1 : 0) << static_cast<double>(n) / 1e3
            << "k";
    } else {
        out << std::fixed << std::setprecision(1) << static_cast<double>(n) / 1e6 << "M";
    }
    return out.str();
}

// "1.2M (82% cached, 12k written)": the room's input tokens and what the prompt caches did.
std::string input_column(const nlohmann::json& room) {
    const auto input = room.value("input_tokens", std::int64_t{0});
    if (input <= 0) {
        return "-";
    }
    const auto cached = room.value("cached_input_tokens", std::int64_t{0});
    const auto written = room.value("cache_write_tokens", std::int64_t{0});
    if (cached <= 0 && written <= 0) {
        return compact_count(input);
    }
    std::ostringstream text;
    text << compact_count(input) << " ("
         << static_cast<int>(std::lround(100 * room.value("cached_input_share", 0.0)))
         << "% cached, " << compact_count(written) << " written)";
    return text.str();
}

asio::awaitable<int> print_rooms(asio::any_io_executor executor, daemon_address daemon) {
    http::client client{executor};
    auto answer = co_await client.send(api_request(daemon, "/v1/rooms"));
    if (!answer || answer->status != 200) {
        std::cerr << "polylogue: the daemon did not answer: "
                  << (answer ? "HTTP " + std::to_string(answer->status) + " " + answer->body
                             : answer.error().message())
                  << "\n";
        co_return exit_failure;
    }
    const auto body = nlohmann::json::parse(answer->body, nullptr, false);
    std::cout << std::left << std::setw(24) << "ROOM" << std::setw(9) << "STATE" << std::setw(12)
              << "TURNS" << std::setw(10) << "COST" << std::setw(32) << "INPUT TOKENS"
              << "MEMBERS\n";
    for (const auto& room : body.value("rooms", nlohmann::json::array())) {
        std::string members;
        for (const auto& m : room.value("members", nlohmann::json::array())) {
            if (m.value("left", false)) {
                continue;  // taken out of the room
            }
            members += (members.empty() ? "" : ", ") + m.value("label", "") + " (" +
                       m.value("model", "") + ")";
        }
        const std::string turns = std::to_string(room.value("turns", 0)) + "/" +
                                  std::to_string(room.value("max_turns", 0));
        std::ostringstream cost;
        cost << "$" << std::fixed << std::setprecision(4) << room.value("cost_usd", 0.0);
        std::cout << std::setw(24) << room.value("name", "") << std::setw(9)
                  << room.value("state", "") << std::setw(12) << turns << std::setw(10)
                  << cost.str() << std::setw(32) << input_column(room) << members;
        if (room.contains("origin")) {
            std::cout << "  (forked from " << room.value("origin", "") << " at seq "
                      << room.value("origin_seq", 0) << ")";
        }
        if (room.contains("owner")) {  // a fleet: which node runs it
            std::cout << (room["owner"].is_string()
                              ? "  (on node " + room["owner"].get<std::string>() + ")"
                              : std::string{"  (moving between nodes)"});
        }
        std::cout << "\n";
    }
    co_return exit_ok;
}

// Prints one room's events as the chat log does: committed records, and the reply in progress
// as it streams in (in a parallel round, the first one to stream).
class tail_printer {
  public:
    void on_event(const http::sse_event& event) {
        const auto data = nlohmann::json::parse(event.data, nullptr, false);
        if (event.event == "record") {
            auto r = core::record_from_json(data);
            if (!r || r->seq <= last_seq_) {
                return;
            }
            last_seq_ = r->seq;
            if (r->type == core::record_type::message ||
                r->type == core::record_type::turn_failed ||
                r->type == core::record_type::member_exhausted) {
                held_back_.erase(r->speaker);
            }
            if (r->type == core::record_type::message && r->speaker == streaming_) {
                std::cout << "\n\n";
            } else {
                end_stream();
                std::cout << transcript::format_text(*r);
            }
            streaming_.clear();
        } else if (event.event == "token" && data.is_object()) {
            const std::string speaker = data.value("speaker", "");
            if (held_back_.contains(speaker)) {
                return;
            }
            if (!streaming_.empty() && speaker != streaming_) {
                held_back_.insert(speaker);  // a parallel round: printed whole at its record
                return;
            }
            if (speaker != streaming_) {
                std::cout << speaker << " (" << data.value("model", "") << "):\n";
                streaming_ = speaker;
            }
            std::cout << data.value("text", "");
        } else if (event.event == "restart" && data.is_object()) {
            if (data.value("speaker", "") == streaming_) {
                std::cout << "\n(starting over)\n";
            }
        } else if (event.event == "room" && data.is_object()) {
            state_ = data.value("state", "");
            reason_ = data.value("end_reason", "");
        }
        std::cout.flush();
    }

    bool room_over() const { return state_ == "ended" || state_ == "failed"; }
    std::int64_t last_seq() const { return last_seq_; }

  private:
    void end_stream() {
        if (!streaming_.empty()) {
            std::cout << "\n\n";
        }
    }

    std::int64_t last_seq_ = 0;
    std::string streaming_;
    // Speakers whose text came while another's streamed (turn_order parallel): their reply is
    // printed whole when its record comes, never in pieces.
    std::set<std::string, std::less<>> held_back_;
    std::string state_;
    std::string reason_;
};

// Follows until the room ends or the daemon goes away; reconnects after a dropped stream,
// resuming after the last record seen.
asio::awaitable<int> follow_room(asio::any_io_executor executor, daemon_address daemon,
                                 std::string room, std::filesystem::path serve_json) {
    http::client client{executor};
    tail_printer printer;
    asio::steady_timer pause{executor};
    for (;;) {
        http::sse_parser parser{[&printer](const http::sse_event& e) { printer.on_event(e); }};
        auto req = api_request(
            daemon, "/v1/rooms/" + room + "/events?after=" + std::to_string(printer.last_seq()));
        req.total_timeout = std::chrono::hours{24 * 365};
        req.idle_timeout = std::chrono::seconds{60};  // the daemon sends a comment every 15 s
        auto answer = co_await client.send(
            std::move(req), [&parser](std::string_view chunk) { parser.feed(chunk); });
        if (answer && answer->status != 200) {
            std::cerr << "polylogue: HTTP " << answer->status << ": " << answer->body << "\n";
            co_return answer->status == 404 ? exit_usage : exit_failure;
        }
        if (printer.room_over()) {
            co_return exit_ok;
        }
        std::error_code ignored;
        if (!std::filesystem::exists(serve_json, ignored)) {
            std::cout << "(the daemon stopped)\n";
            co_return exit_ok;
        }
        pause.expires_after(std::chrono::seconds{1});
        co_await pause.async_wait(asio::use_awaitable);
    }
}

}  // namespace

int rooms_command(const std::string& config_path) {
    const auto cfg = load_or_report(config_path);
    if (!cfg) {
        return exit_usage;
    }
    const auto daemon = find_daemon(*cfg);
    if (!daemon) {
        std::cerr << "polylogue: no daemon is serving " << config_path << " (no live "
                  << serve_file_path(*cfg).string() << ")\n";
        return exit_failure;
    }
    asio::io_context loop;
    return run_on_loop(loop, print_rooms(loop.get_executor(), *daemon));
}

int tail_command(const std::string& config_path, const std::string& room) {
    const auto cfg = load_or_report(config_path);
    if (!cfg) {
        return exit_usage;
    }
    if (const auto daemon = find_daemon(*cfg)) {
        asio::io_context loop;
        return run_on_loop(loop,
                           follow_room(loop.get_executor(), *daemon, room, daemon->serve_file));
    }
    if (cfg->find_room(room) == nullptr &&
        !std::filesystem::exists(cfg->data_dir / "rooms" / (room + ".yaml"))) {
        std::cerr << "polylogue: no room named '" << room << "' in " << config_path << "\n";
        return exit_usage;
    }
    auto db = transcript::open_store(*cfg);
    if (!db) {
        std::cerr << "polylogue: " << db.error() << "\n";
        return exit_failure;
    }
    auto records = (*db)->load(room);
    if (!records) {
        std::cerr << "polylogue: cannot read the transcript: "
                  << store_failure(**db, records.error()) << "\n";
        return exit_failure;
    }
    for (const auto& r : *records) {
        std::cout << transcript::format_text(r);
    }
    std::cout << "(no daemon is running; this is what the store holds)\n";
    return exit_ok;
}

}  // namespace polylogue::app
