"""Scenarios for containerd through ctr (its runc shim, io.containerd.runc.v2,
with --runc-binary naming the runtime). ctr has no stop, logs, restart
policy, --init, --user on run, sysctl or ulimit flags: those rows show "-".
Nor has ctr 1.6 a pids flag or `tasks update`: the pids-limit and update
scenarios update the running task through its shim (shim_update.py).

`e.run(flags..., image, id, cmd...)` is `ctr run --runc-binary RT --runc-root DIR ...`.
"""

import os
import shlex
import signal
import subprocess
import time

from lane import (TTY_COLS, TTY_ROWS, WAIT_FOR_SIZE, Failure, bounding_set, call, expect, expect_eq,
                  need_controllers, scenario, wait_for)

CTR = ("containerd",)


def out(p):
    return p.ok().out.strip()


def detached(e, *flags, cmd=("sleep", "1000")):
    cid = e.new_name()
    e.run("-d", *flags, e.image, cid, *cmd).ok()
    return cid


def task_row(e, cid):
    """The task's `ctr tasks ls` fields: [TASK, PID, STATUS], or None."""
    for line in e.c("tasks", "ls").ok().out.splitlines()[1:]:
        f = line.split()
        if f and f[0] == cid:
            return f
    return None


def task_status(e, cid):
    row = task_row(e, cid)
    return row[2] if row else None


def task_pid(e, cid):
    row = task_row(e, cid)
    if row is None:
        raise Failure(f"task {cid} not listed")
    return row[1]


def cap_eff(e, *flags):
    text = out(e.run("--rm", *flags, e.image, e.new_name(), "grep", "CapEff", "/proc/self/status"))
    return int(text.split()[1], 16)


@scenario("run-exit-codes", CTR)
def run_exit_codes(e):
    expect_eq(out(e.run("--rm", e.image, e.new_name(), "echo", "hello")), "hello", "stdout of echo")
    expect_eq(e.run("--rm", e.image, e.new_name(), "sh", "-c", "exit 3").rc, 3, "exit status")
    # ctr does not map start failures to 126/127: it exits 1 with the runtime's message.
    for cmd, why in (("nosuchcmd", "executable file not found"), ("/notexec", "permission denied")):
        p = e.run("--rm", e.image, e.new_name(), cmd)
        expect(p.rc != 0 and why in p.err,
               f"{cmd}: wanted a failure naming {why!r}: {p.brief()}")


@scenario("exec", CTR)
def exec_variants(e):
    cid = detached(e, "--env", "FOO=bar", "--cwd", "/tmp")
    ex = lambda *a: e.c("tasks", "exec", "--exec-id", e.new_name(), *a)
    expect_eq(out(ex(cid, "sh", "-c", "echo $FOO; pwd")).split(), ["bar", "/tmp"], "env and cwd")
    expect_eq(ex(cid, "sh", "-c", "exit 5").rc, 5, "exec exit status")
    expect_eq(out(ex("--user", "1000", cid, "id", "-u")), "1000", "exec --user")
    expect_eq(out(ex("--cwd", "/srv", cid, "pwd")), "/srv", "exec --cwd")
    # No `exec -d` here: ctr's detached exec races its own stdio fifos (the
    # process sometimes never starts, with runc as with ocirt).
    inner = shlex.join(e.argv("tasks", "exec", "-t", "--exec-id", e.new_name(), cid,
                              "sh", "-c", "test -t 1 && echo tty"))
    p = call(["script", "-qec", inner, "/dev/null"], env=e.engine.env, open_stdin=True)
    expect(p.rc == 0 and "tty" in p.out, f"exec -t: {p.out.strip()!r} {p.err.strip()[:200]}")
    p = ex(cid, "nosuchcmd")
    expect(p.rc != 0 and "nosuchcmd" in p.err, f"exec of a missing command: {p.brief()}")


@scenario("tty-size", CTR)
def tty_size(e):
    inner = shlex.join(e.argv("run", "--rm", "-t", e.image, e.new_name(), "sh", "-c", WAIT_FOR_SIZE))
    p = call(["script", "-qec", f"stty rows {TTY_ROWS} cols {TTY_COLS}; {inner}", "/dev/null"],
             env=e.engine.env, open_stdin=True)
    expect(p.rc == 0 and f"{TTY_ROWS} {TTY_COLS}" in p.out,
           f"`stty size` in `ctr run -t` under {TTY_ROWS}x{TTY_COLS}: rc {p.rc}, saw {p.out.strip()!r} {p.err.strip()[:200]}")


@scenario("top-ps", CTR)
def top_ps(e):
    cid = detached(e)
    pid = task_pid(e, cid)
    text = out(e.c("tasks", "ps", cid))
    expect(pid in text.split(), f"tasks ps lacks the task's pid {pid}: {text!r}")


@scenario("kill", CTR)
def kill(e):
    cid = detached(e, cmd=("sh", "-c", "trap 'touch /tmp/usr1' USR1; while :; do sleep 0.1; done"))
    pid = task_pid(e, cid)
    e.c("tasks", "kill", "-s", "USR1", cid).ok()
    wait_for(lambda: os.path.exists(f"/proc/{pid}/root/tmp/usr1"), "kill -s USR1: trap never ran")
    e.c("tasks", "kill", "-s", "KILL", cid).ok()
    wait_for(lambda: task_status(e, cid) == "STOPPED", "kill -s KILL: task not stopped")


@scenario("rm", CTR)
def rm(e):
    cid = detached(e)
    p = e.c("tasks", "rm", cid)
    expect(p.rc != 0, "tasks rm of a running task succeeded without -f")
    e.c("tasks", "rm", "-f", cid).ok()
    e.c("containers", "rm", cid).ok()
    left = out(e.c("containers", "ls", "-q")).split()
    expect(cid not in left, f"container still listed: {left}")


@scenario("pause-unpause", CTR)
def pause_unpause(e):
    cid = detached(e, cmd=("sh", "-c", "i=0; while :; do i=$((i+1)); echo $i > /tmp/n; sleep 0.1; done"))
    path = f"/proc/{task_pid(e, cid)}/root/tmp/n"
    counter = lambda: open(path).read().strip()
    e.c("tasks", "pause", cid).ok()
    expect_eq(task_status(e, cid), "PAUSED", "status after pause")
    n1 = counter()
    time.sleep(0.6)
    expect_eq(counter(), n1, "counter while paused")
    e.c("tasks", "resume", cid).ok()
    expect_eq(task_status(e, cid), "RUNNING", "status after resume")
    wait_for(lambda: counter() != n1, "counter does not move after resume")


@scenario("read-only", CTR)
def read_only(e):
    p = e.run("--rm", "--read-only", e.image, e.new_name(), "touch", "/x")
    expect(p.rc != 0 and "Read-only" in p.out + p.err, f"--read-only: / is writable: {p.brief()}")


@scenario("tmpfs", CTR)
def tmpfs(e):
    text = out(e.run("--rm", "--mount", "type=tmpfs,src=tmpfs,dst=/srv,options=nosuid:size=1048576",
                     e.image, e.new_name(), "sh", "-c", "touch /srv/x && grep ' /srv ' /proc/mounts"))
    expect("tmpfs" in text, f"tmpfs mount: {text!r}")


@scenario("bind-mounts", CTR)
def bind_mounts(e):
    host = os.path.join(e.scratch, "vol")
    os.mkdir(host)
    e.run("--rm", "--mount", f"type=bind,src={host},dst=/v,options=rbind:rw", e.image, e.new_name(),
          "sh", "-c", "echo written > /v/f").ok()
    with open(os.path.join(host, "f")) as f:
        expect_eq(f.read().strip(), "written", "file written through the bind mount")
    p = e.run("--rm", "--mount", f"type=bind,src={host},dst=/v,options=rbind:ro", e.image,
              e.new_name(), "sh", "-c", "cat /v/f && touch /v/g")
    expect(p.rc != 0 and "written" in p.out, f"read-only bind: {p.brief()}")
    expect(not os.path.exists(os.path.join(host, "g")), "read-only bind: the container wrote /v/g")


@scenario("device", CTR)
def device(e):
    text = out(e.run("--rm", "--device", "/dev/kmsg", e.image, e.new_name(), "sh", "-c",
                     "test -c /dev/kmsg && echo present"))
    expect_eq(text, "present", "--device /dev/kmsg")


@scenario("privileged", CTR)
def privileged(e):
    expect_eq(cap_eff(e, "--privileged"), bounding_set(), "CapEff under --privileged (the lane's CapBnd)")


@scenario("capabilities", CTR)
def capabilities(e):
    default = cap_eff(e)
    got = cap_eff(e, "--cap-drop", "CAP_CHOWN", "--cap-add", "CAP_SYS_ADMIN")
    expect_eq(got, (default & ~1) | (1 << 21), "CapEff with --cap-drop CAP_CHOWN --cap-add CAP_SYS_ADMIN")


@scenario("seccomp", CTR)
def seccomp(e):
    mode = lambda *f: out(e.run("--rm", *f, e.image, e.new_name(), "grep", "Seccomp:",
                                "/proc/self/status")).split()[1]
    expect_eq(mode(), "0", "Seccomp mode without --seccomp (ctr's default)")
    expect_eq(mode("--seccomp"), "2", "Seccomp mode with --seccomp")


@scenario("uidmap", CTR)
def uidmap(e):
    text = out(e.run("--rm", "--uidmap", "0:100000:65536", "--gidmap", "0:100000:65536",
                     e.image, e.new_name(), "cat", "/proc/self/uid_map"))
    expect_eq(text.split(), ["0", "100000", "65536"], "uid_map")


# The limit scenarios need the memory, pids and cpu controllers, which the
# lane's cgroup2 on a hybrid host lacks: the VM lane runs them
# (run_clients.py --vm inside tests/vm's VM, docs/clients.md); on the host
# they skip with that reason. ctr's spec mounts no cgroupfs in the container,
# so each reads the task's cgroup files in the VM's cgroup tree while the task
# runs, and checks the limit's effect from inside (`ctr tasks exec`): an OOM
# kill, throttled CPU time, a fork bomb stopped.


def cgroup_file(e, cid, name):
    """A file of the task's cgroup as the lane sees it (ctr's cgroup is /<namespace>/<id>)."""
    with open(f"/sys/fs/cgroup/{e.engine.namespace}/{cid}/{name}") as f:
        return f.read().strip()


def keyed(text, key):
    """The number after `key` in a flat-keyed cgroup file (memory.events, cpu.stat)."""
    for line in text.splitlines():
        f = line.split()
        if len(f) == 2 and f[0] == key:
            return int(f[1])
    raise Failure(f"no {key!r} in {text!r}")


def inside(e, cid, script):
    """stdout of `sh -c script` run in the task by `ctr tasks exec` (must exit 0)."""
    return out(e.c("tasks", "exec", "--exec-id", e.new_name(), cid, "sh", "-c", script))


# dd reads /dev/zero into one buffer of bs bytes: the kernel touches every page.
def dd(mib):
    return f"dd if=/dev/zero of=/dev/null bs={mib}M count=1 2>/dev/null; echo dd=$?"


@scenario("memory-limit", CTR, vm=True)
def memory_limit(e):
    need_controllers("memory", elsewhere="the VM lane")
    cid = detached(e, "--memory-limit", str(64 << 20))
    expect_eq(cgroup_file(e, cid, "memory.max"), str(64 << 20), "memory.max")
    expect_eq(inside(e, cid, f"{dd(16)}; {dd(96)}").split(), ["dd=0", "dd=137"],
              "dd of 16 MiB, dd of 96 MiB (OOM-killed: 137) under a 64 MiB limit")
    events = cgroup_file(e, cid, "memory.events")
    expect(keyed(events, "oom_kill") >= 1, f"memory.events counts no oom_kill: {events!r}")


@scenario("cpus", CTR, vm=True)
def cpus(e):
    need_controllers("cpu", elsewhere="the VM lane")
    cid = detached(e, "--cpus", "0.5")
    expect_eq(cgroup_file(e, cid, "cpu.max"), "50000 100000", "cpu.max under --cpus 0.5")
    inside(e, cid, "timeout 3 sh -c 'while :; do :; done'; true")
    # A busy loop for 3 s on a 50 ms per 100 ms quota is throttled in most periods.
    stat = cgroup_file(e, cid, "cpu.stat")
    expect(keyed(stat, "nr_throttled") >= 5, f"cpu.stat: the busy loop was not throttled: {stat!r}")


@scenario("cpu-quota", CTR, vm=True)
def cpu_quota(e):
    need_controllers("cpu", elsewhere="the VM lane")
    cid = detached(e, "--cpu-quota", "20000", "--cpu-period", "50000", "--cpu-shares", "512")
    # runc's shares-to-weight conversion: 1 + (512 - 2) * 9999 / 262142 = 20.
    expect_eq([cgroup_file(e, cid, "cpu.max"), cgroup_file(e, cid, "cpu.weight")],
              ["20000 50000", "20"], "cpu.max and cpu.weight")


def bomb(limit):
    """A shell that starts sleepers until fork fails (busybox sh then exits with
    "can't fork"); the sleepers do not hold the exec's stdio open."""
    return f"for i in $(seq {limit * 4}); do sleep 1000 </dev/null >/dev/null 2>&1 & done"


@scenario("pids-limit", CTR, vm=True)
def pids_limit(e):
    # ctr 1.6's run has no pids flag: the limit is set on the running task by
    # the task API's Update (shim_update.py), as containerd's clients set it.
    need_controllers("pids", elsewhere="the VM lane")
    cid = detached(e)
    e.engine.update_task(cid, {"pids": {"limit": 16}})
    expect_eq(cgroup_file(e, cid, "pids.max"), "16", "pids.max after the update")
    p = e.c("tasks", "exec", "--exec-id", e.new_name(), cid, "sh", "-c", bomb(16))
    expect(p.rc != 0 and "fork" in p.err, f"the fork bomb was not stopped: {p.brief()}")
    current = int(cgroup_file(e, cid, "pids.current"))
    expect(10 <= current <= 16, f"pids.current {current} after the fork bomb under pids.max 16")
    expect(keyed(cgroup_file(e, cid, "pids.events"), "max") >= 1, "pids.events counts no refused fork")


@scenario("update", CTR, vm=True)
def update(e):
    need_controllers("memory", "cpu", "pids", elsewhere="the VM lane")
    cid = detached(e, "--memory-limit", str(64 << 20), "--cpus", "0.5")
    expect_eq(inside(e, cid, dd(80)), "dd=137", "dd of 80 MiB under 64 MiB (before the update)")
    e.engine.update_task(cid, {"memory": {"limit": 128 << 20},
                               "cpu": {"quota": 30000, "period": 100000},
                               "pids": {"limit": 30}})
    seen = [cgroup_file(e, cid, n) for n in ("memory.max", "cpu.max", "pids.max")]
    expect_eq(seen, [str(128 << 20), "30000 100000", "30"], "memory.max, cpu.max, pids.max after the update")
    expect_eq(inside(e, cid, dd(80)), "dd=0", "dd of 80 MiB under 128 MiB (after the update)")


@scenario("events", CTR)
def events(e):
    watcher = subprocess.Popen(e.argv("events"), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, env=e.engine.env, start_new_session=True)
    try:
        time.sleep(0.5)
        e.run("--rm", e.image, e.new_name(), "true").ok()
        time.sleep(0.5)
    finally:
        os.killpg(watcher.pid, signal.SIGKILL)
        text = watcher.communicate(timeout=10)[0]
    for topic in ("/tasks/create", "/tasks/start", "/tasks/exit", "/tasks/delete"):
        expect(topic in text, f"events lack {topic}: {text[:300]!r}")


@scenario("stats", CTR)
def stats(e):
    cid = detached(e)
    text = out(e.c("tasks", "metrics", cid))
    expect(cid in text, f"tasks metrics: {text[:200]!r}")

