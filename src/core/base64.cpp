#include "polylogue/core/base64.hpp"

#include <array>
#include <cstdint>

#include "polylogue/core/text.hpp"

namespace polylogue::core {
namespace {

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view hex_digits = "0123456789ABCDEF";
constexpr std::uint8_t invalid = 0xFF;

// Image payloads run to megabytes, so each character costs one table lookup.
constexpr std::array<std::uint8_t, 256> make_decode_table() {
    std::array<std::uint8_t, 256> table{};
    table.fill(invalid);
    for (std::size_t i = 0; i < alphabet.size(); ++i) {
        table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
    }
    return table;
}

constexpr std::array<std::uint8_t, 256> decode_table = make_decode_table();

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::optional<std::uint8_t> hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return static_cast<std::uint8_t>(c - '0');
    }
    if (c >= 'a' && c <= 'f') {
        return static_cast<std::uint8_t>(c - 'a' + 10);
    }
    if (c >= 'A' && c <= 'F') {
        return static_cast<std::uint8_t>(c - 'A' + 10);
    }
    return std::nullopt;
}

std::optional<std::string> percent_decode(std::string_view text) {
    std::string bytes;
    bytes.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            bytes += text[i];
            continue;
        }
        if (i + 2 >= text.size()) {
            return std::nullopt;
        }
        const auto high = hex_value(text[i + 1]);
        const auto low = hex_value(text[i + 2]);
        if (!high || !low) {
            return std::nullopt;
        }
        bytes += static_cast<char>((*high << 4) | *low);
        i += 2;
    }
    return bytes;
}

bool is_unreserved(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && is_space(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
    std::string text;
    base64_append(text, bytes);
    return text;
}

void base64_append(std::string& text, std::string_view bytes) {
    text.reserve(text.size() + (bytes.size() + 2) / 3 * 4);
    const auto byte = [&](std::size_t k) {
        return k < bytes.size() ? static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k]))
                                : 0u;
    };
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const std::uint32_t group = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
        const std::size_t present = bytes.size() - i < 3 ? bytes.size() - i : 3;
        for (std::size_t k = 0; k < 4; ++k) {
            const auto sextet = (group >> (18 - 6 * k)) & 0x3Fu;
            text += k <= present ? alphabet[sextet] : '=';
        }
    }
}

std::optional<std::string> base64_decode(std::string_view text) {
    std::string bytes;
    bytes.reserve(text.size() / 4 * 3);
    std::uint32_t accumulator = 0;
    std::size_t sextets = 0;
    std::size_t padding = 0;
    for (const char c : text) {
        if (is_space(c)) {
            continue;
        }
        if (c == '=') {
            ++padding;
            continue;
        }
        const std::uint8_t value = decode_table[static_cast<unsigned char>(c)];
        if (value == invalid || padding > 0) {
            return std::nullopt;
        }
        accumulator = (accumulator << 6) | value;
        if (++sextets % 4 == 0) {
            bytes += static_cast<char>((accumulator >> 16) & 0xFF);
            bytes += static_cast<char>((accumulator >> 8) & 0xFF);
            bytes += static_cast<char>(accumulator & 0xFF);
            accumulator = 0;
        }
    }
    const std::size_t tail = sextets % 4;
    // A lone trailing sextet carries fewer than 8 bits; padding, when present, must complete
    // the last quantum exactly.
    if (tail == 1 || padding > 2 || (padding > 0 && (tail + padding) % 4 != 0)) {
        return std::nullopt;
    }
    if (tail == 2) {
        bytes += static_cast<char>((accumulator >> 4) & 0xFF);
    } else if (tail == 3) {
        bytes += static_cast<char>((accumulator >> 10) & 0xFF);
        bytes += static_cast<char>((accumulator >> 2) & 0xFF);
    }
    return bytes;
}

std::optional<std::pair<std::string, std::string>> parse_data_url(std::string_view url) {
    url = trim(url);
    constexpr std::string_view scheme = "data:";
    if (url.size() < scheme.size() || ascii_lower(url.substr(0, scheme.size())) != scheme) {
        return std::nullopt;
    }
    const std::size_t comma = url.find(',');
    if (comma == std::string_view::npos) {
        return std::nullopt;
    }
    const std::string header = ascii_lower(url.substr(scheme.size(), comma - scheme.size()));
    const std::string_view data = url.substr(comma + 1);
    const std::string_view media = trim(std::string_view{header}.substr(0, header.find(';')));
    constexpr std::string_view base64_marker = ";base64";
    const bool is_base64 = std::string_view{header}.ends_with(base64_marker);
    std::optional<std::string> bytes = is_base64 ? base64_decode(data) : percent_decode(data);
    if (!bytes) {
        return std::nullopt;
    }
    std::string mime = media.empty() ? std::string{"text/plain"} : std::string{media};
    return std::pair{std::move(mime), std::move(*bytes)};
}

std::string url_encode_component(std::string_view text) {
    std::string encoded;
    encoded.reserve(text.size());
    for (const char c : text) {
        if (is_unreserved(c)) {
            encoded += c;
            continue;
        }
        const auto byte = static_cast<unsigned char>(c);
        encoded += '%';
        encoded += hex_digits[byte >> 4];
        encoded += hex_digits[byte & 0x0F];
    }
    return encoded;
}

}  // namespace polylogue::core
