#pragma once
// `polylogue serve` on scripted members for the tests of runaway guards and managed rooms
// (runaway_guard_test.cpp, managed_room_test.cpp), and reading its transcripts.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <signal.h>

#include <memory>
#include <string>

#include "serve_fixture.hpp"

namespace polylogue::test {

using namespace std::chrono_literals;

// count copies of one reply: a member that repeats itself.
inline std::string repeating_script(const std::string& text, int count) {
    std::string script;
    for (int i = 0; i < count; ++i) {
        script += "- \"" + text + "\"\n";
    }
    return script;
}

// `polylogue serve` on scripted members: Ada, Babbage, Curie say "NAME says n"; Echo and Parrot
// say the same thing every time; Host says something new each time and invites Curie.
class managed_daemon {
  public:
    managed_daemon(const temp_dir& dir, const std::string& rooms_yaml) : dir_{&dir} {
        dir.write("ada.yaml", script_of("Ada", 300));
        dir.write("babbage.yaml", script_of("Babbage", 300));
        dir.write("curie.yaml", script_of("Curie", 300));
        dir.write("echo.yaml",
                  repeating_script("I fully agree with everything that was said so far", 300));
        dir.write("parrot.yaml",
                  repeating_script("Indeed, that is exactly what I was going to say", 300));
        std::string host;
        for (int i = 1; i <= 300; ++i) {
            host += "- \"Topic " + std::to_string(i) + " is new.\\n!add_ai \\\"Curie\\\"\"\n";
        }
        dir.write("host.yaml", host);
        write_config(rooms_yaml);
        ::setenv("PL_TEST_CONTROL_TOKEN", control_token, 1);
        start();
    }

    void write_config(const std::string& rooms_yaml) const {
        dir_->write("serve.yaml",
                    std::string{"data_dir: var\n"} + token_control +
                        "shutdown_grace: 2s\n"
                        "providers:\n"
                        "  stage: { kind: scripted }\n"
                        "models:\n"
                        "  - { name: Ada, provider: stage, script: ada.yaml }\n"
                        "  - { name: Babbage, provider: stage, script: babbage.yaml }\n"
                        "  - { name: Curie, provider: stage, script: curie.yaml }\n"
                        "  - { name: Echo, provider: stage, script: echo.yaml }\n"
                        "  - { name: Parrot, provider: stage, script: parrot.yaml }\n"
                        "  - { name: Host, provider: stage, script: host.yaml }\n"
                        "rooms:\n" +
                        rooms_yaml);
    }

    void start() {
        std::filesystem::remove(dir_->path() / "var" / "serve.json");
        child_ = std::make_unique<child_process>(std::vector<std::string>{
            polylogue_binary(), "serve", (dir_->path() / "serve.yaml").string()});
        port_ = wait_for_serve_port(dir_->path() / "var", 20s);
        ASSERT_NE(port_, 0) << "the daemon did not start";
    }

    void restart() {
        stop();
        start();
    }

    void stop() {
        child_->send(SIGTERM);
        EXPECT_EQ(child_->wait(10s).exit_code, 0);
    }

    void signal(int number) { child_->send(number); }
    api_client api() const { return api_client{port_, control_token}; }
    std::string log() const { return read_file(dir_->path() / "var" / "logs" / "polylogue.log"); }

  private:
    const temp_dir* dir_;
    std::unique_ptr<child_process> child_;
    std::uint16_t port_ = 0;
};

inline nlohmann::json records_of(const api_client& api, const std::string& room) {
    return api.get("/v1/rooms/" + room + "/transcript").json()["records"];
}

// The first record of type with a seq above after; null when there is none.
inline nlohmann::json first_of_type(const nlohmann::json& records, const std::string& type,
                                    std::int64_t after = 0) {
    for (const auto& r : records) {
        if (r["type"] == type && r["seq"].get<std::int64_t>() > after) {
            return r;
        }
    }
    return nullptr;
}

inline bool is_ai_message(const nlohmann::json& r) {
    return r["type"] == "message" && r.value("speaker", "").rfind("AI-", 0) == 0;
}

}  // namespace polylogue::test
