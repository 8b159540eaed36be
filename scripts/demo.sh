#!/usr/bin/env bash
# Builds ocirt and runs one container that shows, from inside, that it is
# isolated: its hostname, that its shell is PID 1, and its namespaces (the
# host's are printed first to compare). Everything it makes -- the bundle and
# the state root -- lives in a temporary directory that is removed at the end.
#
#   ./scripts/demo.sh            (as root; BUILD_DIR=build by default)
#
# OCIRT=PATH skips the build and uses that binary instead (any runtime with
# runc's command line works, e.g. OCIRT=/usr/sbin/runc).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-build}
[[ $build = /* ]] || build=$repo/$build

if [[ $(id -u) -ne 0 ]]; then
    echo "demo: run as root: creating namespaces and mounts needs it" >&2
    exit 1
fi

if [[ -n ${OCIRT:-} ]]; then
    ocirt=$OCIRT
else
    if [[ ! -f $build/build.ninja ]]; then
        meson setup "$build" "$repo"
    fi
    ninja -C "$build"
    ocirt=$build/src/ocirt
fi

work=$(mktemp -d /tmp/ocirt-demo.XXXXXX)
id=demo-$$
cleanup() {
    "$ocirt" --root "$work/state" delete --force "$id" >/dev/null 2>&1 || true
    rm -rf --one-file-system "$work"
}
trap cleanup EXIT

# The script the container runs; sh's $$ is its own PID, which is 1 in the
# container's new PID namespace.
inside='echo "hostname:   $(hostname)"
echo "pid:        $$"
echo "namespaces:"
for ns in /proc/self/ns/*; do printf "  %-18s %s\n" "${ns##*/}" "$(readlink "$ns")"; done'

"$repo/scripts/make-bundle.sh" --runtime "$ocirt" --hostname ocirt-demo \
    "$work/bundle" sh -c "$inside" >/dev/null

echo "== host"
echo "hostname:   $(hostname)"
echo "pid:        $$"
echo "namespaces:"
for ns in /proc/self/ns/*; do printf "  %-18s %s\n" "${ns##*/}" "$(readlink "$ns")"; done
echo
echo "== container $id ($(basename "$ocirt") run)"
status=0
"$ocirt" --root "$work/state" run --bundle "$work/bundle" "$id" </dev/null || status=$?
echo
echo "demo: container exited with status $status"
exit "$status"
