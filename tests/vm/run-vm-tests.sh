#!/usr/bin/env bash
# The VM lane: runs the cgroup integration tests, and the client lane's limit
# scenarios, on a real cgroup v2 kernel.
#
#   run-vm-tests.sh [--work-dir DIR] [--clients] OCIRT PROBE CONSOLE_RECEIVER [pytest args...]
#   run-vm-tests.sh [--work-dir DIR] --shell
#   run-vm-tests.sh [--work-dir DIR] --systemd OCIRT PROBE CONSOLE_RECEIVER [pytest args...]
#   run-vm-tests.sh [--work-dir DIR] --legacy OCIRT PROBE CONSOLE_RECEIVER [pytest args...]
#
# --legacy boots a pure cgroup v1 host instead: no cgroup_no_v1, and
# guest-init.sh mounts every v1 controller's hierarchy (and name=systemd) on a
# tmpfs at /sys/fs/cgroup, no cgroup2. The test_v1_* modules need it.
#
# --systemd boots with systemd as PID 1 (Debian's, from the shared host root)
# and the system bus; systemd runs the same job as a service
# (systemd-init.sh). The systemd cgroup driver's tests need it.
#
# --shell boots the same VM with an interactive shell on the console instead
# of the tests (no timeout; leave the shell to power off).
#
# Boots Debian's own amd64 kernel (fetched as a package file and unpacked,
# never installed: fetch-kernel.sh) under qemu with TCG and cgroup_no_v1=all,
# from a small initramfs of static busybox and the 9p/virtio modules
# (make_initramfs.py, guest-init.sh). The guest sees this machine's filesystem
# read-only over virtio-9p, so python3, pytest, the built ocirt, the probe,
# busybox and containerd are used where they are, under an overlay that keeps
# writes in guest memory, with a fresh /run; a 64 MiB virtio disk (/dev/vda)
# gives io.max and io.weight a real block device.
#
# One boot runs phases in turn (guest-run.sh), each with its own log and
# status in the job dir:
#   pytest   tests/integration/run_suite.py with OCIRT_CGROUP_LANE=vm and the
#            pytest args (the meson test passes tests/integration/cgroup);
#   clients  with --clients: tests/clients/run_clients.py --vm, containerd's
#            ctr driving ocirt and runc through the limit scenarios
#            (docs/clients.md).
#
# The output comes back over the serial console (shown live) and the job dir
# DIR/job, shared writable with the guest: phases (what ran), NAME.log and
# NAME.status per phase, junit.xml (pytest), status (written last). At the
# end one line per phase gives its exit status and summary; the last line
# sums the cases of every phase ("N passed, N failed, N skipped in S s").
#
# Exit status: 0 every phase passed, 1 a failure (a phase, or a VM that did
# not report, or ran past OCIRT_VM_TIMEOUT), 77 skipped (no qemu, no static
# busybox, no kernel package to be had, a phase that skipped), with the
# reason; with CI=true, as CI runs, those reasons fail instead, so that a lane
# that cannot run is never counted green.
#
# Environment:
#   OCIRT_VM_CACHE    where kernel packages are kept, unpacked
#                     (default /var/cache/ocirt-vm as root, else ~/.cache/ocirt-vm)
#   OCIRT_VM_TIMEOUT  seconds before the VM is killed (default 2400)
#   OCIRT_VM_MEMORY   guest memory in MiB (default 1024)
#   OCIRT_VM_APPEND   extra kernel command line
#   OCIRT_VM_KERNEL_PACKAGE  pin the kernel package (see fetch-kernel.sh)
#   OCIRT_VM_QEMU     the qemu binary (default: qemu-system-x86_64 on PATH)
set -euo pipefail

SKIP=77
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_root=$(cd "$here/../.." && pwd)

work=
shell=0
clients=0
systemd=0
legacy=0
while [[ ${1:-} == --* ]]; do
    case $1 in
        --work-dir) work=${2:?--work-dir needs a directory}; shift 2 ;;
        --shell) shell=1; shift ;;
        --clients) clients=1; shift ;;
        --systemd) systemd=1; shift ;;
        --legacy) legacy=1; shift ;;
        *) echo "run-vm-tests.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
abs() { realpath -e -- "$1"; }
if [[ $shell == 0 ]]; then
    if [[ $# -lt 3 ]]; then
        sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"
        exit 2
    fi
    ocirt=$(abs "$1") probe=$(abs "$2") console_receiver=$(abs "$3")
    shift 3
fi

say() { echo "vm: $*"; }
# In CI (CI=true) the lane must run: what would be a skip elsewhere fails.
skip() {
    if [[ ${CI:-} == true ]]; then
        say "FAIL (CI=true, where this lane must run): $*"
        exit 1
    fi
    say "SKIP: $*"
    exit $SKIP
}

qemu=${OCIRT_VM_QEMU:-$(command -v qemu-system-x86_64 || true)}
[[ -n $qemu && -x $qemu ]] ||
    skip "qemu-system-x86_64 is missing (apt-get install -y qemu-system-x86)"
busybox=/bin/busybox
[[ -x $busybox ]] || skip "no static busybox at $busybox (apt-get install -y busybox-static)"
[[ -x /usr/bin/python3 ]] || skip "no /usr/bin/python3"

if [[ -z ${OCIRT_VM_CACHE:-} ]]; then
    if [[ $(id -u) -eq 0 ]]; then
        OCIRT_VM_CACHE=/var/cache/ocirt-vm
    else
        OCIRT_VM_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/ocirt-vm
    fi
fi
timeout_seconds=${OCIRT_VM_TIMEOUT:-2400}
memory=${OCIRT_VM_MEMORY:-1024}
if [[ -z $work ]]; then
    work=$(mktemp -d "${TMPDIR:-/tmp}/ocirt-vm.XXXXXX")
fi
mkdir -p "$work"
work=$(abs "$work")

started=$(date +%s)

rc=0
kernel_dir=$("$here/fetch-kernel.sh" "$OCIRT_VM_CACHE") || rc=$?
if [[ $rc -eq $SKIP ]]; then
    skip "no Debian kernel package could be fetched (see the fetch-kernel line above)"
elif [[ $rc -ne 0 ]]; then
    say "fetching the kernel failed"
    exit 1
fi
kernel=$kernel_dir/vmlinux
if [[ ! -f $kernel ]]; then
    kernel=$(compgen -G "$kernel_dir/boot/vmlinuz-*" | head -n 1)
fi

# The modules the guest needs that Debian builds as modules (the rest is built
# in: serial console, tmpfs, devtmpfs, every cgroup v2 controller, BPF); veth
# is for the netDevices tests when the whole integration suite runs inside;
# the sock_diag modules, iptables's (nf_tables, nft_compat, xt_mark) and
# nf_conntrack_netlink (CRIU dumps a network namespace's conntrack table) are
# what CRIU needs to dump a container (test_checkpoint.py, docs/checkpoint.md).
# loop gives /dev/loop-control, the device the v1 devices tests bind in.
modules=(virtio_pci virtio_blk virtio_rng 9pnet_virtio 9p overlay bfq veth
         unix_diag inet_diag tcp_diag udp_diag raw_diag netlink_diag af_packet_diag
         crc32c_generic nf_tables nft_compat xt_mark nf_conntrack_netlink loop)
/usr/bin/python3 "$here/make_initramfs.py" "$kernel_dir" "$busybox" "$here/guest-init.sh" \
    "$work/initrd.img" "${modules[@]}"

rm -f "$work/disk.img"
truncate -s 64M "$work/disk.img"

job=$work/job
rm -rf "$job"
mkdir -p "$job"
guest_job=/run/ocirt-vm/job  # where guest-init.sh mounts the job share
# One phase a line: its name and a shell command line (guest-run.sh).
phase() {
    local name=$1
    shift
    printf '%s' "$name"
    printf ' %q' "$@"
    echo
}
if [[ $shell == 0 ]]; then
    {
        phase pytest /usr/bin/python3 "$source_root/tests/integration/run_suite.py" \
            "$ocirt" "$probe" "$console_receiver" "$@" "--junitxml=$guest_job/junit.xml"
        if [[ $clients == 1 ]]; then
            phase clients /usr/bin/python3 "$source_root/tests/clients/run_clients.py" --vm "$ocirt"
        fi
    } >"$job/phases"
fi
{
    echo "# Written by run-vm-tests.sh; guest-init.sh runs it after switch_root."
    # The same working directory as here, so relative test paths mean the same.
    printf 'cd %q 2>/dev/null || cd /\n' "$PWD"
    # CI=true reaches the phases: a lane that cannot run inside fails there too.
    if [[ ${CI:-} == true ]]; then
        echo "export CI=true"
    fi
    if [[ $shell == 1 ]]; then
        printf 'exec /bin/busybox sh %q --shell\n' "$here/guest-run.sh"
    else
        printf 'exec /bin/busybox sh %q %q\n' "$here/guest-run.sh" "$guest_job/phases"
    fi
} >"$job/job.sh"
if [[ $systemd == 1 ]]; then
    [[ -x /lib/systemd/systemd ]] || skip "no systemd at /lib/systemd/systemd (apt-get install -y systemd)"
    [[ -x /usr/bin/dbus-daemon ]] || skip "no dbus-daemon (apt-get install -y dbus)"
    cp "$here/systemd-init.sh" "$job/systemd-init.sh"
fi

append="console=ttyS0 panic=-1 quiet loglevel=4 mitigations=off"
if [[ $legacy == 1 ]]; then
    # guest-init.sh mounts the v1 hierarchies when it finds this file.
    echo "written by run-vm-tests.sh --legacy" >"$job/cgroup-v1"
    append+=" systemd.unified_cgroup_hierarchy=0"
else
    append+=" cgroup_no_v1=all"
fi
append+=" ${OCIRT_VM_APPEND:-}"
serial=stdio
if [[ $shell == 1 ]]; then
    serial=mon:stdio  # Ctrl-A X quits, Ctrl-C goes to the guest
fi
qemu_args=(
    -accel tcg,thread=multi -cpu max -smp 2 -m "$memory"
    -nographic -nodefaults -no-reboot -serial "$serial"
    -kernel "$kernel" -initrd "$work/initrd.img" -append "$append"
    -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
    -virtfs "local,path=$job,mount_tag=ocirtjob,security_model=none,multidevs=remap"
    -drive "file=$work/disk.img,if=virtio,format=raw"
    -device virtio-rng-pci
)
if [[ $shell == 1 ]]; then
    say "booting $(basename "$kernel_dir") with a shell on the console (Ctrl-A X quits qemu)"
    exec "$qemu" "${qemu_args[@]}"
fi
say "booting $(basename "$kernel_dir")/$(basename "$kernel") under TCG (timeout ${timeout_seconds} s, logs in $work)"
qemu_started=$(date +%s)
set +e
# The console filter drops CRs and the terminal resets SeaBIOS sends.
timeout -k 10 "$timeout_seconds" "$qemu" "${qemu_args[@]}" </dev/null 2>&1 |
    sed -u -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g' | tee "$work/console.log"
qemu_status=${PIPESTATUS[0]}
set -e
finished=$(date +%s)

echo
# Each phase: its exit status and summary line; the cases of every phase summed.
total_passed=0 total_failed=0 total_skipped=0
failed_phases=() skipped_phases=()
while read -r name _; do
    log=$job/$name.log
    if [[ ! -f $job/$name.status ]]; then
        say "phase $name: did not finish (log: $log)"
        failed_phases+=("$name")
        continue
    fi
    status=$(cat "$job/$name.status")
    # pytest's "=== N passed, N skipped in S s ===", the client lane's
    # "clients: N passed, N failed, N skipped in S s".
    summary=$(grep -E '^(=+ .* =+|clients: [0-9]+ passed.*)$' "$log" | tail -n 1 || true)
    say "phase $name: exit $status: ${summary:-no summary line}"
    for pair in $(grep -oE '[0-9]+ (passed|failed|skipped|errors?|xfailed|xpassed)' <<<"$summary" |
                  tr ' ' ':'); do
        n=${pair%%:*}
        case ${pair#*:} in
            passed | xfailed) total_passed=$((total_passed + n)) ;;
            skipped) total_skipped=$((total_skipped + n)) ;;
            *) total_failed=$((total_failed + n)) ;;
        esac
    done
    case $status in
        0) ;;
        "$SKIP")
            say "phase $name skipped: $(tail -n 1 "$log")"
            skipped_phases+=("$name") ;;
        5)
            say "FAIL: phase $name: pytest collected no test inside the VM"
            failed_phases+=("$name") ;;
        *)
            say "FAIL: phase $name exited $status inside the VM"
            failed_phases+=("$name") ;;
    esac
done <"$job/phases"

result=0
if [[ $qemu_status -eq 124 || $qemu_status -eq 137 ]]; then
    say "FAIL: the VM ran past ${timeout_seconds} s and was killed (console log: $work/console.log)"
    result=1
elif [[ ! -f $job/status ]]; then
    say "FAIL: the VM stopped without reporting a test status (qemu exit $qemu_status;" \
        "console log: $work/console.log)"
    result=1
else
    # guest-run.sh writes boot-seconds as it starts; through 9p the file's
    # mtime is this machine's clock.
    boot_wall=$(($(stat -c %Y "$job/boot-seconds") - qemu_started))
    say "timing: tests started ${boot_wall} s after qemu did ($(cat "$job/boot-seconds") s of" \
        "guest uptime); the VM ran $((finished - qemu_started)) s, the lane" \
        "$((finished - started)) s; junit: $job/junit.xml"
fi
if [[ ${#failed_phases[@]} -gt 0 ]]; then
    result=1
fi
if [[ $result -ne 0 && $total_failed -eq 0 ]]; then
    total_failed=1  # the lane failed: never a summary that reads as green
fi
# Last line: the sum, for whoever counts the cases (.ci/run).
summary_line="vm: $total_passed passed, $total_failed failed, $total_skipped skipped in $((finished - started))s"
if [[ $result -ne 0 ]]; then
    echo "$summary_line"
    exit 1
fi
if [[ ${#skipped_phases[@]} -gt 0 ]]; then
    echo "$summary_line"
    skip "phases skipped inside the VM: ${skipped_phases[*]} (reasons above)"
fi
echo "$summary_line"
exit 0
