// What a provider's prompt cache could serve in a long room: one room of five members with the
// default context settings, every request answered with a reply of its own of realistic size,
// until each member's window has been full for a while; then, per member, the share of each
// request that is a prefix of its previous one (the long-room integration test measures the
// same room: tests/integration/prompt_prefix_test.cpp).

#include <limits>

#include "bench_setup.hpp"
#include "daemon_process.hpp"
#include "phases.hpp"
#include "polylogue/config/config.hpp"
#include "polylogue/core/record.hpp"
#include "polylogue/transcript/store.hpp"

namespace polylogue::bench {

namespace {

using namespace std::chrono_literals;

std::size_t count_trims(const bench_config& setup, const std::string& room) {
    auto db = transcript::store::open(transcript_file(setup));
    if (!db) {
        return 0;
    }
    const auto records = (*db)->load(room);
    std::size_t trims = 0;
    if (records) {
        for (const auto& r : *records) {
            trims += r.type == core::record_type::context_trimmed ? 1 : 0;
        }
    }
    return trims;
}

std::size_t default_budget_tokens() {
    const config::model defaults;
    return static_cast<std::size_t>(defaults.context_tokens - defaults.max_tokens);
}

}  // namespace

cache_result measure_prefix_share(fake_openai_server& server, const bench_options& options,
                                  int reply_bytes) {
    cache_result out;
    out.reply_bytes = reply_bytes;
    bench_config setup{options.work_dir / ("cache-" + std::to_string(reply_bytes)),
                       server.base_url(), 1};
    setup.room_prefix = "c";
    setup.max_in_flight = options.max_in_flight;
    const auto config = write_config(setup);
    const auto turns = static_cast<std::uint64_t>(options.cache_turns);
    server.vary_replies(static_cast<std::size_t>(reply_bytes));
    server.begin_window(std::numeric_limits<std::size_t>::max());
    const auto last = server.requests() + turns;
    daemon_process daemon{options.polylogue, config, data_dir(setup)};
    const bool done = wait_for_requests(server, daemon, last, 120s);
    auto report = server.end_window();
    server.vary_replies(0);
    const int exit_code = daemon.stop(60s);
    if (!done) {
        out.failure = "the room did not take " + std::to_string(turns) +
                      " turns; serve.err ends with:\n" + tail_of(setup.dir / "serve.err", 8);
        return out;
    }
    if (exit_code != 0) {
        out.failure = "serve exited " + std::to_string(exit_code);
    }
    report.bodies.resize(static_cast<std::size_t>(turns));  // one may have come after the last
    out.turns = options.cache_turns;
    out.share = test::measure_prefix_share(report.bodies, default_budget_tokens());
    out.trims = count_trims(setup, room_name(setup.room_prefix, 0));
    return out;
}

}  // namespace polylogue::bench
