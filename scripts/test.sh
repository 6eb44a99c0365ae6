#!/usr/bin/env bash
# The test suite: install what is missing, build everything, run every test with CTest.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
cd "${POLYLOGUE_BUILD_DIR:-$root/build}"
ctest --output-on-failure --timeout 300 -j "$(nproc)"
