#include "room_files.hpp"

#include <fstream>
#include <sstream>
#include <system_error>

#include "polylogue/config/loader.hpp"

namespace polylogue::app {

namespace fs = std::filesystem;

fs::path created_room_dir(const config::config& cfg) {
    return cfg.data_dir / "rooms";
}

bool write_atomically(const fs::path& file, std::string_view text) {
    const fs::path temporary = file.string() + ".tmp";
    {
        std::ofstream out{temporary, std::ios::binary | std::ios::trunc};
        out << text;
        out.flush();
        if (!out) {
            return false;
        }
    }
    std::error_code ec;
    fs::rename(temporary, file, ec);
    return !ec;
}

std::optional<std::string> read_text(const fs::path& file) {
    std::ifstream in{file, std::ios::binary};
    if (!in) {
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return std::move(text).str();
}

std::optional<config::room> room_named(const config::config& cfg, const std::string& name) {
    if (const config::room* r = cfg.find_room(name)) {
        return *r;
    }
    const auto text = read_text(created_room_dir(cfg) / (name + ".yaml"));
    if (!text) {
        return std::nullopt;
    }
    auto parsed = config::parse_room(*text, cfg, name + ".yaml");
    return parsed ? std::optional{std::move(*parsed)} : std::nullopt;
}

fs::path pending_fork_file(const config::config& cfg, std::string_view name) {
    return created_room_dir(cfg) / (std::string{name} + ".fork");
}

bool finish_fork_file(const config::config& cfg, std::string_view name) {
    std::error_code ec;
    fs::rename(pending_fork_file(cfg, name), created_room_dir(cfg) / (std::string{name} + ".yaml"),
               ec);
    return !ec;
}

}  // namespace polylogue::app
