#!/usr/bin/env bash
# Times `ocirt run` of /bin/true with podman 4.3's seccomp profile (434 syscalls) with a cold
# filter cache (emptied before every run, so libseccomp compiles the profile each time) and a
# warm one (the compiled BPF is read from <root>/seccomp-cache), next to the same bundle
# without seccomp and runc with the profile, in one hyperfine run. Not a test: CI never runs it.
#
#   bench/seccomp-cache.sh [--runs N] [--warmup N] [--keep]
#
# As root. ocirt is $OCIRT if set, else build/src/ocirt of this tree (build it first). The
# profile is linux.seccomp of $PODMAN_CONFIG (default /work/shared/data/podman-4.3-config.json).
# runc is $RUNC (default /usr/sbin/runc); it is skipped, with the reason, if missing or failing.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=30
warmup=3
keep=0
ocirt=${OCIRT:-$repo/build/src/ocirt}
runc_bin=${RUNC:-/usr/sbin/runc}
podman_config=${PODMAN_CONFIG:-/work/shared/data/podman-4.3-config.json}

# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"

while [[ $# -gt 0 ]]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --warmup) warmup=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done

[[ $(id -u) -eq 0 ]] || die "run as root"
command -v hyperfine >/dev/null || die "hyperfine missing (scripts/install-deps.sh --bench)"
[[ -x $ocirt ]] || die "no ocirt at $ocirt (build it, or set OCIRT)"
[[ -r $podman_config ]] || die "no podman config at $podman_config"

work=$(mktemp -d /tmp/ocirt-seccomp-bench.XXXXXX)
cleanup() { [[ $keep -eq 1 ]] && note "kept $work" || rm -rf "$work"; }
trap cleanup EXIT

plain=$work/plain
filtered=$work/seccomp
"$repo/scripts/make-bundle.sh" --runtime "$ocirt" "$plain" /bin/true >/dev/null
"$repo/scripts/make-bundle.sh" --runtime "$ocirt" "$filtered" /bin/true >/dev/null
/usr/bin/python3 - "$filtered/config.json" "$podman_config" <<'PY'
import json, sys
path, podman = sys.argv[1], sys.argv[2]
config = json.load(open(path))
config["linux"]["seccomp"] = json.load(open(podman))["linux"]["seccomp"]
json.dump(config, open(path, "w"), indent=2)
PY
rules=$(/usr/bin/python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["linux"]["seccomp"]; print(sum(len(r["names"]) for r in s["syscalls"]))' "$podman_config")
note "profile: $rules syscall names from $podman_config"

# `run` deletes the container when it exits; $$ gives each iteration its own ID.
cold="sh -c 'rm -rf $work/root-cold/seccomp-cache; exec $ocirt --root $work/root-cold run --bundle $filtered c\$\$'"
warm="sh -c 'exec $ocirt --root $work/root-warm run --bundle $filtered c\$\$'"
none="sh -c 'exec $ocirt --root $work/root-none run --bundle $plain c\$\$'"
commands=(-n "ocirt, cold cache" "$cold" -n "ocirt, warm cache" "$warm" -n "ocirt, no seccomp" "$none")

if [[ -x $runc_bin ]] && "$runc_bin" --root "$work/root-runc" run --bundle "$filtered" trial >/dev/null 2>"$work/runc.err"; then
    commands+=(-n "runc $("$runc_bin" --version | head -1 | awk '{print $3}')"
               "sh -c 'exec $runc_bin --root $work/root-runc run --bundle $filtered c\$\$'")
else
    note "runc skipped: $( [[ -x $runc_bin ]] && head -1 "$work/runc.err" || echo "no $runc_bin")"
fi

hyperfine --runs "$runs" --warmup "$warmup" --export-json "$work/hyperfine.json" "${commands[@]}"
ls "$work/root-warm/seccomp-cache" | sed 's/^/bench: cache entry: /' >&2
