#!/usr/bin/python3
"""Builds the VM's initramfs: static busybox, /init, and the kernel modules
the lane needs, with their dependencies, in load order.

Usage: make_initramfs.py KERNEL_DIR BUSYBOX INIT_SCRIPT OUTPUT MODULE...

KERNEL_DIR is a `dpkg -x` of Debian's linux-image package (fetch-kernel.sh).
A MODULE that the kernel has built in (lib/modules/*/modules.builtin) is left
out; one that is neither built in nor shipped is an error. The package has no
modules.dep (depmod runs only when a package is installed), so dependencies
come from each module's own `depends=` modinfo string. Compressed modules
(.ko.xz, .ko.zst, .ko.gz) are decompressed here, because busybox insmod reads
plain ELF only. /lib/modules/load-order lists the files in the order /init
loads them.

The archive is an uncompressed newc cpio written here, so that it holds
/dev/console (the kernel opens it for init's stdio before /init runs) without
root privileges, and so that the slow emulated CPU has nothing to inflate.
"""

import gzip
import lzma
import re
import subprocess
import sys
from pathlib import Path

MODULE_SUFFIXES = (".ko", ".ko.xz", ".ko.zst", ".ko.gz")


def module_name(path):
    """modprobe's name of a module file: no suffix, '-' read as '_'."""
    name = path.name
    for suffix in MODULE_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return name.replace("-", "_")


def module_bytes(path):
    """The module's plain ELF bytes."""
    data = path.read_bytes()
    if path.name.endswith(".xz"):
        return lzma.decompress(data)
    if path.name.endswith(".gz"):
        return gzip.decompress(data)
    if path.name.endswith(".zst"):
        return subprocess.run(["zstd", "-dc", str(path)], check=True,
                              capture_output=True).stdout
    return data


def module_depends(elf):
    """Names from the module's `depends=` modinfo string."""
    match = re.search(rb"\x00depends=([^\x00]*)", elf)
    if not match or not match.group(1):
        return []
    return [d.decode().replace("-", "_") for d in match.group(1).split(b",")]


class ModuleTree:
    """The modules of one unpacked kernel package, by name."""

    def __init__(self, kernel_dir):
        trees = sorted(Path(kernel_dir).glob("lib/modules/*/"))
        if len(trees) != 1:
            raise SystemExit(f"make_initramfs: expected one lib/modules/*/ in {kernel_dir}, "
                             f"found {len(trees)}")
        self.root = trees[0]
        self.files = {}
        for path in (self.root / "kernel").rglob("*.ko*"):
            if path.name.endswith(MODULE_SUFFIXES):
                self.files[module_name(path)] = path
        builtin = self.root / "modules.builtin"
        self.builtin = set()
        if builtin.exists():
            self.builtin = {module_name(Path(line.strip()))
                            for line in builtin.read_text().splitlines() if line.strip()}

    def load_order(self, wanted):
        """[(name, elf bytes)] for `wanted` and their dependencies, dependencies first."""
        order, seen = [], set()

        def visit(name, wanted_by):
            if name in seen:
                return
            seen.add(name)
            if name not in self.files:
                if name in self.builtin:
                    return
                raise SystemExit(f"make_initramfs: module {name} (needed by {wanted_by}) is "
                                 f"neither built in nor shipped in {self.root}")
            elf = module_bytes(self.files[name])
            for dep in module_depends(elf):
                visit(dep, name)
            order.append((name, elf))

        for name in wanted:
            visit(name.replace("-", "_"), "the lane")
        return order


class Cpio:
    """An uncompressed newc archive, as the kernel unpacks it into its rootfs."""

    def __init__(self):
        self.parts = []
        self.ino = 0

    def _entry(self, name, mode, data=b"", rdev=(0, 0)):
        self.ino += 1
        fields = [self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1],
                  len(name) + 1, 0]
        header = b"070701" + b"".join(b"%08X" % f for f in fields)
        self.parts.append(header + name.encode() + b"\x00")
        self._pad()
        self.parts.append(data)
        self._pad()

    def _pad(self):
        size = sum(len(p) for p in self.parts)
        self.parts.append(b"\x00" * (-size % 4))

    def directory(self, name):
        self._entry(name, 0o040755)

    def file(self, name, data, mode=0o644):
        self._entry(name, 0o100000 | mode, data)

    def char_device(self, name, major, minor):
        self._entry(name, 0o020600, rdev=(major, minor))

    def bytes(self):
        self._entry("TRAILER!!!", 0)
        return b"".join(self.parts)


def main(argv):
    if len(argv) < 5:
        print(__doc__)
        return 2
    kernel_dir, busybox, init_script, output = argv[1:5]
    modules = ModuleTree(kernel_dir).load_order(argv[5:])

    archive = Cpio()
    for d in ["bin", "dev", "proc", "sys", "newroot", "lib", "lib/modules"]:
        archive.directory(d)
    archive.char_device("dev/console", 5, 1)
    archive.char_device("dev/null", 1, 3)
    archive.file("bin/busybox", Path(busybox).read_bytes(), 0o755)
    archive.file("init", Path(init_script).read_bytes(), 0o755)
    names = []
    for index, (name, elf) in enumerate(modules):
        file_name = f"{index:02d}-{name}.ko"
        archive.file(f"lib/modules/{file_name}", elf)
        names.append(file_name)
    archive.file("lib/modules/load-order", "".join(n + "\n" for n in names).encode())
    Path(output).write_bytes(archive.bytes())
    print(f"make_initramfs: {output}: busybox, /init, {len(names)} modules: "
          f"{' '.join(n for n, _ in modules)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
