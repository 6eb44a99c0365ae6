#include "support/fault_soak.hpp"

#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <thread>

#include "polylogue/transcript/store.hpp"
#include "support/api_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/usage_sampler.hpp"

namespace polylogue::test {
namespace {

using namespace std::chrono_literals;
using steady_clock = std::chrono::steady_clock;

constexpr const char* soak_token = "soak-control-token-0123456789";
constexpr const char* soak_key = "soak-test-key-not-a-secret";

struct providers_under_test {
    faulty_provider openai;
    faulty_provider anthropic;
    faulty_provider gemini;

    providers_under_test(const soak_settings& s, fault_timing timing)
        : openai{api_kind::openai, s.deck, s.seed, timing},
          anthropic{api_kind::anthropic, s.deck, s.seed + 1, timing},
          gemini{api_kind::gemini, s.deck, s.seed + 2, timing} {}

    std::vector<const faulty_provider*> all() const { return {&openai, &anthropic, &gemini}; }
};

std::string provider_yaml(const std::string& name, const std::string& kind,
                          const std::string& base_url) {
    // Two tries: a 10% fault rate then exhausts about 1% of turns, so turn_failed records occur.
    // Deadlines are generous: on a loaded 2-core machine the daemon can be starved for seconds,
    // and a deadline that fires then is a failure nobody injected.
    return "  " + name + ": { kind: " + kind + ", base_url: " + base_url +
           ", api_key_env: PL_SOAK_KEY, max_in_flight: 32,\n"
           "       retry: { attempts: 2, initial_backoff: 50ms, max_backoff: 200ms, max_wait: 5s "
           "},\n"
           "       timeouts: { first_byte: 5s, idle: 5s, total: 60s } }\n";
}

std::string room_name(int index) {
    char name[16];
    std::snprintf(name, sizeof name, "s%03d", index);
    return name;
}

// Most rooms are two OpenAI-kind models; every fifth pairs one with Claude, every fifth with
// Gemini, so all three adapters meet every fault.
std::string soak_config(const soak_settings& s, const providers_under_test& p) {
    std::string text =
        "data_dir: var\n"
        "control: { listen: 127.0.0.1:0, token_env: PL_SOAK_TOKEN }\n"
        "shutdown_grace: 5s\n"
        "providers:\n" +
        provider_yaml("oa", "openai", p.openai.base_url() + "/v1") +
        provider_yaml("an", "anthropic", p.anthropic.base_url()) +
        provider_yaml("ge", "gemini", p.gemini.base_url()) +
        "models:\n"
        "  - { name: Orca, provider: oa, id: orca-1 }\n"
        "  - { name: Osprey, provider: oa, id: osprey-1 }\n"
        "  - { name: Albatross, provider: an, id: albatross-1 }\n"
        "  - { name: Gannet, provider: ge, id: gannet-1 }\n"
        "rooms:\n";
    const auto spread = (s.longest_delay - s.shortest_delay).count();
    for (int i = 0; i < s.rooms; ++i) {
        const char* members = i % 5 == 3   ? "[Orca, Albatross]"
                              : i % 5 == 4 ? "[Gannet, Osprey]"
                                           : "[Orca, Osprey]";
        const auto delay =
            s.shortest_delay.count() + (s.rooms > 1 ? spread * i / (s.rooms - 1) : 0);
        text += "  - { name: " + room_name(i) + ", members: " + members +
                ", max_turns: " + std::to_string(s.turns) +
                ", turn_delay: " + std::to_string(delay) +
                "ms, suspend_after_failures: 100,\n"
                "      system_prompt: \"" +
                soak_system_prompt() + "\" }\n";
    }
    return text;
}

int ended_rooms(const api_client& api) {
    const auto answer = api.get("/v1/rooms").json();
    int ended = 0;
    if (answer.is_object() && answer.contains("rooms")) {
        for (const auto& room : answer["rooms"]) {
            ended += room["state"] == "ended" ? 1 : 0;
        }
    }
    return ended;
}

bool is_ai_turn(const core::record& r) {
    return (r.type == core::record_type::message && core::slot_from_label(r.speaker) > 0) ||
           r.type == core::record_type::turn_failed;
}

// The failure kind and HTTP status a turn_failed record must carry when the given fault was
// the last try; 0 for a status that depends on the path (transport or in-stream failures).
std::pair<std::string, int> expected_failure(fault f) {
    switch (f) {
        case fault::rate_limited:
            return {"retriable", 429};
        case fault::server_error:
            return {"retriable", 500};
        case fault::bad_gateway:
            return {"retriable", 502};
        case fault::unavailable:
            return {"retriable", 503};
        case fault::overloaded:
            return {"retriable", 529};
        case fault::oversized_body:
            return {"final", 0};
        case fault::key_echo:
            return {"final", 400};
        default:
            return {"retriable", 0};
    }
}

bool is_final(fault f) {
    return f == fault::oversized_body || f == fault::key_echo;
}

class accountant {
  public:
    accountant(const soak_settings& s, soak_report& report) : settings_{s}, report_{report} {}

    void problem(const std::string& text) {
        if (report_.problems.size() < 50) {
            report_.problems.push_back(text);
        }
    }

    // One room: its records against the providers' ledger of its turns, in order.
    void check_room(const std::string& room, const std::vector<core::record>& records,
                    const std::vector<const turn_ledger*>& turns) {
        std::vector<const core::record*> ai_turns;
        for (std::size_t i = 0; i < records.size(); ++i) {
            if (records[i].seq != static_cast<std::int64_t>(i + 1)) {
                problem(room + ": seq " + std::to_string(records[i].seq) + " at index " +
                        std::to_string(i));
            }
            if (records[i].type == core::record_type::member_suspended) {
                problem(room + ": a member was suspended");
            }
            if (is_ai_turn(records[i])) {
                ai_turns.push_back(&records[i]);
            }
        }
        if (records.empty() || records.back().type != core::record_type::room_ended ||
            records.back().text.find("max_turns") == std::string::npos) {
            problem(room + ": did not end by max_turns");
        } else {
            ++report_.rooms_ended;
        }
        if (static_cast<int>(ai_turns.size()) != settings_.turns ||
            ai_turns.size() != turns.size()) {
            problem(room + ": " + std::to_string(ai_turns.size()) + " AI turns recorded, " +
                    std::to_string(turns.size()) + " seen by the providers, " +
                    std::to_string(settings_.turns) + " expected");
        }
        for (std::size_t k = 0; k < std::min(ai_turns.size(), turns.size()); ++k) {
            check_turn(room + " turn " + std::to_string(k + 1), *ai_turns[k], *turns[k]);
        }
    }

  private:
    void check_turn(const std::string& where, const core::record& r, const turn_ledger& turn) {
        if (r.speaker != turn.seat) {
            problem(where + ": recorded for " + r.speaker + ", requested for " + turn.seat);
        }
        const auto& tries = turn.tries;
        for (std::size_t i = 0; i + 1 < tries.size(); ++i) {
            if (!is_failure(tries[i]) || is_final(tries[i])) {
                problem(where + ": tried again after " + to_string(tries[i]));
            }
        }
        const fault last = tries.back();
        if (r.type == core::record_type::message) {
            report_.attempts_in_records += tries.size();
            ++report_.messages;
            report_.recovered_turns += tries.size() > 1 ? 1 : 0;
            if (is_failure(last) || r.text != turn.reply) {
                problem(where + ": a message after " + to_string(last) + ": " + r.text);
            }
            return;
        }
        report_.attempts_in_records += static_cast<std::size_t>(r.attempts);
        ++report_.failed_turns;
        ++report_.failed_by_last_fault[to_string(last) + " -> " + r.failure + " " + r.error_type +
                                       " " + std::to_string(r.http_status)];
        const auto [kind, status] = expected_failure(last);
        if (!is_failure(last) || r.attempts != static_cast<int>(tries.size()) ||
            r.failure != kind || (status != 0 && r.http_status != status)) {
            problem(where + ": turn_failed (" + r.failure + ", HTTP " +
                    std::to_string(r.http_status) + ", " + std::to_string(r.attempts) +
                    " attempts) but the provider saw " + std::to_string(tries.size()) +
                    " tries ending in " + to_string(last) + " (" + r.error_type + ": " + r.detail +
                    ")");
        }
    }

    const soak_settings& settings_;
    soak_report& report_;
};

void account(const soak_settings& s, const std::filesystem::path& data_dir,
             const providers_under_test& p, soak_report& report) {
    std::map<std::string, std::vector<turn_ledger>> ledgers;
    for (const faulty_provider* provider : p.all()) {
        report.requests += provider->requests();
        for (auto& turn : provider->ledger()) {
            ledgers[turn.room].push_back(std::move(turn));
        }
        for (const auto& [f, count] : provider->injected()) {
            report.injected[to_string(f)] += count;
        }
    }
    auto db = transcript::store::open(data_dir / "transcripts.db");
    if (!db) {
        report.problems.push_back("cannot open the store: " + db.error().message());
        return;
    }
    accountant books{s, report};
    for (int i = 0; i < s.rooms; ++i) {
        auto& turns = ledgers[room_name(i)];
        std::sort(turns.begin(), turns.end(), [](const turn_ledger& a, const turn_ledger& b) {
            return a.first_seen < b.first_seen;
        });
        std::vector<const turn_ledger*> ordered;
        for (const auto& t : turns) {
            ordered.push_back(&t);
        }
        const auto records = (*db)->load(room_name(i));
        if (!records) {
            books.problem(room_name(i) + ": cannot load: " + records.error().message());
            continue;
        }
        books.check_room(room_name(i), *records, ordered);
    }
    if (report.attempts_in_records != report.requests) {
        books.problem("the providers answered " + std::to_string(report.requests) +
                      " requests; the records account for " +
                      std::to_string(report.attempts_in_records));
    }
}

void check_usage(const soak_settings& s, soak_report& report) {
    const double end = report.seconds;
    const double window = static_cast<double>(s.window.count());
    const auto first = window_of(report.samples, 0, window);
    const auto last = window_of(report.samples, end - window, end);
    report.rss_first_kib = first.rss_kib;
    report.rss_last_kib = last.rss_kib;
    report.fds_first = first.fds;
    report.fds_last = last.fds;
    // Records committed between the middles of the two windows stay in memory (each room keeps
    // its transcript): that much growth is the design, anything beyond the slack is a leak.
    const double share = std::clamp((end - window) / std::max(end, 1.0), 0.0, 1.0);
    const long kept_records =
        static_cast<long>(share * (report.messages + report.failed_turns) * 1.0);
    report.rss_allowed_growth_kib = s.rss_slack_kib + kept_records * s.rss_kib_per_record;
    if (report.rss_last_kib - report.rss_first_kib > report.rss_allowed_growth_kib) {
        report.problems.push_back("RSS grew from " + std::to_string(report.rss_first_kib) +
                                  " KiB to " + std::to_string(report.rss_last_kib) + " KiB");
    }
    if (report.fds_last - report.fds_first > s.fd_slack) {
        report.problems.push_back("open descriptors grew from " + std::to_string(report.fds_first) +
                                  " to " + std::to_string(report.fds_last));
    }
}

}  // namespace

fault_deck soak_deck() {
    fault_deck deck;
    deck.deck_size = 1000;
    deck.counts = {
        {fault::slow_stream, 30},     {fault::rate_limited, 10},   {fault::server_error, 10},
        {fault::bad_gateway, 9},      {fault::unavailable, 9},     {fault::overloaded, 9},
        {fault::cut_mid_stream, 10},  {fault::malformed_json, 10}, {fault::error_in_stream, 10},
        {fault::slow_headers, 9},     {fault::oversized_line, 10}, {fault::oversized_body, 4},
        {fault::dropped_request, 10}, {fault::key_echo, 2},
    };
    return deck;
}

soak_report run_fault_soak(const soak_settings& s) {
    soak_report report;
    ::setenv("PL_SOAK_TOKEN", soak_token, 1);
    ::setenv("PL_SOAK_KEY", soak_key, 1);
    // glibc raises its mmap threshold after a large block is freed, so one 33 MiB oversized
    // body can leave tens of MiB in the heap that RSS counts though nothing uses them. Pinned,
    // blocks over 128 KiB are mapped and unmapped, and RSS follows live memory.
    ::setenv("MALLOC_MMAP_THRESHOLD_", "131072", 1);
    providers_under_test providers{s, fault_timing{}};
    temp_dir dir;
    dir.write("soak.yaml", soak_config(s, providers));
    child_process daemon{{polylogue_binary(), "serve", (dir / "soak.yaml").string()}};
    const auto port = wait_for_serve_port(dir / "var", 60s);
    if (port == 0) {
        report.problems.push_back("the daemon did not start: " + daemon.wait(1s).err);
        return report;
    }
    // From here: before, the child may still be the test's own forked image.
    const auto started = steady_clock::now();
    usage_sampler sampler{daemon.pid()};
    const api_client api{port, soak_token};
    const auto deadline = started + s.time_limit;
    while (ended_rooms(api) < s.rooms && steady_clock::now() < deadline) {
        std::this_thread::sleep_for(1s);
    }
    report.seconds = std::chrono::duration<double>(steady_clock::now() - started).count();
    report.samples = sampler.stop();
    daemon.send(SIGTERM);
    const auto stopped = daemon.wait(30s);
    if (stopped.exit_code != 0) {
        report.problems.push_back("serve exited with " + std::to_string(stopped.exit_code) + ": " +
                                  stopped.err.substr(0, 2000));
    }
    account(s, dir / "var", providers, report);
    check_usage(s, report);
    return report;
}

std::string soak_report::summary() const {
    std::ostringstream out;
    out << "soak: " << rooms_ended << " rooms ended in " << static_cast<int>(seconds) << " s; "
        << messages << " messages + " << failed_turns << " failed turns; " << recovered_turns
        << " turns recovered after a failure; " << requests << " requests, " << attempts_in_records
        << " accounted for by the records\n";
    out << "injected:";
    for (const auto& [name, count] : injected) {
        out << " " << name << "=" << count;
    }
    out << "\nfailed turns by last fault:";
    for (const auto& [name, count] : failed_by_last_fault) {
        out << "\n  " << name << ": " << count;
    }
    long rss_min = samples.empty() ? 0 : samples.front().rss_kib;
    long rss_max = rss_min;
    int fd_min = samples.empty() ? 0 : samples.front().fds;
    int fd_max = fd_min;
    for (const auto& u : samples) {
        rss_min = std::min(rss_min, u.rss_kib);
        rss_max = std::max(rss_max, u.rss_kib);
        fd_min = std::min(fd_min, u.fds);
        fd_max = std::max(fd_max, u.fds);
    }
    out << "\nRSS KiB: first-window median " << rss_first_kib << ", last-window median "
        << rss_last_kib << " (allowed growth " << rss_allowed_growth_kib << "), min " << rss_min
        << ", max " << rss_max << "; open fds: first " << fds_first << ", last " << fds_last
        << ", min " << fd_min << ", max " << fd_max << "; " << samples.size() << " samples\n";
    for (const auto& p : problems) {
        out << "PROBLEM: " << p << "\n";
    }
    return out.str();
}

}  // namespace polylogue::test
