#pragma once
// A `polylogue serve` process on a config of scripted rooms, with its control API on a free
// port and a token, for the control API tests.

#include <gtest/gtest.h>

#include <signal.h>

#include <memory>
#include <string>

#include "support/api_client.hpp"
#include "support/polylogue_cli.hpp"

namespace polylogue::test {

inline constexpr const char* control_token = "control-token-for-tests-0123456789";

// A script of count replies, "NAME says n", as a YAML list.
inline std::string script_of(const std::string& name, int count) {
    std::string text;
    for (int i = 1; i <= count; ++i) {
        text += "- \"" + name + " says " + std::to_string(i) + "\"\n";
    }
    return text;
}

inline std::string scripted_models() {
    return "providers:\n"
           "  stage: { kind: scripted }\n"
           "models:\n"
           "  - { name: Ada, provider: stage, script: ada.yaml }\n"
           "  - { name: Babbage, provider: stage, script: babbage.yaml }\n"
           "  - { name: Curie, provider: stage, script: curie.yaml }\n";
}

inline std::string room_entry(const std::string& name, int max_turns, const std::string& delay) {
    return "  - { name: " + name +
           ", members: [Ada, Babbage], max_turns: " + std::to_string(max_turns) +
           ", turn_delay: " + delay + " }\n";
}

inline constexpr const char* token_control =
    "control: { listen: 127.0.0.1:0, token_env: PL_TEST_CONTROL_TOKEN }\n";

class serve_process {
  public:
    // Writes CONFIG (serve.yaml) into dir with the given rooms section and starts serving it.
    serve_process(const temp_dir& dir, const std::string& rooms_yaml,
                  const std::string& extra_yaml = {},
                  const std::string& control_yaml = token_control)
        : config_{dir / "serve.yaml"} {
        dir.write("ada.yaml", script_of("Ada", 200));
        dir.write("babbage.yaml", script_of("Babbage", 200));
        dir.write("curie.yaml", script_of("Curie", 200));
        write_config(dir, rooms_yaml, extra_yaml, control_yaml);
        ::setenv("PL_TEST_CONTROL_TOKEN", control_token, 1);
        child_ = std::make_unique<child_process>(
            std::vector<std::string>{polylogue_binary(), "serve", config_.string()});
        port_ = wait_for_serve_port(dir / "var", std::chrono::seconds{20});
    }

    static void write_config(const temp_dir& dir, const std::string& rooms_yaml,
                             const std::string& extra_yaml = {},
                             const std::string& control_yaml = token_control) {
        dir.write("serve.yaml", "data_dir: var\n" + control_yaml + "shutdown_grace: 2s\n" +
                                    extra_yaml + scripted_models() + "rooms:\n" + rooms_yaml);
    }

    std::uint16_t port() const noexcept { return port_; }
    api_client api() const { return api_client{port_, control_token}; }
    const std::filesystem::path& config() const noexcept { return config_; }
    pid_t pid() const noexcept { return child_->pid(); }
    void signal(int number) { child_->send(number); }
    process_result wait(std::chrono::milliseconds limit) { return child_->wait(limit); }

  private:
    std::filesystem::path config_;
    std::unique_ptr<child_process> child_;
    std::uint16_t port_ = 0;
};

}  // namespace polylogue::test
