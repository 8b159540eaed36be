#!/usr/bin/env bash
# Where ocirt's start-up time goes: runs `ocirt --trace FILE run` of /bin/true
# in a busybox bundle N times, interleaved with the same `run` by Debian's runc
# and crun, and prints ocirt's per-phase table (median ms per phase, share of
# ocirt's wall time) beside the three runtimes' wall times from this same run.
# Not a test: CI never runs it. See docs/trace.md for the phases.
#
#   bench/trace.sh [--runs N] [--warmup N] [--keep]
#
# As root. ocirt is $OCIRT if set, else a release build of this tree in
# $BUILD_DIR (default build-bench, shared with run-bench.sh). A missing runc
# or crun is left out. On a v1/v2 hybrid host crun runs in a private mount
# namespace with cgroup2 and --cgroup-manager=disabled, as in run-bench.sh,
# and that wrapper gets a row of its own. --keep leaves the work directory
# (bundle, every trace file) in place.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"

runs=30 warmup=3 keep=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --warmup) warmup=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done
[[ $(id -u) -eq 0 ]] || die "run as root: containers need it"
"$repo/scripts/install-deps.sh" --bench </dev/null >&2

build_note="given by \$OCIRT"
if [[ -z ${OCIRT:-} ]]; then
    build=${BUILD_DIR:-build-bench}
    [[ $build = /* ]] || build=$repo/$build
    [[ -f $build/build.ninja ]] || meson setup "$build" "$repo" --buildtype=release >&2
    ninja -C "$build" src/ocirt >&2 || die "building ocirt in $build failed"
    OCIRT=$build/src/ocirt
    build_note="$(meson introspect --buildoptions "$build" |
        python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "buildtype"))') build in $build"
fi
[[ -x $OCIRT ]] || die "no ocirt binary at $OCIRT"

work=$(mktemp -d /tmp/ocirt-trace-bench.XXXXXX)
finish() {
    # A failed iteration may leave its container: remove it with the runtime that made it.
    local rt id
    for rt in ocirt:"$OCIRT" runc:/usr/sbin/runc crun:/usr/bin/crun; do
        for id in "$work/root-${rt%%:*}"/tr-*; do
            [[ -e $id ]] && { "${rt#*:}" --root "$work/root-${rt%%:*}" delete --force "${id##*/}" >/dev/null 2>&1 || true; }
        done
    done
    if [[ $keep == 1 ]]; then note "kept $work"; else rm -rf --one-file-system "$work"; fi
}
trap finish EXIT

"$repo/scripts/make-bundle.sh" --runtime "$OCIRT" "$work/bundle" /bin/true >/dev/null
wrapped=()
[[ $(stat -f -c %T /sys/fs/cgroup) == cgroup2fs ]] || wrapped=(--crun-wrapped)
python3 "$repo/bench/trace_table.py" --ocirt "$OCIRT" --ocirt-build "$build_note" --bundle "$work/bundle" \
    --work "$work" --runs "$runs" --warmup "$warmup" "${wrapped[@]}"
