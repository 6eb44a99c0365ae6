#!/usr/bin/env bash
# Builds one libFuzzer target with clang and runs it on a copy of its seed corpus.
#
#   run_fuzzer.sh [--werror] [--workers N] NAME OUT_DIR SECONDS
#
# NAME is a target in tests/fuzz/NAME_fuzz.cpp; the sources of the modules it uses are compiled in
# directly (each to its own object, through ccache when it is installed), so the build needs
# nothing but clang and yaml-cpp. --workers N fuzzes in N processes (libFuzzer's fork mode) for
# SECONDS in all. Exits non-zero on a build failure or any crash, leak, timeout or sanitizer
# report; crash inputs are left in OUT_DIR. tests/fuzz/run_all.sh runs every target. --werror
# compiles with the warnings of cmake/warnings.cmake as errors (CMake passes it when
# POLYLOGUE_WERROR is on, as in CI).
set -euo pipefail

usage() {
    echo "usage: $0 [--werror] [--workers N] NAME OUT_DIR SECONDS" >&2
    exit 2
}

warnings=()
if [[ ${1:-} == --werror ]]; then
    warnings=(-Wall -Wextra -Wpedantic -Wshadow -Wold-style-cast -Wcast-align -Wunused
        -Woverloaded-virtual -Wconversion -Wsign-conversion -Wdouble-promotion -Wformat=2
        -Wimplicit-fallthrough -Werror)
    shift
fi
workers=1
if [[ ${1:-} == --workers ]]; then
    [[ $# -ge 2 && $2 =~ ^[1-9][0-9]*$ ]] || usage
    workers=$2
    shift 2
fi
[[ $# -eq 3 ]] || usage
name=$1
out_dir=$2
seconds=$3
[[ $seconds =~ ^[0-9]+$ ]] || usage

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
target_source=$repo_root/tests/fuzz/${name}_fuzz.cpp
seed_corpus=$repo_root/tests/fuzz/corpus/$name
src=$repo_root/src

# The sources each target needs: the modules it reaches and nothing with I/O (no Beast, no
# OpenSSL, no SQLite), to keep the build small and fast.
core=("$src"/core/*.cpp)
adapters=("${core[@]}" "$src/http/sse_parser.cpp" "$src/providers/failure_classification.cpp"
    "$src/providers/json_text.cpp" "$src/providers/request_body.cpp"
    "$src/providers/alternation.cpp" "$src/providers/body_excerpt.cpp")
libraries=()
# A dictionary of the input's syntax (tests/fuzz/dictionaries) helps the fuzzer past tokens that
# mutations rarely build, such as a 19-digit integer.
dictionary=json
case $name in
    commands_parser)
        module_sources=("$src/core/command_name.cpp" "$src"/commands/*.cpp)
        dictionary=
        ;;
    config_loader)
        module_sources=("${core[@]}" "$src"/config/*.cpp)
        libraries=(-lyaml-cpp)
        dictionary=yaml
        ;;
    sse_parser)
        module_sources=("$src/http/sse_parser.cpp")
        dictionary=sse
        ;;
    openai_stream) module_sources=("${adapters[@]}" "$src/providers/openai_adapter.cpp") ;;
    anthropic_stream) module_sources=("${adapters[@]}" "$src/providers/anthropic_adapter.cpp") ;;
    gemini_stream) module_sources=("${adapters[@]}" "$src/providers/gemini_adapter.cpp") ;;
    tool_responses)
        module_sources=("${core[@]}" "$src/providers/failure_classification.cpp"
            "$src/providers/body_excerpt.cpp" "$src/providers/image_adapters.cpp"
            "$src/providers/search_adapters.cpp")
        ;;
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
objects_dir=$out_dir/objects-$name
mkdir -p "$objects_dir"

compiler=(clang++)
command -v ccache >/dev/null 2>&1 && compiler=(ccache clang++)
flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
    -fno-sanitize-recover=all -I "$repo_root/include" -I "$src"
    -DPOLYLOGUE_SOURCE_DIR="\"$repo_root\"" "${warnings[@]}")

echo "run_fuzzer.sh: building $binary"
objects=()
for source in "$target_source" "${module_sources[@]}"; do
    relative=${source#"$repo_root"/}
    object=$objects_dir/${relative//\//_}.o
    if ! "${compiler[@]}" "${flags[@]}" -c "$source" -o "$object"; then
        echo "run_fuzzer.sh: compiling $relative failed" >&2
        exit 1
    fi
    objects+=("$object")
done
if ! clang++ -fsanitize=fuzzer,address,undefined "${objects[@]}" "${libraries[@]}" -o "$binary"
then
    echo "run_fuzzer.sh: link failed (is libclang-rt-14-dev installed for the fuzzer runtime?)" >&2
    exit 1
fi

# Fuzz a copy so that new inputs the fuzzer finds do not land in the repository.
corpus=$out_dir/corpus-$name
mkdir -p "$corpus"
if [[ -d $seed_corpus ]]; then
    cp -rf "$seed_corpus"/. "$corpus"/
fi

options=()
if ((workers > 1)); then
    options+=(-fork="$workers")
fi
if [[ -n $dictionary ]]; then
    options+=(-dict="$repo_root/tests/fuzz/dictionaries/$dictionary.dict")
fi
echo "run_fuzzer.sh: fuzzing $name for ${seconds}s in $workers process(es)"
cd "$out_dir"
status=0
"$binary" "$corpus" "${options[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -artifact_prefix="$out_dir/$name-" -print_final_stats=1 || status=$?
if [[ $status -ne 0 ]]; then
    echo "run_fuzzer.sh: $name FAILED (exit $status); crash inputs are in $out_dir" >&2
    exit 1
fi
echo "run_fuzzer.sh: $name passed"
