#!/usr/bin/env bash
# The cost of a container's cgroup: times `ocirt run` of /bin/true in three
# configs in one hyperfine run, and prints the differences.
#
#   bench/cgroup-setup.sh [--runs N] [--warmup N] [--keep]
#
#   devices-only   the `ocirt spec` default: a cgroup (/ocirt/<id>) and the eBPF
#                  device filter, no limits
#   many-rules     the default plus 64 device rules (a longer eBPF program)
#   limits         the default plus every limit this host's cgroup2 offers a
#                  controller for (memory, pids, cpu, cpuset, io weight,
#                  hugetlb 2MB), so controllers are enabled in the parents
#                  and each file is written
#
# As root, with hyperfine. ocirt is $OCIRT if set, else build/src/ocirt of
# this tree. Not a test: run on demand. Each iteration uses a fresh container
# ID ($$ of hyperfine's shell) and deletes it (`run` without --detach does).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=50
warmup=5
keep=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --warmup) warmup=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "usage: $0 [--runs N] [--warmup N] [--keep]" >&2; exit 2 ;;
    esac
done
[[ $(id -u) -eq 0 ]] || { echo "bench: run as root" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "bench: hyperfine missing (scripts/install-deps.sh --bench)" >&2; exit 1; }
ocirt=${OCIRT:-$repo/build/src/ocirt}
[[ -x $ocirt ]] || { echo "bench: no ocirt at $ocirt (build it, or set OCIRT)" >&2; exit 1; }

work=$(mktemp -d /tmp/ocirt-cgbench.XXXXXX)
cleanup() {
    for state in "$work"/root/*/; do
        [[ -d $state ]] && "$ocirt" --root "$work/root" delete --force "$(basename "$state")" >/dev/null 2>&1
    done
    if [[ $keep == 1 ]]; then echo "bench: kept $work" >&2; else rm -rf --one-file-system "$work"; fi
}
trap cleanup EXIT

"$repo/scripts/make-bundle.sh" --runtime "$ocirt" "$work/base" /bin/true >/dev/null
# The cgroup2 mount ocirt will use, and what it offers.
cgroot=$(awk '$(NF-2) == "cgroup2" || $9 == "cgroup2" {print $5}' /proc/self/mountinfo | tail -1)
controllers=$(cat "$cgroot/cgroup.controllers")
echo "bench: cgroup2 at $cgroot offers: ${controllers:-nothing}" >&2

/usr/bin/python3 - "$work" "$controllers" <<'PY'
import json, os, shutil, sys
work, controllers = sys.argv[1], set(sys.argv[2].split())
base = json.load(open(f"{work}/base/config.json"))
def variant(name, edit):
    cfg = json.loads(json.dumps(base))
    edit(cfg)
    os.makedirs(f"{work}/{name}", exist_ok=True)
    if not os.path.exists(f"{work}/{name}/rootfs"):
        os.symlink(f"{work}/base/rootfs", f"{work}/{name}/rootfs")
    json.dump(cfg, open(f"{work}/{name}/config.json", "w"))
def many_rules(cfg):
    rules = cfg["linux"]["resources"]["devices"]
    rules += [{"allow": True, "type": "c", "major": 200, "minor": i, "access": "rw"} for i in range(64)]
def limits(cfg):
    r = cfg["linux"].setdefault("resources", {})
    if "memory" in controllers: r["memory"] = {"limit": 256 << 20, "reservation": 64 << 20}
    if "pids" in controllers: r["pids"] = {"limit": 1024}
    cpu = {}
    if "cpu" in controllers: cpu.update(shares=512, quota=50000, period=100000)
    if "cpuset" in controllers: cpu.update(cpus="0")
    if cpu: r["cpu"] = cpu
    if "io" in controllers: r["blockIO"] = {"weight": 500}
    if "hugetlb" in controllers and os.path.exists("/sys/kernel/mm/hugepages/hugepages-2048kB"):
        r["hugepageLimits"] = [{"pageSize": "2MB", "limit": 8 << 21}]
    print("bench: limits variant sets " + ", ".join(sorted(r)), file=sys.stderr)
variant("devices-only", lambda cfg: None)
variant("many-rules", many_rules)
variant("limits", limits)
PY

cmds=()
for v in devices-only many-rules limits; do
    # A trial run first: a config this host refuses is reported, not timed.
    if ! "$ocirt" --root "$work/root" run --bundle "$work/$v" "trial-$v" >"$work/$v.trial" 2>&1; then
        echo "bench: $v fails here, skipped:" >&2; cat "$work/$v.trial" >&2; continue
    fi
    cmds+=(-n "$v" "$ocirt --root $work/root run --bundle $work/$v $v-\$\$")
done
hyperfine --runs "$runs" --warmup "$warmup" --style basic --export-json "$work/hyperfine.json" "${cmds[@]}" </dev/null >&2

/usr/bin/python3 - "$work/hyperfine.json" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
print(f"{'config':<14} {'mean ms':>9} {'± ms':>7} {'user ms':>8} {'sys ms':>8}")
for name, r in res.items():
    print(f"{name:<14} {r['mean']*1e3:9.2f} {r['stddev']*1e3:7.2f} {r['user']*1e3:8.2f} {r['system']*1e3:8.2f}")
if "limits" in res and "devices-only" in res:
    print(f"limits - devices-only: {(res['limits']['mean'] - res['devices-only']['mean'])*1e3:+.2f} ms")
PY
