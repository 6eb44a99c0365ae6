#include "bench_setup.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "polylogue/config/config.hpp"
#include "polylogue/core/record.hpp"
#include "polylogue/core/text.hpp"
#include "polylogue/transcript/store.hpp"

namespace polylogue::bench {

namespace fs = std::filesystem;

namespace {

constexpr int members_per_room = 5;

std::string member_name(int slot) {
    return "Bench " + std::to_string(slot);
}

std::string members_list() {
    std::string list;
    for (int slot = 1; slot <= members_per_room; ++slot) {
        list += (slot > 1 ? ", " : "") + member_name(slot);
    }
    return "[" + list + "]";
}

// A JSON string is a YAML double-quoted scalar.
std::string yaml_quoted(const std::string& text) {
    return nlohmann::json(text).dump();
}

std::string config_head(const bench_config& setup) {
    std::string out = "data_dir: var\nshutdown_grace: 2s\ncontrol: { listen: \"127.0.0.1:0\" }\n";
    out += "providers:\n  fake:\n    kind: openai\n    base_url: " + setup.base_url +
           "\n    api_key_env: " + api_key_variable +
           "\n    max_in_flight: " + std::to_string(setup.max_in_flight) + "\nmodels:\n";
    for (int slot = 1; slot <= members_per_room; ++slot) {
        out += "  - { name: " + member_name(slot) +
               ", provider: fake, id: bench-model, price: { input_per_mtok: 1.0, "
               "output_per_mtok: 2.0 } }\n";
    }
    return out;
}

core::record join_record(int slot) {
    core::record r;
    r.type = core::record_type::join;
    r.speaker = core::slot_label(slot);
    r.model = member_name(slot);
    r.invited_by = "config";
    r.value = 1.0;
    return r;
}

core::record message_record(int slot, std::int64_t seq) {
    core::record r;
    r.type = core::record_type::message;
    r.speaker = core::slot_label(slot);
    r.model = member_name(slot);
    r.text = "Reply " + std::to_string(seq) +
             ": I take the previous point seriously, but I would put it differently. What we "
             "call a conversation here is a shared transcript that each of us reads from the "
             "top, so every turn re-reads the whole room before it adds a line of its own.";
    r.input_tokens = 40 + seq;
    r.output_tokens = 60;
    r.cost_usd = 0.0002;
    return r;
}

std::vector<core::record> history_of(int records) {
    const std::string now = core::format_rfc3339(std::chrono::system_clock::now());
    std::vector<core::record> out;
    for (std::int64_t seq = 1; seq <= records; ++seq) {
        const bool joining = seq <= members_per_room;
        const int slot = static_cast<int>((seq - 1) % members_per_room) + 1;
        core::record r = joining ? join_record(slot) : message_record(slot, seq);
        r.seq = seq;
        r.time = now;
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace

std::string room_name(const std::string& prefix, int index) {
    char digits[16];
    std::snprintf(digits, sizeof digits, "%05d", index);
    return prefix + digits;
}

std::vector<std::string> room_names(const bench_config& setup) {
    std::vector<std::string> names;
    for (int i = 0; i < setup.rooms; ++i) {
        names.push_back(room_name(setup.room_prefix, i));
    }
    return names;
}

fs::path data_dir(const bench_config& setup) {
    return setup.dir / "var";
}

fs::path transcript_file(const bench_config& setup) {
    return data_dir(setup) / "transcripts.db";
}

fs::path write_config(const bench_config& setup) {
    fs::remove_all(setup.dir);
    fs::create_directories(setup.dir);
    const std::string prompt = yaml_quoted("You are {slot} in bench room {room} .\n\n" +
                                           std::string{config::default_system_prompt()});
    const fs::path file = setup.dir / "bench.yaml";
    std::ofstream out{file};
    out << config_head(setup) << "rooms:\n";
    for (const auto& name : room_names(setup)) {
        out << "  - { name: " << name << ", members: " << members_list()
            << ", max_turns: 1000000, turn_delay: " << setup.turn_delay
            << ", system_prompt: " << prompt << " }\n";
    }
    if (!out) {
        throw std::runtime_error{"cannot write " + file.string()};
    }
    return file;
}

void seed_history(const fs::path& transcripts, const std::vector<std::string>& rooms, int records) {
    auto db = transcript::store::open(transcripts);
    if (!db) {
        throw std::runtime_error{"cannot open " + transcripts.string()};
    }
    const auto history = history_of(records);
    std::vector<transcript::room_batch> batches;
    for (const auto& room : rooms) {
        batches.push_back({room, history});
    }
    for (const auto& outcome : (*db)->append(batches)) {
        if (!outcome) {
            throw std::runtime_error{"cannot seed " + transcripts.string()};
        }
    }
}

std::vector<std::chrono::nanoseconds> probe_fdatasync(const fs::path& dir, int count) {
    fs::create_directories(dir);
    const fs::path file = dir / "fdatasync-probe";
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
    std::vector<std::chrono::nanoseconds> took;
    const std::string page(4096, 'x');
    for (int i = 0; fd >= 0 && i < count; ++i) {
        const auto start = std::chrono::steady_clock::now();
        if (::write(fd, page.data(), page.size()) < 0 || ::fdatasync(fd) != 0) {
            break;
        }
        took.push_back(std::chrono::steady_clock::now() - start);
    }
    if (fd >= 0) {
        ::close(fd);
    }
    fs::remove(file);
    return took;
}

transcript_size measure_transcript(const fs::path& transcripts, const std::string& room) {
    transcript_size size;
    auto db = transcript::store::open(transcripts);
    if (!db) {
        return size;
    }
    const auto records = (*db)->load(room);
    if (!records) {
        return size;
    }
    size.records = records->size();
    for (const auto& r : *records) {
        size.json_bytes += core::to_json(r).dump().size();
    }
    return size;
}

}  // namespace polylogue::bench
