#!/bin/busybox sh
# /init of the VM's initramfs (make_initramfs.py puts it there with static
# busybox and the modules in /lib/modules/load-order).
#
# Loads the modules, mounts on /newroot an overlay of the host's root
# filesystem (the virtio-9p share "hostroot", read-only) under a tmpfs, a
# fresh tmpfs on /run, the job share "ocirtjob" (writable, the host's job dir)
# on /run/ocirt-vm/job, the kernel filesystems, and cgroup2 alone on
# /sys/fs/cgroup; then switch_root runs /run/ocirt-vm/job/job.sh, which the
# host wrote, as PID 1 of the switched root (in the systemd boot, systemd is
# PID 1 and runs job.sh as a service: systemd-init.sh).
#
# Any failure here prints one "ocirt-vm: ..." line and powers off: the host
# then finds no status file in the job dir and reports the failure with the
# console log.
/bin/busybox --install -s /bin
export PATH=/bin

fail() {
    echo "ocirt-vm: init: $*"
    poweroff -f
}

mount -t proc proc /proc || fail "mount proc"
mount -t sysfs sysfs /sys || fail "mount sysfs"
mount -t devtmpfs devtmpfs /dev || fail "mount devtmpfs"

while read -r module; do
    insmod "/lib/modules/$module" || fail "insmod $module"
done </lib/modules/load-order

# 9p over virtio; msize at the 6.1 virtio transport's limit (512 KiB) makes
# fewer, larger reads. The host root is read-only, so cache=loose (the guest
# trusts its page and dentry cache) is safe and much faster under TCG.
p9="trans=virtio,version=9p2000.L,msize=524288"
mkdir -p /host /rw
mount -t 9p -o "$p9,ro,cache=loose" hostroot /host || fail "mount the hostroot 9p share"
# The root is an overlay of the host's root and a tmpfs: every host path is
# there as it is (a clone or build dir under /tmp too), and writes stay in
# guest memory.
mount -t tmpfs -o mode=0755 rw /rw || fail "mount the overlay's tmpfs"
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work overlay /newroot ||
    fail "mount the overlay root"
mount -t tmpfs -o mode=0755,nosuid,nodev run /newroot/run || fail "mount /run"
mkdir -p /newroot/run/ocirt-vm/job
mount -t 9p -o "$p9" ocirtjob /newroot/run/ocirt-vm/job || fail "mount the ocirtjob 9p share"

mount --move /dev /newroot/dev || fail "move /dev"
mount --move /proc /newroot/proc || fail "move /proc"
mount --move /sys /newroot/sys || fail "move /sys"
if [ -f /newroot/run/ocirt-vm/job/cgroup-v1 ]; then
    # The legacy boot (run-vm-tests.sh --legacy, a kernel without cgroup_no_v1): every v1
    # controller in a hierarchy of its own on a tmpfs, as systemd lays out a legacy host
    # (cpu,cpuacct and net_cls,net_prio together, a name=systemd hierarchy), and no cgroup2.
    mount -t tmpfs -o mode=0755,nosuid,nodev,noexec cgroup /newroot/sys/fs/cgroup ||
        fail "mount the tmpfs for the v1 hierarchies"
    for ctrl in $(awk 'NR > 1 && $4 == 1 { print $1 }' /newroot/proc/cgroups); do
        case $ctrl in
            cpu | cpuacct) dir=cpu,cpuacct opts=cpu,cpuacct ;;
            net_cls | net_prio) dir=net_cls,net_prio opts=net_cls,net_prio ;;
            *) dir=$ctrl opts=$ctrl ;;
        esac
        [ -d "/newroot/sys/fs/cgroup/$dir" ] && continue
        mkdir -p "/newroot/sys/fs/cgroup/$dir"
        mount -t cgroup -o "nosuid,nodev,noexec,$opts" cgroup "/newroot/sys/fs/cgroup/$dir" ||
            fail "mount the v1 $opts hierarchy"
    done
    mkdir -p /newroot/sys/fs/cgroup/systemd
    mount -t cgroup -o nosuid,nodev,noexec,none,name=systemd cgroup /newroot/sys/fs/cgroup/systemd ||
        fail "mount the v1 name=systemd hierarchy"
else
    # cgroup2 with the options systemd uses on a unified host.
    mount -t cgroup2 -o nosuid,nodev,noexec,nsdelegate,memory_recursiveprot cgroup2 \
        /newroot/sys/fs/cgroup || fail "mount cgroup2 on /sys/fs/cgroup"
fi
mkdir -p /newroot/dev/pts /newroot/dev/shm /newroot/dev/mqueue
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts /newroot/dev/pts || fail "mount devpts"
mount -t tmpfs -o mode=1777,nosuid,nodev shm /newroot/dev/shm || fail "mount /dev/shm"
mount -t mqueue mqueue /newroot/dev/mqueue || fail "mount mqueue"

[ -f /newroot/run/ocirt-vm/job/job.sh ] || fail "the job share holds no job.sh"
# The systemd boot (run-vm-tests.sh --systemd copies systemd-init.sh into the
# job share): it writes the units that run job.sh as a service, then systemd
# is PID 1.
if [ -f /newroot/run/ocirt-vm/job/systemd-init.sh ]; then
    . /newroot/run/ocirt-vm/job/systemd-init.sh
    exec switch_root /newroot /lib/systemd/systemd
fi
exec switch_root /newroot /bin/busybox sh /run/ocirt-vm/job/job.sh
