#!/bin/busybox sh
# Runs inside the VM as PID 1 of the switched root (the host's filesystem,
# read-only over 9p; see guest-init.sh), started by the job.sh that
# run-vm-tests.sh wrote into the job share:
#
#   guest-run.sh PHASES
#   guest-run.sh --shell
#
# PHASES is a file of phases, one a line: a name (letters, digits, - and _)
# and a shell command line. Each phase runs in turn, in job.sh's working
# directory, with its output copied to the console and to the job share's
# NAME.log and its exit status written to NAME.status; after the last one,
# `status` (0 when every phase exited 0, else the first non-zero status) is
# written last, and the VM powers off. A phase that fails does not stop the
# next. The busybox shell is PID 1 here; while it waits for a phase it also
# reaps the container processes that get reparented to it.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1
# What the cgroup tests read: which lane they are on, and a real block device
# (the virtio disk) for io.max and io.weight.
export OCIRT_CGROUP_LANE=vm OCIRT_VM_BLOCK_DEVICE=/dev/vda

job=/run/ocirt-vm/job
uptime() { cut -d' ' -f1 /proc/uptime; }
boot=$(uptime)
echo "$boot" >"$job/boot-seconds"
hostname ocirt-vm
echo "ocirt-vm: kernel $(uname -r), tests start ${boot} s after kernel start"
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    echo "ocirt-vm: cgroup2 controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
else
    echo "ocirt-vm: cgroup v1 hierarchies: $(ls /sys/fs/cgroup | tr '\n' ' ')"
fi

# bfq gives the disk io.bfq.weight; io.weight and io.max exist without it.
if ! echo bfq >/sys/block/vda/queue/scheduler; then
    echo "ocirt-vm: could not select the bfq scheduler for vda"
fi

if [ "$1" = --shell ]; then
    echo "ocirt-vm: a shell on the console; leave it to power off"
    busybox setsid busybox cttyhack busybox sh -l
    poweroff -f
fi

set -o pipefail
overall=0
while read -r name command; do
    [ -n "$name" ] || continue
    started=$(uptime)
    echo "ocirt-vm: phase $name starts at ${started} s"
    /bin/busybox sh -c "$command" </dev/null 2>&1 | tee "$job/$name.log"
    status=$?
    echo "$status" >"$job/$name.status"
    echo "ocirt-vm: phase $name exited $status after $(echo "$(uptime) $started" |
        awk '{printf "%.0f", $1 - $2}') s"
    [ "$overall" -ne 0 ] || overall=$status
done <"$1"
echo "$overall" >"$job/status.tmp" && mv "$job/status.tmp" "$job/status"
sync
poweroff -f
