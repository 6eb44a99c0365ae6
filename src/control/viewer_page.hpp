#pragma once
// The web viewer, embedded in the binary at build time from src/control/web/viewer.html.

#include <string_view>

namespace polylogue::control {

std::string_view viewer_page() noexcept;

// What GET / answers without the token: a form that asks for it.
std::string_view token_form_page() noexcept;

}  // namespace polylogue::control
