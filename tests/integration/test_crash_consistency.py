"""Crash consistency (issue 17): a runtime SIGKILLed anywhere leaves nothing `delete --force`
cannot clean.

The bundle uses a cgroup (a cgroupsPath under a parent the create makes), a network device
moved in (so a pinned network namespace), a user namespace and a seccomp profile.

- `create` is SIGKILLed before each of its syscalls in turn: a normal create is traced once
  (strace), then for each syscall of that trace, its k-th call of that name gets
  `strace -e inject=NAME:signal=SIGKILL:when=k` (every kill point, not a sample).
- the init stage (every process of it that exists at that moment) is SIGKILLed at random
  times during create (a fixed seed, so a failure can be replayed).
- `start`, `exec`, `delete` and `update` are SIGKILLed before each of their syscalls the same
  way, every 8th syscall (a sample, to keep the run short: the first half of each trace
  being the runtime's start-up, common to all commands).

After each kill: `delete --force ID` exits 0, and nothing of the container is left: no state
dir, no process rooted in or working under the test dir, no mount under it, no cgroup (nor the
parent create made), the network device back on the host. The counts are printed.

On a v1/v2 hybrid host the module runs in a private mount namespace with cgroup2 on
/sys/fs/cgroup, as the tests of cgroup/ do (see cgroup/conftest.py).
"""

import os
import random
import re
import shutil
import signal
import subprocess
import time

import pytest

from host import mounts_under, private_mount_namespace, processes_rooted_under

CG_ROOT = "/sys/fs/cgroup"
STRACE = shutil.which("strace")
USERNS_MAP = [{"containerID": 0, "hostID": 100000, "size": 65536}]

pytestmark = [
    pytest.mark.ocirt_only("kills the runtime at each of its syscalls; runc leaves cgroups behind "
                           "at 66 of 336 points (issue 17)"),
    pytest.mark.skipif(STRACE is None, reason="strace is missing (apt-get install -y strace)"),
]


def _is_cgroup2(path):
    return os.path.exists(os.path.join(path, "cgroup.controllers"))


@pytest.fixture(scope="module", autouse=True)
def cgroup2_on_sys_fs_cgroup():
    if _is_cgroup2(CG_ROOT) or os.geteuid() != 0:
        yield
        return
    with private_mount_namespace():
        subprocess.run(["mount", "-t", "cgroup2", "none", CG_ROOT], check=True)
        yield


def link_exists(name):
    return subprocess.run(["ip", "link", "show", name], capture_output=True).returncode == 0


class Crash:
    """One container config and the checks after each kill."""

    def __init__(self, env, bundle):
        if subprocess.run(["ip", "-V"], capture_output=True).returncode != 0:
            pytest.skip("iproute2 'ip' is missing (apt-get install -y iproute2)")
        self.env = env
        self.bundle = bundle
        tag = env.tmp.name[-6:]
        self.veth = f"ocv{tag}"
        subprocess.run(["ip", "link", "add", self.veth, "type", "veth", "peer", "name", self.veth + "p"],
                       check=True)
        env.defer(lambda: subprocess.run(["ip", "link", "del", self.veth], capture_output=True))
        self.cg_parent = f"/ocirt-crash-{tag}"
        env.defer(self._remove_cgroups)
        bundle.add_namespace("user")
        bundle.linux["uidMappings"] = USERNS_MAP
        bundle.linux["gidMappings"] = USERNS_MAP
        bundle.config["mounts"] = [m for m in bundle.config["mounts"] if m["type"] != "cgroup"]
        bundle.linux["netDevices"] = {self.veth: {"name": "ctr0"}}
        bundle.linux["seccomp"] = {
            "defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ERRNO"}],
        }
        bundle.probe("sleep", "300")
        self.cwd = env.host_dir("cwd")  # every ocirt process here works in it: a leftover is found

    def set_id(self, cid):
        self.cid = cid
        self.bundle.linux["cgroupsPath"] = f"{self.cg_parent}/{cid}"
        self.bundle.save()

    def _remove_cgroups(self):
        for dirpath, dirnames, _ in sorted(os.walk(CG_ROOT + self.cg_parent), reverse=True):
            try:
                os.rmdir(dirpath)
            except OSError:
                pass

    def argv(self, *args):
        return self.env.rt.argv(*args)

    def command(self, *args, check=False, timeout=60):
        # Output through a file: the container inherits it, and a pipe would stay open.
        err = self.env.tmp / "command.err"
        with open(err, "w") as f:
            r = subprocess.run(self.argv(*args), cwd=self.cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=f, text=True, timeout=timeout)
        r.stderr = err.read_text()
        if check:
            assert r.returncode == 0, f"{' '.join(self.argv(*args))}: {r.stderr.strip()}"
        return r

    def create_argv(self):
        return self.argv("create", "--bundle", self.bundle.path, self.cid)

    def trace(self, argv):
        """The syscalls a normal run of argv makes, in order (names)."""
        out = self.env.tmp / "trace.txt"
        subprocess.run([STRACE, "-qq", "-o", out, *argv], cwd=self.cwd, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=60)
        names = []
        for line in out.read_text().splitlines():
            m = re.match(r"([a-z0-9_]+)\(", line)
            if m:
                names.append(m.group(1))
        return names

    def kill_points(self, names):
        """(name, k): the k-th call of that syscall, for each syscall of the trace."""
        seen = {}
        points = []
        for name in names:
            seen[name] = seen.get(name, 0) + 1
            points.append((name, seen[name]))
        return points

    def killed_at(self, argv, name, k):
        """Runs argv under strace, SIGKILLed on entry to the k-th call of `name`."""
        r = subprocess.run([STRACE, "-qq", "-o", "/dev/null", "-e", f"inject={name}:signal=SIGKILL:when={k}",
                            *argv], cwd=self.cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=60)
        return r.returncode

    def leftovers(self):
        """What the container left on the host; [] if nothing."""
        problems = []
        if (self.env.rt.root / self.cid).exists():
            problems.append(f"state dir {self.env.rt.root / self.cid}")
        procs = processes_rooted_under(self.env.tmp) + processes_working_under(self.cwd)
        if procs:
            problems.append(f"processes {sorted(set(procs))}")
        mounts = mounts_under(self.env.tmp)
        if mounts:
            problems.append(f"mounts {mounts}")
        if os.path.exists(CG_ROOT + self.cg_parent):
            problems.append(f"cgroup {self.cg_parent} (or below)")
        if not link_exists(self.veth):
            problems.append(f"network device {self.veth} not back on the host")
        return problems

    def force_delete_and_check(self, what):
        r = self.command("delete", "--force", self.cid)
        problems = []
        if r.returncode != 0:
            problems.append(f"delete --force exited {r.returncode}: {r.stderr.strip()}")
        # A SIGKILLed process may take a moment to be reaped by the kernel.
        deadline = time.monotonic() + 5
        left = self.leftovers()
        while left and time.monotonic() < deadline:
            time.sleep(0.05)
            left = self.leftovers()
        problems += left
        if problems:
            self.cleanup()
        return [f"{what}: {p}" for p in problems]

    def cleanup(self):
        self.command("delete", "--force", self.cid)
        shutil.rmtree(self.env.rt.root / self.cid, ignore_errors=True)
        for pid in processes_rooted_under(self.env.tmp) + processes_working_under(self.cwd):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        self._remove_cgroups()


def processes_working_under(path):
    """PIDs whose working directory is at or below `path` (an ocirt process, or the init stage
    before it enters the rootfs, inherits the caller's)."""
    path = str(path)
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cwd = os.readlink(f"/proc/{entry}/cwd")
        except OSError:
            continue
        if cwd == path or cwd.startswith(path + "/"):
            pids.append(int(entry))
    return pids


def report(what, points, problems):
    print(f"\n{what}: {points} kill points, {len(problems)} leftovers")
    assert not problems, "\n".join(problems[:20])


@pytest.fixture
def crash(env, bundle):
    return Crash(env, bundle)


def test_sigkill_create_at_each_syscall(crash, env):
    crash.set_id(env.new_id("k"))
    env.rt.track(crash.cid)
    names = crash.trace(crash.create_argv())
    crash.force_delete_and_check("traced create")
    points = crash.kill_points(names)
    problems = []
    for i, (name, k) in enumerate(points):
        rc = crash.killed_at(crash.create_argv(), name, k)
        what = f"create killed at syscall {i + 1} ({name} #{k}, rc {rc})"
        problems += crash.force_delete_and_check(what)
    report("SIGKILL of create before each syscall", len(points), problems)


def init_stage_pids(crash, create_pid):
    """The processes of the init stage: every process but `create` itself that works in the
    directory create was started in (inherited) or is rooted in the test's rootfs (after the
    pivot). The container process, once forked into its PID namespace, is no longer create's
    descendant (its parent exits), so the process tree would lose it."""
    pids = set(processes_working_under(crash.cwd)) | set(processes_rooted_under(crash.env.tmp))
    pids.discard(create_pid)
    return sorted(pids)


def test_sigkill_init_stage_at_random_times(crash, env):
    crash.set_id(env.new_id("r"))
    env.rt.track(crash.cid)
    # How long the init stage lives in a plain create (from when it shows up to create's exit).
    proc = subprocess.Popen(crash.create_argv(), cwd=crash.cwd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not init_stage_pids(crash, proc.pid) and proc.poll() is None:
        time.sleep(0.001)
    start = time.monotonic()
    assert proc.wait(timeout=30) == 0
    duration = time.monotonic() - start
    crash.force_delete_and_check("plain create")
    rng = random.Random(17)
    problems = []
    points = 40
    killed = 0
    interrupted = 0
    for i in range(points):
        proc = subprocess.Popen(crash.create_argv(), cwd=crash.cwd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # From the moment the init stage exists, a random delay within a create's length.
        started = time.monotonic()
        while not init_stage_pids(crash, proc.pid) and proc.poll() is None and time.monotonic() - started < 10:
            time.sleep(0.001)
        delay = rng.uniform(0, duration)
        time.sleep(delay)
        pids = init_stage_pids(crash, proc.pid)
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        killed += bool(pids)
        try:
            rc = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
            problems.append(f"point {i}: create hung after its init stage was killed")
        interrupted += rc != 0
        problems += crash.force_delete_and_check(f"init stage killed after {delay * 1000:.1f} ms "
                                                 f"({len(pids)} processes, create rc {rc})")
    print(f"\n(the init stage existed at {killed} of the {points} random times; "
          f"{interrupted} creates failed because of it, the others had finished)")
    report("SIGKILL of the init stage at random times", points, problems)


def _other_command(crash, env, command, prepare, argv, stride=8):
    crash.set_id(env.new_id(command[:2]))
    env.rt.track(crash.cid)
    prepare()
    names = crash.trace(argv())
    crash.force_delete_and_check(f"traced {command}")
    points = crash.kill_points(names)[::stride]
    problems = []
    for i, (name, k) in enumerate(points):
        prepare()
        rc = crash.killed_at(argv(), name, k)
        problems += crash.force_delete_and_check(f"{command} killed at {name} #{k} (rc {rc})")
    report(f"SIGKILL of {command} before every {stride}th syscall", len(points), problems)


def test_sigkill_start_exec_delete_update_mid_way(crash, env):
    def created():
        crash.command("create", "--bundle", crash.bundle.path, crash.cid, check=True)

    def running():
        created()
        crash.command("start", crash.cid, check=True)

    _other_command(crash, env, "start", created, lambda: crash.argv("start", crash.cid))
    _other_command(crash, env, "exec", running, lambda: crash.argv("exec", crash.cid, "/probe", "exit", "0"))
    _other_command(crash, env, "delete", running, lambda: crash.argv("delete", "--force", crash.cid))
    # hugetlb: the controller every lane's cgroup2 offers (the hybrid host's only one).
    resources = env.tmp / "resources.json"
    resources.write_text('{"hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}]}')
    _other_command(crash, env, "update", running,
                   lambda: crash.argv("update", "--resources", resources, crash.cid))
