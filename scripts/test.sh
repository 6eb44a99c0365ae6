#!/usr/bin/env bash
# The test suite: install what is missing, build everything, run every test with CTest.
#
#   scripts/test.sh              the suite, built in build/ (or $POLYLOGUE_BUILD_DIR)
#   scripts/test.sh --sanitize   the suite under AddressSanitizer and UndefinedBehaviorSanitizer:
#                                CMake preset "asan", built in build-asan/; the fuzz tests are
#                                left out (they are sanitized builds of their own)
#   scripts/test.sh --tsan       the tests that run more than one thread, under ThreadSanitizer:
#                                CMake preset "tsan", built in build-tsan/ (docs/testing.md)
#
# Extra arguments go to ctest, e.g. `scripts/test.sh -R unit.` (docs/testing.md).
# POLYLOGUE_CMAKE_ARGS goes to the configure step of each, e.g. -DPOLYLOGUE_WERROR=ON (CI).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
preset=
case ${1:-} in
    --sanitize) preset=asan; shift ;;
    --tsan) preset=tsan; shift ;;
esac
"$root/scripts/install-deps.sh" --tests
if [[ -n $preset ]]; then
    # Presets are found in the working directory.
    (cd "$root" && cmake --preset "$preset" ${POLYLOGUE_CMAKE_ARGS:-} >/dev/null &&
        cmake --build --preset "$preset")
else
    "$root/scripts/build.sh"
fi
# OpenAI's own API description serves as a validating mock (Steady) for the request-shape tests;
# Playwright drives Debian's chromium (installed above) in the web viewer's test and downloads
# none. The TSan subset has neither test.
if [[ $preset != tsan ]]; then
    npm ci --prefix "$root/tests/openapi" --no-audit --no-fund --loglevel=error >/dev/null
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
        npm ci --prefix "$root/tests/browser" --no-audit --no-fund --loglevel=error >/dev/null
fi
# A skipped test proves nothing: on a clean clone none may skip, so a skip fails the run.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
if [[ -n $preset ]]; then
    # The preset sets the sanitizer's options for every test and the daemons they start.
    cd "$root"
    ctest --preset "$preset" -j "$(nproc)" "$@" 2>&1 | tee "$log" || status=$?
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
