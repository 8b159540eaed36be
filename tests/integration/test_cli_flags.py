"""Flags engines and runc/crun users pass, each doing what runc (or crun) does with it:
--version's layout, --rootless, --cgroup-manager, create/run --config, --pidfd-socket,
run --no-subreaper, exec --process-label/--apparmor. (exec --cgroup, --ignore-paused and the
update flags need a cgroup: cgroup/test_exec_cgroup_flags.py, cgroup/test_update.py.)"""

import json
import os
import re
import signal
import socket
import threading
from pathlib import Path

import pytest

from runner import wait_until


def test_version_has_runcs_layout(env):
    """Clients read the first line ("<name> version X") and the key: value lines after it."""
    out = env.rt.invoke("--version").check().out.splitlines()
    assert re.fullmatch(r"\S+ version \d+\.\d+\S*", out[0]), out
    keys = dict(line.split(": ", 1) for line in out[1:] if ": " in line)
    assert keys.get("commit"), out
    assert re.match(r"\d+\.\d+", keys.get("spec", "")), out
    assert re.fullmatch(r"\d+\.\d+\.\d+", keys.get("libseccomp", "")), out


@pytest.mark.parametrize("value", ["auto", "true", "false"])
def test_rootless_values_are_accepted(env, bundle, value):
    bundle.args("/bin/sh", "-c", "echo ok").save()
    cid = env.new_id()
    env.rt.track(cid)
    r = env.rt.invoke("--rootless", value, "run", "--bundle", bundle.path, cid)
    assert r.check().out.split() == ["ok"]


def test_rootless_refuses_other_values(env, bundle):
    bundle.args("/bin/true").save()
    cid = env.new_id()
    env.rt.track(cid)
    r = env.rt.invoke("--rootless", "maybe", "create", "--bundle", bundle.path, cid)
    assert r.rc != 0, r.describe()
    if env.info.flavor == "ocirt":
        assert r.err.strip() == 'ocirt: --rootless: expected true, false or auto, got "maybe"', r.describe()
    env.assert_nothing_left(cid)


def own_cgroup(pid="self"):
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        if line.startswith("0::"):
            return line[3:]
    return None


@pytest.mark.ocirt_only("crun's --cgroup-manager; runc has only --systemd-cgroup")
def test_cgroup_manager_disabled_makes_no_cgroup(env, bundle):
    bundle.args("/bin/sleep", "60").save()
    cid = env.new_id()
    env.rt.track(cid)
    io = env.rt.new_io(cid)
    env.rt.invoke("--cgroup-manager=disabled", "create", "--bundle", bundle.path, cid, io=io).check()
    pid = env.rt.state(cid)["pid"]
    # Left where its creator was: no /ocirt/<id> made for it.
    assert own_cgroup(pid) == own_cgroup(), (own_cgroup(pid), own_cgroup())
    r = env.rt.invoke("events", "--stats", cid)
    assert r.rc != 0 and "no cgroup" in r.err, r.describe()
    env.rt.delete(cid, "--force").check()


@pytest.mark.ocirt_only("crun's --cgroup-manager; runc has only --systemd-cgroup")
def test_cgroup_manager_values(env, bundle):
    bundle.args("/bin/true").save()
    cid = env.new_id()
    env.rt.track(cid)
    systemd = env.rt.invoke("--cgroup-manager", "systemd", "create", "--bundle", bundle.path, cid)
    same = env.rt.invoke("--systemd-cgroup", "create", "--bundle", bundle.path, cid)
    assert systemd.rc == same.rc and systemd.err == same.err, (systemd.describe(), same.describe())
    r = env.rt.invoke("--cgroup-manager", "cgroupv1", "create", "--bundle", bundle.path, cid)
    assert r.rc != 0 and r.err.strip() == (
        'ocirt: --cgroup-manager: expected cgroupfs, systemd or disabled, got "cgroupv1"'), r.describe()
    env.rt.invoke("--cgroup-manager", "cgroupfs", "run", "--bundle", bundle.path, cid).check()
    env.assert_nothing_left(cid)


@pytest.mark.ocirt_only("crun's create/run --config")
def test_config_flag_replaces_the_bundles_config(env, bundle):
    bundle.args("/bin/sh", "-c", "echo from-bundle").save()
    other = dict(bundle.config)
    other["process"] = dict(bundle.process, args=["/bin/sh", "-c", "echo from-other"])
    other_file = env.tmp / "other.json"  # outside the bundle; root.path stays relative to the bundle
    other_file.write_text(json.dumps(other))
    relative = os.path.relpath(other_file, os.getcwd())  # crun: relative to the caller's directory
    for flag in (["--config", relative], ["-f", str(other_file)]):
        r = env.rt.run(env.new_id(), bundle.path, *flag)
        assert r.check().out.split() == ["from-other"]
    r = env.rt.run(env.new_id(), bundle.path, "--config", str(env.tmp / "missing.json"))
    assert r.rc != 0 and "--config" in r.err and "missing.json" in r.err, r.describe()


class PidfdReceiver:
    """Listens on a unix stream socket and keeps what the runtime sends: runc's message is
    the kind ("standard", "setns") as data and one pidfd as SCM_RIGHTS."""

    def __init__(self, path):
        self.path = str(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(self.path)
        self.sock.listen(1)
        self.sock.settimeout(30)
        self.received = None
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn:
            msg, fds, _, _ = socket.recv_fds(conn, 64, 4)
            self.received = (msg.decode(), fds)

    def result(self):
        self.thread.join(timeout=30)
        self.sock.close()
        assert self.received is not None, "nothing arrived on the pidfd socket"
        return self.received


def pidfd_target(fd):
    """The PID a pidfd refers to (its fdinfo), after checking it is one."""
    assert os.readlink(f"/proc/self/fd/{fd}") == "anon_inode:[pidfd]"
    for line in Path(f"/proc/self/fdinfo/{fd}").read_text().splitlines():
        if line.startswith("Pid:"):
            return int(line.split()[1])
    raise AssertionError("no Pid: line in the pidfd's fdinfo")


@pytest.mark.runc_min_version("1.2", "--pidfd-socket")
@pytest.mark.parametrize("command", ["create", "run"])
def test_pidfd_socket_receives_the_container_process(env, bundle, command):
    bundle.args("/bin/sleep", "300").save()
    cid = env.new_id()
    receiver = PidfdReceiver(env.tmp / "pidfd.sock")
    flags = ["--pidfd-socket", receiver.path] + (["--detach"] if command == "run" else [])
    if command == "create":
        env.rt.create(cid, bundle.path, *flags).check()
    else:
        env.rt.track(cid)
        env.rt.invoke("run", "--bundle", bundle.path, *flags, cid, io=env.rt.new_io(cid)).check()
    kind, fds = receiver.result()
    assert kind == "standard" and len(fds) == 1, (kind, fds)
    assert pidfd_target(fds[0]) == env.rt.state(cid)["pid"]
    signal.pidfd_send_signal(fds[0], signal.SIGKILL)
    os.close(fds[0])
    env.rt.wait_status(cid, "stopped")


@pytest.mark.runc_min_version("1.2", "--pidfd-socket")
def test_pidfd_socket_receives_the_exec_process(env, bundle):
    bundle.args("/bin/sleep", "300").save()
    cid = env.new_id()
    env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    receiver = PidfdReceiver(env.tmp / "pidfd.sock")
    pid_file = env.tmp / "exec.pid"
    env.rt.exec(cid, "/bin/sleep", "300",
                flags=("--detach", "--pid-file", pid_file, "--pidfd-socket", receiver.path)).check()
    kind, fds = receiver.result()
    assert kind == "setns" and len(fds) == 1, (kind, fds)
    assert pidfd_target(fds[0]) == int(pid_file.read_text())
    signal.pidfd_send_signal(fds[0], signal.SIGKILL)
    os.close(fds[0])


@pytest.mark.runc_min_version("1.2", "--pidfd-socket")
def test_pidfd_socket_that_nobody_listens_on_fails_early(env, bundle):
    bundle.args("/bin/true").save()
    cid = env.new_id()
    r = env.rt.create(cid, bundle.path, "--pidfd-socket", env.tmp / "nobody.sock")
    assert r.rc != 0 and "nobody.sock" in r.err, r.describe()
    env.assert_nothing_left(cid)


# A process orphaned inside the container: its parent shell exits at once. It is re-parented
# to the nearest subreaper, which is `run` unless --no-subreaper.
ORPHAN = ('p=$(sh -c "sleep 30 >/dev/null 2>&1 & echo \\$!"); sleep 0.3; '
          'grep PPid /proc/$p/status; kill $p')


@pytest.mark.parametrize("no_subreaper", [False, True])
def test_no_subreaper_leaves_orphans_to_others(env, bundle, no_subreaper):
    bundle.remove_namespace("pid")  # without a pid namespace orphans leave the container
    bundle.args("/bin/sh", "-c", ORPHAN).save()
    cid = env.new_id()
    env.rt.track(cid)
    flags = ["--no-subreaper"] if no_subreaper else []
    proc, io = env.rt.spawn("run", "--bundle", bundle.path, *flags, cid)
    assert proc.wait(timeout=60) == 0, io.err()
    ppid = int(re.search(r"PPid:\s*(\d+)", io.out()).group(1))
    assert (ppid == proc.pid) != no_subreaper, (ppid, proc.pid, io.out())


def test_no_subreaper_still_returns_the_exit_status(env, bundle):
    bundle.args("/bin/sh", "-c", "exit 3").save()  # in a new pid namespace: the process is forked
    cid = env.new_id()
    r = env.rt.run(cid, bundle.path, "--no-subreaper")
    assert r.rc == 3, r.describe()
    env.assert_nothing_left(cid)


def start_sleeping(env, bundle):
    bundle.args("/bin/sleep", "300").save()
    cid = env.new_id()
    env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    return cid


def test_exec_process_label_is_applied_or_refused(env, bundle):
    if Path("/sys/fs/selinux/enforce").exists():
        pytest.skip("SELinux is enabled here: the label would apply (not set up in these tests)")
    cid = start_sleeping(env, bundle)
    r = env.rt.exec(cid, "/bin/true", flags=("--process-label", "system_u:system_r:container_t:s0"))
    assert r.rc != 0 and "selinux" in r.err.lower(), r.describe()


@pytest.mark.ocirt_only("runc 1.1 ignores a profile when AppArmor is off")
def test_exec_apparmor_is_applied_or_refused(env, bundle):
    enabled = Path("/sys/module/apparmor/parameters/enabled")
    if enabled.exists() and enabled.read_text().startswith("Y"):
        pytest.skip("AppArmor is enabled here (test_lsm.py covers a profile that applies)")
    cid = start_sleeping(env, bundle)
    r = env.rt.exec(cid, "/bin/true", flags=("--apparmor", "docker-default"))
    assert r.rc != 0 and "/process/apparmorProfile" in r.err, r.describe()
    env.rt.exec(cid, "/bin/true", flags=("--apparmor", "unconfined")).check()
