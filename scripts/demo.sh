#!/usr/bin/env bash
# The demo: install what is missing, build, and play config/demo.yaml to its end.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" polylogue
# A demo should play from the start every time: forget the previous demo's transcript.
rm -rf "$root/config/var"
exec "${POLYLOGUE_BUILD_DIR:-$root/build}/polylogue" run "$root/config/demo.yaml"
