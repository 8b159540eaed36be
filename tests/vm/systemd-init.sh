# Sourced by guest-init.sh (busybox sh, in the initramfs, before switch_root)
# for the systemd boot: run-vm-tests.sh --systemd copies this file into the
# job share. It writes, into the overlay root's /etc, the units with which
# systemd as PID 1 runs job.sh and nothing more:
#
#   default.target -> ocirt-vm.target  Requires ocirt-vm-job.service
#   ocirt-vm-job.service               job.sh, output on the serial console,
#                                      after dbus.service (the system bus, as
#                                      engines' hosts have it)
#
# Every unit here and the D-Bus pair have DefaultDependencies=no, so the boot
# does not pull sysinit.target/basic.target (udev, journald, tmpfiles, the
# getty...): under TCG each of those costs seconds. The job powers the VM off
# itself (guest-run.sh), so shutdown ordering does not matter.
etc=/newroot/etc/systemd/system
mkdir -p "$etc/dbus.service.d" "$etc/dbus.socket.d" || fail "mkdir $etc"
for unit in dbus.service dbus.socket; do
    printf '[Unit]\nDefaultDependencies=no\n' >"$etc/$unit.d/ocirt-vm.conf" || fail "write the $unit drop-in"
done
cat >"$etc/ocirt-vm.target" <<'UNIT' || fail "write ocirt-vm.target"
[Unit]
Description=ocirt VM tests under systemd
DefaultDependencies=no
Requires=ocirt-vm-job.service
AllowIsolate=yes
UNIT
cat >"$etc/ocirt-vm-job.service" <<'UNIT' || fail "write ocirt-vm-job.service"
[Unit]
Description=ocirt VM job (job.sh from the job share)
DefaultDependencies=no
Requires=dbus.service
After=dbus.service

[Service]
Type=oneshot
Environment=OCIRT_VM_SYSTEMD=1
ExecStart=/bin/busybox sh /run/ocirt-vm/job/job.sh
StandardInput=null
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0
UNIT
ln -sf ocirt-vm.target "$etc/default.target" || fail "link default.target"
# What the D-Bus units and the generators would still pull in, or what the
# shared host root enables, masked: none of it is needed by the job (the
# initramfs mounted /dev, /proc, /sys, cgroup2, /run), and under TCG each unit
# costs seconds.
for unit in systemd-journald.service systemd-journald.socket systemd-journald-dev-log.socket \
    systemd-journald-audit.socket systemd-journal-flush.service systemd-udevd.service \
    systemd-udev-trigger.service systemd-udev-settle.service systemd-tmpfiles-setup.service \
    systemd-tmpfiles-setup-dev.service systemd-update-utmp.service systemd-modules-load.service \
    systemd-remount-fs.service systemd-random-seed.service systemd-sysctl.service \
    systemd-sysusers.service systemd-firstboot.service systemd-binfmt.service modprobe@.service \
    sys-kernel-debug.mount sys-kernel-tracing.mount sys-kernel-config.mount \
    sys-fs-fuse-connections.mount dev-hugepages.mount proc-sys-fs-binfmt_misc.automount tmp.mount \
    podman.socket podman.service podman-auto-update.service podman-restart.service \
    docker.socket docker.service containerd.service cron.service ssh.service \
    apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer logrotate.timer \
    man-db.timer systemd-tmpfiles-clean.timer; do
    ln -sf /dev/null "$etc/$unit" || fail "mask $unit"
done
# /.dockerenv of the shared root would make systemd believe it runs in a
# Docker container (container mode); the VM is a machine.
rm -f /newroot/.dockerenv
