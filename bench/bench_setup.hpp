#pragma once
// The daemon's side of a benchmark run: a generated configuration (N rooms of five members, all
// on one `openai` provider pointing at the fake server) and, for the growth figure, transcripts
// written before serve starts, exactly as a room that has run that long would have them.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace polylogue::bench {

// The variable the generated config names as the provider's api_key_env.
inline constexpr const char* api_key_variable = "POLYLOGUE_BENCH_KEY";

struct bench_config {
    std::filesystem::path dir;  // holds bench.yaml, the daemon's output and data_dir var/
    std::string base_url;       // the fake server's
    int rooms = 1;
    std::string room_prefix = "r";
    std::string turn_delay = "0s";
    int max_in_flight = 32;
};

// "r00042": names sort in config order.
std::string room_name(const std::string& prefix, int index);
std::vector<std::string> room_names(const bench_config& setup);

// Empties setup.dir and writes setup.dir/bench.yaml; returns its path. Each room's system
// prompt is the default template with "bench room NAME" in front, so that the fake server
// knows which room a request comes from.
std::filesystem::path write_config(const bench_config& setup);
std::filesystem::path data_dir(const bench_config& setup);
std::filesystem::path transcript_file(const bench_config& setup);

// Writes, for each room, the records it has after `records` records: the five config joins,
// then messages of about 280 bytes, AI-1 to AI-5 in turn, with token counts and cost.
void seed_history(const std::filesystem::path& transcripts, const std::vector<std::string>& rooms,
                  int records);

// Appends 4 KiB to a file in dir and fdatasyncs it, `count` times: the least one durable commit
// (synchronous=FULL) costs on the disk the daemon writes to.
std::vector<std::chrono::nanoseconds> probe_fdatasync(const std::filesystem::path& dir, int count);

struct transcript_size {
    std::size_t records = 0;
    std::size_t json_bytes = 0;  // the records' JSON form, as stored
};
transcript_size measure_transcript(const std::filesystem::path& transcripts,
                                   const std::string& room);

}  // namespace polylogue::bench
