"""Scenarios for containerd through ctr (its runc shim, io.containerd.runc.v2,
with --runc-binary naming the runtime). ctr has no stop, logs, restart
policy, --init, --user on run, sysctl or ulimit flags: those rows show "-".

`e.run(flags..., image, id, cmd...)` is `ctr run --runc-binary RT --runc-root DIR ...`.
"""

import os
import shlex
import signal
import subprocess
import time

from lane import TTY_COLS, TTY_ROWS, WAIT_FOR_SIZE, Failure, bounding_set, call, expect, expect_eq, need_controllers, scenario, wait_for

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


@scenario("memory-limit", CTR)
def memory_limit(e):
    need_controllers("memory")
    expect_eq(out(e.run("--rm", "--memory-limit", str(64 << 20), e.image, e.new_name(),
                        "cat", "/sys/fs/cgroup/memory.max")), str(64 << 20), "memory.max")


@scenario("cpus", CTR)
def cpus(e):
    need_controllers("cpu")
    expect_eq(out(e.run("--rm", "--cpus", "0.5", e.image, e.new_name(), "cat", "/sys/fs/cgroup/cpu.max")),
              "50000 100000", "cpu.max")


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
