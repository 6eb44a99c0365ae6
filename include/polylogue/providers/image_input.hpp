#pragma once
// Images as input to vision models: what each API accepts, what an image costs in tokens (the
// estimates docs/config.md documents under `vision`), and the size of an image from its header.
// Pure.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "polylogue/config/config.hpp"

namespace polylogue::providers {

// Limits of what one request carries, under every API's own (Anthropic: 5 MB per image, 32 MB
// per request; Gemini: 20 MB of inline data per request, in base64).
inline constexpr std::uint64_t max_input_image_bytes = 5 * 1024 * 1024;
inline constexpr std::uint64_t max_input_image_bytes_per_request = 12 * 1024 * 1024;
inline constexpr std::size_t max_input_images_per_request = 20;

struct image_size {
    int width = 0;
    int height = 0;
};

// The size in pixels that a PNG, JPEG, GIF or WebP header gives; nullopt for anything else.
// Reads only the header (a JPEG's segments up to its frame header): bounded by the bytes given.
std::optional<image_size> image_dimensions(std::string_view bytes) noexcept;

// Whether the API takes an image of this type inline: PNG, JPEG and WebP everywhere, GIF
// everywhere but Gemini. Scripted models count as OpenAI-compatible ones.
bool accepts_image(config::provider_kind api, std::string_view mime) noexcept;

// The tokens an image costs the model, by the API's published rule: OpenAI's for detail "auto"
// (85 + 170 per 512-pixel tile once scaled into 2048×2048 and its short side to 768), Anthropic's
// (width × height / 750 once its long side is at most 1568, at most 1600), Gemini's (258 up to
// 384 pixels a side, else 258 per 768-pixel tile). Unknown size: the API's largest (1445, 1600)
// or, for Gemini, nine tiles (2322).
std::size_t image_tokens(config::provider_kind api, std::optional<image_size> size) noexcept;

}  // namespace polylogue::providers
