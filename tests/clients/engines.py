"""The three engines, each with private storage, state and socket under the
lane's work directory, both runtimes registered the documented way
(docs/clients.md shows the same snippets), no network, and cgroupfs under
a parent cgroup of the lane's own (/ocirt-lane-<pid>-<engine>, so that two
lanes on one machine do not see each other's containers).

An engine is started once (start), serves both runtime passes, and is
stopped once (stop) after its containers are removed (remove_all).
Context binds an engine to one runtime for one scenario.
"""

import ctypes
import itertools
import json
import os
import resource
import signal
import subprocess
import time

import shim_update
from image import CTR_IMAGE
from lane import Failure, call

# Debian's engines find runc, conmon, containerd-shim-runc-v2 and docker-init
# through PATH; /usr/local/bin on this machine holds an unrelated `docker`,
# so the system directories come first and the Docker client is named by path.
ENGINE_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
DOCKER = "/usr/bin/docker"
DOCKERD = "/usr/sbin/dockerd"
PODMAN = "/usr/bin/podman"
CONTAINERD = "/usr/bin/containerd"
CTR = "/usr/bin/ctr"
RUNC = "/usr/sbin/runc"

LANE = f"ocirt-lane-{os.getpid()}"  # this run's cgroups are /<LANE>-<engine>

_names = itertools.count(1)


def engine_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DOCKER_", "CONTAINERS_"))}
    env["PATH"] = ENGINE_PATH
    env.update(extra)
    return env


def _die_with_lane():
    """In a daemon's child before exec: SIGTERM when the lane dies, even by SIGKILL
    (meson's timeout), so that no daemon outlives it."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


class Engine:
    name = "?"
    binaries = ()

    def __init__(self, work, runtimes):
        self.dir = os.path.join(work, self.name)
        self.runtimes = runtimes  # name -> absolute path
        self.cgroup_parent = f"/{LANE}-{self.name}"
        self.daemon = None
        self.log_path = os.path.join(self.dir, "daemon.log")

    def missing(self):
        return [b for b in self.binaries if not os.access(b, os.X_OK)]

    def _spawn_daemon(self, argv, ready, what):
        os.makedirs(self.dir, exist_ok=True)
        log = open(self.log_path, "ab")
        self.daemon = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                       env=self.env, start_new_session=True, preexec_fn=_die_with_lane)
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.daemon.poll() is not None:
                raise Failure(f"{what} exited {self.daemon.returncode} at start: {self.log_tail()}")
            if ready():
                return
            time.sleep(0.3)
        raise Failure(f"{what} not ready after 60 s: {self.log_tail()}")

    def _stop_daemon(self):
        if self.daemon is None or self.daemon.poll() is not None:
            return
        self.daemon.send_signal(signal.SIGTERM)
        try:
            self.daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.daemon.pid, signal.SIGKILL)
            self.daemon.wait(timeout=10)
            raise Failure(f"{self.name}: daemon ignored SIGTERM for 30 s (killed)")

    def log_tail(self, lines=5):
        try:
            with open(self.log_path, errors="replace") as f:
                return " | ".join(l.strip() for l in f.read().splitlines()[-lines:])
        except OSError:
            return "(no log)"


def containers_conf(state, network_dir=None, extra_engine=""):
    """The lane's containers.conf (without [engine.runtimes]); podman's
    events, volumes and static files under the directory `state`."""
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)
    # conmon runs with RLIMIT_NPROC at most pid_max (seen: 32768 under a
    # hard limit of 96362), and the runtime, its child, cannot raise it.
    with open("/proc/sys/kernel/pid_max") as f:
        nproc = min(resource.getrlimit(resource.RLIMIT_NPROC)[1], int(f.read()))
    # pids_limit = 0: podman's default (2048) needs the pids controller, which
    # the lane's cgroup2 lacks (and rootless podman has no cgroup delegated).
    # default_ulimits within the lane's own limits: podman's defaults for root
    # (nofile 1048576, nproc 4194304) cannot be set without CAP_SYS_RESOURCE,
    # which this machine lacks, nor above the hard limits by a user.
    return f"""[containers]
pids_limit = 0
default_ulimits = ["nofile={min(1024, nofile[1])}:{nofile[1]}", "nproc={nproc}:{nproc}"]
init_path = "/usr/libexec/podman/catatonit"

[network]
network_config_dir = "{network_dir or state}/cni"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "{state}/events.log"
volume_path = "{state}/volumes"
static_dir = "{state}/static"
{extra_engine}# conmon passes --log-format=json to the runtimes listed here and reads
# their errors from the JSON log; without ocirt here podman only sees "exit status 1".
runtime_supports_json = ["crun", "runc", "kata", "runsc", "krun", "ocirt"]
"""


class Podman(Engine):
    """podman 4.3 with conmon: containers.conf via CONTAINERS_CONF, no daemon."""
    name = "podman"
    binaries = (PODMAN,)

    def start(self):
        self.conf = os.path.join(self.dir, "containers.conf")
        runtimes = "\n".join(f'{n} = ["{p}"]' for n, p in self.runtimes.items())
        write(self.conf, containers_conf(self.dir) + f"\n[engine.runtimes]\n{runtimes}\n")
        self.env = engine_env(CONTAINERS_CONF=self.conf,
                              CONTAINERS_STORAGE_CONF=os.path.join(self.dir, "storage.conf"),
                              CONTAINERS_REGISTRIES_CONF=os.path.join(self.dir, "registries.conf"))
        write(os.path.join(self.dir, "storage.conf"),
              f'[storage]\ndriver = "overlay"\nrunroot = "{self.dir}/runroot"\n'
              f'graphroot = "{self.dir}/root"\n')
        write(os.path.join(self.dir, "registries.conf"), "unqualified-search-registries = []\n")
        self._subid_ranges()

    def _subid_ranges(self):
        """--userns=auto takes its ranges from the user "containers" in /etc/subuid
        and /etc/subgid. The lane runs in its own mount namespace, so it gives that
        user a range by bind-mounting copies over the two files there; the host's
        files are not touched."""
        self.binds = []
        for path in ("/etc/subuid", "/etc/subgid"):
            if not os.path.isfile(path):
                continue
            with open(path) as f:
                text = f.read()
            if not any(l.startswith("containers:") for l in text.splitlines()):
                text += ("" if text.endswith("\n") or not text else "\n") + "containers:2147483647:2147483648\n"
            copy = os.path.join(self.dir, os.path.basename(path))
            write(copy, text)
            if subprocess.run(["mount", "--bind", copy, path]).returncode == 0:
                self.binds.append(path)

    def base(self, runtime):
        return [PODMAN, "--root", f"{self.dir}/root", "--runroot", f"{self.dir}/runroot",
                "--tmpdir", f"{self.dir}/tmp", "--cgroup-manager", "cgroupfs",
                "--events-backend", "file", "--runtime", runtime]

    def client(self, runtime, args, **kw):
        return call(self.base(runtime) + list(args), env=self.env, **kw)

    def run_args(self, runtime, verb, args):
        return [verb, "--network", "none", "--cgroup-parent", self.cgroup_parent, *args]

    def import_image(self, tar_path, oci_path, ref):
        self.client("runc", ["import", tar_path, f"localhost/{ref}"], timeout=120).ok()
        return f"localhost/{ref}"

    def remove_all(self):
        self.client("runc", ["pod", "rm", "-af", "-t", "0"], timeout=120)
        self.client("runc", ["rm", "-af", "-t", "0"], timeout=120).ok()

    def stop(self):
        # No daemon; drop images and storage (unmounts podman's overlay).
        self.client("runc", ["system", "reset", "-f"], timeout=120)
        for path in getattr(self, "binds", []):
            subprocess.run(["umount", path])


class Docker(Engine):
    """dockerd 20.10 (with its own managed containerd), runtimes in daemon.json."""
    name = "docker"
    binaries = (DOCKERD, DOCKER)

    def start(self):
        self.sock = f"{self.dir}/docker.sock"
        self.conf = os.path.join(self.dir, "daemon.json")
        write(self.conf, json.dumps({
            "runtimes": {n: {"path": p} for n, p in self.runtimes.items() if n != "runc"},
            "exec-opts": ["native.cgroupdriver=cgroupfs"],
            "cgroup-parent": self.cgroup_parent,
        }, indent=2) + "\n")
        self.env = engine_env(DOCKER_CONFIG=f"{self.dir}/client", DOCKER_HOST=f"unix://{self.sock}")
        self._spawn_daemon(
            [DOCKERD, "--config-file", self.conf, "--data-root", f"{self.dir}/data",
             "--exec-root", f"{self.dir}/exec", "-H", f"unix://{self.sock}",
             "--pidfile", f"{self.dir}/docker.pid", "--bridge=none", "--iptables=false",
             "--ip-masq=false", "--ip6tables=false", "--userland-proxy=false",
             "--storage-driver", "overlay2", "--log-level", "warn"],
            lambda: os.path.exists(self.sock) and call([DOCKER, "version"], env=self.env,
                                                       timeout=10).rc == 0,
            "dockerd")

    def client(self, runtime, args, **kw):
        return call([DOCKER] + list(args), env=self.env, **kw)

    def run_args(self, runtime, verb, args):
        return [verb, "--runtime", runtime, "--network", "none", *args]

    def import_image(self, tar_path, oci_path, ref):
        self.client("runc", ["import", tar_path, ref], timeout=120).ok()
        return ref

    def remove_all(self):
        ids = self.client("runc", ["ps", "-aq"]).ok().out.split()
        if ids:
            self.client("runc", ["rm", "-f", *ids], timeout=120).ok()

    def stop(self):
        self.client("runc", ["system", "prune", "-af"], timeout=120)
        self._stop_daemon()


class Containerd(Engine):
    """containerd 1.6 with its own config.toml; ctr with --runc-binary per run."""
    name = "containerd"
    binaries = (CONTAINERD, CTR)
    namespace = f"{LANE}-containerd"  # ctr's cgroups are /<namespace>/<id>

    def start(self):
        self.sock = f"{self.dir}/containerd.sock"
        self.conf = os.path.join(self.dir, "config.toml")
        write(self.conf, f"""version = 2
root = "{self.dir}/root"
state = "{self.dir}/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = "{self.sock}"

[ttrpc]
  address = "{self.sock}.ttrpc"

[debug]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "{self.dir}/opt"
""")
        self.env = engine_env()
        self._spawn_daemon([CONTAINERD, "--config", self.conf, "--log-level", "warn"],
                           lambda: os.path.exists(self.sock) and call(
                               [CTR, "--address", self.sock, "version"], timeout=10).rc == 0,
                           "containerd")

    def client(self, runtime, args, **kw):
        return call(self.base() + self.fifo(list(args)), env=self.env, **kw)

    def base(self):
        return [CTR, "--address", self.sock, "--namespace", self.namespace]

    def fifo(self, args):
        """ctr keeps a task's stdio fifos in /run/containerd/fifo unless told."""
        if args[:2] == ["tasks", "exec"]:
            return args[:2] + ["--fifo-dir", f"{self.dir}/fifo"] + args[2:]
        return args

    def run_args(self, runtime, verb, args):
        # ctr's runc shim options name the runtime binary and its state root
        # (default /run/containerd/runc). ctr's default --cpu-shares 1024
        # needs the cpu controller, which the lane's cgroup2 may lack; 0 is unset.
        return ["run", "--runc-binary", self.runtimes[runtime],
                "--runc-root", f"{self.dir}/runc-root/{runtime}",
                "--fifo-dir", f"{self.dir}/fifo", "--cpu-shares", "0", *args]

    def import_image(self, tar_path, oci_path, ref):
        self.client("runc", ["images", "import", oci_path], timeout=120).ok()
        return CTR_IMAGE

    def update_task(self, cid, resources):
        """The task API's Update of a running task (ctr 1.6 has no `tasks update`)."""
        shim_update.update(f"{self.dir}/state", self.namespace, cid, resources)

    def remove_all(self):
        tasks = self.client("runc", ["tasks", "ls", "-q"]).ok().out.split()
        for t in tasks:
            self.client("runc", ["tasks", "kill", "-s", "KILL", t])
        for t in tasks:
            self.client("runc", ["tasks", "rm", "-f", t])
        ids = self.client("runc", ["containers", "ls", "-q"]).ok().out.split()
        if ids:
            self.client("runc", ["containers", "rm", *ids]).ok()

    def stop(self):
        self.client("runc", ["images", "rm", "--sync", *self.client(
            "runc", ["images", "ls", "-q"]).out.split()], timeout=60)
        self._stop_daemon()


ENGINES = {"podman": Podman, "docker": Docker, "containerd": Containerd}


class Context:
    """One scenario's view: an engine, a runtime name, a scratch dir on the host."""

    def __init__(self, engine, runtime, image, scratch):
        self.engine, self.runtime, self.image, self.scratch = engine, runtime, image, scratch
        self.kind = getattr(engine, "kind", engine.name)  # podman-rootless is a podman

    def c(self, *args, **kw):
        """The engine's client with args (for docker/podman: no --runtime except podman's global)."""
        return self.engine.client(self.runtime, args, **kw)

    def run(self, *args, **kw):
        """`run` with this runtime and no network; args are flags, image and command."""
        return self.engine.client(self.runtime, self.engine.run_args(self.runtime, "run", args), **kw)

    def create(self, *args, **kw):
        return self.engine.client(self.runtime, self.engine.run_args(self.runtime, "create", args), **kw)

    def argv(self, verb, *args):
        """The full client argv (for `script -qc`)."""
        e = self.engine
        inner = e.run_args(self.runtime, verb, args) if verb in ("run", "create") else [verb, *args]
        if isinstance(e, Podman):
            return e.base(self.runtime) + inner
        if isinstance(e, Docker):
            return [DOCKER] + inner
        return e.base() + e.fifo(inner)

    def new_name(self):
        return f"lane{next(_names)}-{self.runtime}"
