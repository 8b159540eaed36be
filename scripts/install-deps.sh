#!/usr/bin/env bash
# Installs, with apt, the Debian 12 packages that building and testing ocirt
# need, and only those that are missing. Safe to run again: when everything is
# present it changes nothing and does not touch the network.
#
#   ./scripts/install-deps.sh           build + test dependencies
#   ./scripts/install-deps.sh --bench   also what bench/run-bench.sh uses
#   ./scripts/install-deps.sh --fuzz    also clang + libFuzzer for tests/fuzz/
#
# Must run as root (it calls apt-get). Works without a terminal (CI=true, no
# stdin): apt runs non-interactively.
set -euo pipefail

# Build: compiler, meson/ninja, and the libraries ocirt links.
packages=(
    meson
    ninja-build
    pkgconf
    g++
    nlohmann-json3-dev
    libseccomp-dev
    libcap-dev
    libfmt-dev
    catch2
    libsystemd-dev
    lld
)
# lld: links the binary with its functions in the order of link/startup-order.txt
# (meson option startup_order, link/README.md); without it the build warns and
# links with ld as before.
# libsystemd-dev: sd-bus's headers for the systemd cgroup driver (ocirt loads
# libsystemd.so.0 with dlopen only when --systemd-cgroup is used). The VM
# lane's systemd boot (meson test vm-systemd) runs the shared host root's
# systemd and dbus-daemon as the guest's PID 1 and system bus; dbus-user-session
# gives a user's systemd (user@<uid>.service) its bus at /run/user/<uid>/bus, which
# the rootless systemd driver talks to (test_systemd_rootless.py).
packages+=(
    systemd
    dbus
    dbus-user-session
)
# Tests and demo: the container rootfs is Debian's static busybox (the demo,
# make-bundle.sh and the integration tests copy /bin/busybox); python3 runs the
# build's schema embedding, the scripts' JSON edits and the pytest-based
# integration suite; iproute2 lets tests look at network namespaces from the
# host side; strace kills the runtime at each of its syscalls in the crash-consistency
# test (test_crash_consistency.py); the schema validator's unit tests run the official
# JSON-Schema-Test-Suite that json-schema-test-suite ships. The VM lane
# (tests/vm/, meson suite `vm`) boots Debian's kernel under qemu's TCG; it
# fetches the kernel itself with `apt-get download` (a package file, never
# installed).
packages+=(
    busybox-static
    python3
    python3-pytest
    iproute2
    strace
    json-schema-test-suite
    qemu-system-x86
)
# The client lane (tests/clients/, meson suite `clients`) drives ocirt through
# the engines Debian ships, with Debian's runc as the control: podman (with
# conmon, and catatonit for --init), Docker (docker.io, whose --init is tini)
# and containerd's ctr. The lane starts each daemon itself with private state;
# the packages' own services are kept from starting (see policy-rc.d below).
packages+=(
    podman
    conmon
    catatonit
    docker.io
    containerd
    runc
)
# Rootless (tests/integration/test_rootless.py, tests/clients/rootless.py):
# ocirt and podman write multi-range id maps through the setuid
# newuidmap/newgidmap (uidmap); the tests create and remove their users with
# useradd/userdel (passwd); runuser comes with util-linux.
packages+=(
    uidmap
    passwd
)
# checkpoint/restore (tests/integration/test_checkpoint.py, run in the VM lane:
# Debian's CRIU fails `criu check` on kernels newer than its own).
packages+=(
    criu
)

bench=0
fuzz=0
for arg in "$@"; do
    case "$arg" in
        --bench) bench=1 ;;
        --fuzz) fuzz=1 ;;
        -h|--help)
            sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
            exit 0 ;;
        *) echo "install-deps.sh: unknown argument: $arg" >&2; exit 2 ;;
    esac
done
if [[ $bench == 1 ]]; then
    # The peers ocirt is timed against, the timer, and GNU time for peak RSS.
    packages+=(hyperfine runc crun time)
fi
if [[ $fuzz == 1 ]]; then
    # libFuzzer's runtime is only a Recommends of clang, which apt skips here.
    packages+=(clang libclang-rt-14-dev)
fi

# A package counts as present only when dpkg says "install ok installed";
# a removed-but-configured package ("deinstall ok config-files") is missing.
missing=()
for pkg in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    if [[ $status != "install ok installed" ]]; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-deps: all ${#packages[@]} packages already installed"
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing packages: ${missing[*]}" >&2
    echo "install-deps: run this script as root to install them" >&2
    exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# docker.io and containerd start their daemons from their postinst scripts;
# a policy-rc.d that answers 101 ("action forbidden") keeps invoke-rc.d and
# deb-systemd-invoke from doing so, so that no daemon runs outside the client
# lane. An existing policy-rc.d is left as it is.
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\n# install-deps.sh: no service starts during this install\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
fi
apt-get update -q </dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
echo "install-deps: done"
