#!/usr/bin/env bash
# Makes an OCI bundle whose rootfs is Debian's static busybox.
#
#   scripts/make-bundle.sh [--runtime PATH] [--hostname NAME] DIR [ARG...]
#
# DIR/rootfs    /bin/busybox (from busybox-static) plus one symlink per applet
#               at the path `busybox --list-full` gives, the directories
#               /proc /sys /dev /tmp /etc /root, and a minimal /etc/passwd and
#               /etc/group for root and nobody.
# DIR/config.json
#               written by `RUNTIME spec --bundle DIR`, then edited:
#               process.args = ARG... (default: sh), process.terminal = false,
#               and hostname = NAME when --hostname is given.
#
# RUNTIME is --runtime PATH, else $OCIRT, else build/src/ocirt under the
# repository. Any runtime with a runc-style `spec --bundle` works, e.g.
# /usr/sbin/runc. $BUSYBOX overrides /bin/busybox. DIR is created if needed;
# an existing DIR/config.json is replaced and an existing DIR/rootfs reused.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runtime=${OCIRT:-$repo/build/src/ocirt}
hostname=
busybox=${BUSYBOX:-/bin/busybox}
python=/usr/bin/python3

usage() { sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"; }
die() { echo "make-bundle: $*" >&2; exit 1; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --runtime) [[ $# -ge 2 ]] || die "--runtime needs a path"; runtime=$2; shift 2 ;;
        --hostname) [[ $# -ge 2 ]] || die "--hostname needs a name"; hostname=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        --) shift; break ;;
        -*) die "unknown option: $1" ;;
        *) break ;;
    esac
done
[[ $# -ge 1 ]] || { usage >&2; exit 2; }
dir=$1
shift
args=("$@")
[[ ${#args[@]} -gt 0 ]] || args=(sh)

[[ -x $runtime ]] || die "runtime not executable: $runtime (build it, or pass --runtime / set OCIRT)"
[[ -x $busybox ]] || die "$busybox missing: install busybox-static (scripts/install-deps.sh)"
[[ -x $python ]] || die "$python missing: install python3"
# Debian's dynamic busybox package also installs /bin/busybox; that binary
# would not run in a rootfs without libc, so insist on a static one: a 64-bit
# little-endian ELF file without a PT_INTERP (type 3) program header.
"$python" - "$busybox" <<'PY' || die "$busybox is not a static binary: install busybox-static"
import struct, sys
with open(sys.argv[1], "rb") as f:
    elf = f.read()
if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
    sys.exit(1)
phoff, = struct.unpack_from("<Q", elf, 0x20)
phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
kinds = [struct.unpack_from("<I", elf, phoff + i * phentsize)[0] for i in range(phnum)]
sys.exit(1 if 3 in kinds else 0)
PY

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
rootfs=$dir/rootfs

if [[ ! -x $rootfs/bin/busybox ]]; then
    mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,etc,root}
    chmod 1777 "$rootfs/tmp"
    chmod 0700 "$rootfs/root"
    cp "$busybox" "$rootfs/bin/busybox"
    # --list-full prints paths relative to /, e.g. "bin/sh", "usr/bin/env".
    while IFS= read -r applet; do
        [[ -n $applet && $applet != bin/busybox ]] || continue
        mkdir -p "$rootfs/$(dirname "$applet")"
        ln -sfn /bin/busybox "$rootfs/$applet"
    done < <("$busybox" --list-full)
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
        > "$rootfs/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' > "$rootfs/etc/group"
fi

# runc-style `spec` refuses to overwrite an existing config.json.
rm -f "$dir/config.json"
"$runtime" spec --bundle "$dir" || die "$runtime spec --bundle $dir failed"
[[ -f $dir/config.json ]] || die "$runtime spec did not write $dir/config.json"

"$python" - "$dir/config.json" "$hostname" "${args[@]}" <<'EOF'
import json, os, sys

path, hostname, args = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(path) as f:
    config = json.load(f)
process = config.setdefault("process", {})
process["args"] = args
process["terminal"] = False
if hostname:
    config["hostname"] = hostname
tmp = path + ".tmp"
with open(tmp, "w") as f:
    json.dump(config, f, indent=2)
    f.write("\n")
os.replace(tmp, path)
EOF
echo "make-bundle: $dir (args: ${args[*]})"
