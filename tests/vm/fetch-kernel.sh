#!/usr/bin/env bash
# Fetches Debian's amd64 kernel package as a package file (`apt-get download`:
# nothing is installed) and unpacks it with `dpkg -x` into CACHE_DIR, once per
# package: a rerun finds the unpacked tree and touches neither apt nor the
# network.
#
#   fetch-kernel.sh CACHE_DIR
#
# Prints the unpacked directory (it holds boot/vmlinuz-*, boot/config-*,
# lib/modules/*/ and, extracted from the bzImage, vmlinux) on stdout. Exits 77 with the reason on stderr when no kernel
# can be had: no apt lists naming one and nothing cached.
#
# The package is the one Debian's `linux-image-amd64` depends on (the current
# 6.1 ABI on Debian 12); OCIRT_VM_KERNEL_PACKAGE=linux-image-6.1.0-NN-amd64
# pins another. Runs of the lane in parallel share the cache under a lock.
set -euo pipefail

SKIP=77
cache=${1:?usage: fetch-kernel.sh CACHE_DIR}
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

log() { echo "fetch-kernel: $*" >&2; }

# The package that linux-image-amd64 currently depends on, or nothing.
current_package() {
    apt-cache depends --important linux-image-amd64 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n 1
}

# The newest package already unpacked in the cache, or nothing.
newest_cached() {
    local dir
    dir=$(find "$cache" -mindepth 2 -maxdepth 2 -name .unpacked -printf '%h\n' 2>/dev/null |
        sort -V | tail -n 1)
    [[ -n $dir ]] && basename "$dir"
    return 0
}

package=${OCIRT_VM_KERNEL_PACKAGE:-}
if [[ -z $package ]]; then
    package=$(current_package)
fi
if [[ -z $package ]]; then
    package=$(newest_cached)
fi
if [[ -z $package && $(id -u) -eq 0 ]]; then
    # A fresh machine may have no apt lists at all yet.
    log "no apt list names linux-image-amd64; running apt-get update"
    apt-get update -q >&2 </dev/null || true
    package=$(current_package)
fi
if [[ -z $package ]]; then
    log "SKIP: no Debian kernel package: apt knows no linux-image-amd64 and $cache holds none"
    exit $SKIP
fi

unpacked=$cache/$package

# The uncompressed kernel for qemu's PVH entry (extract_vmlinux.py says why);
# when that cannot be had, the lane boots the bzImage.
extract_vmlinux() {
    [[ -f $unpacked/vmlinux || -f $unpacked/.no-vmlinux ]] && return 0
    local image
    image=$(compgen -G "$unpacked/boot/vmlinuz-*" | head -n 1)
    if "$(dirname "${BASH_SOURCE[0]}")/extract_vmlinux.py" "$image" "$unpacked/vmlinux.tmp" >&2; then
        mv "$unpacked/vmlinux.tmp" "$unpacked/vmlinux"
    else
        rm -f "$unpacked/vmlinux.tmp"
        touch "$unpacked/.no-vmlinux"
    fi
}

if [[ -f $unpacked/.unpacked ]]; then
    extract_vmlinux
    echo "$unpacked"
    exit 0
fi

deb=$(find "$cache" -maxdepth 1 -name "${package}_*.deb" | sort -V | tail -n 1)
if [[ -z $deb ]]; then
    log "downloading $package with apt-get download"
    # apt's sandbox user may not write here; the download then runs as root,
    # which is what we want anyway, so that warning is noise.
    (cd "$cache" && apt-get download -q "$package" </dev/null 2>&1) |
        grep -v 'Download is performed unsandboxed' >&2 || true
    deb=$(find "$cache" -maxdepth 1 -name "${package}_*.deb" | sort -V | tail -n 1)
    if [[ -z $deb ]]; then
        older=$(newest_cached)
        if [[ -n $older ]]; then
            log "apt-get download $package fetched nothing; using the cached $older"
            unpacked=$cache/$older
            extract_vmlinux
            echo "$unpacked"
            exit 0
        fi
        log "SKIP: apt-get download $package fetched nothing"
        exit $SKIP
    fi
fi

log "unpacking $(basename "$deb") (dpkg -x, not installed)"
rm -rf "$unpacked.tmp"
dpkg -x "$deb" "$unpacked.tmp"
if ! compgen -G "$unpacked.tmp/boot/vmlinuz-*" >/dev/null; then
    log "$deb holds no boot/vmlinuz-*"
    rm -rf "$unpacked.tmp"
    exit 1
fi
touch "$unpacked.tmp/.unpacked"
rm -rf "$unpacked"
mv "$unpacked.tmp" "$unpacked"
# One kernel is enough: drop the packages of earlier ABIs (about 0.5 GB each).
find "$cache" -mindepth 1 -maxdepth 1 -name 'linux-image-*' ! -name "$package" \
    ! -name "${package}_*.deb" -exec rm -rf {} +
extract_vmlinux
echo "$unpacked"
