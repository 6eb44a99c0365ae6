#include "polylogue/transcript/open_store.hpp"

#include <cstdlib>

#include "postgres_store.hpp"

namespace polylogue::transcript {

result<std::string, std::string> store_conninfo(const config::config& cfg) {
    const std::string& name = cfg.store.url_env;
    const char* value = name.empty() ? nullptr : std::getenv(name.c_str());
    if (value == nullptr || *value == '\0') {
        return {boost::system::in_place_error,
                "the environment variable " + (name.empty() ? std::string{"(none named)"} : name) +
                    " (store.url_env) is not set: it holds the PostgreSQL connection string"};
    }
    return {boost::system::in_place_value, value};
}

result<std::unique_ptr<store>, std::string> open_store(const config::config& cfg,
                                                       std::shared_ptr<lease_fence> fence) {
    if (cfg.store.kind == config::store_kind::sqlite) {
        const auto file = cfg.data_dir / "transcripts.db";
        auto opened = store::open(file);
        if (!opened) {
            return "cannot open " + file.string() + ": " + opened.error().message();
        }
        return std::move(*opened);
    }
    auto conninfo = store_conninfo(cfg);
    if (!conninfo) {
        return conninfo.error();
    }
    auto opened = postgres_store::open(*conninfo, std::move(fence));
    if (!opened) {
        return opened.error();
    }
    return std::unique_ptr<store>{std::move(*opened)};
}

}  // namespace polylogue::transcript
