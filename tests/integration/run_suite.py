#!/usr/bin/python3
"""Entry point of `meson test --suite integration`.

Usage: run_suite.py OCIRT_BIN PROBE CONSOLE_RECEIVER [pytest args...]

Without a test path among the pytest args it runs this whole directory; a
path that exists (a file, a directory such as cgroup/, or FILE::TEST) selects
instead, as the VM lane does (tests/vm/run-vm-tests.sh).

Exits 77 (meson's "skipped") with the reason when the suite cannot run here:
not root, or pytest or busybox missing. Otherwise runs pytest
and returns its status, so every failing test fails the suite.
"""

import os
import sys

SKIP = 77


def main(argv):
    if len(argv) < 4:
        print(__doc__)
        return 2
    if os.geteuid() != 0:
        print("SKIP: the integration tests create real containers and need root")
        return SKIP
    try:
        import pytest
    except ImportError:
        print("SKIP: pytest is missing for /usr/bin/python3 (apt-get install -y python3-pytest)")
        return SKIP
    busybox = os.environ.get("OCIRT_BUSYBOX", "/bin/busybox")
    if not os.path.exists(busybox):
        print(f"SKIP: no static busybox at {busybox} (apt-get install -y busybox-static)")
        return SKIP

    os.environ["OCIRT_BIN"] = os.path.abspath(argv[1])
    os.environ["OCIRT_PROBE"] = os.path.abspath(argv[2])
    os.environ["OCIRT_CONSOLE_RECEIVER"] = os.path.abspath(argv[3])
    here = os.path.dirname(os.path.abspath(__file__))
    args = argv[4:]
    selects = any(not a.startswith("-") and os.path.exists(a.split("::")[0]) for a in args)
    return pytest.main([*([] if selects else [here]), "-v", *args])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
