#!/usr/bin/env bash
# The fleet benchmark (docs/performance.md, "A fleet"): builds polylogue and fleet_bench, then
# measures turns per second with 1 and 2 nodes and failover times over 20 SIGKILLs, each fleet
# on a PostgreSQL 15 of its own (postgresql-15, which install-deps.sh --tests installs).
# Arguments go to fleet_bench: --rooms N --window SECONDS --kills N --lease MS --only WHAT.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${POLYLOGUE_BUILD_DIR:-$root/build}
POLYLOGUE_BUILD_DIR=$build "$root/scripts/build.sh" -j2 polylogue fleet_bench
exec "$build/tests/fleet_bench" "$@"
