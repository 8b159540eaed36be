#!/bin/sh
# Benchmarks parse+validate of a large real config (default: podman 4.3's config.json with 434
# seccomp syscall names) and of the docker-style fixture. Target: under 1 ms.
#
# usage: bench/validate/run.sh [BUILD_DIR] [CONFIG.json...]
# The build dir must be configured (meson setup BUILD_DIR); release flags are what count:
#   meson setup build-release --buildtype=release
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-"$root/build"}
[ $# -gt 0 ] && shift
if [ $# -eq 0 ]; then
    set -- /work/shared/data/podman-4.3-config.json "$root/tests/unit/fixtures/validate/valid/docker-nginx.json"
fi
ninja -C "$build" tests/unit/validate/bench_validate >/dev/null
bench="$build/tests/unit/validate/bench_validate"
for config in "$@"; do
    [ -f "$config" ] || { echo "skip: $config not found"; continue; }
    "$bench" "$config" 3000
    # The first validation of a process (schema compile included), over 20 fresh processes.
    i=0
    firsts=""
    while [ $i -lt 20 ]; do
        firsts="$firsts $("$bench" "$config" 1 | sed -n 's/^first.*cpu \([0-9]*\) us$/\1/p')"
        i=$((i + 1))
    done
    echo "$firsts" | tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {printf "first validation in a fresh process, 20 runs: cpu median %d us, best %d us\n", a[int((NR+1)/2)], a[1]}'
done
