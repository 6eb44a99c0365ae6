#!/usr/bin/env bash
# Installs the Debian 12 packages Polylogue needs to build and test, only those missing.
# Runs as root (or through sudo when it is there); does nothing when everything is installed.
#
#   install-deps.sh            what building and the demo need
#   install-deps.sh --tests    also what the test suite needs (clang, Chromium, Node.js)
set -euo pipefail

packages=(
    g++ cmake ninja-build pkg-config git
    libboost1.81-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libssl-dev libyaml-cpp-dev
    libsqlite3-dev sqlite3 googletest libgtest-dev
)
if [[ ${1:-} == --tests ]]; then
    packages+=(
        clang libclang-rt-14-dev  # the libFuzzer targets
        chromium                  # the web viewer's browser test
    )
    # Node.js often comes from elsewhere than Debian (nodesource, nvm); Debian's own packages
    # would conflict with it, so they are only asked for when there is no npm at all.
    if ! command -v npm >/dev/null 2>&1; then
        packages+=(nodejs npm)
    fi
fi

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
((${#missing[@]} == 0)) && exit 0

as_root=()
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "install-deps: run as root to install: ${missing[*]}" >&2; exit 1; }
    as_root=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
