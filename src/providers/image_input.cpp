#include "polylogue/providers/image_input.hpp"

#include <algorithm>
#include <cmath>

namespace polylogue::providers {
namespace {

std::uint32_t byte_at(std::string_view bytes, std::size_t at) noexcept {
    return static_cast<unsigned char>(bytes[at]);
}

std::uint32_t big_endian(std::string_view bytes, std::size_t at, std::size_t count) noexcept {
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < count; ++i) {
        value = (value << 8) | byte_at(bytes, at + i);
    }
    return value;
}

std::uint32_t little_endian(std::string_view bytes, std::size_t at, std::size_t count) noexcept {
    std::uint32_t value = 0;
    for (std::size_t i = count; i > 0; --i) {
        value = (value << 8) | byte_at(bytes, at + i - 1);
    }
    return value;
}

std::optional<image_size> sized(std::uint32_t width, std::uint32_t height) noexcept {
    constexpr std::uint32_t largest = 1'000'000;  // no image format we read allows more sensibly
    if (width == 0 || height == 0 || width > largest || height > largest) {
        return std::nullopt;
    }
    return image_size{static_cast<int>(width), static_cast<int>(height)};
}

std::optional<image_size> png_size(std::string_view bytes) noexcept {
    if (bytes.size() < 24 || bytes.substr(12, 4) != "IHDR") {
        return std::nullopt;
    }
    return sized(big_endian(bytes, 16, 4), big_endian(bytes, 20, 4));
}

std::optional<image_size> gif_size(std::string_view bytes) noexcept {
    if (bytes.size() < 10) {
        return std::nullopt;
    }
    return sized(little_endian(bytes, 6, 2), little_endian(bytes, 8, 2));
}

std::optional<image_size> webp_size(std::string_view bytes) noexcept {
    if (bytes.size() < 25) {
        return std::nullopt;
    }
    const std::string_view chunk = bytes.substr(12, 4);
    if (chunk == "VP8L") {  // lossless: 14 bits each of width - 1 and height - 1
        const std::uint32_t bits = little_endian(bytes, 21, 4);
        return sized((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
    }
    if (bytes.size() < 30) {
        return std::nullopt;
    }
    if (chunk == "VP8 ") {  // lossy: the key frame's header, after its start code
        return sized(little_endian(bytes, 26, 2) & 0x3FFF, little_endian(bytes, 28, 2) & 0x3FFF);
    }
    if (chunk == "VP8X") {  // extended: 24 bits each of the canvas' width - 1 and height - 1
        return sized(little_endian(bytes, 24, 3) + 1, little_endian(bytes, 27, 3) + 1);
    }
    return std::nullopt;
}

bool is_frame_header(std::uint32_t marker) noexcept {
    // SOF0..SOF15, but for DHT (C4), JPG (C8) and DAC (CC), which share the range.
    return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

// Walks the segments to the first frame header; each step moves forward, so the walk is linear.
std::optional<image_size> jpeg_size(std::string_view bytes) noexcept {
    std::size_t at = 2;
    while (at + 4 <= bytes.size()) {
        if (byte_at(bytes, at) != 0xFF) {
            return std::nullopt;
        }
        const std::uint32_t marker = byte_at(bytes, at + 1);
        if (marker == 0xFF) {  // fill byte
            ++at;
            continue;
        }
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {  // no length follows
            at += 2;
            continue;
        }
        const std::uint32_t length = big_endian(bytes, at + 2, 2);
        if (is_frame_header(marker)) {
            if (at + 9 > bytes.size()) {
                return std::nullopt;
            }
            return sized(big_endian(bytes, at + 7, 2), big_endian(bytes, at + 5, 2));
        }
        if (marker == 0xD9 || marker == 0xDA || length < 2) {  // image end or data: no frame
            return std::nullopt;
        }
        at += 2 + length;
    }
    return std::nullopt;
}

std::size_t openai_tokens(double width, double height) {
    const double fit = std::min(1.0, 2048.0 / std::max(width, height));
    width *= fit;
    height *= fit;
    const double shorten = std::min(1.0, 768.0 / std::min(width, height));
    width *= shorten;
    height *= shorten;
    const auto tiles = static_cast<std::size_t>(std::ceil(width / 512) * std::ceil(height / 512));
    return 85 + 170 * tiles;
}

std::size_t anthropic_tokens(double width, double height) {
    const double fit = std::min(1.0, 1568.0 / std::max(width, height));
    const auto tokens = static_cast<std::size_t>(std::ceil(width * fit * height * fit / 750));
    return std::min<std::size_t>(tokens, 1600);
}

std::size_t gemini_tokens(double width, double height) {
    if (width <= 384 && height <= 384) {
        return 258;
    }
    return 258 * static_cast<std::size_t>(std::ceil(width / 768) * std::ceil(height / 768));
}

}  // namespace

std::optional<image_size> image_dimensions(std::string_view bytes) noexcept {
    if (bytes.starts_with("\x89PNG\r\n\x1a\n")) {
        return png_size(bytes);
    }
    if (bytes.starts_with("\xFF\xD8")) {
        return jpeg_size(bytes);
    }
    if (bytes.starts_with("GIF87a") || bytes.starts_with("GIF89a")) {
        return gif_size(bytes);
    }
    if (bytes.size() >= 12 && bytes.starts_with("RIFF") && bytes.substr(8, 4) == "WEBP") {
        return webp_size(bytes);
    }
    return std::nullopt;
}

bool accepts_image(config::provider_kind api, std::string_view mime) noexcept {
    if (mime == "image/png" || mime == "image/jpeg" || mime == "image/webp") {
        return true;
    }
    return mime == "image/gif" && api != config::provider_kind::gemini;
}

std::size_t image_tokens(config::provider_kind api, std::optional<image_size> size) noexcept {
    switch (api) {
        case config::provider_kind::anthropic:
            return size ? anthropic_tokens(size->width, size->height) : 1600;
        case config::provider_kind::gemini:
            return size ? gemini_tokens(size->width, size->height) : 258 * 9;
        case config::provider_kind::openai:
        case config::provider_kind::scripted:
            break;
    }
    return size ? openai_tokens(size->width, size->height) : 1445;
}

}  // namespace polylogue::providers
