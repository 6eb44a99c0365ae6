#pragma once
// Driving the real `polylogue` binary from integration tests.

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace polylogue::test {

// Copies a folder of the repository (e.g. "config") into dir, so runs write their data_dir there.
void copy_from_source(const std::string& relative, const temp_dir& dir);

// `polylogue ARGS...`, to completion, within limit.
process_result polylogue(std::vector<std::string> args, const std::string& stdin_text = {},
                         std::chrono::milliseconds limit = std::chrono::seconds{60});

// The room's transcript as JSON records, through `polylogue transcript ... --format jsonl`.
// The records of that type, in order.
inline std::vector<nlohmann::json> of_type(const std::vector<nlohmann::json>& records,
                                           const std::string& type) {
    std::vector<nlohmann::json> found;
    for (const auto& r : records) {
        if (r["type"] == type) {
            found.push_back(r);
        }
    }
    return found;
}

std::vector<nlohmann::json> transcript_records(const std::filesystem::path& config,
                                               const std::string& room);

// The speakers of the AI messages, in order: "AI-1", "AI-2", ...
std::vector<std::string> ai_speakers(const std::vector<nlohmann::json>& records);

}  // namespace polylogue::test
