#pragma once

#include <string_view>

namespace polylogue::app {

// The exported page's stylesheet, inlined in its <style>: light and dark (prefers-color-scheme),
// one colour per AI slot, and a single column that narrows on small screens.
std::string_view html_export_style() noexcept;

}  // namespace polylogue::app
