#include "support/room_bench.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <nlohmann/json.hpp>

#include "polylogue/config/loader.hpp"
#include "polylogue/providers/provider_factory.hpp"
#include "support/loop.hpp"

namespace polylogue::test {

room_bench::room_bench()
    : log{std::make_shared<spdlog::logger>("room-bench",
                                           std::make_shared<spdlog::sinks::null_sink_mt>())} {}

room_bench::~room_bench() {
    if (committer) {
        committer->stop();
    }
}

void room_bench::write_script(const std::string& name,
                              const std::vector<std::string>& replies) const {
    std::string yaml;
    for (const auto& reply : replies) {
        yaml += "- " + nlohmann::json(reply).dump() + "\n";  // a JSON string is a YAML scalar
    }
    dir.write(name + ".yaml", yaml);
}

void room_bench::load(const std::string& config_yaml) {
    auto loaded = config::parse_config(config_yaml, dir / "polylogue.yaml");
    ASSERT_TRUE(loaded.has_value())
        << (loaded.error().problems.empty() ? "refused"
                                            : loaded.error().problems.front().to_string());
    cfg = std::make_shared<const config::config>(std::move(*loaded));
    std::filesystem::create_directories(cfg->data_dir);
    auto opened = transcript::store::open(cfg->data_dir / "polylogue.db");
    ASSERT_TRUE(opened) << opened.error().message();
    db = std::move(*opened);
    auto second = transcript::store::open(cfg->data_dir / "polylogue.db");
    ASSERT_TRUE(second) << second.error().message();
    reader = std::move(*second);
    committer = std::make_unique<transcript::group_committer>(loop.get_executor(), *db);
    providers = std::make_shared<room::provider_map>();
    // Network providers need an http::client the test owns: it makes and adds them itself.
    for (const auto& endpoint : cfg->providers) {
        if (endpoint.kind == config::provider_kind::scripted) {
            providers->emplace(endpoint.name, providers::make_provider(endpoint, {}).value());
        }
    }
}

room::room_services room_bench::services(room::room_observer* observer) const {
    room::room_services s;
    s.cfg = cfg;
    s.committer = committer.get();
    s.providers = providers;
    s.log = log;
    s.observer = observer;
    return s;
}

std::unique_ptr<room::room_runner> room_bench::make_runner(const std::string& name,
                                                           room::room_observer* observer) {
    const config::room* r = cfg->find_room(name);
    EXPECT_NE(r, nullptr) << "no room " << name << " in the config";
    auto history = reader->load(name);
    EXPECT_TRUE(history) << history.error().message();
    return std::make_unique<room::room_runner>(
        loop.get_executor(), *r, services(observer),
        history ? std::move(*history) : std::vector<core::record>{});
}

void room_bench::start_committer() {
    if (!committer_started_) {
        committer_started_ = true;
        boost::asio::co_spawn(loop, committer->run(), boost::asio::detached);
    }
}

void room_bench::spawn(room::room_runner& runner) {
    start_committer();
    ++running_;
    boost::asio::co_spawn(loop, runner.run(), [this](std::exception_ptr error) {
        EXPECT_FALSE(error) << "run() threw";
        if (--running_ == 0) {
            committer->stop();
        }
    });
}

void room_bench::run(std::chrono::milliseconds limit) {
    loop.restart();
    run_with_limit(loop, limit);
}

}  // namespace polylogue::test
