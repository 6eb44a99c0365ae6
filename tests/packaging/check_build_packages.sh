#!/usr/bin/env bash
# Fails when a build uses a file from a Debian package that scripts/install-deps.sh neither
# installs nor can rely on, naming the package, so that a brand-new machine's first build cannot
# miss one (issue 9: the build once needed libboost-system1.81-dev, which nothing installed).
#
#   check_build_packages.sh BUILD_DIR [SOURCE_DIR]
#
# A package can be relied on when install-deps.sh --tests asks for it, when it is essential
# (dpkg's Essential: yes, on every Debian system), or when one of those depends on it (Depends and
# Pre-Depends, which apt always installs; the first installed alternative of each). The files of a
# build are read off its Ninja build tree after it is built:
#   - every header a compilation read (`ninja -t deps`),
#   - every CMake file the configure step read (build.ninja's RERUN_CMAKE inputs),
#   - every library on a link line, and every shared library the built programs load (ldd),
#   - the programs that build: cmake, ninja, the compiler and what it runs (cc1plus, as, ld).
# The compiler launcher (ccache) is left out: CMakeLists.txt uses it only when it is there.
set -euo pipefail

[[ $# -ge 1 && $# -le 2 ]] || { echo "usage: $0 BUILD_DIR [SOURCE_DIR]" >&2; exit 2; }
build=$(cd "$1" && pwd)
source_dir=$(cd "${2:-$(dirname "${BASH_SOURCE[0]}")/../..}" && pwd)
[[ -f $build/build.ninja ]] || { echo "check_build_packages: $build is not a Ninja build" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cache_value() { sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt"; }

# --- what may be relied on -------------------------------------------------------------------
"$source_dir/scripts/install-deps.sh" --list --tests >"$work/asked"
# One line per installed package: name, essential, then its Provides, Depends and Pre-Depends.
dpkg-query -W -f='${db:Status-Abbrev}\t${Package}\t${Essential}\t${Provides}\t${Depends}, ${Pre-Depends}\n' |
    awk -F'\t' '$1 ~ /^ii/' | cut -f2- >"$work/installed"
awk -F'\t' '
    function strip(name) { gsub(/\([^)]*\)|[ \t]/, "", name); sub(/:.*/, "", name); return name }
    FNR == NR { asked[$1] = 1; next }
    {
        installed[$1] = 1
        depends[$1] = $4
        if ($2 == "yes") start[$1] = 1
        count = split($3, provided, ",")
        for (i = 1; i <= count; i++) provider[strip(provided[i])] = $1
    }
    END {
        for (name in asked) if (name in installed) start[name] = 1
        for (name in start) queue[++tail] = name
        for (head = 1; head <= tail; head++) {
            name = queue[head]
            if (name in allowed) continue
            allowed[name] = 1
            count = split(depends[name], clauses, ",")
            for (i = 1; i <= count; i++) {
                alternatives = split(clauses[i], choice, "|")
                for (j = 1; j <= alternatives; j++) {
                    candidate = strip(choice[j])
                    if (candidate in installed) { queue[++tail] = candidate; break }
                    if (candidate in provider) { queue[++tail] = provider[candidate]; break }
                }
            }
        }
        for (name in allowed) print name
    }' "$work/asked" "$work/installed" | sort -u >"$work/allowed"

# --- what the build used ---------------------------------------------------------------------
{
    ninja -C "$build" -t deps | sed -n 's/^    //p'
    sed -n '/^build build.ninja: RERUN_CMAKE/{s/.*| //;p}' "$build/build.ninja" | tr ' ' '\n'
    ninja -C "$build" -t commands | grep -E '^(: && )?\S+ .* -o \S+ ' | grep -v ' -c ' |
        tr ' ' '\n' | grep -E '^/.*\.(so[.0-9]*|a)$' || true
    find "$build" -maxdepth 2 -type f -executable -newer "$build/CMakeCache.txt" |
        while read -r program; do
            ldd "$program" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p'
        done
    compiler=$(cache_value CMAKE_CXX_COMPILER)
    for program in "$(cache_value CMAKE_COMMAND)" "$(cache_value CMAKE_MAKE_PROGRAM)" "$compiler" \
        "$("$compiler" -print-prog-name=cc1plus)" "$(command -v "$("$compiler" -print-prog-name=as)")" \
        "$(command -v "$("$compiler" -print-prog-name=ld)")"; do
        [[ -n $program ]] && readlink -f "$program"
    done
} | grep '^/' | grep -v -e "^$source_dir/" -e "^$build/" | sort -u >"$work/files"

# --- which package each file comes from ------------------------------------------------------
# Debian 12 merges /usr: dpkg may know a file as /lib/... that the build saw as /usr/lib/...,
# or only under the name a symbolic link points to.
owner_of() {
    local file=$1 alias
    for alias in "$file" "${file#/usr}" "/usr$file" "$(readlink -f "$file")"; do
        dpkg-query -S "$alias" 2>/dev/null | grep -v '^diversion' | head -1 | cut -d: -f1 && return
    done
    echo "?"
}
xargs -r dpkg-query -S <"$work/files" 2>/dev/null | grep -v '^diversion' |
    sed 's/^\([^:,]*\)[^ ]* \(.*\)$/\1\t\2/' >"$work/owners" || true
cut -f2 "$work/owners" | sort -u >"$work/owned"
comm -23 "$work/files" "$work/owned" | while read -r file; do
    printf '%s\t%s\n' "$(owner_of "$file")" "$file"
done >>"$work/owners"

# --- the verdict -----------------------------------------------------------------------------
failed=0
while IFS=$'\t' read -r package file; do
    [[ $package == "?" ]] && { echo "NOT FROM A DEBIAN PACKAGE: $file"; failed=1; continue; }
    grep -qxF "$package" "$work/allowed" || echo "$package"$'\t'"$file" >>"$work/missing"
done <"$work/owners"
if [[ -s $work/missing ]]; then
    failed=1
    cut -f1 "$work/missing" | sort | uniq -c | while read -r count package; do
        example=$(grep -m1 "^$package"$'\t' "$work/missing" | cut -f2)
        echo "MISSING PACKAGE: $package ($count files the build used, e.g. $example):" \
            "scripts/install-deps.sh neither installs it nor can rely on it; add it there"
    done
fi
echo "checked $(wc -l <"$work/files") files from $(cut -f1 "$work/owners" | sort -u | wc -l)" \
    "packages against $(wc -l <"$work/allowed") packages install-deps.sh can rely on"
exit $failed
