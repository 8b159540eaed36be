#!/usr/bin/env bash
# Times `RUNTIME run` of /bin/true in a busybox bundle for ocirt, Debian's runc
# and Debian's crun in R rounds of hyperfine (default 5; the commands' order
# reversed every other round, each row's times merged), then measures each
# runtime's peak RSS with GNU time, and prints a summary table. Not a test: CI
# never runs it.
#
#   bench/run-bench.sh [--runs N] [--rounds R] [--warmup N] [--rss-runs N] [--keep]
#
# As root. Installs hyperfine, runc, crun and time if missing. ocirt is
# $OCIRT if set, else built in release mode in $BUILD_DIR (default
# build-bench). All three runtimes run the same bundle, whose config.json
# comes from `ocirt spec` (from `runc spec` if ocirt cannot make one), each
# with its own --root and a fresh container ID per iteration. A runtime whose
# binary is missing or whose trial run fails is skipped, and the script says
# why. --keep leaves the work directory (bundle, hyperfine JSON) in place.
#
# crun: Debian's crun 1.8.1 refuses hosts whose cgroups are a v1/v2 hybrid
# and fails there while raising RLIMIT_MEMLOCK. On such a host (detected: no
# cgroup2 at /sys/fs/cgroup) it runs inside a private mount namespace with
# cgroup2 mounted on /sys/fs/cgroup and --cgroup-manager=disabled. The wrapper
# (unshare + two mounts) is timed alone as an extra row so its cost can be
# subtracted; crun then also does no cgroup work, which runc and ocirt do.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=30
rounds=5
warmup=3
rss_runs=10
keep=0
runc_bin=/usr/sbin/runc
crun_bin=/usr/bin/crun
gnu_time=/usr/bin/time
python=/usr/bin/python3

# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"

while [[ $# -gt 0 ]]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --warmup) warmup=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --rss-runs) rss_runs=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done

[[ $(id -u) -eq 0 ]] || die "run as root: containers need it"
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "--rounds wants a count of 1 or more, not '$rounds'"
"$repo/scripts/install-deps.sh" --bench </dev/null >&2

# ---- ocirt: given, or a release build of this tree.
ocirt=${OCIRT:-}
if [[ -z $ocirt ]]; then
    build=${BUILD_DIR:-build-bench}
    [[ $build = /* ]] || build=$repo/$build
    if { [[ -f $build/build.ninja ]] || meson setup "$build" "$repo" --buildtype=release; } >&2 \
        && ninja -C "$build" src/ocirt >&2; then
        ocirt=$build/src/ocirt
    else
        note "building ocirt failed; ocirt will be skipped"
        ocirt=$build/src/ocirt
    fi
fi

work=$(mktemp -d /tmp/ocirt-bench.XXXXXX)
cleanup() {
    local name
    for name in ocirt runc crun; do
        [[ -d $work/root-$name ]] || continue
        # Whatever a failed iteration left behind.
        for state in "$work/root-$name"/*/; do
            [[ -d $state ]] || continue
            case $name in
                ocirt) "$ocirt" --root "$work/root-ocirt" delete --force "$(basename "$state")" ;;
                runc) "$runc_bin" --root "$work/root-runc" delete --force "$(basename "$state")" ;;
                crun) "$crun_bin" --root "$work/root-crun" delete --force "$(basename "$state")" ;;
            esac
        done >/dev/null 2>&1 || true
    done
    if [[ $keep == 1 ]]; then
        note "kept $work"
    else
        rm -rf --one-file-system "$work"
    fi
}
trap cleanup EXIT

# ---- The bundle, shared by every runtime.
bundle=$work/bundle
config_from=
if [[ -x $ocirt ]] && "$repo/scripts/make-bundle.sh" --runtime "$ocirt" "$bundle" /bin/true >/dev/null 2>"$work/spec.err"; then
    config_from="ocirt spec"
elif [[ -x $runc_bin ]] && "$repo/scripts/make-bundle.sh" --runtime "$runc_bin" "$bundle" /bin/true >/dev/null 2>"$work/spec.err"; then
    config_from="runc spec"
    note "ocirt spec unavailable; the bundle's config comes from runc spec"
else
    cat "$work/spec.err" >&2
    die "no runtime could write a config.json"
fi

# Debian's crun 1.8.1 rejects any ociVersion it does not know ("unknown version
# specified"), such as 1.3.0. It gets its own config.json, identical except for
# ociVersion 1.0.2, whose root.path is the shared rootfs.
bundle_crun=$work/bundle-crun
crun_version_note=
mkdir -p "$bundle_crun"
crun_version_note=$("$python" - "$bundle/config.json" "$bundle_crun/config.json" "$bundle/rootfs" <<'EOF'
import json, sys

src, dst, rootfs = sys.argv[1:]
with open(src) as f:
    config = json.load(f)
old = config.get("ociVersion", "")
config["root"]["path"] = rootfs
if not old.startswith("1.0."):
    config["ociVersion"] = "1.0.2"
    print(f"crun's config says ociVersion 1.0.2 instead of {old} (crun 1.8.1 refuses newer); nothing else differs")
with open(dst, "w") as f:
    json.dump(config, f, indent=2)
EOF
)

# Variants of the bundle, each sharing the rootfs (bundle-<variant> for ocirt and
# runc, bundle-<variant>-crun with ociVersion 1.0.2 for crun):
#   nocg:   the `ocirt spec` config without linux.cgroupsPath and linux.resources,
#           run by ocirt with --cgroup-manager=disabled (the like-for-like row
#           against crun, which runs with no cgroup work here);
#   podman: podman 4.3's full config ($PODMAN_CONFIG, default
#           ../shared/data/podman-4.3-config.json): its seccomp profile of 434
#           syscalls, masked and read-only paths, rlimits; root.path is the busybox
#           rootfs, args /bin/true, the bind mounts of podman's own host files
#           (/run/.containerenv, /etc/hostname, /etc/hosts) dropped, no
#           cgroupsPath (each runtime's default cgroup for the container ID) and
#           its rlimits clamped to this host's hard limits.
podman_config=${PODMAN_CONFIG:-$repo/../shared/data/podman-4.3-config.json}
variants=(nocg)
if [[ -f $podman_config ]]; then
    variants+=(podman)
else
    note "no $podman_config: the podman rows are skipped"
fi
for variant in "${variants[@]}"; do
    mkdir -p "$work/bundle-$variant" "$work/bundle-$variant-crun"
    "$python" - "$variant" "$bundle/config.json" "$podman_config" "$bundle/rootfs" \
        "$work/bundle-$variant/config.json" "$work/bundle-$variant-crun/config.json" <<'EOF2'
import json, sys

variant, base, podman, rootfs, dst, dst_crun = sys.argv[1:]
with open(podman if variant == "podman" else base) as f:
    config = json.load(f)
config["root"] = {"path": rootfs, "readonly": config.get("root", {}).get("readonly", False)}
linux = config.setdefault("linux", {})
linux.pop("cgroupsPath", None)
if variant == "nocg":
    linux.pop("resources", None)
else:
    config["process"]["args"] = ["/bin/true"]
    config["process"]["terminal"] = False
    # podman's rlimits are its host's; none may exceed this host's hard limits
    # (CAP_SYS_RESOURCE may be missing, as podman's containers.conf must say here too).
    import resource
    for rl in config["process"].get("rlimits", []):
        res = getattr(resource, rl["type"], None)
        if res is None:
            continue
        hard = resource.getrlimit(res)[1]
        if hard != resource.RLIM_INFINITY:
            rl["hard"] = min(rl["hard"], hard)
            rl["soft"] = min(rl["soft"], rl["hard"])
    config["mounts"] = [m for m in config["mounts"]
                        if m.get("type") != "bind" or not m["source"].startswith(("/var/", "/run/"))]
with open(dst, "w") as f:
    json.dump(config, f, indent=2)
if not config.get("ociVersion", "").startswith("1.0."):
    config["ociVersion"] = "1.0.2"
with open(dst_crun, "w") as f:
    json.dump(config, f, indent=2)
EOF2
done

# On a hybrid or v1 host crun needs its own mount namespace with cgroup2.
crun_wrapped=0
if [[ $(stat -f -c %T /sys/fs/cgroup) != cgroup2fs ]]; then
    crun_wrapped=1
fi
wrap_prefix='unshare -m sh -c '\''mount --make-rprivate / && mount -t cgroup2 none /sys/fs/cgroup && exec'

# command_for NAME ID [PREFIX] [VARIANT] [FORM]: the shell command that runs the
# bundle once. ID may contain $$ (expanded by the shell hyperfine starts per
# iteration). VARIANT: "" (the `ocirt spec` bundle), nocg or podman. FORM: run
# (one `run`) or csd (`create`, `start`, `delete --force` as three processes, the
# way containerd drives a runtime; the container's stdio goes to /dev/null).
command_for() {
    local name=$1 id=$2 pre=${3:-} variant=${4:-} form=${5:-run}
    local b=$bundle bc=$bundle_crun bin args
    if [[ -n $variant ]]; then b=$work/bundle-$variant; bc=$work/bundle-$variant-crun; fi
    case $name in
        ocirt) bin="$ocirt --root $work/root-ocirt"
               # like for like with crun's --cgroup-manager=disabled: no cgroup at all
               [[ $variant == nocg ]] && bin="$ocirt --cgroup-manager=disabled --root $work/root-ocirt" ;;
        runc) bin="$runc_bin --root $work/root-runc" ;;
        crun) bin="$crun_bin --root $work/root-crun"; b=$bc
              [[ $crun_wrapped == 1 ]] && bin="$crun_bin --cgroup-manager=disabled --root $work/root-crun" ;;
    esac
    if [[ $form == csd ]]; then
        args="$pre$bin create --bundle $b $id </dev/null >/dev/null 2>&1 && $pre$bin start $id && $pre$bin delete --force $id"
    else
        args="$pre$bin run --bundle $b $id"
    fi
    if [[ $name == crun && $crun_wrapped == 1 ]]; then
        echo "$wrap_prefix $args'"
    else
        echo "$args"
    fi
}

# ---- Trial run of each runtime; skip the ones that cannot run the bundle.
declare -A binary=([ocirt]=$ocirt [runc]=$runc_bin [crun]=$crun_bin)
active=()
for name in ocirt runc crun; do
    if [[ ! -x ${binary[$name]} ]]; then
        note "skipping $name: ${binary[$name]} is missing"
        continue
    fi
    mkdir -p "$work/root-$name"
    if timeout 60 sh -c "$(command_for "$name" "trial-$name")" </dev/null >"$work/trial-$name.out" 2>&1; then
        active+=("$name")
    else
        note "skipping $name: its trial run failed:"
        tail -n 5 "$work/trial-$name.out" | sed 's/^/    /' >&2
    fi
done
[[ ${#active[@]} -gt 0 ]] || die "no runtime could run the bundle"

# ---- Hyperfine over every active runtime, in rounds. hyperfine times each
# command's runs back to back, so with one round a row is measured minutes
# after another: on a shared machine whose speed drifts (this one's user-space
# parse of a config varied 0.6 to 0.9 ms within an hour) the ratios then
# compare different moments. --rounds R splits the runs into R hyperfine runs,
# the commands in forward order in one round and reversed in the next; the
# summary merges each command's times from every round.
rows=()
row_cmds=()
add_row() { rows+=("$1"); row_cmds+=("$2"); }
# $$ is the PID of the shell hyperfine starts for each iteration: a fresh
# container ID every time; `run` deletes the container when it exits.
# Rows: NAME (the spec bundle), NAME-nocg, NAME-podman, NAME-csd, ocirt-nocg-csd.
for name in "${active[@]}"; do
    add_row "$name" "$(command_for "$name" "bench-$name-\$\$")"
done
for variant in "${variants[@]}"; do
    for name in "${active[@]}"; do
        [[ $variant == nocg && $name != ocirt ]] && continue  # crun has no cgroup anyway; runc's nocg is not asked for
        add_row "$name-$variant" "$(command_for "$name" "bench-$name-$variant-\$\$" "" "$variant")"
    done
done
for name in "${active[@]}"; do
    add_row "$name-csd" "$(command_for "$name" "bench-$name-csd-\$\$" "" "" csd)"
done
# The three-process form like for like with crun: no cgroup, as crun does none here.
if [[ " ${active[*]} " == *" ocirt "* ]]; then
    add_row "ocirt-nocg-csd" "$(command_for ocirt "bench-ocirt-nocg-csd-\$\$" "" nocg csd)"
fi
if [[ " ${active[*]} " == *" crun "* && $crun_wrapped == 1 ]]; then
    add_row "crun-wrapper" "$wrap_prefix true'"
fi
per_round=$(((runs + rounds - 1) / rounds))
for ((round = 0; round < rounds; round++)); do
    hf_args=(--runs "$per_round" --warmup "$warmup" --export-json "$work/hyperfine-$round.json" --style basic)
    for ((k = 0; k < ${#rows[@]}; k++)); do
        i=$k
        ((round % 2 == 1)) && i=$((${#rows[@]} - 1 - k))
        hf_args+=(--command-name "${rows[$i]}" "${row_cmds[$i]}")
    done
    echo "== hyperfine, round $((round + 1)) of $rounds: $per_round runs (+$warmup warm-up) of each" >&2
    hyperfine "${hf_args[@]}" </dev/null >&2
done

# ---- Peak RSS: ru_maxrss from wait4, as GNU time reports it (KiB). It is the
# largest single process among the runtime and the descendants it waited for
# (for example runc's `runc init`), not their sum.
for name in "${active[@]}"; do
    : > "$work/rss-$name"
    for ((i = 0; i < rss_runs; i++)); do
        cmd=$(command_for "$name" "rss-$name-$i" "$gnu_time -f %M -a -o $work/rss-$name ")
        sh -c "$cmd" </dev/null >/dev/null 2>&1 || note "$name: an RSS run failed"
    done
done

# ---- Summary.
echo
echo "ocirt bench: \`RUNTIME run\` of /bin/true, busybox bundle, config from $config_from"
echo "host: $(uname -sr), $(nproc) CPUs; cgroups: $(stat -f -c %T /sys/fs/cgroup) at /sys/fs/cgroup"
for name in "${active[@]}"; do
    case $name in
        ocirt) version=$("$ocirt" --version 2>/dev/null | head -1 || true) ;;
        runc) version=$("$runc_bin" --version | head -1) ;;
        crun) version=$("$crun_bin" --version | head -1) ;;
    esac
    echo "  $name: ${binary[$name]} (${version:-version unknown})"
done
echo
"$python" - "$work" "$rounds" "${active[@]}" <<'EOF'
import json, statistics, sys

work, rounds, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
# Each command's times from every round, merged.
times = {}
for k in range(rounds):
    with open(f"{work}/hyperfine-{k}.json") as f:
        for r in json.load(f)["results"]:
            times.setdefault(r["command"], []).extend(r["times"])
results = {c: {"mean": statistics.mean(t), "stddev": statistics.stdev(t) if len(t) > 1 else 0,
               "min": min(t), "max": max(t)} for c, t in times.items()}

def rss(name):
    try:
        with open(f"{work}/rss-{name}") as f:
            kib = [int(l) for l in f if l.strip().isdigit()]
    except FileNotFoundError:
        return "-", "-"
    if not kib:
        return "-", "-"
    return f"{statistics.median(kib) / 1024:.1f}", f"{max(kib) / 1024:.1f}"

def ratio(name, other):
    """An ocirt row's mean over `other`'s row of the same kind (ocirt-nocg: other's plain row)."""
    if not name.startswith("ocirt"):
        return "-"
    suffix = name[len("ocirt"):]
    # ocirt-nocg is like for like with the plain rows, ocirt-nocg-csd with the -csd ones.
    peer = results.get(other + suffix.replace("-nocg", "", 1))
    if peer is None or name not in results:
        return "-"
    return f"{results[name]['mean'] / peer['mean']:.2f}"

header = ("row", "mean ms", "± ms", "min ms", "max ms", "RSS med MiB", "RSS max MiB", "÷ crun", "÷ runc")
rows = []
for name in names + [n for n in results if n not in names]:
    r = results.get(name)
    if r is None:
        continue
    med, top = rss(name) if name in names else ("-", "-")
    rows.append((name, f"{r['mean'] * 1000:.1f}", f"{(r['stddev'] or 0) * 1000:.1f}",
                 f"{r['min'] * 1000:.1f}", f"{r['max'] * 1000:.1f}", med, top,
                 ratio(name, "crun"), ratio(name, "runc")))
widths = [max(len(str(row[i])) for row in [header] + rows) for i in range(len(header))]
for row in [header] + rows:
    print("  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(row, widths))))
EOF
if [[ " ${active[*]} " == *" crun "* && -n $crun_version_note ]]; then
    echo
    echo "note: $crun_version_note"
fi
if [[ " ${active[*]} " == *" crun "* && $crun_wrapped == 1 ]]; then
    echo
    echo "note: cgroups here are not pure v2, which Debian's crun $("$crun_bin" --version | sed -n 's/^crun version //p') refuses;"
    echo "      crun ran inside 'unshare -m' with cgroup2 mounted on /sys/fs/cgroup and"
    echo "      --cgroup-manager=disabled (no cgroup work). Its time includes that wrapper,"
    echo "      timed alone in the crun-wrapper row; its RSS is crun's own."
fi
