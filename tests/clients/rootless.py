"""Rootless podman: the engine `podman-rootless`, podman run by an ordinary
user that the lane creates, with each runtime given by path
(`podman --runtime /usr/sbin/runc`, `podman --runtime <ocirt>`).

start() creates the user (`useradd`, which also gives it ranges in
/etc/subuid and /etc/subgid from login.defs' SUB_UID_*), its home under the
lane's work directory and its XDG_RUNTIME_DIR /run/user/<uid> (0700, its
own), writes its containers.conf, storage.conf (vfs) and registries.conf, and
imports the lane's image as that user. Every command is

    runuser -u USER -- env XDG_RUNTIME_DIR=/run/user/<uid> HOME=... \
        CONTAINERS_CONF=... podman --root ... --runroot ... --runtime PATH ...

podman makes the user namespace itself (newuidmap/newgidmap from Debian's
`uidmap`, with the user's subordinate ranges) and keeps it in a pause
process (catatonit), which later commands join. The lane runs in its mount
namespace with cgroup2 on /sys/fs/cgroup, owned by root: nothing is
delegated to the user, so podman asks for no cgroup limits (pids_limit = 0)
and the runtime runs the container without a cgroup of its own (runc
ignores the cgroup it cannot create when rootless).

stop() removes the containers and images, ends the user's processes (the
pause process) by pid, checks that the runtimes' state roots under
XDG_RUNTIME_DIR hold no container, removes /run/user/<uid>, the user
(userdel also drops its subuid/subgid lines) and whatever it left in /tmp,
and fails naming what it had to remove.

Until ocirt runs rootless (issue 13; OCIRT_PENDING below) its cells are
expected to fail: the table shows them as `pending (issue 13)` with ocirt's
error text and they do not fail the lane, as long as runc passes the same
scenario; an ocirt pass there fails the lane as `XPASS`, which says to set
OCIRT_PENDING to None.
"""

import os
import pwd
import shutil
import signal
import subprocess
import time

from engines import ENGINE_PATH, ENGINES, PODMAN, Podman, containers_conf, write
from lane import Failure, call

RUNUSER = "/usr/sbin/runuser"
USERADD = "/usr/sbin/useradd"
USERDEL = "/usr/sbin/userdel"
NEWUIDMAP = "/usr/bin/newuidmap"
NEWGIDMAP = "/usr/bin/newgidmap"
RUNTIME_STATE = ("runc", "ocirt", "crun")  # state roots under XDG_RUNTIME_DIR


# Why ocirt's cells are expected to fail, or None. ocirt, run by podman as an
# ordinary user, does not run rootless yet (issue 13; today it fails with
# "mkdir /run/ocirt: Permission denied"). Set to None once it does: an ocirt
# pass while this is set fails the lane as XPASS, to say so.
OCIRT_PENDING = None


class PodmanRootless(Podman):
    """podman 4.3 as an unprivileged user: vfs storage, no network, cgroupfs."""
    name = "podman-rootless"
    kind = "podman"  # the scenarios' podman wording and flags apply
    binaries = (PODMAN, RUNUSER, USERADD, USERDEL, NEWUIDMAP, NEWGIDMAP)

    def __init__(self, work, runtimes):
        super().__init__(work, runtimes)
        self.user = f"ocirt-rl-{os.getpid()}"
        self.uid = None
        self.xdg = None  # set once the lane made it
        self.pending = {"ocirt": OCIRT_PENDING} if OCIRT_PENDING else {}

    def start(self):
        _remove_stale_users()
        home = os.path.join(self.dir, "home")
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o755)
        # -K UMASK: the home is the user's alone; useradd adds its subuid/subgid ranges.
        p = call([USERADD, "-m", "-d", home, "-s", "/bin/sh", "-K", "UMASK=077", self.user])
        if p.rc != 0:
            raise Failure(f"useradd {self.user}: {p.brief()}")
        pw = pwd.getpwnam(self.user)
        self.uid, self.gid = pw.pw_uid, pw.pw_gid
        for path in ("/etc/subuid", "/etc/subgid"):
            if not _has_range(path, self.user):
                raise Failure(f"{path}: useradd gave {self.user} no range (SUB_UID_COUNT in "
                              f"/etc/login.defs); rootless podman needs one")
        xdg = f"/run/user/{self.uid}"
        if os.path.lexists(xdg):
            raise Failure(f"{xdg} exists before the lane made user {self.user}")
        self.made_run_user = not os.path.isdir("/run/user")
        os.makedirs("/run/user", mode=0o755, exist_ok=True)
        os.mkdir(xdg, 0o700)
        self.xdg = xdg
        os.chown(xdg, self.uid, self.gid)
        # graphroot and tmpdir; the runroot is XDG_RUNTIME_DIR/containers, as
        # podman's default (it must be at most 50 characters long).
        self.store = os.path.join(self.dir, "store")
        os.makedirs(self.store, 0o700)
        os.chown(self.store, self.uid, self.gid)

        self.conf = os.path.join(home, "containers.conf")
        write(self.conf, containers_conf(
            self.store, network_dir=home,
            extra_engine=f'image_copy_tmp_dir = "{self.store}/tmp"\n'))
        write(os.path.join(home, "storage.conf"),
              f'[storage]\ndriver = "vfs"\nrunroot = "{self.xdg}/containers"\n'
              f'graphroot = "{self.store}/root"\n')
        write(os.path.join(home, "registries.conf"), "unqualified-search-registries = []\n")
        for root, dirs, files in os.walk(home):
            for n in [root] + [os.path.join(root, f) for f in files]:
                os.chown(n, self.uid, self.gid)
        self.env = {
            # USER as a login sets it: runc (and ocirt) honour XDG_RUNTIME_DIR for
            # their state root as uid 0 in a user namespace unless USER is root.
            "PATH": ENGINE_PATH, "XDG_RUNTIME_DIR": self.xdg, "HOME": home,
            "USER": self.user, "LOGNAME": self.user,
            "CONTAINERS_CONF": self.conf, "CONTAINERS_STORAGE_CONF": f"{home}/storage.conf",
            "CONTAINERS_REGISTRIES_CONF": f"{home}/registries.conf",
        }
        self.binds = []

    def base(self, runtime):
        env = [f"{k}={v}" for k, v in sorted(self.env.items())]
        path = self.runtimes.get(runtime, runtime)
        return [RUNUSER, "-u", self.user, "--", "env", "-i", *env,
                PODMAN, "--root", f"{self.store}/root", "--runroot", f"{self.xdg}/containers",
                "--tmpdir", f"{self.store}/tmp", "--cgroup-manager", "cgroupfs",
                "--events-backend", "file", "--runtime", path]

    def client(self, runtime, args, **kw):
        return call(self.base(runtime) + list(args), env={"PATH": ENGINE_PATH}, **kw)

    def run_args(self, runtime, verb, args):
        # No --cgroup-parent: nothing is delegated to the user.
        return [verb, "--network", "none", *args]

    def import_image(self, tar_path, oci_path, ref):
        own = os.path.join(self.store, "rootfs.tar")
        shutil.copyfile(tar_path, own)
        os.chown(own, self.uid, self.gid)
        self.client("runc", ["import", own, f"localhost/{ref}"], timeout=120).ok()
        os.unlink(own)
        return f"localhost/{ref}"

    def remove_all(self):
        super().remove_all()
        left = self.runtime_state()
        if left:
            raise Failure(f"runtime state left in {self.xdg} after rm: {', '.join(left[:4])}")

    def runtime_state(self):
        """Container state directories the runtimes left under XDG_RUNTIME_DIR."""
        left = []
        for rt in RUNTIME_STATE:
            root = os.path.join(self.xdg, rt)
            if os.path.isdir(root):
                # A container's state is a directory named after it.
                left += [os.path.join(root, n) for n in os.listdir(root)
                         if os.path.isdir(os.path.join(root, n))]
        return left

    def stop(self):
        """Everything of the user goes; a Failure names what had to be removed."""
        problems = []
        if getattr(self, "env", None):
            self.client("runc", ["system", "reset", "-f"], timeout=120)
            left = self.runtime_state()
            if left:
                problems.append(f"runtime state left: {', '.join(left[:4])}")
        self._remove_user(problems)

    def _remove_user(self, problems):
        if self.uid is not None:
            # The pause process (catatonit -P) outlives every podman command.
            killed = _kill_user(self.uid)
            stray = [p for p in killed if "catatonit" not in p]
            if stray:
                problems.append(f"processes of {self.user} left: {', '.join(stray[:4])}")
        if self.xdg:
            shutil.rmtree(self.xdg, ignore_errors=True)
            if self.made_run_user:
                try:
                    os.rmdir("/run/user")
                except OSError:
                    pass
        if self.uid is not None:
            for top in ("/tmp", "/var/tmp"):
                for n in os.listdir(top):
                    path = os.path.join(top, n)
                    try:
                        if os.lstat(path).st_uid == self.uid:
                            problems.append(f"left in {top}: {path}")
                            shutil.rmtree(path) if os.path.isdir(path) else os.unlink(path)
                    except OSError:
                        pass
        try:
            pwd.getpwnam(self.user)
        except KeyError:
            pass
        else:
            # The home is under the work dir (vfs layers owned by subordinate
            # ids), which the lane removes as root; userdel drops the subid lines.
            p = call([USERDEL, self.user])
            if p.rc != 0:
                problems.append(f"userdel {self.user}: {p.brief()}")
        for path in ("/etc/subuid", "/etc/subgid"):
            if _has_range(path, self.user):
                problems.append(f"{path} still names {self.user}")
        if problems:
            raise Failure("; ".join(problems))


def _remove_stale_users():
    """Removes the users of earlier lanes that were killed before their
    teardown (ocirt-rl-<pid> with no process <pid>), with their processes and
    runtime dirs; says so on stdout."""
    for pw in pwd.getpwall():
        prefix, _, pid = pw.pw_name.rpartition("-")
        if prefix != "ocirt-rl" or not pid.isdigit() or os.path.exists(f"/proc/{pid}"):
            continue
        killed = _kill_user(pw.pw_uid)
        shutil.rmtree(f"/run/user/{pw.pw_uid}", ignore_errors=True)
        rc = subprocess.run([USERDEL, pw.pw_name], capture_output=True).returncode
        print(f"clients: podman-rootless: removed the user {pw.pw_name} of a lane that did not "
              f"finish (userdel exited {rc}; killed: {', '.join(killed) or 'nothing'})", flush=True)


def _has_range(path, user):
    try:
        with open(path) as f:
            return any(line.split(":", 1)[0] == user for line in f)
    except OSError:
        return False


def _processes():
    """(pid, uid, user namespace inode, command line) of every process."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            uid = os.stat(f"/proc/{pid}").st_uid
            ns = os.stat(f"/proc/{pid}/ns/user").st_ino
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        yield int(pid), uid, ns, cmd


def _kill_user(uid):
    """SIGKILLs, by pid, every process of the user `uid` (podman's pause
    process, conmon) and every process in a user namespace one of them is
    in (the containers, which run as its subordinate ids; matching on the
    namespace, not on the ids, so that no one else's process with an id in
    that range is touched). Returns 'pid (command)' for each, zombies left out."""
    found = {}
    for _ in range(3):
        procs = list(_processes())
        me = os.stat("/proc/self/ns/user").st_ino
        spaces = {ns for _, u, ns, _ in procs if u == uid} - {me}
        pids = []
        for pid, u, ns, cmd in procs:
            if u == uid or ns in spaces:
                pids.append(pid)
                if cmd:
                    found.setdefault(pid, f"{pid} ({cmd[:80]})")
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.3)
    return list(found.values())


ENGINES[PodmanRootless.name] = PodmanRootless
