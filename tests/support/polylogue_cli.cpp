#include "support/polylogue_cli.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace polylogue::test {

void copy_from_source(const std::string& relative, const temp_dir& dir) {
    std::filesystem::copy(source_dir() / relative, dir.path(),
                          std::filesystem::copy_options::recursive |
                              std::filesystem::copy_options::overwrite_existing);
    std::filesystem::remove_all(dir / "var");
}

process_result polylogue(std::vector<std::string> args, const std::string& stdin_text,
                         std::chrono::milliseconds limit) {
    args.insert(args.begin(), polylogue_binary());
    return run_process(std::move(args), stdin_text, limit);
}

std::vector<nlohmann::json> transcript_records(const std::filesystem::path& config,
                                               const std::string& room) {
    const auto result = polylogue({"transcript", config.string(), room, "--format", "jsonl"});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    std::vector<nlohmann::json> records;
    std::istringstream lines{result.out};
    for (std::string line; std::getline(lines, line);) {
        records.push_back(nlohmann::json::parse(line));
    }
    return records;
}

std::vector<std::string> ai_speakers(const std::vector<nlohmann::json>& records) {
    std::vector<std::string> speakers;
    for (const auto& r : records) {
        if (r["type"] == "message" && r.contains("model")) {
            speakers.push_back(r["speaker"]);
        }
    }
    return speakers;
}

}  // namespace polylogue::test
