#!/usr/bin/env bash
# Builds one libFuzzer target with clang and runs it on a copy of its seed corpus.
#
#   run_fuzzer.sh NAME OUT_DIR SECONDS
#
# NAME is a target in tests/fuzz/NAME_fuzz.cpp; its module's sources are compiled in directly, so
# the build needs nothing but clang. Exits non-zero on a build failure or any crash, leak or
# sanitizer report; crash inputs are left in OUT_DIR.
set -euo pipefail

usage() {
    echo "usage: $0 NAME OUT_DIR SECONDS" >&2
    exit 2
}

[[ $# -eq 3 ]] || usage
name=$1
out_dir=$2
seconds=$3
[[ $seconds =~ ^[0-9]+$ ]] || usage

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
target_source=$repo_root/tests/fuzz/${name}_fuzz.cpp
seed_corpus=$repo_root/tests/fuzz/corpus/$name

# The sources each target needs: only its own module, to keep the build small and fast.
case $name in
    commands_parser) module_sources=("$repo_root"/src/commands/*.cpp) ;;
    *)
        echo "run_fuzzer.sh: unknown fuzz target '$name'" >&2
        exit 2
        ;;
esac

[[ -f $target_source ]] || {
    echo "run_fuzzer.sh: $target_source not found" >&2
    exit 2
}

# Silently skipping would make a green test suite mean nothing: fail loudly instead.
if ! command -v clang++ >/dev/null 2>&1; then
    echo "run_fuzzer.sh: clang++ not found; the fuzz tests need it." >&2
    echo "Install it with: sudo apt-get install clang libclang-rt-14-dev" >&2
    exit 1
fi

mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)
binary=$out_dir/${name}_fuzz

echo "run_fuzzer.sh: building $binary"
if ! clang++ -std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=all -I "$repo_root/include" \
    "$target_source" "${module_sources[@]}" -o "$binary"; then
    echo "run_fuzzer.sh: build failed (is libclang-rt-14-dev installed for the fuzzer runtime?)" >&2
    exit 1
fi

# Fuzz a copy so that new inputs the fuzzer finds do not land in the repository.
corpus=$out_dir/corpus-$name
mkdir -p "$corpus"
if [[ -d $seed_corpus ]]; then
    cp -rf "$seed_corpus"/. "$corpus"/
fi

echo "run_fuzzer.sh: fuzzing $name for ${seconds}s"
cd "$out_dir"
status=0
"$binary" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -artifact_prefix="$out_dir/" -print_final_stats=1 || status=$?
if [[ $status -ne 0 ]]; then
    echo "run_fuzzer.sh: $name FAILED (exit $status); crash inputs are in $out_dir" >&2
    exit 1
fi
echo "run_fuzzer.sh: $name passed"
