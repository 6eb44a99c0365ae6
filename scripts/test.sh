#!/usr/bin/env bash
# The test suite: install what is missing, build everything, run every test with CTest.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
# OpenAI's own API description serves as a validating mock (Steady) for the request-shape tests.
if ! command -v npm >/dev/null; then
    apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
npm ci --prefix "$root/tests/openapi" --no-audit --no-fund --loglevel=error >/dev/null
cd "${POLYLOGUE_BUILD_DIR:-$root/build}"
ctest --output-on-failure --timeout 300 -j "$(nproc)"
