#!/usr/bin/python3
"""With -Dstatic_runtime=true the runtime's binary needs glibc's libc.so.6 alone.

Every other shared object costs each of the two processes a container start
runs (the command and the re-exec'd init stage) its loading and the pages the
loader touches: libm alone was 0.3 MiB of peak RSS (bench/README.md). A new
dependency that pulls one back (a libm function, a library linked without its
static archive) fails here, naming it.
"""
import subprocess
import sys

ALLOWED = {"libc.so.6", "ld-linux-x86-64.so.2"}  # the loader is mapped in any case

binary = sys.argv[1]
out = subprocess.run(["readelf", "--dynamic", "--wide", binary], check=True, capture_output=True, text=True).stdout
needed = [line.split("[", 1)[1].rstrip("]").strip() for line in out.splitlines() if "(NEEDED)" in line]
extra = sorted(set(needed) - ALLOWED)
if extra:
    print(f"{binary} needs {', '.join(extra)} besides libc and the loader; the static runtime allows only those "
          "(find the symbols with: nm -D --undefined-only " + binary + ")")
    sys.exit(1)
print(f"{binary}: NEEDED {', '.join(needed)}")
