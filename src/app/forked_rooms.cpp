// Forks made over the control API (docs/control-api.md, "Fork a room"): the fork's first
// records go through the group committer in one batch, then its room file is kept like a created
// room's and the room starts. The room file waits as NAME.fork until the records are durable, so
// that a crash in between never leaves a room file without its records.

#include <chrono>
#include <system_error>

#include "fork_plan.hpp"
#include "polylogue/core/text.hpp"
#include "room_files.hpp"
#include "room_host.hpp"

namespace polylogue::app {

namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

control::fork_refusal failure(std::string message) {
    return fork_refused(control::fork_problem::failure, std::move(message));
}

}  // namespace

bool room_host::name_in_use(std::string_view name) {
    const auto stored = services_.reader->last_seq(name);
    return find(name) != nullptr || forks_in_flight_.contains(name) || (stored && *stored > 0);
}

// A room file of that name that did not start (an invalid one) is not overwritten either.
bool room_host::fork_name_in_use(std::string_view name) {
    const auto& cfg = *current_->cfg;
    std::error_code ec;
    return name_in_use(name) ||
           fs::exists(created_room_dir(cfg) / (std::string{name} + ".yaml"), ec) ||
           cfg.find_room(name) != nullptr;
}

asio::awaitable<control::forked_room> room_host::fork(control::fork_request request) {
    hosted* origin = find_hosted(request.origin);
    if (origin == nullptr) {
        co_return fork_refused(control::fork_problem::no_origin,
                               "no room named '" + request.origin + "'");
    }
    // Planned first: the name is checked to be a file name before any file of that name is.
    auto plan = plan_fork(request, origin->runner->room(), origin->runner->history(),
                          *current_->cfg, core::format_rfc3339(std::chrono::system_clock::now()));
    if (!plan) {
        co_return plan.error();
    }
    if (fork_name_in_use(request.name)) {
        co_return name_taken(request.name);
    }
    const auto& cfg = *current_->cfg;
    std::error_code ec;
    fs::create_directories(created_room_dir(cfg), ec);
    if (ec || !write_atomically(pending_fork_file(cfg, request.name), plan->room_text)) {
        co_return failure("cannot write " + pending_fork_file(cfg, request.name).string());
    }
    // Built apart: braced lists inside co_await expressions miscompile on GCC 12.
    transcript::room_batch batch;
    batch.room = request.name;
    batch.records = std::move(plan->records);
    forks_in_flight_.insert(request.name);
    const auto committed = co_await services_.committer->commit(std::move(batch));
    forks_in_flight_.erase(request.name);
    if (!committed) {
        fs::remove(pending_fork_file(cfg, request.name), ec);
        co_return failure("cannot store the fork's records: " + committed.error().message());
    }
    if (!finish_fork_file(cfg, request.name)) {
        co_return failure("the fork's records are stored, but its room file cannot be renamed");
    }
    if (stopping_) {  // no room starts while the daemon stops; this one runs at the next start
        co_return failure(
            "the daemon is shutting down; the fork is saved and runs at its next "
            "start");
    }
    co_return start_fork(std::move(plan->room), request);
}

control::forked_room room_host::start_fork(config::room forked,
                                           const control::fork_request& request) {
    created_rooms_.push_back(std::move(forked));
    if (!start_room(created_rooms_.back(), current_)) {
        return failure("the fork was saved but cannot start; the daemon log says why");
    }
    rooms_.back().created = true;
    services_.log->info("room {}: forked from {} at seq {} over the control API", request.name,
                        request.origin, request.at);
    return rooms_.back().runner.get();
}

// A NAME.fork a crash left: its records were committed (the room file is kept) or not (the
// fork never happened).
void room_host::settle_pending_forks() {
    const auto& cfg = *current_->cfg;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(created_room_dir(cfg), ec)) {
        if (entry.path().extension() != ".fork") {
            continue;
        }
        const std::string name = entry.path().stem().string();
        const auto stored = services_.reader->last_seq(name);
        if (stored && *stored > 0) {
            services_.log->info(
                "room {}: a fork interrupted after its records were stored; "
                "its room file is kept",
                name);
            finish_fork_file(cfg, name);
        } else if (stored) {
            services_.log->info(
                "room {}: a fork interrupted before its records were stored; "
                "dropped",
                name);
            fs::remove(entry.path(), ec);
        }
    }
}

}  // namespace polylogue::app
