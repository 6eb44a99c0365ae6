#!/usr/bin/env bash
# The test suite: install what is missing, build everything, run every test with CTest.
#
#   scripts/test.sh              the suite, built in build/ (or $POLYLOGUE_BUILD_DIR)
#   scripts/test.sh --sanitize   the suite under AddressSanitizer and UndefinedBehaviorSanitizer:
#                                CMake preset "asan", built in build-asan/; the fuzz tests are
#                                left out (they are sanitized builds of their own)
#
# Extra arguments go to ctest, e.g. `scripts/test.sh -R unit.` (docs/testing.md).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sanitize=0
if [[ ${1:-} == --sanitize ]]; then
    sanitize=1
    shift
fi
"$root/scripts/install-deps.sh" --tests
if ((sanitize)); then
    # Presets are found in the working directory.
    (cd "$root" && cmake --preset asan >/dev/null && cmake --build --preset asan)
else
    "$root/scripts/build.sh"
fi
# OpenAI's own API description serves as a validating mock (Steady) for the request-shape tests.
npm ci --prefix "$root/tests/openapi" --no-audit --no-fund --loglevel=error >/dev/null
# Playwright drives Debian's chromium (installed above) in the web viewer's test; it downloads none.
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
    npm ci --prefix "$root/tests/browser" --no-audit --no-fund --loglevel=error >/dev/null
# A skipped test proves nothing: on a clean clone none may skip, so a skip fails the run.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
if ((sanitize)); then
    # The preset sets ASAN_OPTIONS/UBSAN_OPTIONS for every test and the daemons they start.
    cd "$root"
    ctest --preset asan -j "$(nproc)" "$@" 2>&1 | tee "$log" || status=$?
else
    cd "${POLYLOGUE_BUILD_DIR:-$root/build}"
    ctest --output-on-failure --timeout 300 -j "$(nproc)" "$@" 2>&1 | tee "$log" || status=$?
fi
if grep -q '\*\*\*Skipped' "$log"; then
    echo "test.sh: these tests skipped, and none may:" >&2
    grep '\*\*\*Skipped' "$log" | sed 's/^.*Test *#[0-9]*: \([^ ]*\).*/  \1/' >&2
    status=1
fi
exit "$status"
