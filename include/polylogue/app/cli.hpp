#pragma once
// The `polylogue` command line: check, parse, run, serve, transcript. Exit codes: 0 success,
// 1 a runtime failure (storage, a room that crashed), 2 bad usage or a refused configuration.

namespace polylogue::app {

int run_cli(int argc, char** argv);

}  // namespace polylogue::app
