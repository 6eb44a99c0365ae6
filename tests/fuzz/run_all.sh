#!/usr/bin/env bash
# Runs the libFuzzer targets one after another, each through run_fuzzer.sh.
#
#   run_all.sh [--long] [--seconds N] [--workers N] [--out DIR] [NAME...]
#
# Without names, every target runs. The default is the test suite's short run (10 s each, one
# process); --long runs each target for 10 minutes in as many processes as there are cores.
# --seconds and --workers override either. Inputs the fuzzer found are kept in
# DIR/corpus-NAME (default DIR: build/fuzz-long), crash inputs in DIR; see docs/testing.md for
# merging new inputs into the seed corpora. Exits non-zero when any target failed.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
all_targets=(commands_parser config_loader sse_parser openai_stream anthropic_stream gemini_stream
    tool_responses)

usage() {
    echo "usage: $0 [--long] [--seconds N] [--workers N] [--out DIR] [NAME...]" >&2
    echo "targets: ${all_targets[*]}" >&2
    exit 2
}

seconds=10
workers=1
out_dir=$repo_root/build/fuzz-long
while [[ $# -gt 0 ]]; do
    case $1 in
        --long)
            seconds=600
            workers=$(nproc)
            shift
            ;;
        --seconds)
            [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || usage
            seconds=$2
            shift 2
            ;;
        --workers)
            [[ $# -ge 2 && $2 =~ ^[1-9][0-9]*$ ]] || usage
            workers=$2
            shift 2
            ;;
        --out)
            [[ $# -ge 2 ]] || usage
            out_dir=$2
            shift 2
            ;;
        -*) usage ;;
        *) break ;;
    esac
done
targets=("$@")
((${#targets[@]} > 0)) || targets=("${all_targets[@]}")

failed=()
for name in "${targets[@]}"; do
    started=$(date +%s)
    if "$repo_root/tests/fuzz/run_fuzzer.sh" --workers "$workers" "$name" "$out_dir" "$seconds"; then
        echo "run_all.sh: $name passed in $(($(date +%s) - started))s"
    else
        failed+=("$name")
    fi
done
if ((${#failed[@]} > 0)); then
    echo "run_all.sh: FAILED: ${failed[*]} (crash inputs are in $out_dir)" >&2
    exit 1
fi
echo "run_all.sh: all ${#targets[@]} target(s) passed"
