"""Rootless --systemd-cgroup: the container's scope made by the *user's* systemd (user@<uid>.service),
reached on the user's bus, as runc's rootless systemd manager and crun do (docs/cgroup-systemd.md,
docs/rootless.md). The test user of test_rootless.py gets its user manager started
(`systemctl start user@<uid>.service`, dbus-user-session giving it a bus at /run/user/<uid>/bus);
the runtime runs as that user (runuser) from the test's own (root-owned) cgroup, so the init
process can only reach the scope through systemd (AttachProcessesToUnit). Checked: the process
in the scope's cgroup below user@<uid>.service/user.slice, limits in its files, exec in the same
cgroup, pause/resume, kill, and nothing left after delete (no unit for `systemctl --user`, no
cgroup); an undelegated controller and an unreachable bus refused. Each lifecycle test runs
against ocirt and Debian's runc 1.1.5 where it is installed.

They need systemd as PID 1: the VM lane's systemd boot (`meson test -C build vm-systemd`).
"""

import json
import os
import subprocess
import time
import types
import uuid
from pathlib import Path

import pytest

from cgroup_host import CG_ROOT
from runner import wait_until
from test_rootless import USER, Rootless, rl_user  # noqa: F401 (fixture)
from test_systemd_driver import RUNC, systemd_required


def user_env(pw):
    return {"XDG_RUNTIME_DIR": f"/run/user/{pw.pw_uid}"}


def user_systemctl(pw, *args):
    """`systemctl --user ...` as the test user, against its manager."""
    env = ["env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", f"XDG_RUNTIME_DIR=/run/user/{pw.pw_uid}",
           f"DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/{pw.pw_uid}/bus"]
    return subprocess.run(["runuser", "-u", USER, "--", *env, "systemctl", "--user", "--no-pager", *args],
                          capture_output=True, text=True, timeout=60)


def unit_state(pw, unit):
    out = user_systemctl(pw, "show", unit, "-pLoadState", "-pActiveState").stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


@pytest.fixture(scope="module")
def user_manager(rl_user):  # noqa: F811
    """The test user's systemd, started for the module and stopped after it."""
    systemd_required()
    uid = rl_user.pw_uid
    r = subprocess.run(["systemctl", "start", f"user@{uid}.service"], capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        pytest.fail(f"systemctl start user@{uid}.service: {r.stderr.strip()}")
    try:
        bus = Path(f"/run/user/{uid}/bus")
        if not Path("/usr/lib/systemd/user/dbus.socket").exists():
            pytest.skip("no user bus: dbus-user-session is not installed (scripts/install-deps.sh)")
        wait_until(bus.exists, timeout=60, what=f"{bus} (dbus-user-session's socket)")
        cgroup = Path(CG_ROOT, "user.slice", f"user-{uid}.slice", f"user@{uid}.service")
        wait_until(cgroup.is_dir, timeout=30, what=f"{cgroup}")
        yield types.SimpleNamespace(pw=rl_user, cgroup=cgroup)
    finally:
        subprocess.run(["systemctl", "stop", f"user@{uid}.service", f"user-runtime-dir@{uid}.service"],
                       capture_output=True, timeout=120)


class UserRuntime:
    """ocirt or runc run as the test user with --systemd-cgroup, on a bundle the user owns."""

    def __init__(self, flavor, binary, helpers, pw, tmp):
        self.flavor = flavor
        self.pw = pw
        self.rl = Rootless(types.SimpleNamespace(binary=binary), helpers, pw, tmp)

    def __call__(self, *args, env=None):
        e = user_env(self.pw)
        e.update(env or {})
        return self.rl.run_as("--systemd-cgroup", *args, env=e)

    def ok(self, *args, **kw):
        r = self(*args, **kw)
        assert r.returncode == 0, f"{self.flavor} {' '.join(args)}: {r.stderr}"
        return r

    def state(self, cid):
        return json.loads(self.ok("state", cid).stdout)

    def cleanup(self):
        if self.rl.root.exists():
            for d in list(self.rl.root.iterdir()):
                self("delete", "--force", d.name)


@pytest.fixture(params=["ocirt", "runc"])
def urt(request, runtime_info, helpers, rl_user, user_manager, tmp_path):  # noqa: F811
    if request.param == "ocirt":
        if runtime_info.is_runc:
            pytest.skip("the runtime under test is runc; the runc case covers it")
        binary = runtime_info.binary
    else:
        if not os.access(RUNC, os.X_OK):
            pytest.skip(f"no runc at {RUNC} to compare with")
        binary = RUNC
    tmp = Path(tempfile_dir())
    rt = UserRuntime(request.param, binary, helpers, rl_user, tmp)
    yield rt
    rt.cleanup()
    subprocess.run(["rm", "-rf", str(tmp)])


def tempfile_dir():
    import tempfile
    d = tempfile.mkdtemp(prefix="ocirt-sdrl-")
    os.chmod(d, 0o755)
    return d


def new_scope(urt, limits=None, args=("/bin/sleep", "300")):
    ident = uuid.uuid4().hex[:12]
    urt.rl.bundle.linux["cgroupsPath"] = f":ocirt-test:{ident}"  # the default slice: user.slice
    if limits:
        urt.rl.bundle.linux["resources"] = limits
    urt.rl.bundle.args(*args)
    urt.rl.save()
    return f"ocirt-test-{ident}.scope"


def test_lifecycle_in_the_users_scope(urt, user_manager):
    unit = new_scope(urt, limits={"memory": {"limit": 64 * 2 ** 20}, "pids": {"limit": 32}})
    scope = user_manager.cgroup / "user.slice" / unit
    cid = "sdrl1"
    urt.ok("create", "--bundle", str(urt.rl.bundle.path), cid)
    try:
        assert unit_state(urt.pw, unit)["ActiveState"] == "active"
        pid = urt.state(cid)["pid"]
        # The init process is in the scope below the user's manager, before start.
        assert str(pid) in (scope / "cgroup.procs").read_text().split()
        assert Path(f"/proc/{pid}/cgroup").read_text().strip().endswith(str(scope)[len(CG_ROOT):])
        assert (scope / "memory.max").read_text().strip() == str(64 * 2 ** 20)
        assert (scope / "pids.max").read_text().strip() == "32"
        urt.ok("start", cid)
        wait_until(lambda: urt.state(cid)["status"] == "running", what="running")

        if urt.flavor == "ocirt":  # runc 1.1.5 leaves a rootless exec where it was (no AttachProcessesToUnit)
            urt.ok("exec", "--detach", cid, "/bin/sleep", "301")
            wait_until(lambda: len((scope / "cgroup.procs").read_text().split()) == 2,
                       what="the exec'd process in the scope")

        # update: the unit's property (the user's systemd) and the file.
        urt.ok("update", "--pids-limit", "48", cid)
        assert (scope / "pids.max").read_text().strip() == "48"
        if urt.flavor == "ocirt":
            assert user_systemctl(urt.pw, "show", unit, "-pTasksMax").stdout.strip() == "TasksMax=48"

        urt.ok("pause", cid)
        assert urt.state(cid)["status"] == "paused"
        assert keyed_frozen(scope)
        urt.ok("resume", cid)
        assert urt.state(cid)["status"] == "running"

        urt.ok("kill", cid, "KILL")
        wait_until(lambda: urt.state(cid)["status"] == "stopped", what="stopped")
    finally:
        urt("delete", "--force", cid)
    wait_until(lambda: unit_state(urt.pw, unit).get("LoadState") == "not-found", timeout=30,
               what=f"{unit} gone from the user's systemd")
    assert unit not in user_systemctl(urt.pw, "list-units", "--all").stdout
    wait_until(lambda: not scope.exists(), what=f"{scope} removed")


def keyed_frozen(scope):
    events = dict(line.split() for line in (scope / "cgroup.events").read_text().splitlines())
    return (scope / "cgroup.freeze").read_text().strip() == "1" and events.get("frozen") in ("1", None)


def test_run_and_delete_leave_nothing(urt, user_manager):
    unit = new_scope(urt, args=("/bin/sh", "-c", "cat /proc/self/cgroup"))
    # A foreground run deletes the container when its process exits.
    r = urt.ok("run", "--bundle", str(urt.rl.bundle.path), "sdrl2")
    assert r.stdout.strip(), "the container printed its cgroup"
    assert not (urt.rl.root / "sdrl2").exists()
    wait_until(lambda: unit_state(urt.pw, unit).get("LoadState") == "not-found", timeout=30,
               what=f"{unit} gone from the user's systemd")
    assert not (user_manager.cgroup / "user.slice" / unit).exists()


def test_undelegated_controller_is_refused(urt, user_manager):
    if urt.flavor == "runc":
        pytest.skip("ocirt only: the refusal and its wording are ocirt's (runc 1.1.5 does not check what the user's systemd was delegated)")
    delegated = (user_manager.cgroup / "cgroup.controllers").read_text().split()
    if "cpuset" in delegated:
        pytest.skip(f"this host delegates cpuset to the user's systemd ({delegated})")
    unit = new_scope(urt, limits={"cpu": {"cpus": "0"}})
    r = urt("run", "--bundle", str(urt.rl.bundle.path), "sdrl3")
    assert r.returncode != 0
    assert "/linux/resources/cpu" in r.stderr and "cpuset" in r.stderr and "not delegated" in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert unit_state(urt.pw, unit).get("LoadState") == "not-found"


def test_bus_found_without_the_environment(urt, user_manager):
    if urt.flavor == "runc":
        pytest.skip("ocirt only: runc 1.1.5 asks `busctl --user` when neither variable is set")
    unit = new_scope(urt)
    urt.ok("run", "--detach", "--bundle", str(urt.rl.bundle.path), "sdrl4", env={"XDG_RUNTIME_DIR": ""})
    assert (user_manager.cgroup / "user.slice" / unit).is_dir()
    urt.ok("delete", "--force", "sdrl4", env={"XDG_RUNTIME_DIR": ""})
    wait_until(lambda: unit_state(urt.pw, unit).get("LoadState") == "not-found", timeout=30, what="unit gone")


@pytest.mark.ocirt_only("the error's wording is ocirt's")
def test_unreachable_user_bus_is_named(runtime_info, helpers, rl_user, user_manager):  # noqa: F811
    tmp = Path(tempfile_dir())
    try:
        rt = UserRuntime("ocirt", runtime_info.binary, helpers, rl_user, tmp)
        new_scope(rt)
        uid = rl_user.pw_uid
        # The variable names no bus and the runtime dir has none: /run/user/<uid>/bus, the last
        # place looked at, answers.
        r = rt("run", "--detach", "--bundle", str(rt.rl.bundle.path), "sdrl5",
               env={"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus", "XDG_RUNTIME_DIR": str(tmp)})
        # The fallback /run/user/<uid>/bus answers, so this one runs; the tried ones are in the log.
        assert r.returncode == 0, r.stderr
        assert rt("delete", "--force", "sdrl5").returncode == 0
        # With the user's manager stopped, nothing answers: one line naming each place tried.
        subprocess.run(["systemctl", "stop", f"user@{uid}.service"], capture_output=True, timeout=120)
        r = rt("run", "--detach", "--bundle", str(rt.rl.bundle.path), "sdrl6",
               env={"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus", "XDG_RUNTIME_DIR": str(tmp)})
        assert r.returncode != 0
        line = r.stderr.strip()
        assert len(line.splitlines()) == 1, line
        for tried in ("$DBUS_SESSION_BUS_ADDRESS", f"{tmp}/bus", f"/run/user/{uid}/bus"):
            assert tried in line, line
    finally:
        subprocess.run(["systemctl", "start", f"user@{rl_user.pw_uid}.service"], capture_output=True, timeout=120)
        wait_until(Path(f"/run/user/{rl_user.pw_uid}/bus").exists, timeout=60, what="the user bus again")
        subprocess.run(["rm", "-rf", str(tmp)])
