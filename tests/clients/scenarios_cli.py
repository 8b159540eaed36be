"""Scenarios for the engines with the docker command line: podman and docker.

Each function is one feature as a user types it; `e.run(...)` is
`<engine> run --runtime <rt> --network none ...` (docs: engines.Context).
Outputs are compared after strip(); a tty's output has \\r\\n.
"""

import os
import shlex
import time

from lane import TTY_COLS, TTY_ROWS, WAIT_FOR_SIZE, Skip, bounding_set, call, expect, expect_eq, need_controllers, scenario, wait_for

BOTH = ("podman", "docker")
# The basic scenarios rootless podman runs too (rootless.py): run, exit
# codes, env/user/workdir, exec, stop, kill, rm.
BASIC = BOTH + ("podman-rootless",)


def out(p):
    return p.ok().out.strip()


def detached(e, *flags, cmd=("sleep", "1000")):
    name = e.new_name()
    e.run("-d", "--name", name, *flags, e.image, *cmd).ok()
    return name


def inspect(e, name, fmt):
    return e.c("inspect", "--format", fmt, name).ok().out.strip()


def status(e, name):
    return inspect(e, name, "{{.State.Status}}")


def cap_eff(e, *flags):
    text = out(e.run("--rm", *flags, e.image, "grep", "CapEff", "/proc/self/status"))
    return int(text.split()[1], 16)


@scenario("run-exit-codes", BASIC)
def run_exit_codes(e):
    expect_eq(out(e.run("--rm", e.image, "echo", "hello")), "hello", "stdout of echo")
    expect_eq(e.run("--rm", e.image, "sh", "-c", "exit 3").rc, 3, "exit status of `exit 3`")
    p = e.run("--rm", e.image, "nosuchcmd")
    expect(p.rc == 127, f"command not found: wanted exit 127, got {p.rc}: {p.brief()}")
    p = e.run("--rm", e.image, "/notexec")
    expect(p.rc == 126, f"not executable: wanted exit 126, got {p.rc}: {p.brief()}")


@scenario("exec", BASIC)
def exec_variants(e):
    name = detached(e)
    expect_eq(out(e.c("exec", name, "echo", "hi")), "hi", "exec stdout")
    expect_eq(e.c("exec", name, "sh", "-c", "exit 5").rc, 5, "exec exit status")
    expect_eq(out(e.c("exec", "-u", "1000:1000", name, "id", "-u")), "1000", "exec -u uid")
    expect_eq(out(e.c("exec", "-w", "/tmp", name, "pwd")), "/tmp", "exec -w")
    expect_eq(out(e.c("exec", "-e", "FOO=bar", name, "sh", "-c", "echo $FOO")), "bar", "exec -e")
    e.c("exec", "-d", name, "touch", "/tmp/detached").ok()
    wait_for(lambda: e.c("exec", name, "test", "-e", "/tmp/detached").rc == 0,
             "exec -d: /tmp/detached never appeared")
    t = e.c("exec", "-t", name, "sh", "-c", "test -t 1 && echo tty")
    expect(t.rc == 0 and t.out.strip() == "tty", f"exec -t: no tty: {t.brief()}")
    # podman maps the runtime's "executable file not found" to 127; docker
    # 20.10's exec answers 126 for any start failure of an exec.
    p = e.c("exec", name, "nosuchcmd")
    want = 127 if e.kind == "podman" else 126
    expect(p.rc == want and "executable file not found" in p.out + p.err,
           f"exec of a missing command: wanted exit {want} and runc's wording, got {p.brief()}")


@scenario("tty-size", BOTH)
def tty_size(e):
    inner = shlex.join(e.argv("run", "--rm", "-it", e.image, "sh", "-c", WAIT_FOR_SIZE))
    p = call(["script", "-qec", f"stty rows {TTY_ROWS} cols {TTY_COLS}; {inner}", "/dev/null"],
             env=e.engine.env, open_stdin=True)
    expect(p.rc == 0 and f"{TTY_ROWS} {TTY_COLS}" in p.out,
           f"`stty size` in `run -it` under a {TTY_ROWS}x{TTY_COLS} terminal: rc {p.rc}, saw {p.out.strip()!r} "
           f"{p.err.strip()[:200]}")


@scenario("top-ps", BOTH)
def top_ps(e):
    name = detached(e)
    top = out(e.c("top", name))
    expect("sleep" in top, f"top lists no sleep: {top!r}")
    ps = out(e.c("ps", "--filter", f"name={name}", "--format", "{{.Names}} {{.Status}}"))
    expect(name in ps and "Up" in ps, f"ps: {ps!r}")


@scenario("stop", BASIC)
def stop(e):
    # sleep as PID 1 ignores SIGTERM: stop must wait the timeout, then SIGKILL.
    name = detached(e)
    t0 = time.monotonic()
    e.c("stop", "-t", "2", name).ok()
    took = time.monotonic() - t0
    expect(took >= 1.5, f"stop -t 2 returned after {took:.1f} s: no wait for the timeout")
    expect_eq(inspect(e, name, "{{.State.ExitCode}}"), "137", "exit code after SIGKILL")
    # A process that handles SIGTERM exits at once with its own status.
    name = detached(e, cmd=("sh", "-c", "trap 'exit 7' TERM; while :; do sleep 0.1; done"))
    t0 = time.monotonic()
    e.c("stop", "-t", "20", name).ok()
    took = time.monotonic() - t0
    expect(took < 10, f"stop of a TERM handler took {took:.1f} s")
    expect_eq(inspect(e, name, "{{.State.ExitCode}}"), "7", "exit code of the TERM handler")


@scenario("kill", BASIC)
def kill(e):
    name = detached(e, cmd=("sh", "-c", "trap 'echo got-usr1' USR1; while :; do sleep 0.1; done"))
    e.c("kill", "-s", "USR1", name).ok()
    wait_for(lambda: "got-usr1" in e.c("logs", name).out, "kill -s USR1: trap never ran")
    e.c("kill", name).ok()
    wait_for(lambda: status(e, name) == "exited", "kill: container still running")
    expect_eq(inspect(e, name, "{{.State.ExitCode}}"), "137", "exit code after kill")


@scenario("rm", BASIC)
def rm(e):
    name = e.new_name()
    e.run("--name", name, e.image, "true").ok()
    e.c("rm", name).ok()
    running = detached(e)
    p = e.c("rm", running)
    expect(p.rc != 0, "rm of a running container succeeded without -f")
    # podman's rm -f stops with the container's stop timeout (10 s; sleep
    # ignores SIGTERM as PID 1); -t 0 kills at once, as docker's rm -f does.
    e.c("rm", "-f", *(["-t", "0"] if e.kind == "podman" else []), running).ok()
    left = out(e.c("ps", "-a", "--format", "{{.Names}}")).split()
    expect(name not in left and running not in left, f"containers still listed: {left}")


@scenario("pause-unpause", BOTH)
def pause_unpause(e):
    name = detached(e, cmd=("sh", "-c", "i=0; while :; do i=$((i+1)); echo $i > /tmp/n; sleep 0.1; done"))
    pid = inspect(e, name, "{{.State.Pid}}")
    counter = lambda: _read(f"/proc/{pid}/root/tmp/n")  # exec would block in a frozen container
    e.c("pause", name).ok()
    expect_eq(status(e, name), "paused", "state after pause")
    n1 = counter()
    time.sleep(0.6)
    n2 = counter()
    expect(n1 == n2, f"counter moved while paused: {n1} -> {n2}")
    e.c("unpause", name).ok()
    expect_eq(status(e, name), "running", "state after unpause")
    wait_for(lambda: counter() != n2, "counter does not move after unpause")


def _read(path):
    with open(path) as f:
        return f.read().strip()


@scenario("logs", BOTH)
def logs(e):
    name = detached(e, cmd=("sh", "-c", "echo to-out; echo to-err >&2; sleep 1000"))
    wait_for(lambda: "to-err" in (lambda p: p.out + p.err)(e.c("logs", name)), "logs lack stderr")
    p = e.c("logs", name).ok()
    expect("to-out" in p.out, f"logs lack stdout: {p.out!r}")


@scenario("restart-policy", BOTH)
def restart_policy(e):
    name = detached(e, "--restart", "on-failure:2", cmd=("sh", "-c", "exit 1"))
    wait_for(lambda: inspect(e, name, "{{.RestartCount}}") == "2" and status(e, name) == "exited",
             "restart on-failure:2: RestartCount never reached 2 with the container exited", timeout=30)


@scenario("init", BOTH)
def init(e):
    comm = out(e.run("--rm", "--init", e.image, "cat", "/proc/1/comm"))
    # podman bind-mounts catatonit as /run/podman-init; docker's is docker-init (tini).
    expect(comm in ("podman-init", "docker-init"), f"--init: PID 1 is {comm!r}")


@scenario("read-only", BOTH)
def read_only(e):
    p = e.run("--rm", "--read-only", e.image, "touch", "/x")
    expect(p.rc != 0 and "Read-only" in p.out + p.err, f"--read-only: / is writable: {p.brief()}")
    if e.kind == "podman":  # podman mounts a tmpfs on /tmp, /var/tmp, /run (tmpcopyup)
        e.run("--rm", "--read-only", e.image, "touch", "/tmp/x").ok()


@scenario("tmpfs", BOTH)
def tmpfs(e):
    p = e.run("--rm", "--tmpfs", "/srv:size=1m", e.image, "sh", "-c",
              "touch /srv/new && grep ' /srv ' /proc/mounts && ls /srv")
    text = out(p)
    expect("tmpfs" in text, f"--tmpfs /srv: no tmpfs in /proc/mounts: {text!r}")
    if e.kind == "podman":  # podman's tmpfs copies the directory's content up
        expect("keep" in text, f"--tmpfs /srv: podman's tmpcopyup lost /srv/keep: {text!r}")
    text = out(e.run("--rm", "--mount", "type=tmpfs,destination=/data,tmpfs-size=1048576",
                     e.image, "sh", "-c", "touch /data/x && grep ' /data ' /proc/mounts"))
    expect("tmpfs" in text, f"--mount type=tmpfs: {text!r}")


@scenario("bind-mounts", BOTH)
def bind_mounts(e):
    host = os.path.join(e.scratch, "vol")
    os.mkdir(host)
    e.run("--rm", "-v", f"{host}:/v", e.image, "sh", "-c", "echo written > /v/f").ok()
    with open(os.path.join(host, "f")) as f:
        expect_eq(f.read().strip(), "written", "file written through -v")
    p = e.run("--rm", "-v", f"{host}:/v:ro", e.image, "sh", "-c", "cat /v/f && touch /v/g")
    expect(p.rc != 0 and "written" in p.out, f"-v :ro: {p.brief()}")
    expect(not os.path.exists(os.path.join(host, "g")), "-v :ro: the container wrote /v/g")


@scenario("device", BOTH)
def device(e):
    text = out(e.run("--rm", "--device", "/dev/zero:/dev/lanezero", e.image, "sh", "-c",
                     "test -c /dev/lanezero && head -c 5 /dev/lanezero | wc -c"))
    expect_eq(text, "5", "bytes read from --device /dev/zero:/dev/lanezero")


@scenario("privileged", BOTH)
def privileged(e):
    full = bounding_set()
    text = out(e.run("--rm", "--privileged", e.image, "sh", "-c",
                     "grep -E 'CapEff|CapBnd|Seccomp:' /proc/self/status; ls /dev"))
    fields = dict(l.split(":", 1) for l in text.splitlines() if ":" in l)
    eff, bnd = (int(fields[k].strip(), 16) for k in ("CapEff", "CapBnd"))
    # The engine asks for every capability it knows (Docker 20.10 knows bits
    # 0-37, podman 4.3 all 41); what the lane itself lacks cannot be granted
    # and is left out (runtime-spec 1.3). Every one granted is in every set.
    known = full if e.kind == "podman" else full & ((1 << 38) - 1)
    expect_eq(eff, known, "CapEff under --privileged (the engine's list within the lane's CapBnd)")
    expect_eq(bnd, eff, "CapBnd under --privileged (= CapEff)")
    expect_eq(fields["Seccomp"].strip(), "0", "Seccomp mode under --privileged")
    expect("loop-control" in text or "kmsg" in text, f"--privileged: host devices missing: {text!r}")


@scenario("capabilities", BOTH)
def capabilities(e):
    expect_eq(cap_eff(e, "--cap-drop", "ALL"), 0, "CapEff with --cap-drop ALL")
    # CAP_CHOWN is bit 0, CAP_NET_RAW bit 13.
    expect_eq(cap_eff(e, "--cap-drop", "ALL", "--cap-add", "CHOWN", "--cap-add", "NET_RAW"),
              (1 << 0) | (1 << 13), "CapEff with --cap-drop ALL --cap-add CHOWN,NET_RAW")
    p = e.run("--rm", "--cap-drop", "ALL", e.image, "chown", "1000", "/tmp")
    expect(p.rc != 0, "chown succeeded without CAP_CHOWN")


@scenario("user", BASIC)
def user(e):
    text = out(e.run("--rm", "--user", "1000:1000", e.image, "id"))
    expect(text.startswith("uid=1000") and "gid=1000" in text, f"--user 1000:1000: {text!r}")


@scenario("env-workdir", BASIC)
def env_workdir(e):
    text = out(e.run("--rm", "-e", "LANE=one two", "-w", "/srv", e.image, "sh", "-c",
                     'echo "$LANE"; pwd; cat keep'))
    expect_eq(text.splitlines(), ["one two", "/srv", "kept"], "-e LANE, -w /srv and a relative path there")


@scenario("seccomp", BOTH)
def seccomp(e):
    def mode(*flags):
        return out(e.run("--rm", *flags, e.image, "grep", "Seccomp:", "/proc/self/status")).split()[1]
    expect_eq(mode(), "2", "Seccomp mode by default")
    expect_eq(mode("--security-opt", "seccomp=unconfined"), "0", "Seccomp mode with seccomp=unconfined")
    if e.kind == "docker":
        # Docker's default profile refuses unshare() without CAP_SYS_ADMIN
        # (podman's allows it).
        p = e.run("--rm", e.image, "unshare", "-U", "true")
        expect(p.rc != 0, "docker's default seccomp profile let unshare(CLONE_NEWUSER) through")


@scenario("sysctl", BOTH)
def sysctl(e):
    text = out(e.run("--rm", "--sysctl", "net.ipv4.ip_forward=1", "--sysctl", "kernel.msgmax=4096",
                     e.image, "cat", "/proc/sys/net/ipv4/ip_forward", "/proc/sys/kernel/msgmax"))
    expect_eq(text.split(), ["1", "4096"], "sysctls seen inside")


@scenario("ulimit", BOTH)
def ulimit(e):
    # With any --ulimit podman drops containers.conf's default_ulimits and adds
    # its own nproc (4194304), above this machine's hard limit: name both.
    text = out(e.run("--rm", "--ulimit", "nofile=512:1024", "--ulimit", "nproc=900:1000", e.image,
                     "sh", "-c", "ulimit -n; ulimit -Hn; ulimit -u"))
    expect_eq(text.split(), ["512", "1024", "900"], "nofile soft/hard and nproc soft")


@scenario("memory-limit", BOTH)
def memory_limit(e):
    need_controllers("memory")
    text = out(e.run("--rm", "--memory", "64m", e.image, "cat", "/sys/fs/cgroup/memory.max"))
    expect_eq(text, str(64 << 20), "memory.max")


@scenario("pids-limit", BOTH)
def pids_limit(e):
    need_controllers("pids")
    expect_eq(out(e.run("--rm", "--pids-limit", "50", e.image, "cat", "/sys/fs/cgroup/pids.max")),
              "50", "pids.max")


@scenario("cpus", BOTH)
def cpus(e):
    need_controllers("cpu")
    expect_eq(out(e.run("--rm", "--cpus", "0.5", e.image, "cat", "/sys/fs/cgroup/cpu.max")),
              "50000 100000", "cpu.max")


@scenario("update", BOTH)
def update(e):
    need_controllers("cpu", "pids")
    name = detached(e)
    e.c("update", "--cpu-shares", "512", "--pids-limit", "40", name).ok()
    expect_eq(out(e.c("exec", name, "cat", "/sys/fs/cgroup/pids.max")), "40", "pids.max after update")


@scenario("events", BOTH)
def events(e):
    since = str(int(time.time()) - 1)
    name = e.new_name()
    e.run("--name", name, e.image, "true").ok()
    until = str(int(time.time()) + 1)
    time.sleep(1.2)
    # podman 4.3's file backend matches nothing with --filter container=NAME or
    # with --since/--until in seconds: read its whole (small) log, select here.
    window = ["--stream=false"] if e.kind == "podman" else ["--since", since, "--until", until]
    text = out(e.c("events", *window, timeout=30))
    mine = [line for line in text.splitlines() if name in line]
    for want in ("start", "died" if e.kind == "podman" else "die"):
        expect(any(f" {want} " in line for line in mine), f"events lack {want!r} for {name}: {text[-600:]!r}")


@scenario("stats", BOTH)
def stats(e):
    name = detached(e)
    text = out(e.c("stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}}", name, timeout=30))
    expect(name in text, f"stats: {text!r}")


# podman only


@scenario("uidmap", ("podman",))
def uidmap(e):
    text = out(e.run("--rm", "--uidmap", "0:100000:65536", "--gidmap", "0:100000:65536",
                     e.image, "sh", "-c", "cat /proc/self/uid_map; id -u", timeout=120))
    expect_eq(text.split(), ["0", "100000", "65536", "0"], "uid_map and uid inside --uidmap")


def _userns_auto(e, cgroupns):
    p = e.run("--rm", "--userns=auto", f"--cgroupns={cgroupns}", e.image, "cat", "/proc/self/uid_map",
              "/proc/self/cgroup", timeout=120)
    if p.rc != 0 and "no subuid ranges found" in p.err:
        raise Skip("--userns=auto: no subuid range for user \"containers\" (no /etc/subuid to extend)")
    uid_map, cgroup = out(p).splitlines()[0].split(), out(p).splitlines()[-1]
    expect(len(uid_map) == 3 and uid_map[0] == "0" and int(uid_map[1]) >= 2147483647,
           f"--userns=auto: uid_map {uid_map}, wanted 0 mapped into the range of \"containers\"")
    if cgroupns == "private":
        expect_eq(cgroup, "0::/", "/proc/self/cgroup in a private cgroup namespace")
    else:
        expect(cgroup.startswith(f"0::{e.engine.cgroup_parent}/"), f"/proc/self/cgroup with --cgroupns=host: {cgroup!r}")


@scenario("userns-auto-cgroupns-host", ("podman",))
def userns_auto_host(e):
    _userns_auto(e, "host")


@scenario("userns-auto-cgroupns-private", ("podman",))
def userns_auto_private(e):
    _userns_auto(e, "private")


@scenario("pod", ("podman",))
def pod(e):
    pod_name = e.new_name() + "-pod"
    e.c("pod", "create", "--name", pod_name, "--network", "none",
        "--cgroup-parent", e.engine.cgroup_parent, timeout=120).ok()
    try:
        a = e.new_name()
        e.c("run", "-d", "--pod", pod_name, "--name", a, e.image, "sleep", "1000").ok()
        text = out(e.c("exec", a, "sh", "-c", "readlink /proc/1/ns/ipc; ps -o comm"))
        expect("sleep" in text, f"pod member: {text!r}")
        p = e.c("pod", "ps", "--filter", f"name={pod_name}", "--format", "{{.Status}}").ok()
        expect("Running" in p.out, f"pod ps: {p.out.strip()!r}")
        e.c("pod", "stop", "-t", "1", pod_name, timeout=60).ok()
    finally:
        e.c("pod", "rm", "-f", pod_name, timeout=60)
