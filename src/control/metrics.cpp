#include "polylogue/control/metrics.hpp"

#include <fmt/format.h>

namespace polylogue::control {
namespace {

std::string provider_of(const config::config& cfg, std::string_view model) {
    const config::model* found = cfg.find_model(model);
    return found ? found->provider : std::string{"unknown"};
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

template <class Number>
void labelled(std::string& out, std::string_view name, std::string_view first_label,
              std::string_view second_label,
              const std::map<std::pair<std::string, std::string>, Number>& values) {
    for (const auto& [key, value] : values) {
        out += fmt::format("{}{{{}=\"{}\",{}=\"{}\"}} {}\n", name, first_label,
                           escape_label(key.first), second_label, escape_label(key.second), value);
    }
}

// What a costed record paid for; empty when it is none of these.
std::string_view spend_source(const core::record& r) {
    switch (r.type) {
        case core::record_type::message:
            return "reply";
        case core::record_type::image:
            return "image";
        case core::record_type::search_results:
            return "search";
        case core::record_type::command:  // an image made but not saved
            return r.command == core::command_name::search ? "search" : "image";
        default:
            return {};
    }
}

}  // namespace

std::string escape_label(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        if (c == '\\' || c == '"') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

void metrics::count_records(const config::config& cfg, std::string_view room,
                            std::span<const core::record> records) {
    for (const auto& r : records) {
        ++records_;
        const bool by_ai = core::slot_from_label(r.speaker) > 0;
        if (const std::string_view source = spend_source(r); r.cost_usd && !source.empty()) {
            cost_usd_ += *r.cost_usd;
            spend_[{std::string{room}, r.model, std::string{source}}] += *r.cost_usd;
        }
        if (r.type == core::record_type::message && by_ai) {
            ++turns_;
            input_tokens_ += r.input_tokens.value_or(0);
            output_tokens_ += r.output_tokens.value_or(0);
            cache_read_tokens_ += r.cached_input_tokens.value_or(0);
            cache_write_tokens_ += r.cache_write_tokens.value_or(0);
        } else if (r.type == core::record_type::turn_failed) {
            ++turns_;
            ++failures_[{provider_of(cfg, r.model), r.failure.empty() ? "unknown" : r.failure}];
        } else if (r.type == core::record_type::command) {
            ++commands_[{std::string{core::to_string(r.command)},
                         std::string{core::to_string(r.status)}}];
        }
    }
}

void metrics::observe_call(std::string_view provider, std::chrono::steady_clock::duration took,
                           std::string_view outcome) {
    const double seconds = std::chrono::duration<double>(took).count();
    ++calls_[{std::string{provider}, std::string{outcome}}];
    auto found = latency_.find(provider);
    if (found == latency_.end()) {
        found = latency_.emplace(std::string{provider}, histogram{}).first;
    }
    histogram& h = found->second;
    ++h.count;
    h.sum += seconds;
    for (std::size_t i = 0; i < latency_buckets.size(); ++i) {
        if (seconds <= latency_buckets[i]) {
            ++h.buckets[i];
            break;
        }
    }
}

std::string metrics::render(const metric_gauges& gauges) const {
    std::string out;
    header(out, "polylogue_turns_total", "counter", "AI turns taken (messages and failed turns)");
    out += fmt::format("polylogue_turns_total {}\n", turns_);
    header(out, "polylogue_records_total", "counter", "Transcript records committed");
    out += fmt::format("polylogue_records_total {}\n", records_);
    header(out, "polylogue_turn_failures_total", "counter",
           "Turns that failed after retries, by provider and failure kind");
    labelled(out, "polylogue_turn_failures_total", "provider", "reason", failures_);
    header(out, "polylogue_commands_total", "counter", "Commands found in replies, by outcome");
    labelled(out, "polylogue_commands_total", "command", "status", commands_);
    header(out, "polylogue_provider_calls_total", "counter", "Provider calls, by outcome");
    labelled(out, "polylogue_provider_calls_total", "provider", "outcome", calls_);
    header(out, "polylogue_provider_latency_seconds", "histogram",
           "Time of one provider call of a turn, retries included");
    for (const auto& [provider, h] : latency_) {
        std::uint64_t cumulative = 0;
        const std::string label = escape_label(provider);
        for (std::size_t i = 0; i < latency_buckets.size(); ++i) {
            cumulative += h.buckets[i];
            out += fmt::format(
                "polylogue_provider_latency_seconds_bucket{{provider=\"{}\",le=\"{}\"}} {}\n",
                label, latency_buckets[i], cumulative);
        }
        out += fmt::format(
            "polylogue_provider_latency_seconds_bucket{{provider=\"{}\",le=\"+Inf\"}} {}\n", label,
            h.count);
        out += fmt::format("polylogue_provider_latency_seconds_sum{{provider=\"{}\"}} {}\n", label,
                           h.sum);
        out += fmt::format("polylogue_provider_latency_seconds_count{{provider=\"{}\"}} {}\n",
                           label, h.count);
    }
    header(out, "polylogue_tokens_total", "counter", "Tokens reported by providers");
    out += fmt::format("polylogue_tokens_total{{direction=\"input\"}} {}\n", input_tokens_);
    out += fmt::format("polylogue_tokens_total{{direction=\"output\"}} {}\n", output_tokens_);
    // Apart from polylogue_tokens_total: these are parts of its input, so summing one metric
    // over its labels never counts a token twice.
    header(out, "polylogue_prompt_cache_tokens_total", "counter",
           "Input tokens read from or written to providers' prompt caches");
    out += fmt::format("polylogue_prompt_cache_tokens_total{{operation=\"read\"}} {}\n",
                       cache_read_tokens_);
    out += fmt::format("polylogue_prompt_cache_tokens_total{{operation=\"write\"}} {}\n",
                       cache_write_tokens_);
    header(out, "polylogue_cost_usd_total", "counter",
           "Cost of the replies, images and searches in US dollars");
    out += fmt::format("polylogue_cost_usd_total {}\n", cost_usd_);
    header(out, "polylogue_spend_usd_total", "counter",
           "Cost in US dollars by room, model and source (reply, image or search)");
    for (const auto& [key, usd] : spend_) {
        out +=
            fmt::format("polylogue_spend_usd_total{{room=\"{}\",model=\"{}\",source=\"{}\"}} {}\n",
                        escape_label(key.room), escape_label(key.model), key.source, usd);
    }
    header(out, "polylogue_budget_spent_today_usd", "gauge",
           "What every room spent since 00:00 UTC, as the daily budget counts it");
    out += fmt::format("polylogue_budget_spent_today_usd {}\n", gauges.budget_spent_today_usd);
    if (gauges.budget_usd_per_day) {
        header(out, "polylogue_budget_usd_per_day", "gauge",
               "The daily budget (budget_usd_per_day)");
        out += fmt::format("polylogue_budget_usd_per_day {}\n", *gauges.budget_usd_per_day);
    }
    header(out, "polylogue_rooms", "gauge", "Rooms by state");
    for (const auto& [state, count] : gauges.rooms_by_state) {
        out += fmt::format("polylogue_rooms{{state=\"{}\"}} {}\n", escape_label(state), count);
    }
    header(out, "polylogue_sse_clients", "gauge", "Clients following a room's events");
    out += fmt::format("polylogue_sse_clients {}\n", gauges.sse_clients);
    header(out, "polylogue_http_connections", "gauge", "Open control API connections");
    out += fmt::format("polylogue_http_connections {}\n", gauges.http_connections);
    header(out, "polylogue_http_connections_evicted_total", "counter",
           "Idle control API connections closed to make room for a new one");
    out += fmt::format("polylogue_http_connections_evicted_total {}\n",
                       gauges.http_connections_evicted);
    header(out, "polylogue_http_connections_refused_total", "counter",
           "Control API connections refused because every slot was busy");
    out += fmt::format("polylogue_http_connections_refused_total {}\n",
                       gauges.http_connections_refused);
    if (gauges.fleet) {
        header(out, "polylogue_leases_held", "gauge", "Rooms whose lease this node holds");
        out += fmt::format("polylogue_leases_held {}\n", gauges.leases_held);
        header(out, "polylogue_fenced_writes_total", "counter",
               "Record batches of this node the fence refused: another node held the lease");
        out += fmt::format("polylogue_fenced_writes_total {}\n", gauges.fenced_writes);
    }
    return out;
}

}  // namespace polylogue::control
