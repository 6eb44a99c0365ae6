// probe: one tiny real request to one model, what a user runs first to check a key and a model id.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <iostream>

#include "commands.hpp"
#include "polylogue/config/loader.hpp"
#include "polylogue/http/client.hpp"
#include "polylogue/providers/provider_factory.hpp"
#include "polylogue/room/catalogue_match.hpp"

namespace polylogue::app {
namespace {

namespace asio = boost::asio;

asio::awaitable<providers::completion_outcome> ask(providers::provider* endpoint,
                                                   const config::model* model) {
    providers::completion_request request;
    request.room = "probe";
    request.model = model;
    request.temperature =
        model->temperature_range ? std::optional<double>{model->temperature} : std::nullopt;
    request.messages.system = "You are being probed by Polylogue to check that you are reachable.";
    request.messages.turns.emplace_back(providers::turn_role::user,
                                        "Reply with the single word: ok");
    co_return co_await endpoint->complete(std::move(request));
}

int report(const config::model& model, const providers::completion_outcome& outcome) {
    if (outcome) {
        const providers::completion& reply = *outcome;
        std::cout << "ok: " << model.name << " answered in " << reply.latency.count() << " ms";
        if (reply.usage) {
            std::cout << " (" << reply.usage->input_tokens << " input, "
                      << reply.usage->output_tokens << " output tokens)";
        }
        std::cout << ": " << reply.text.substr(0, 200) << "\n";
        return exit_ok;
    }
    const providers::api_failure failure = outcome.error();
    std::cout << "failed: " << model.name << ": " << providers::to_string(failure.kind) << ", "
              << failure.type;
    if (failure.http_status != 0) {
        std::cout << " (HTTP " << failure.http_status << ")";
    }
    std::cout << ": " << failure.message << "\n";
    return exit_failure;
}

}  // namespace

int probe_command(const std::string& config_path, const std::string& model_name) {
    const auto loaded = config::load_config(config_path);
    if (!loaded) {
        print_problems(loaded.error());
        return exit_usage;
    }
    const auto match = room::match_model(loaded->models, model_name);
    if (match.model == nullptr) {
        std::cerr << "polylogue: " << match.problem << "\n";
        return exit_usage;
    }
    config::provider endpoint = *loaded->find_provider(match.model->provider);
    endpoint.retry.attempts = 1;  // a probe reports the first answer, whatever it is
    asio::io_context loop;
    http::client client{loop.get_executor()};
    auto provider = providers::make_provider(endpoint, providers::provider_context{&client});
    if (!provider) {
        std::cerr << "polylogue: provider " << endpoint.name << ": " << provider.error().message()
                  << "\n";
        return exit_failure;
    }
    std::optional<providers::completion_outcome> outcome;
    asio::co_spawn(loop, ask(provider->get(), match.model),
                   [&](std::exception_ptr error, providers::completion_outcome value) {
                       if (!error) {
                           outcome = std::move(value);
                       }
                   });
    loop.run();
    if (!outcome) {
        std::cerr << "polylogue: the probe did not complete\n";
        return exit_failure;
    }
    return report(*match.model, *outcome);
}

}  // namespace polylogue::app
