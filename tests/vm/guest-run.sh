#!/bin/busybox sh
# Runs inside the VM as PID 1 of the switched root (the host's filesystem,
# read-only over 9p; see guest-init.sh), started by the job.sh that
# run-vm-tests.sh wrote into the job share:
#
#   guest-run.sh RUN_SUITE OCIRT PROBE CONSOLE_RECEIVER [pytest args...]
#   guest-run.sh --shell
#
# Runs the integration runner with OCIRT_CGROUP_LANE=vm, copies its output to
# the console and to the job share (pytest.log, junit.xml), writes its exit
# status to the job share's `status` last, and powers the VM off. The busybox
# shell is PID 1 here; while it waits for the runner it also reaps the
# container processes that get reparented to it.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1
# What the cgroup tests read: which lane they are on, and a real block device
# (the virtio disk) for io.max and io.weight.
export OCIRT_CGROUP_LANE=vm OCIRT_VM_BLOCK_DEVICE=/dev/vda

job=/run/ocirt-vm/job
boot=$(cut -d' ' -f1 /proc/uptime)
echo "$boot" >"$job/boot-seconds"
hostname ocirt-vm
echo "ocirt-vm: kernel $(uname -r), tests start ${boot} s after kernel start"
echo "ocirt-vm: cgroup2 controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"

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
/usr/bin/python3 "$@" --junitxml="$job/junit.xml" </dev/null 2>&1 | tee "$job/pytest.log"
status=$?
echo "$status" >"$job/status.tmp" && mv "$job/status.tmp" "$job/status"
sync
poweroff -f
