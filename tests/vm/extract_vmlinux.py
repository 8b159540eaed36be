#!/usr/bin/python3
"""Extracts the uncompressed ELF kernel from a Debian bzImage (vmlinuz).

Usage: extract_vmlinux.py VMLINUZ OUTPUT

Why: under TCG the bzImage's own decompressor takes about 25 s of emulated
CPU before Linux starts; the host inflates the same XZ stream in about one
second. qemu boots the ELF directly through its PVH entry point (Debian's
kernel has CONFIG_PVH=y), with the same -initrd and -append.

Exits 1 without writing OUTPUT when the image holds no XZ stream that
inflates to an ELF file with a PVH entry note; the lane then boots the
bzImage as it is.
"""

import lzma
import struct
import sys
from pathlib import Path

XZ_MAGIC = b"\xfd7zXZ\x00"
ELF_MAGIC = b"\x7fELF"
XEN_ELFNOTE_PHYS32_ENTRY = 18


def has_pvh_entry(elf):
    """True if the 64-bit ELF has a Xen PHYS32_ENTRY note (the PVH entry point)."""
    if elf[4] != 2:  # ELFCLASS64
        return False
    phoff, = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    for i in range(phnum):
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", elf,
                                                                 phoff + i * phentsize)
        if p_type != 4:  # PT_NOTE
            continue
        pos, end = p_offset, p_offset + p_filesz
        while pos + 12 <= end:
            namesz, descsz, note_type = struct.unpack_from("<III", elf, pos)
            name = elf[pos + 12:pos + 12 + namesz].rstrip(b"\x00")
            if name == b"Xen" and note_type == XEN_ELFNOTE_PHYS32_ENTRY:
                return True
            pos += 12 + (namesz + 3) // 4 * 4 + (descsz + 3) // 4 * 4
    return False


def main(argv):
    if len(argv) != 3:
        print(__doc__)
        return 2
    image = Path(argv[1]).read_bytes()
    start = image.find(XZ_MAGIC)
    while start >= 0:
        try:
            elf = lzma.LZMADecompressor().decompress(image[start:])
        except lzma.LZMAError:
            elf = b""
        if elf.startswith(ELF_MAGIC):
            if not has_pvh_entry(elf):
                print(f"extract_vmlinux: {argv[1]}: the kernel has no PVH entry point",
                      file=sys.stderr)
                return 1
            Path(argv[2]).write_bytes(elf)
            return 0
        start = image.find(XZ_MAGIC, start + 1)
    print(f"extract_vmlinux: {argv[1]}: no XZ-compressed ELF kernel inside", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
