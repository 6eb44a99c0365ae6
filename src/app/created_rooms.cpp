// Rooms created over the control API. Each is validated exactly as a config file's room, kept
// as data_dir/rooms/NAME.yaml (the body as sent) so that it runs again after a restart, and
// started at once.

#include <algorithm>
#include <system_error>

#include "room_files.hpp"
#include "room_host.hpp"

namespace polylogue::app {

namespace fs = std::filesystem;

void room_host::start_created_rooms() {
    settle_pending_forks();
    const auto& cfg = *current_->cfg;
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(created_room_dir(cfg), ec)) {
        if (entry.path().extension() == ".yaml") {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        const auto text = read_text(file);
        if (!text) {
            services_.log->error("{}: not started: cannot read it", file.string());
            continue;
        }
        auto parsed = config::parse_room(*text, cfg, file.string());
        if (!parsed) {
            const config::refusal refused = parsed.error();
            services_.log->error(
                "{}: not started: {}", file.string(),
                refused.problems.empty() ? "invalid" : refused.problems.front().to_string());
            continue;
        }
        if (find(parsed->name) != nullptr) {
            services_.log->error("{}: not started: the config has a room named {}", file.string(),
                                 parsed->name);
            continue;
        }
        created_rooms_.push_back(std::move(*parsed));
        const auto started = start_room(created_rooms_.back(), current_);
        expect_started(created_rooms_.back(), started);
        if (started) {
            rooms_.back().created = true;
        }
    }
}

control::created_room room_host::create(std::string_view body) {
    control::creation_refusal refused;
    auto parsed = config::parse_room(body, *current_->cfg, "body");
    if (!parsed) {
        refused.invalid = parsed.error();
        return refused;
    }
    const std::string name = parsed->name;
    if (name_in_use(name)) {
        refused.name_taken = true;  // hosted now, or a transcript of that name exists
        return refused;
    }
    const fs::path dir = created_room_dir(*current_->cfg);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !write_atomically(dir / (name + ".yaml"), body)) {
        refused.failure = "cannot write " + (dir / (name + ".yaml")).string();
        return refused;
    }
    created_rooms_.push_back(std::move(*parsed));
    if (!start_room(created_rooms_.back(), current_)) {
        refused.failure = "the room was saved but cannot start; the daemon log says why";
        return refused;
    }
    rooms_.back().created = true;
    services_.log->info("room {}: created over the control API", name);
    return rooms_.back().runner.get();
}

}  // namespace polylogue::app
