"""Rootless with a delegated cgroup v2 subtree (docs/rootless.md): the user's container gets its
cgroup there, can be paused and resumed, and the cgroup goes with delete. Runs as the user of
test_rootless.py, in this directory's private cgroup2 mount namespace."""

import json
import os
import subprocess
import uuid
from pathlib import Path

import pytest

from test_rootless import USER, Rootless, rl_user  # noqa: F401 (fixture)
from runner import wait_until

CG = Path("/sys/fs/cgroup")


@pytest.fixture
def delegated(rl_user):  # noqa: F811
    d = CG / f"ocirt-it-rl-{uuid.uuid4().hex[:8]}"
    d.mkdir()
    for p in [d, d / "cgroup.procs", d / "cgroup.subtree_control", d / "cgroup.threads"]:
        os.chown(p, rl_user.pw_uid, rl_user.pw_gid)
    yield d
    for sub in sorted(d.glob("**/"), key=lambda p: len(str(p)), reverse=True):
        if sub != d:
            sub.rmdir()
    d.rmdir()


@pytest.mark.ocirt_only("rootless runc 1.1 on this host uses its v1 manager")
def test_delegated_cgroup_is_used_and_pausable(runtime_info, helpers, rl_user, delegated, tmp_path):  # noqa: F811
    import tempfile
    tmp = Path(tempfile.mkdtemp(prefix="ocirt-rl-"))
    os.chmod(tmp, 0o755)
    rl = Rootless(runtime_info, helpers, rl_user, tmp)
    try:
        rl.bundle.linux["cgroupsPath"] = f"/{delegated.name}/c1"
        rl.bundle.args("/bin/sleep", "300")
        rl.save()
        # The user's commands run from inside the delegated cgroup: moving a process into a
        # cgroup needs write access to the common ancestor's cgroup.procs.
        def as_user(*args):
            inner = " ".join(["exec", "runuser", "-u", USER, "--", "env", "-i",
                              "PATH=/usr/sbin:/usr/bin:/sbin:/bin", runtime_info.binary,
                              "--root", str(rl.root)] + list(args))
            with tempfile.TemporaryFile("w+") as err:  # a detached container keeps a pipe open
                p = subprocess.run(["sh", "-c", f"echo $$ > {delegated}/cgroup.procs && {inner}"],
                                   cwd=rl.bundle.path, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=err, timeout=60)
                err.seek(0)
                return subprocess.CompletedProcess(p.args, p.returncode, "", err.read())
        r = as_user("run", "--detach", "--bundle", str(rl.bundle.path), "dg1")
        assert r.returncode == 0, r.stderr
        st = json.loads(rl.run_as("state", "dg1").stdout)
        procs = (delegated / "c1" / "cgroup.procs").read_text().split()
        assert str(st["pid"]) in procs
        p = as_user("pause", "dg1")
        assert p.returncode == 0, p.stderr
        assert json.loads(rl.run_as("state", "dg1").stdout)["status"] == "paused"
        assert as_user("resume", "dg1").returncode == 0
        assert as_user("delete", "--force", "dg1").returncode == 0
        wait_until(lambda: not (delegated / "c1").exists(), what="the container's cgroup to go")
    finally:
        rl.cleanup()
        subprocess.run(["rm", "-rf", str(tmp)])
