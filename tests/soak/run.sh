#!/usr/bin/env bash
# The full fault soak (docs/testing.md, "Crash and fault soak"): builds polylogue and
# fault_soak, then serves 200 rooms x 50 turns against faulty providers; a few minutes.
# Arguments go to fault_soak: --rooms N --turns N --seed N --window SECONDS.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${POLYLOGUE_BUILD_DIR:-$root/build}
POLYLOGUE_BUILD_DIR=$build "$root/scripts/build.sh" -j2 polylogue fault_soak
exec "$build/tests/fault_soak" "$@"
