#!/usr/bin/env bash
# The test suite: install what is missing, build everything, run every test with CTest.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/install-deps.sh" --tests
"$root/scripts/build.sh"
# OpenAI's own API description serves as a validating mock (Steady) for the request-shape tests.
npm ci --prefix "$root/tests/openapi" --no-audit --no-fund --loglevel=error >/dev/null
# Playwright drives Debian's chromium (installed above) in the web viewer's test; it downloads none.
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
    npm ci --prefix "$root/tests/browser" --no-audit --no-fund --loglevel=error >/dev/null
cd "${POLYLOGUE_BUILD_DIR:-$root/build}"
ctest --output-on-failure --timeout 300 -j "$(nproc)"
