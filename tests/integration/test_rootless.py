"""Rootless: the runtime run by an ordinary user (issue 13).

A module fixture creates an unprivileged user with /etc/subuid and /etc/subgid ranges and
removes it, its ranges, its processes and its files at teardown. Each test builds a bundle the
user owns, writes its config with `<runtime> spec --rootless` run as that user, and drives the
runtime as that user (runuser), with a state root of the user's own. What the container sees
comes from the static probe (/proc/self/uid_map and the rest).
"""

import json
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from bundle import Bundle
from runner import probe_output, wait_until

USER = "ocirtrlrt"
SUB_START = 520000  # a range no other test user of this machine is given
SUB_COUNT = 65536


def _drop_lines(path, user):
    p = Path(path)
    if not p.exists():
        return
    kept = [l for l in p.read_text().splitlines() if not l.startswith(user + ":")]
    p.write_text("".join(l + "\n" for l in kept))


def _user_pids(uid):
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if d.stat().st_uid == uid and (d / "status").read_text().find(f"Uid:\t{uid}") >= 0:
                    pids.append(int(d.name))
            except OSError:
                pass
    return pids


@pytest.fixture(scope="module")
def rl_user():
    if shutil.which("runuser") is None:
        pytest.skip("runuser (util-linux) is not installed")
    subprocess.run(["userdel", USER], capture_output=True)
    subprocess.run(["useradd", "-M", "-d", "/nonexistent", "-s", "/usr/sbin/nologin", USER], check=True)
    for f in ["/etc/subuid", "/etc/subgid"]:
        _drop_lines(f, USER)
        with open(f, "a") as out:
            out.write(f"{USER}:{SUB_START}:{SUB_COUNT}\n")
    pw = pwd.getpwnam(USER)
    try:
        yield pw
    finally:
        for pid in _user_pids(pw.pw_uid):  # processes only this test's user runs
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for f in ["/etc/subuid", "/etc/subgid"]:
            _drop_lines(f, USER)
        subprocess.run(["userdel", USER], capture_output=True)
        shutil.rmtree(f"/tmp/ocirt-{pw.pw_uid}", ignore_errors=True)


class Rootless:
    """A bundle the test user owns, and the runtime run as that user."""

    def __init__(self, info, helpers, pw, tmp):
        self.info = info
        self.pw = pw
        self.tmp = tmp
        self.root = tmp / "state"
        self.bundle = Bundle(tmp / "bundle", info.binary, helpers["probe"], helpers["busybox"],
                             helpers["applets"])
        (self.bundle.path / "config.json").unlink()
        self.chown(tmp)
        r = self.run_as("spec", "--rootless", "--bundle", str(self.bundle.path), root=None)
        assert r.returncode == 0, r.stderr
        self.bundle.config = json.loads((self.bundle.path / "config.json").read_text())
        caps = self.bundle.process.get("capabilities", {})
        caps.pop("ambient", None)  # runc 1.1's spec: ambient caps not in inheritable
        self.bundle.process["terminal"] = False
        self.bundle.process["args"] = ["/probe"]
        self.save()

    def chown(self, path):
        for dirpath, dirnames, filenames in os.walk(path):
            for name in [dirpath] + [os.path.join(dirpath, n) for n in dirnames + filenames]:
                os.lchown(name, self.pw.pw_uid, self.pw.pw_gid)

    def save(self):
        self.bundle.save()
        os.lchown(self.bundle.path / "config.json", self.pw.pw_uid, self.pw.pw_gid)

    def run_as(self, *args, root="default", env=None, timeout=60, cgroup=None):
        """The runtime run as the user; from inside the cgroup2 directory `cgroup` when given
        (moved there first, by root: a delegated cgroup's leaf)."""
        argv = [self.info.binary]
        if root == "default":
            argv += ["--root", str(self.root)]
        argv += list(args)
        e = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/", "XDG_RUNTIME_DIR": ""}
        e.update(env or {})
        full = ["runuser", "-u", USER, "--", "env", "-i"] + [f"{k}={v}" for k, v in e.items()] + argv
        if cgroup:
            full = ["sh", "-c", f'echo $$ > {cgroup}/cgroup.procs && exec "$@"', "sh"] + full
        # Output to files, not pipes: a detached container keeps its stdio open.
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            p = subprocess.run(full, cwd=self.bundle.path, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                               timeout=timeout)
            out.seek(0)
            err.seek(0)
            return subprocess.CompletedProcess(full, p.returncode, out.read(), err.read())

    def run(self, cid, *flags, cgroup=None):
        return self.run_as("run", "--bundle", str(self.bundle.path), *flags, cid, cgroup=cgroup)

    def probe(self, cid):
        r = self.run(cid)
        assert r.returncode == 0, r.stderr
        return probe_output(r.stdout)

    def cleanup(self):
        if self.root.exists():
            for d in list(self.root.iterdir()):
                self.run_as("delete", "--force", d.name)


@pytest.fixture
def rl(runtime_info, helpers, rl_user):
    tmp = Path(tempfile.mkdtemp(prefix="ocirt-rl-"))
    os.chmod(tmp, 0o755)
    r = Rootless(runtime_info, helpers, rl_user, tmp)
    yield r
    r.cleanup()
    leftover = sorted(p.name for p in r.root.iterdir()) if r.root.exists() else []
    for pid in _user_pids(rl_user.pw_uid):
        os.kill(pid, signal.SIGKILL)
    shutil.rmtree(tmp, ignore_errors=True)
    assert leftover == [], f"state left in {r.root}: {leftover}"


def _map(text):
    return [[int(x) for x in line.split()] for line in text.strip().splitlines()]


def _read_in(rl, cid, path):
    rl.bundle.args("/bin/cat", path)
    rl.save()
    r = rl.run(cid)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_spec_rootless_maps_the_caller(rl):
    linux = rl.bundle.linux
    uid, gid = rl.pw.pw_uid, rl.pw.pw_gid
    assert linux["uidMappings"] == [{"containerID": 0, "hostID": uid, "size": 1}]
    assert linux["gidMappings"] == [{"containerID": 0, "hostID": gid, "size": 1}]
    types = [n["type"] for n in linux["namespaces"]]
    assert "user" in types and "network" not in types
    sys_mount = [m for m in rl.bundle.config["mounts"] if m["destination"] == "/sys"][0]
    assert "rbind" in sys_mount["options"]
    assert not any(o.startswith("gid=") for m in rl.bundle.config["mounts"] for o in m.get("options", []))
    assert "resources" not in linux


def test_run_as_user_is_root_inside(rl):
    out = rl.probe("r1")
    assert out["uid"] == 0 and out["euid"] == 0
    user_ns = out["namespaces"]["user"]
    assert user_ns != os.readlink("/proc/self/ns/user")


def test_single_id_mapping_seen_inside(rl):
    uid, gid = rl.pw.pw_uid, rl.pw.pw_gid
    assert _map(_read_in(rl, "m1", "/proc/self/uid_map")) == [[0, uid, 1]]
    assert _map(_read_in(rl, "m2", "/proc/self/gid_map")) == [[0, gid, 1]]
    # An unprivileged writer's gid_map needs setgroups denied first (user_namespaces(7)).
    assert _read_in(rl, "m3", "/proc/self/setgroups").strip() == "deny"


def test_multi_range_mapping_through_newuidmap(rl):
    if not shutil.which("newuidmap"):
        pytest.skip("newuidmap (Debian's uidmap) is not installed")
    uid, gid = rl.pw.pw_uid, rl.pw.pw_gid
    rl.bundle.linux["uidMappings"] = [{"containerID": 0, "hostID": uid, "size": 1},
                                      {"containerID": 1, "hostID": SUB_START, "size": SUB_COUNT}]
    rl.bundle.linux["gidMappings"] = [{"containerID": 0, "hostID": gid, "size": 1},
                                      {"containerID": 1, "hostID": SUB_START, "size": SUB_COUNT}]
    assert _map(_read_in(rl, "m1", "/proc/self/uid_map")) == [[0, uid, 1], [1, SUB_START, SUB_COUNT]]
    assert _map(_read_in(rl, "m2", "/proc/self/gid_map")) == [[0, gid, 1], [1, SUB_START, SUB_COUNT]]
    assert _read_in(rl, "m3", "/proc/self/setgroups").strip() == "allow"
    # A process of the container runs as a subordinate id: host uid SUB_START + 999.
    rl.bundle.process["user"] = {"uid": 1000, "gid": 1000}
    rl.bundle.args("/probe")
    rl.save()
    r = rl.run("m4")
    assert r.returncode == 0, r.stderr
    assert probe_output(r.stdout)["uid"] == 1000


def test_range_outside_subuid_is_refused(rl, runtime_info):
    uid = rl.pw.pw_uid
    rl.bundle.linux["uidMappings"] = [{"containerID": 0, "hostID": uid, "size": 1},
                                      {"containerID": 1, "hostID": SUB_START + SUB_COUNT, "size": 10}]
    rl.save()
    r = rl.run("bad")
    assert r.returncode != 0
    if not runtime_info.is_runc:
        assert "linux.uidMappings" in r.stderr and "/etc/subuid" in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert not rl.root.exists() or list(rl.root.iterdir()) == []


@pytest.mark.ocirt_only("the helper's name in the error")
def test_missing_newuidmap_is_named(rl, tmp_path):
    rl.bundle.linux["uidMappings"] = [{"containerID": 0, "hostID": rl.pw.pw_uid, "size": 1},
                                      {"containerID": 1, "hostID": SUB_START, "size": 10}]
    rl.save()
    r = rl.run_as("run", "--bundle", str(rl.bundle.path), "nohelper", env={"PATH": "/nonexistent"})
    assert r.returncode != 0
    assert "newuidmap" in r.stderr and "linux.uidMappings" in r.stderr, r.stderr


def test_exec_kill_delete(rl):
    rl.bundle.args("/bin/sleep", "300")
    rl.save()
    r = rl.run("d1", "--detach")
    assert r.returncode == 0, r.stderr
    st = json.loads(rl.run_as("state", "d1").stdout)
    assert st["status"] == "running"
    e = rl.run_as("exec", "d1", "/bin/cat", "/proc/self/uid_map")
    assert e.returncode == 0, e.stderr
    assert _map(e.stdout) == [[0, rl.pw.pw_uid, 1]]
    k = rl.run_as("kill", "d1", "KILL")
    assert k.returncode == 0, k.stderr
    wait_until(lambda: json.loads(rl.run_as("state", "d1").stdout)["status"] == "stopped",
               what="d1 to stop")
    d = rl.run_as("delete", "d1")
    assert d.returncode == 0, d.stderr
    assert list(rl.root.iterdir()) == []


@pytest.mark.ocirt_only("runc 1.1 rootless without a cgroup: pause fails with another message")
def test_pause_without_delegated_cgroup_is_refused(rl):
    rl.bundle.args("/bin/sleep", "300")
    rl.save()
    assert rl.run("p1", "--detach").returncode == 0
    r = rl.run_as("pause", "p1")
    assert r.returncode != 0
    assert "no cgroup" in r.stderr and "delegated" in r.stderr, r.stderr
    assert json.loads(rl.run_as("state", "p1").stdout)["status"] == "running"


def test_limits_without_delegation_are_refused(rl, runtime_info):
    rl.bundle.linux["resources"] = {"pids": {"limit": 100}}
    rl.save()
    r = rl.run("lim")
    assert r.returncode != 0
    if not runtime_info.is_runc:  # runc 1.1: "cannot set pids limit: container could not join or create cgroup"
        assert "/linux/resources" in r.stderr and "delegated" in r.stderr, r.stderr
    assert list(rl.root.iterdir()) == []


def test_default_state_root_is_the_users(rl, runtime_info):
    rl.bundle.args("/bin/sleep", "300")
    rl.save()
    xdg = rl.tmp / "xdg"
    xdg.mkdir(mode=0o700)
    os.chown(xdg, rl.pw.pw_uid, rl.pw.pw_gid)
    r = rl.run_as("run", "--detach", "--bundle", str(rl.bundle.path), "x1", root=None,
                  env={"XDG_RUNTIME_DIR": str(xdg)})
    assert r.returncode == 0, r.stderr
    name = "runc" if runtime_info.is_runc else "ocirt"
    state_root = xdg / name
    assert (state_root / "x1").is_dir()
    st = state_root.stat()
    assert st.st_uid == rl.pw.pw_uid and st.st_mode & 0o077 == 0
    d = rl.run_as("delete", "--force", "x1", root=None, env={"XDG_RUNTIME_DIR": str(xdg)})
    assert d.returncode == 0, d.stderr
    assert list(state_root.iterdir()) == []


@pytest.mark.ocirt_only("the fallback of a user without XDG_RUNTIME_DIR")
def test_fallback_state_root_in_tmp(rl):
    fallback = Path(f"/tmp/ocirt-{rl.pw.pw_uid}")
    shutil.rmtree(fallback, ignore_errors=True)
    r = rl.run_as("run", "--bundle", str(rl.bundle.path), "t1", root=None)
    assert r.returncode == 0, r.stderr
    st = fallback.stat()
    assert st.st_uid == rl.pw.pw_uid and (st.st_mode & 0o777) == 0o700
    assert list(fallback.iterdir()) == []
    shutil.rmtree(fallback)


@pytest.mark.ocirt_only("runc does not check who owns its state root")
@pytest.mark.parametrize("case", ["other-owner", "world-writable-xdg", "world-writable-root"])
def test_hostile_state_roots_are_refused(rl, case):
    hostile = rl.tmp / "hostile"
    hostile.mkdir()
    if case == "other-owner":
        # A state root that belongs to someone else (root here), mode 0777 so it is writable.
        (hostile / "ocirt").mkdir()
        os.chmod(hostile / "ocirt", 0o777)
        os.chmod(hostile, 0o755)
        env = {"XDG_RUNTIME_DIR": str(hostile)}
        what = "belongs to uid 0"
    elif case == "world-writable-xdg":
        os.chmod(hostile, 0o777)  # anybody may rename the state root away and put theirs there
        env = {"XDG_RUNTIME_DIR": str(hostile)}
        what = "writable by other users without the sticky bit"
    else:
        (hostile / "ocirt").mkdir()
        os.chown(hostile / "ocirt", rl.pw.pw_uid, rl.pw.pw_gid)
        os.chmod(hostile / "ocirt", 0o777)
        os.chown(hostile, rl.pw.pw_uid, rl.pw.pw_gid)
        env = {"XDG_RUNTIME_DIR": str(hostile)}
        what = "writable by other users (mode 777)"
    r = rl.run_as("run", "--bundle", str(rl.bundle.path), "h1", root=None, env=env)
    assert r.returncode != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "state root" in lines[0] and what in lines[0], r.stderr
    assert not (hostile / "ocirt" / "h1").exists()


def test_devices_are_bound_from_the_host(rl):
    rl.bundle.args("/bin/sh", "-c", "echo hi > /dev/null && head -c 4 /dev/zero | wc -c && ls -l /dev/null")
    rl.save()
    r = rl.run("dev1")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert lines[0].strip() == "4"
    assert lines[1].startswith("c")  # the host's character device, bound: mknod is refused here


@pytest.mark.runc_deviates("runc refuses gid= of an unmapped gid rootless; crun (and ocirt) mount devpts without it")
def test_privileged_mount_fallbacks(rl):
    # The plain (not --rootless) mounts: sysfs, devpts with gid=5 (unmapped here), mqueue.
    for m in rl.bundle.config["mounts"]:
        if m["destination"] == "/sys":
            m.update(type="sysfs", source="sysfs", options=["nosuid", "noexec", "nodev", "ro"])
        if m["destination"] == "/dev/pts":
            m["options"].append("gid=5")
    rl.bundle.args("/bin/cat", "/proc/self/mountinfo")
    rl.save()
    r = rl.run("fb1")
    assert r.returncode == 0, r.stderr
    by_point = {l.split()[4]: l for l in r.stdout.splitlines()}
    assert " - devpts " in by_point["/dev/pts"] and "gid=5" not in by_point["/dev/pts"]
    assert " - sysfs " in by_point["/sys"] and " ro," in by_point["/sys"]  # the host's, bound read-only
    assert " - mqueue " in by_point["/dev/mqueue"]


@pytest.mark.runc_deviates("runc 1.1 rootless without a cgroup: kill --all fails (lstat of an empty cgroup path)")
def test_kill_all_without_a_cgroup(rl):
    rl.bundle.args("/bin/sleep", "300")
    rl.save()
    assert rl.run("ka1", "--detach").returncode == 0
    e = rl.run_as("exec", "--detach", "ka1", "/bin/sleep", "200")
    assert e.returncode == 0, e.stderr
    pid = json.loads(rl.run_as("state", "ka1").stdout)["pid"]
    k = rl.run_as("kill", "--all", "ka1", "KILL")
    assert k.returncode == 0, k.stderr
    wait_until(lambda: json.loads(rl.run_as("state", "ka1").stdout)["status"] == "stopped", what="ka1 to stop")
    assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
    assert rl.run_as("delete", "ka1").returncode == 0



def _running(rl, cid):
    rl.bundle.args("/bin/sleep", "300")
    rl.save()
    r = rl.run(cid, "--detach")
    assert r.returncode == 0, r.stderr
    return json.loads(rl.run_as("state", cid).stdout)


# CRIU cannot run unprivileged: ocirt refuses checkpoint and restore before doing anything. runc
# (1.1 as 1.4) only warns "runc checkpoint is untested with rootless containers" and fails later
# (checkpoint: "container still running" after making the image directory; restore: the mount of
# the rootfs for CRIU, EPERM); so for runc only the outcome is checked, not the message.


def _criu_refusal(r, rl, runtime_info):
    assert r.returncode != 0
    if runtime_info.is_runc:
        return
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert f"running rootless (uid {rl.pw.pw_uid}): CRIU needs root" in lines[0], r.stderr


def test_checkpoint_is_refused_up_front(rl, runtime_info):
    before = _running(rl, "cp1")
    image = rl.tmp / "image"
    r = rl.run_as("checkpoint", "--image-path", str(image), "cp1")
    _criu_refusal(r, rl, runtime_info)
    if not runtime_info.is_runc:
        assert not image.exists()  # nothing made
    after = json.loads(rl.run_as("state", "cp1").stdout)
    assert after["status"] == "running" and after["pid"] == before["pid"]
    assert rl.run_as("exec", "cp1", "/bin/true").returncode == 0


def test_restore_is_refused_up_front(rl, runtime_info):
    image = rl.tmp / "image"
    image.mkdir()
    (image / "inventory.img").write_bytes(b"")  # looks like an image: the refusal comes first
    rl.chown(image)
    rl.bundle.args("/bin/sleep", "300")
    rl.save()
    r = rl.run_as("restore", "--detach", "--image-path", str(image), "--bundle", str(rl.bundle.path), "rs1")
    _criu_refusal(r, rl, runtime_info)
    assert not rl.root.exists() or list(rl.root.iterdir()) == []
    if not runtime_info.is_runc:
        assert sorted(p.name for p in image.iterdir()) == ["inventory.img"]  # CRIU never ran


def test_update_without_a_cgroup_is_refused(rl, runtime_info):
    before = _running(rl, "up1")
    r = rl.run_as("update", "--pids-limit", "10", "up1")
    assert r.returncode != 0
    after = json.loads(rl.run_as("state", "up1").stdout)
    assert after["status"] == "running" and after["pid"] == before["pid"]
    if runtime_info.is_runc:
        # runc 1.1: "cannot set pids limit: container could not join or create cgroup", after a
        # warning that its state.json "might be inconsistent".
        assert "cannot set pids limit" in r.stderr, r.stderr
        return
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert ("/linux/resources/pids: cannot set the limit: the container has no cgroup "
            "(rootless, nothing was delegated to this user)") in lines[0], r.stderr
    config = json.loads((rl.root / "up1" / "config.json").read_text())
    assert "pids" not in config.get("linux", {}).get("resources", {})  # the record is unchanged too
