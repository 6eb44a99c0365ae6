#include "fleet_setup.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>

namespace polylogue::app {

namespace {

std::string host_name() {
    std::array<char, 256> name{};
    if (::gethostname(name.data(), name.size() - 1) != 0 || name[0] == '\0') {
        return "localhost";
    }
    return std::string{name.data()};
}

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

}  // namespace

std::string default_node_name() {
    std::string host = host_name();
    std::replace_if(
        host.begin(), host.end(), [](char c) { return !is_name_char(c); }, '-');
    return host.substr(0, 48) + "-" + std::to_string(::getpid());
}

std::string node_name_problem(const std::string& name) {
    if (name.empty() || name.size() > 64 || name.front() == '.' ||
        !std::all_of(name.begin(), name.end(), is_name_char)) {
        return "--node wants 1 to 64 letters, digits, '.', '_' or '-' (not starting with '.'), "
               "not '" +
               name.substr(0, 64) + "'";
    }
    return {};
}

std::filesystem::path node_dir(const config::config& cfg, const std::string& node) {
    return cfg.data_dir / "nodes" / node;
}

std::string announced_address(const std::string& listen, std::uint16_t port) {
    std::string host = listen.substr(0, listen.rfind(':'));
    if (host == "0.0.0.0" || host == "[::]" || host.empty()) {
        host = host_name();
    }
    return host + ":" + std::to_string(port);
}

}  // namespace polylogue::app
