#include "control/viewer_page.hpp"

namespace polylogue::control {

std::string_view token_form_page() noexcept {
    return R"html(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Polylogue: token needed</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}
input,button{font:inherit;padding:.4rem .6rem}input{width:100%;box-sizing:border-box}</style>
</head><body><h1>Polylogue</h1>
<p>This daemon asks for its control token (see <code>control.token_env</code> or
<code>control.token_file</code> in its configuration).</p>
<form method="get" action="/"><label for="t">Token</label>
<input id="t" name="access_token" type="password" autocomplete="current-password" required>
<p><button type="submit">Open the viewer</button></p></form></body></html>
)html";
}

}  // namespace polylogue::control
