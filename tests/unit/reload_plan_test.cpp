// Which settings a reload cannot apply while the daemon runs. Pure.

#include <gtest/gtest.h>

#include "app/reload_plan.hpp"

namespace polylogue::app {
namespace {

TEST(ReloadPlan, NamesEverySettingReadOnlyAtStartupThatChanged) {
    config::config running;
    config::config wanted = running;
    EXPECT_TRUE(settings_needing_restart(running, wanted).empty());
    wanted.control.listen = "127.0.0.1:7476";
    wanted.control.max_body_bytes = 2048;
    wanted.logging.json = true;
    const auto pending = settings_needing_restart(running, wanted);
    ASSERT_EQ(pending.size(), 3u);
    EXPECT_EQ(pending[0].key, "control.listen");
    EXPECT_EQ(pending[0].running, "127.0.0.1:7475");
    EXPECT_EQ(pending[0].wanted, "127.0.0.1:7476");
    EXPECT_EQ(key_list(pending), "control.listen, control.max_body_bytes, logging.json");
}

TEST(ReloadPlan, WhatAReloadAppliesIsNotNamed) {
    config::config running;
    config::config wanted = running;
    wanted.control.token_env = "OTHER_TOKEN";
    wanted.control.allowed_hosts = {"polylogue.example.com"};
    wanted.logging.level = "debug";
    wanted.shutdown_grace = std::chrono::seconds{9};
    EXPECT_TRUE(settings_needing_restart(running, wanted).empty());
}

}  // namespace
}  // namespace polylogue::app
