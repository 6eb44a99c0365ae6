#include "support/faulty_provider.hpp"

#include <algorithm>

#include "support/provider_streams.hpp"

namespace polylogue::test {
namespace {

using nlohmann::json;

std::vector<std::string> stream_of(api_kind kind, const std::string& text) {
    switch (kind) {
        case api_kind::anthropic:
            return anthropic_stream(text);
        case api_kind::gemini:
            return gemini_stream(text);
        case api_kind::openai:
            break;
    }
    return openai_stream(text);
}

// The error body each API sends with an error status.
std::string error_body(api_kind kind, int status, const std::string& type,
                       const std::string& message) {
    switch (kind) {
        case api_kind::anthropic:
            return json{{"type", "error"}, {"error", {{"type", type}, {"message", message}}}}
                .dump();
        case api_kind::gemini:
            return json{{"error", {{"code", status}, {"message", message}, {"status", type}}}}
                .dump();
        case api_kind::openai:
            break;
    }
    return json{{"error", {{"message", message}, {"type", type}, {"code", type}}}}.dump();
}

// An error reported inside a 200 stream, as each API does it.
std::vector<std::string> error_stream(api_kind kind) {
    switch (kind) {
        case api_kind::anthropic:
            return {anthropic_event(
                "error", {{"type", "error"},
                          {"error", {{"type", "overloaded_error"}, {"message", "Overloaded"}}}})};
        case api_kind::gemini:
            return {"data: " + error_body(kind, 503, "UNAVAILABLE", "The model is overloaded.") +
                    "\r\n\r\n"};
        case api_kind::openai:
            break;
    }
    return {"data: " + error_body(kind, 500, "server_error", "The server had an error") + "\n\n"};
}

// What a key looks like to a pattern: letters, digits, '_' and '-', in no order a reader sees.
std::string key_like_run(std::size_t size) {
    const std::string_view alphabet =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
    std::string run(size, 'a');
    for (std::size_t i = 0; i < size; ++i) {
        run[i] = alphabet[(i * 7 + i / 13) % alphabet.size()];
    }
    return run;
}

std::vector<std::string> malformed_stream(api_kind kind, const std::string& text) {
    auto events = stream_of(kind, text);
    const std::string garbage = kind == api_kind::anthropic
                                    ? "event: content_block_delta\ndata: {\"type\": oops\n\n"
                                    : "data: {\"choices\": [oops\n\n";
    // Second, so the reply has begun when the garbage comes.
    events.insert(events.begin() + 1, garbage);
    return events;
}

}  // namespace

std::string to_string(fault f) {
    static const std::map<fault, std::string> names{
        {fault::none, "none"},
        {fault::slow_stream, "slow_stream"},
        {fault::rate_limited, "rate_limited_429"},
        {fault::server_error, "server_error_500"},
        {fault::bad_gateway, "bad_gateway_502"},
        {fault::unavailable, "unavailable_503"},
        {fault::overloaded, "overloaded_529"},
        {fault::cut_mid_stream, "cut_mid_stream"},
        {fault::malformed_json, "malformed_json"},
        {fault::error_in_stream, "error_in_stream"},
        {fault::slow_headers, "slow_headers"},
        {fault::oversized_line, "oversized_line"},
        {fault::oversized_body, "oversized_body"},
        {fault::dropped_request, "dropped_request"},
        {fault::key_echo, "key_echo"},
    };
    return names.at(f);
}

bool is_failure(fault f) {
    return f != fault::none && f != fault::slow_stream;
}

std::string soak_system_prompt() {
    return "[soak room={room} seat={slot}] You are {model}; the others are {members}.";
}

std::pair<std::string, std::string> soak_marker(const std::string& body) {
    const std::string room_key = "[soak room=";
    const auto at = body.find(room_key);
    if (at == std::string::npos) {
        return {};
    }
    const auto room_end = body.find(' ', at + room_key.size());
    const auto seat_at = room_end == std::string::npos ? room_end : room_end + 6;  // " seat="
    const auto seat_end = body.find(']', seat_at == std::string::npos ? 0 : seat_at);
    if (room_end == std::string::npos || seat_end == std::string::npos) {
        return {};
    }
    return {body.substr(at + room_key.size(), room_end - at - room_key.size()),
            body.substr(seat_at, seat_end - seat_at)};
}

faulty_provider::faulty_provider(api_kind kind, fault_deck deck, std::uint32_t seed,
                                 fault_timing timing)
    : kind_{kind},
      timing_{timing},
      random_{seed},
      nine_mib_line_{
          std::make_shared<const std::string>("data: " + std::string(9 * 1024 * 1024, 'x'))},
      thirty_three_mib_{std::make_shared<const std::string>(33 * 1024 * 1024, 'y')},
      key_echo_body_{std::make_shared<const std::string>(
          error_body(kind, 400, "invalid_request_error",
                     "Incorrect API key provided: sk-" + key_like_run(30'000) + "."))} {
    dealt_in_order_ = !deck.sequence.empty();
    if (dealt_in_order_) {
        deck_ = deck.sequence;
    } else {
        for (const auto& [f, count] : deck.counts) {
            deck_.insert(deck_.end(), static_cast<std::size_t>(count), f);
        }
        if (static_cast<int>(deck_.size()) < deck.deck_size) {
            deck_.resize(static_cast<std::size_t>(deck.deck_size), fault::none);
        }
        std::shuffle(deck_.begin(), deck_.end(), random_);
    }
    server_.on_request([this](const recorded_request& r) { return answer(r); });
}

fault faulty_provider::draw() {
    if (next_card_ == deck_.size()) {
        if (!dealt_in_order_) {
            std::shuffle(deck_.begin(), deck_.end(), random_);
        }
        next_card_ = 0;
    }
    return deck_[next_card_++];
}

fake_response faulty_provider::answer(const recorded_request& request) {
    std::lock_guard lock{mutex_};
    ++requests_;
    auto [room, seat] = soak_marker(request.body);
    // Retries of a turn send the same bytes; a hash keeps the ledger small over a long soak.
    const std::size_t key = std::hash<std::string>{}(request.target + '\n' + request.body);
    auto [found, fresh] = turn_of_body_.try_emplace(key, turns_.size());
    if (fresh) {
        turn_ledger turn;
        turn.room = room;
        turn.seat = seat;
        turn.first_seen = std::chrono::steady_clock::now();
        turn.reply = room + " " + seat + " reply " +
                     std::to_string(++replies_per_seat_[room + " " + seat]) + " is fine";
        turns_.push_back(std::move(turn));
    }
    turn_ledger& turn = turns_[found->second];
    const fault f = draw();
    turn.tries.push_back(f);
    ++injected_[f];
    return faulty_reply(f, turn.reply);
}

fake_response faulty_provider::good_reply(const std::string& text) const {
    return fake_response::sse(stream_of(kind_, text));
}

fake_response faulty_provider::faulty_reply(fault f, const std::string& text) const {
    switch (f) {
        case fault::none:
            return good_reply(text);
        case fault::slow_stream: {
            auto r = good_reply(text);
            r.chunk_delay = timing_.chunk_delay;
            return r;
        }
        case fault::rate_limited:
            return fake_response::json(429,
                                       error_body(kind_, 429, "rate_limit_exceeded", "slow down"),
                                       {{"retry-after", "1"}});
        case fault::server_error:
            return fake_response::json(500, error_body(kind_, 500, "server_error", "boom"));
        case fault::bad_gateway: {
            auto r = fake_response::json(502, "<html><body>502 Bad Gateway</body></html>");
            r.headers = {{"content-type", "text/html"}};
            return r;
        }
        case fault::unavailable:
            return fake_response::json(503, error_body(kind_, 503, "UNAVAILABLE", "try later"));
        case fault::overloaded:
            return fake_response::json(
                529, error_body(api_kind::anthropic, 529, "overloaded_error", "Overloaded"));
        case fault::cut_mid_stream: {
            auto r = good_reply(text);
            r.chunks.resize(1);
            r.chunks.push_back(r.chunks.front());
            r.cut_after_chunks = true;
            return r;
        }
        case fault::malformed_json:
            return fake_response::sse(malformed_stream(kind_, text));
        case fault::error_in_stream:
            return fake_response::sse(error_stream(kind_));
        case fault::slow_headers: {
            auto r = good_reply(text);
            r.header_delay = timing_.header_delay;
            return r;
        }
        case fault::oversized_line:
            return fake_response::sse({*nine_mib_line_, "\n\n"});
        case fault::oversized_body:
            return fake_response::sse({*thirty_three_mib_, "\n\n"});
        case fault::dropped_request: {
            fake_response r;
            r.drop_request = true;
            return r;
        }
        case fault::key_echo:
            return fake_response::json(400, *key_echo_body_);
    }
    return good_reply(text);
}

std::vector<turn_ledger> faulty_provider::ledger() const {
    std::lock_guard lock{mutex_};
    return turns_;
}

std::map<fault, int> faulty_provider::injected() const {
    std::lock_guard lock{mutex_};
    return injected_;
}

std::size_t faulty_provider::requests() const {
    std::lock_guard lock{mutex_};
    return requests_;
}

}  // namespace polylogue::test
