#!/usr/bin/env bash
# How the cost of one container operation grows with the number of containers
# already there: for each count N (default 10, 100 and 1000) the root is filled
# up to N containers running busybox `sleep`, then one hyperfine run times, for
# ocirt and then Debian's runc, each alone on the host (its N containers and
# none of the other's, which are all deleted before the next runtime fills):
#
#   create    `create` of one more container (its prepare step deletes it again)
#   delete    `delete` of that created container (its prepare step creates it)
#   state     `state` of one of the N
#   list      `list` of the N (the table)
#   list-json `list --format json`
#
# Each create/delete prepare step then pauses (--pause, default 1 s) and waits
# (bench/settle.sh, at most 3 s) for the CPUs to be idle: the kernel finishes a
# deletion in kworkers (the network namespace's cleanup_net, the cgroups'
# offline work: cpuset's sibling walk, memcg's reparenting of every list_lru),
# work that goes on for some 30 ms after `delete` returns (perf, at N=1000) and
# holds locks a create needs. settle.sh alone missed it (a 30 ms burst on one of
# two CPUs is below its 10 % in a 0.1 s window), and the timed create paid for it: the
# growth with N was that overlap, not create's own cost (bench/README.md).
# Before each hyperfine run it waits (at most a minute) for the CPUs to be
# 90 % idle: filling leaves the kernel seconds of clean-up work in kworkers.
# The script prints each mean with its ratio to the smallest count.
#
#   bench/scale.sh [--counts "10 100 1000"] [--runs N] [--warmup N]
#                  [--pause SECONDS] [--created] [--no-runc] [--keep]
#
# --created leaves the N containers created (their init stage waiting for
# `start`) instead of started. Each created runc 1.1 container holds a memfd
# copy of the runc binary (8 MB), so runc is skipped in that mode when the
# memory available is short. --no-runc times ocirt alone. As root. ocirt is
# $OCIRT if set, else a release build in $BUILD_DIR (default build-bench).
# Everything is deleted at the end (also on failure or ^C) and the script checks
# that no container, state directory or cgroup is left. Not a test: CI never
# runs it.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
counts="10 100 1000"
runs=20
warmup=2
pause=1
created_only=0
use_runc=1
keep=0
runc_bin=/usr/sbin/runc
python=/usr/bin/python3
parallel=${PARALLEL:-3}

# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"

while [[ $# -gt 0 ]]; do
    case "$1" in
        --counts) counts=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --warmup) warmup=$2; shift 2 ;;
        --pause) pause=$2; shift 2 ;;
        --created) created_only=1; shift ;;
        --no-runc) use_runc=0; shift ;;
        --keep) keep=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done

[[ $(id -u) -eq 0 ]] || die "run as root: containers need it"
command -v hyperfine >/dev/null || "$repo/scripts/install-deps.sh" --bench </dev/null >&2

ocirt=${OCIRT:-}
if [[ -z $ocirt ]]; then
    build=${BUILD_DIR:-build-bench}
    [[ $build = /* ]] || build=$repo/$build
    { [[ -f $build/build.ninja ]] || meson setup "$build" "$repo" --buildtype=release; } >&2
    ninja -C "$build" src/ocirt >&2
    ocirt=$build/src/ocirt
fi
[[ -x $ocirt ]] || die "no ocirt binary at $ocirt"

max=0
for n in $counts; do
    [[ $n =~ ^[0-9]+$ && $n -gt 0 ]] || die "--counts: $n is not a positive number"
    ((n > max)) && max=$n
done

runtimes=(ocirt)
declare -A binary=([ocirt]=$ocirt [runc]=$runc_bin)
if [[ $use_runc == 1 ]]; then
    if [[ ! -x $runc_bin ]]; then
        note "skipping runc: $runc_bin is missing"
    elif [[ $created_only == 1 ]] &&
        (( $(awk '/^MemAvailable:/ {print $2}' /proc/meminfo) < max * 3 * $(stat -c %s "$runc_bin") / 1024 )); then
        note "skipping runc: $max created runc containers hold a memfd copy of its binary each; too little memory"
    else
        runtimes+=(runc)
    fi
fi

# Processes: each container is one or two (init stage, program) plus what is timed.
need=$((max * 2 * ${#runtimes[@]} + 500))
if (( $(cat /proc/sys/kernel/pid_max) < need )); then die "kernel.pid_max is below the $need processes this needs"; fi
if [[ $(ulimit -u) != unlimited ]] && (( $(ulimit -u) < need )); then die "ulimit -u is below the $need processes this needs"; fi

work=$(mktemp -d /tmp/ocirt-scale.XXXXXX)
prefix="scale$$"
probe="${prefix}-probe"

# delete_all RUNTIME: force-deletes every container under its root.
delete_all() {
    local name=$1 bin=${binary[$1]} root=$work/root-$1
    [[ -d $root ]] || return 0
    # shellcheck disable=SC2016 # the sh -c script expands its own arguments
    "$bin" --root "$root" list -q 2>/dev/null |
        xargs -r -P "$parallel" -n 20 sh -c 'bin=$0 root=$1; shift; for id; do "$bin" --root "$root" delete --force "$id" >/dev/null 2>&1 || echo "bench: delete $id failed" >&2; done' "$bin" "$root" || true
    # Directories list does not show (an interrupted create).
    for state in "$root"/*/; do
        [[ -d $state ]] && "$bin" --root "$root" delete --force "$(basename "$state")" >/dev/null 2>&1
    done
    return 0
}

cleanup() {
    local name left
    for name in "${runtimes[@]}"; do delete_all "$name"; done
    for name in "${runtimes[@]}"; do
        left=$(find "$work/root-$name" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
        [[ $left == 0 ]] || note "$name: $left state directories left in $work/root-$name"
    done
    left=$(find /sys/fs/cgroup -maxdepth 4 -name "$prefix-*" 2>/dev/null | wc -l)
    [[ $left == 0 ]] || note "$left cgroup directories named $prefix-* left under /sys/fs/cgroup"
    if [[ $keep == 1 ]]; then
        note "kept $work"
    else
        rm -rf --one-file-system "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The containers run `sleep`; ocirt writes the config (runc reads it too).
bundle=$work/bundle
"$repo/scripts/make-bundle.sh" --runtime "$ocirt" "$bundle" /bin/sleep 1000000 >/dev/null
for name in "${runtimes[@]}"; do mkdir -p "$work/root-$name"; done

# fill RUNTIME N: creates (and, unless --created, starts) containers until there are N.
fill() {
    local name=$1 n=$2 bin=${binary[$1]} root=$work/root-$1 have
    have=$("$bin" --root "$root" list -q | wc -l)
    ((have < n)) || return 0
    # shellcheck disable=SC2016 # expanded by the sh -c script below
    local start_cmd='"$bin" --root "$root" start "$id"'
    [[ $created_only == 1 ]] && start_cmd=true
    # shellcheck disable=SC2016 # the sh -c script expands its own arguments
    seq -f "$prefix-%05g" "$((have + 1))" "$n" |
        xargs -P "$parallel" -n 10 sh -c 'bin=$0 root=$1 bundle=$2 err=$3/fill.err.$$; shift 3; for id; do
            "$bin" --root "$root" create --bundle "$bundle" "$id" </dev/null >/dev/null 2>"$err" &&
            '"$start_cmd"' </dev/null >/dev/null 2>>"$err" || { echo "bench: $id:" >&2; cat "$err" >&2; exit 255; }
            done; rm -f "$err"' "$bin" "$root" "$bundle" "$work" ||
        die "$name: filling up to $n containers failed"
    have=$("$bin" --root "$root" list -q | wc -l)
    [[ $have == "$n" ]] || die "$name: $have containers instead of $n"
}

# Each runtime alone on the host: its N containers, none of the other's (whose memory
# cgroups, superblocks and tasks the kernel would walk too), then all of them deleted.
# What a prepare step does after its delete: the kernel's clean-up of that deletion ends before
# the timed command starts (see the top of this file).
after_delete="sleep $pause; $repo/bench/settle.sh || true"
for name in "${runtimes[@]}"; do
    bin=${binary[$name]}
    r="$bin --root $work/root-$name"
    one="$prefix-00001"
    for n in $counts; do
        t0=$(date +%s.%N)
        fill "$name" "$n"
        note "$name: $n containers $([[ $created_only == 1 ]] && echo created || echo running) ($(awk "BEGIN {printf \"%.0f\", $(date +%s.%N) - $t0}") s to fill)"
        # -N: no shell around the timed commands (a few ms of noise at this scale); hyperfine's
        # stdin and stdout are /dev/null, which the containers inherit.
        hf_args=(-N --runs "$runs" --warmup "$warmup" --export-json "$work/hyperfine-$name-$n.json" --style basic)
        hf_args+=(--prepare "sh -c '$r delete --force $probe >/dev/null 2>&1; $after_delete'"
            --command-name "$name create" "$r create --bundle $bundle $probe")
        hf_args+=(--prepare "sh -c '$r delete --force $probe >/dev/null 2>&1; $r create --bundle $bundle $probe </dev/null >/dev/null; $after_delete'"
            --command-name "$name delete" "$r delete $probe")
        hf_args+=(--prepare true --command-name "$name state" "$r state $one")
        hf_args+=(--prepare true --command-name "$name list" "$r list")
        hf_args+=(--prepare true --command-name "$name list-json" "$r list --format json")
        wait_quiet 60
        echo "== $name, N=$n: hyperfine, $runs runs (+$warmup warm-up) of each" >&2
        hyperfine "${hf_args[@]}" </dev/null >/dev/null
        "$bin" --root "$work/root-$name" delete --force "$probe" >/dev/null 2>&1 || true
        # Sanity: list shows exactly the N.
        have=$("$bin" --root "$work/root-$name" list -q | wc -l)
        [[ $have == "$n" ]] || note "$name: list shows $have containers after the N=$n run, not $n"
    done
    delete_all "$name"
done

echo
echo "ocirt scale bench: cost of one operation with N containers already $([[ $created_only == 1 ]] && echo "created (not started)" || echo "running busybox sleep")"
echo "host: $(uname -sr), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); cgroups: $(stat -f -c %T /sys/fs/cgroup) at /sys/fs/cgroup"
for name in "${runtimes[@]}"; do
    case $name in
        ocirt) version=$("$ocirt" --version 2>/dev/null | head -1 || true) ;;
        runc) version=$("$runc_bin" --version | head -1) ;;
    esac
    echo "  $name: ${binary[$name]} (${version:-version unknown})"
done
echo "  $runs runs (+$warmup warm-up) per cell, one hyperfine run per runtime and N, each runtime alone on the host;"
echo "  create/delete prepare steps pause ${pause} s and wait for idle CPUs before the timed command;"
echo "  ratio = mean / mean at N=${counts%% *}"
echo
# shellcheck disable=SC2086
"$python" - "$work" "${runtimes[*]}" $counts <<'EOF'
import json, sys

work, runtimes, counts = sys.argv[1], sys.argv[2].split(), sys.argv[3:]
wall, cpu, names = {}, {}, []
for name, n in [(name, n) for name in runtimes for n in counts]:
    with open(f"{work}/hyperfine-{name}-{n}.json") as f:
        for r in json.load(f)["results"]:
            wall[(r["command"], n)] = (r["mean"] * 1000, (r["stddev"] or 0) * 1000)
            cpu[(r["command"], n)] = ((r["user"] + r["system"]) * 1000, None)
            if r["command"] not in names:
                names.append(r["command"])

def table(title, cells):
    base = counts[0]
    header = [title] + [f"N={n} ms" for n in counts] + [f"x N={n}" for n in counts[1:]]
    rows = []
    for name in names:
        row = [name]
        for n in counts:
            mean, sd = cells[(name, n)]
            row.append(f"{mean:.1f}" + (f" ±{sd:.1f}" if sd is not None else ""))
        row += [f"{cells[(name, n)][0] / cells[(name, base)][0]:.2f}" for n in counts[1:]]
        rows.append(row)
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    for row in [header] + rows:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))

table("wall time", wall)
print()
table("CPU (user+sys)", cpu)
EOF
