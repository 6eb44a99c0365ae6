#!/usr/bin/env bash
# Installs the Debian 12 packages Polylogue needs to build and test, only those missing.
# Runs as root (or through sudo when it is there); does nothing when everything is installed.
#
#   install-deps.sh            what building and the demo need
#   install-deps.sh --tests    also what the test suite needs (clang, Chromium, Node.js)
#   install-deps.sh --lint     also what scripts/lint.sh needs (clang-format, clang-tidy)
#   install-deps.sh --list     print the packages it would ask for, one a line; install nothing
#                              (with --tests or --lint too: theirs). The build.packages test reads
#                              `--list --tests`.
#
# Every file the build takes from Debian comes from one of these packages, from a package they
# depend on, or from an essential one (tests/packaging/check_build_packages.sh holds us to it).
set -euo pipefail

tests=0
lint=0
list=0
for argument in "$@"; do
    case $argument in
        --tests) tests=1 ;;
        --lint) lint=1 ;;
        --list) list=1 ;;
        *) echo "usage: $0 [--tests] [--lint] [--list]" >&2; exit 2 ;;
    esac
done

packages=(
    g++ cmake ninja-build pkg-config git
    libboost1.81-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libssl-dev libyaml-cpp-dev
    libsqlite3-dev sqlite3 libpq-dev googletest libgtest-dev
    libgmock-dev  # not used, but GTestConfig.cmake reads its CMake files whenever it is there
)
if ((tests)); then
    packages+=(
        clang libclang-rt-14-dev  # the libFuzzer targets
        chromium                  # the web viewer's browser test
        ca-certificates           # npm's TLS: Debian's nodejs only recommends it
        postgresql-15             # the fleet tests start their own server (initdb, postgres)
    )
    # Node.js often comes from elsewhere than Debian (nodesource, nvm); Debian's own packages
    # would conflict with it, so they are only asked for when there is no npm at all.
    if ! command -v npm >/dev/null 2>&1; then
        packages+=(nodejs npm)
    fi
fi
if ((lint)); then
    packages+=(clang-format clang-tidy)  # Debian 12: version 14 of both
fi

if ((list)); then
    printf '%s\n' "${packages[@]}"
    exit 0
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
