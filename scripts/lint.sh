#!/usr/bin/env bash
# The lint step of CI: clang-format on the changed C++ files, then clang-tidy (.clang-tidy at the
# root) on the changed sources and on those that include a changed header.
#
#   scripts/lint.sh                 files changed by the commit checked out (HEAD^1..HEAD)
#   scripts/lint.sh --base REV      files changed since REV (e.g. --base main on a branch,
#                                   which also counts uncommitted changes)
#   scripts/lint.sh --all           every C++ file in the repository
#   scripts/lint.sh --format-only   skip clang-tidy (seconds instead of minutes)
#
# "Changed" is against the first parent: on a merge commit that is everything the merged branch
# brings in. A commit without a parent (a fresh history) checks every file. Deleted files are
# left out. clang-tidy reads build/compile_commands.json (or $POLYLOGUE_BUILD_DIR's); when there
# is none the build is configured first, nothing is compiled. Exits non-zero, with the diff or
# the findings, when a file is not formatted or clang-tidy finds anything.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${POLYLOGUE_BUILD_DIR:-$root/build}
base=HEAD^1
all=0
tidy=1
while (($# > 0)); do
    case $1 in
        --base) base=${2:?--base needs a revision}; shift ;;
        --all) all=1 ;;
        --format-only) tidy=0 ;;
        *) echo "usage: $0 [--base REV | --all] [--format-only]" >&2; exit 2 ;;
    esac
    shift
done
"$root/scripts/install-deps.sh" --lint
cd "$root"

cxx_pattern='\.(cpp|hpp)$'
if ((all)) || ! git rev-parse --verify --quiet "$base^{commit}" >/dev/null; then
    ((all)) || echo "lint: $base does not exist: checking every file"
    mapfile -t changed < <(git ls-files | grep -E "$cxx_pattern")
elif [[ $base == HEAD^1 ]]; then
    mapfile -t changed < <(git diff --name-only --diff-filter=d HEAD^1 HEAD | grep -E "$cxx_pattern")
else
    mapfile -t changed < <(git diff --name-only --diff-filter=d "$base" | grep -E "$cxx_pattern")
fi
echo "lint: ${#changed[@]} changed C++ files"
((${#changed[@]} > 0)) || exit 0

# --- clang-format -----------------------------------------------------------------------------
unformatted=0
for file in "${changed[@]}"; do
    if ! clang-format --style=file "$file" | diff -u --label "$file" --label "$file (clang-format)" "$file" -; then
        unformatted=$((unformatted + 1))
    fi
done
if ((unformatted > 0)); then
    echo "lint: not formatted: $unformatted file(s), the diffs above; run clang-format -i on them" >&2
    exit 1
fi
echo "lint: clang-format: all ${#changed[@]} formatted"
((tidy)) || exit 0

# --- clang-tidy -------------------------------------------------------------------------------
if [[ ! -f $build/compile_commands.json ]]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo ${POLYLOGUE_CMAKE_ARGS:-} >/dev/null
fi
# The sources compile_commands.json knows (generated ones left out), relative to the root.
mapfile -t compiled < <(python3 -c '
import json, os, sys
root = sys.argv[1]
for entry in json.load(open(sys.argv[2])):
    path = os.path.relpath(os.path.join(entry["directory"], entry["file"]), root)
    if not path.startswith(".."):
        print(path)' "$root" "$build/compile_commands.json" | sort -u)
# A header is checked through the sources that include it directly: clang-tidy reports on the
# header's code in any source that includes it (HeaderFilterRegex).
targets=()
for file in "${changed[@]}"; do
    if [[ $file == *.cpp ]]; then
        targets+=("$file")
    else
        name=${file#include/}
        name=${name#src/}
        name=${name#tests/}
        # Included by its path under include/, src/ or tests/, or by its name from its directory.
        mapfile -t includers < <({
            grep -rlF --include='*.cpp' "#include \"$name\"" src tests
            grep -lF "#include \"$(basename "$file")\"" "$(dirname "$file")"/*.cpp
        } 2>/dev/null || true)
        targets+=("${includers[@]}")
    fi
done
mapfile -t targets < <(printf '%s\n' "${targets[@]}" | sort -u | comm -12 - <(printf '%s\n' "${compiled[@]}"))
echo "lint: clang-tidy on ${#targets[@]} sources"
((${#targets[@]} > 0)) || exit 0
started=$SECONDS
# One clang-tidy per source, as many at once as there are cores; a source's findings are printed
# together when it is done. The build is GCC's: a GCC-only warning option in a file's compile
# command (tests/CMakeLists.txt turns one off) is unknown to clang, and not a finding.
status=0
printf '%s\n' "${targets[@]}" | xargs -P "$(nproc)" -I{} bash -c '
    if ! output=$(clang-tidy -p "$1" --quiet --extra-arg=-Wno-unknown-warning-option "$2" 2>&1); then
        printf "%s\n" "$output"
        echo "lint: clang-tidy: findings in $2" >&2
        exit 1
    fi' _ "$build" {} || status=$?
echo "lint: clang-tidy took $((SECONDS - started)) s"
if ((status != 0)); then
    echo "lint: clang-tidy found problems (above); fix them or, for a false positive, add" \
        "// NOLINT(check-name): why" >&2
    exit 1
fi
echo "lint: clang-tidy: no findings"
