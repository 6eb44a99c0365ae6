// room_host in a fleet: which rooms run here follows the leases this node wins and loses; the
// others follow what their owners commit, read from the shared store.

#include "room_host.hpp"

namespace polylogue::app {

std::optional<control::room_owner_info> room_host::owner_of(std::string_view name) {
    if (!services_.fleet) {
        return std::nullopt;
    }
    const std::string room{name};
    if (services_.fleet->holds(room)) {
        return control::room_owner_info{services_.fleet->node, {}, true};
    }
    if (auto owner = services_.fleet->owner_of(room)) {
        return owner;
    }
    return control::room_owner_info{};
}

std::string room_host::node_name() const {
    return services_.fleet ? services_.fleet->node : std::string{};
}

std::vector<std::string> room_host::room_names() const {
    std::vector<std::string> names;
    for (const auto& entry : rooms_) {
        if (!entry.retired) {
            names.push_back(entry.runner->room().name);
        }
    }
    return names;
}

void room_host::follow_room(const std::string& name, std::int64_t last_seq) {
    hosted* entry = find_hosted(name);
    if (entry == nullptr || entry->runner->running()) {
        return;
    }
    room::room_runner& runner = *entry->runner;
    const std::int64_t seen = runner.state().last_seq;
    if (last_seq != 0 && last_seq <= seen) {
        return;
    }
    auto records = services_.reader->load(name, seen);
    if (!records) {
        services_.log->warn("room {}: cannot read the records another node committed: {}", name,
                            records.error().message());
        return;
    }
    runner.follow(*records);
}

void room_host::take_room(const std::string& name) {
    hosted* entry = find_hosted(name);
    if (entry == nullptr || stopping_) {
        return;
    }
    room::room_runner& runner = *entry->runner;
    if (runner.running()) {
        // Its last run() here has not returned yet (a turn finishing, which the fence will
        // refuse if it tries to commit): it runs again once that returns.
        take_when_stopped_.insert(name);
        return;
    }
    // Everything the previous owner committed, so that this node goes on from its last record.
    follow_room(name, 0);
    runner.take_over();
    services_.log->info("room {}: runs on this node from record {}", name, runner.state().last_seq);
    launch(&runner);
}

bool room_host::stop_room(const std::string& name) {
    take_when_stopped_.erase(name);
    hosted* entry = find_hosted(name);
    if (entry == nullptr || !entry->runner->running()) {
        return false;
    }
    entry->runner->stop();
    return true;
}

void room_host::fleet_room_done(room::room_runner* runner) {
    const std::string name = runner->room().name;
    services_.fleet->room_stopped(name);
    if (take_when_stopped_.erase(name) > 0 && services_.fleet->holds(name)) {
        take_room(name);
    } else if (!services_.fleet->holds(name) && !stopping_) {
        // Another node runs it now: what it committed while this run finished was not followed.
        follow_room(name, 0);
    }
}

}  // namespace polylogue::app
