#!/usr/bin/env bash
# The benchmark of docs/performance.md in one command: builds polylogue and polylogue_bench
# (RelWithDebInfo, as scripts/build.sh does) and runs every measurement, about three minutes on
# two cores. Summary lines go to stdout, progress to stderr. Extra arguments go to
# polylogue_bench: --quick (a 20-second smoke run), --profile (perf record of each window),
# --only throughput|memory|growth|cache, --max-in-flight N.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${POLYLOGUE_BUILD_DIR:-$root/build}
POLYLOGUE_BUILD_DIR=$build POLYLOGUE_CMAKE_ARGS="${POLYLOGUE_CMAKE_ARGS:-} -DPOLYLOGUE_BUILD_BENCH=ON" \
    "$root/scripts/build.sh" -j "${POLYLOGUE_BUILD_JOBS:-$(nproc)}" \
    polylogue polylogue_bench >&2
# 10,000 idle rooms keep 10,000 chat logs open, besides the database and sockets: raise the
# soft limit on open files to the hard one (docs/performance.md, "Memory").
soft=$(ulimit -Sn)
if [[ $soft != unlimited && $soft -lt 16384 ]]; then
    ulimit -Sn "$(ulimit -Hn)" 2>/dev/null || true
fi
exec "$build/bench/polylogue_bench" --polylogue "$build/polylogue" \
    --work "${POLYLOGUE_BENCH_DIR:-$build/bench-work}" "$@"
