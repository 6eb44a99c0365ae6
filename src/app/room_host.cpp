#include "room_host.hpp"

#include <boost/asio/co_spawn.hpp>

#include <algorithm>
#include <stdexcept>

#include "polylogue/providers/provider_factory.hpp"

namespace polylogue::app {

namespace asio = boost::asio;

namespace {

// The environment variables a room's members need and that are not set: a room that cannot
// authenticate does not start, and says which variable is missing.
std::vector<std::string> missing_keys(const config::config& cfg, const config::room& r) {
    std::vector<std::string> missing;
    const auto environment = providers::process_environment();
    for (const auto& name : r.members) {
        const config::model* model = cfg.find_model(name);
        const config::provider* endpoint = model ? cfg.find_provider(model->provider) : nullptr;
        if (endpoint && !endpoint->api_key_env.empty() && !environment(endpoint->api_key_env) &&
            std::find(missing.begin(), missing.end(), endpoint->api_key_env) == missing.end()) {
            missing.push_back(endpoint->api_key_env);
        }
    }
    return missing;
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& name : names) {
        out += (out.empty() ? "" : ", ") + name;
    }
    return out;
}

}  // namespace

room_host::room_host(host_services services, std::shared_ptr<const config::config> cfg)
    : services_{std::move(services)},
      watchers_{*services_.chat, services_.counters, services_.feed},
      current_{make_generation(std::move(cfg)).value()} {
    watchers_.use_config(current_->cfg);
}

room_host::~room_host() = default;

result<std::shared_ptr<room_host::generation>> room_host::make_generation(
    std::shared_ptr<const config::config> cfg) {
    auto gen = std::make_shared<generation>();
    gen->cfg = std::move(cfg);
    providers::provider_context context{services_.client};
    context.fleet_budget = services_.fleet_budget;
    for (const auto& endpoint : gen->cfg->providers) {
        auto made = providers::make_provider(endpoint, context);
        if (!made) {
            services_.log->error("provider {}: {}", endpoint.name, made.error().message());
            return made.error();
        }
        gen->providers.emplace(endpoint.name, std::move(*made));
    }
    gen->tools = std::make_unique<providers::tool_runner>(*gen->cfg, *services_.client,
                                                          providers::process_environment());
    return gen;
}

room::room_services room_host::services_for(const std::shared_ptr<generation>& gen) const {
    room::room_services s;
    s.cfg = gen->cfg;
    s.committer = services_.committer;
    // Aliasing pointers: each keeps the whole generation alive, since providers and tools refer
    // to its config.
    s.providers = std::shared_ptr<const room::provider_map>(gen, &gen->providers);
    s.tools = std::shared_ptr<providers::tool_runner>(gen, gen->tools.get());
    s.log = services_.log;
    s.budget = services_.budget;
    room_host* self = const_cast<room_host*>(this);
    s.observer = &self->watchers_;
    s.relaunch = [self](room::room_runner& runner) { self->launch(&runner); };
    return s;
}

void room_host::start(const std::optional<std::string>& only, bool keep_created) {
    for (const auto& r : current_->cfg->rooms) {
        if (!only || *only == r.name) {
            expect_started(r, start_room(r, current_));
        }
    }
    if (keep_created && !services_.fleet) {
        start_created_rooms();  // a fleet's rooms are its configuration's (docs/deploy.md)
    }
}

// At startup a transcript that cannot be read stops the daemon, as a broken store would; a room
// refused for its keys has said why and the others start.
void room_host::expect_started(const config::room& r, const result<void>& started) {
    if (!started && started.error() != errc::invalid_config) {
        throw std::runtime_error{"cannot read the transcript of room " + r.name + ": " +
                                 started.error().message()};
    }
}

result<void> room_host::start_room(const config::room& r, std::shared_ptr<generation> gen) {
    if (const auto missing = missing_keys(*gen->cfg, r); !missing.empty()) {
        services_.log->error("room {} does not start: the environment variable{} {} {} not set",
                             r.name, missing.size() > 1 ? "s" : "", joined(missing),
                             missing.size() > 1 ? "are" : "is");
        refused_rooms_ = true;
        return make_error_code(errc::invalid_config);
    }
    auto history = services_.reader->load(r.name);
    if (!history) {
        services_.log->error("room {} does not start: cannot read its transcript: {}", r.name,
                             history.error().message());
        return history.error();
    }
    if (!history->empty() && !services_.fleet) {
        services_.chat->say(
            r.name, history->back().type == core::record_type::room_ended ||
                            history->back().type == core::record_type::archived
                        ? "(room " + r.name + " ended earlier: " + history->back().text + ")"
                        : "(resuming room " + r.name + " after record " +
                              std::to_string(history->back().seq) + ")");
    }
    hosted entry;
    entry.runner = std::make_unique<room::room_runner>(services_.executor, r, services_for(gen),
                                                       std::move(*history));
    rooms_.push_back(std::move(entry));
    by_name_.insert_or_assign(r.name, &rooms_.back());
    if (!services_.fleet) {
        launch(rooms_.back().runner.get());  // in a fleet, when its lease is won
    }
    return {};
}

void room_host::launch(room::room_runner* runner) {
    ++running_;
    asio::co_spawn(services_.executor, runner->run(),
                   [this, runner](std::exception_ptr error) { room_done(runner, error); });
}

void room_host::room_done(room::room_runner* runner, std::exception_ptr error) {
    if (error) {
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            services_.log->error("room {}: stopped by an error: {}", runner->room().name, e.what());
        }
    }
    --running_;
    const bool failed = runner->outcome() == room::room_outcome::failed;
    if (failed && !runner->state().ended) {
        services_.log->error("room {}: failed: {}", runner->room().name, runner->failure());
        services_.chat->say(runner->room().name, "(room " + runner->room().name +
                                                     " stopped: " + runner->failure() + ")");
    } else {
        services_.log->info(
            "room {}: {}", runner->room().name,
            runner->state().ended ? "ended: " + runner->state().end_reason : "stopped");
    }
    if (services_.fleet) {
        fleet_room_done(runner);
    }
    if (services_.on_room_done) {
        services_.on_room_done();
    }
}

void room_host::reload(std::shared_ptr<const config::config> cfg) {
    auto made = make_generation(std::move(cfg));
    if (!made) {
        services_.log->error(
            "reload not applied: the new configuration's providers cannot be built");
        return;
    }
    const std::shared_ptr<generation> gen = std::move(*made);
    for (auto& entry : rooms_) {
        if (entry.retired) {
            continue;
        }
        const std::string& name = entry.runner->room().name;
        if (entry.created) {
            entry.runner->update(services_for(gen), entry.runner->room());
        } else if (const config::room* r = gen->cfg->find_room(name)) {
            entry.runner->update(services_for(gen), *r);
        } else {
            services_.log->info("room {}: removed from the config; it stops", name);
            entry.retired = true;
            by_name_.erase(name);
            entry.runner->stop();
            if (services_.feed != nullptr) {
                services_.feed->removed(name);
            }
        }
    }
    current_ = gen;
    watchers_.use_config(gen->cfg);
    for (const auto& r : gen->cfg->rooms) {
        if (find(r.name) == nullptr) {
            services_.log->info("room {}: added by the reload; it starts", r.name);
            start_room(r, gen);
        }
    }
}

void room_host::stop_all() {
    stopping_ = true;
    for (auto& entry : rooms_) {
        entry.runner->stop();
    }
}

bool room_host::any_failed() const noexcept {
    return std::any_of(rooms_.begin(), rooms_.end(), [](const hosted& entry) {
        return entry.runner->outcome() == room::room_outcome::failed;
    });
}

room_host::hosted* room_host::find_hosted(std::string_view name) {
    const auto found = by_name_.find(name);
    return found == by_name_.end() ? nullptr : found->second;
}

std::vector<room::room_handle*> room_host::rooms() {
    std::vector<room::room_handle*> out;
    for (auto& entry : rooms_) {
        if (!entry.retired) {
            out.push_back(entry.runner.get());
        }
    }
    return out;
}

room::room_handle* room_host::find(std::string_view name) {
    hosted* entry = find_hosted(name);
    return entry ? entry->runner.get() : nullptr;
}

const std::filesystem::path& room_host::data_dir() const {
    return current_->cfg->data_dir;
}

}  // namespace polylogue::app
