"""CVE-2019-5736: the container overwrites the runtime binary through /proc/<pid>/exe.

The attack: a process in the container opens /proc/<init>/exe (or /proc/self/exe of an exec'd
runtime process) while the runtime's init stage runs there, keeps the fd, and once the runtime
process is gone re-opens it for writing through /proc/self/fd/N. A naive runtime whose init
stage executes its own binary file hands the container a writable path to that host file:
the write below succeeds and the binary's digest changes. ocirt runs the init stage from its
binary opened through a private read-only overlayfs (as runc 1.2+), or where it cannot make
one, from a sealed memfd copy: either way the fd refuses writes.

The runtime under test is copied first, so a runtime that fails this test corrupts only the copy.
Where the copy lies chooses ocirt's way: in a directory of its own ("overlay"), or in the
directory above the state root, where the overlay's two lower layers would overlap and
overlayfs refuses them ("memfd", the fallback).
"""

import hashlib
import os
import shutil
import subprocess

import pytest

from runner import Runtime, wait_until

ATTACK = ("exec 3</proc/1/exe || { echo NOOPEN > /tmp/result; exit 0; }; "
          "while [ ! -e /tmp/go ]; do sleep 0.1; done; "
          "if echo pwned >> /proc/self/fd/3; then echo WROTE; else echo REFUSED; fi > /tmp/result")


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


LAYOUTS = {"overlay": "bin/ocirt", "memfd": "runtime-copy"}


def copy_runtime(env, layout):
    copy = env.tmp / LAYOUTS[layout]
    copy.parent.mkdir(exist_ok=True)
    shutil.copy2(env.info.binary, copy)
    return copy


def exe_kind(pid):
    """How the init stage's exe is held: its filesystem, or memfd."""
    if os.readlink(f"/proc/{pid}/exe").startswith("/memfd:"):
        return "memfd"
    return subprocess.run(["stat", "-f", "-L", "-c", "%T", f"/proc/{pid}/exe"],
                          capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.ocirt_only("how ocirt seals its binary")
@pytest.mark.parametrize("layout", LAYOUTS)
def test_init_stage_exe_is_sealed_the_expected_way(env, bundle, layout):
    copy = copy_runtime(env, layout)
    rt = Runtime(str(copy), env.rt.root, env.rt.workdir)
    env.defer(rt.cleanup)
    bundle.probe("sleep", "300").save()
    cid = env.new_id()
    rt.create(cid, bundle.path).check()
    pid = rt.state(cid)["pid"]
    assert exe_kind(pid) == ("overlayfs" if layout == "overlay" else "memfd")
    with pytest.raises(OSError):
        open(f"/proc/{pid}/exe", "ab").close()


@pytest.mark.parametrize("layout", LAYOUTS)
def test_init_stage_exe_cannot_be_written_from_the_container(env, bundle, layout):
    copy = copy_runtime(env, layout)
    before = digest(copy)
    rt = Runtime(str(copy), env.rt.root, env.rt.workdir)
    env.defer(rt.cleanup)
    bundle.readonly_root(False).probe("sleep", "300").save()
    cid = env.new_id()
    rt.create(cid, bundle.path).check()
    # CAP_SYS_PTRACE lets the attacker open /proc/1/exe of the non-dumpable init stage at all;
    # the point here is what that fd leads to.
    rt.exec(cid, "/bin/sh", "-c", ATTACK, flags=("--detach", "--cap", "CAP_SYS_PTRACE")).check()
    rt.start(cid).check()
    (bundle.rootfs / "tmp/go").write_text("")
    result = wait_until(lambda: (bundle.rootfs / "tmp/result").exists()
                        and (bundle.rootfs / "tmp/result").read_text().strip(), what="the attack")
    assert result in ("REFUSED", "NOOPEN")
    assert digest(copy) == before
