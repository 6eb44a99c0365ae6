#!/usr/bin/env bash
# Configures and builds into build/ (or $POLYLOGUE_BUILD_DIR). Extra arguments go to ninja.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${POLYLOGUE_BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo ${POLYLOGUE_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -- "$@"
