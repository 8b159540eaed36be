"""Facts about the host side: the test process's namespaces, mounts, processes."""

import contextlib
import ctypes
import os
import subprocess

NAMESPACE_TYPES = ["cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"]
CLONE_NEWNS = 0x00020000


def libc_call(name, *args):
    """Calls a libc function that returns 0 on success; raises OSError with its errno."""
    libc = ctypes.CDLL(None, use_errno=True)
    if getattr(libc, name)(*args) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{name}: {os.strerror(err)}")


@contextlib.contextmanager
def private_mount_namespace():
    """The test process in a new mount namespace, "/" recursively private, for the block.

    The runtime and the containers it starts inherit it; on leaving, the process returns to
    its original mount namespace (setns) and working directory, and the host never saw the
    mounts made inside.
    """
    original = os.open("/proc/self/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
    cwd = os.getcwd()
    try:
        libc_call("unshare", CLONE_NEWNS)
        subprocess.run(["mount", "--make-rprivate", "/"], check=True)
        yield
    finally:
        # setns into a mount namespace resets the working directory: restore it.
        libc_call("setns", original, CLONE_NEWNS)
        os.close(original)
        os.chdir(cwd)


def host_namespaces():
    """The test process's own namespaces, {type: 'net:[4026531840]'}."""
    return {t: os.readlink(f"/proc/self/ns/{t}") for t in NAMESPACE_TYPES}


def mounts_under(prefix):
    """Mount points in our mount namespace at or below `prefix`, deepest first."""
    prefix = str(prefix).rstrip("/")
    points = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            point = line.split()[4].encode().decode("unicode_escape")
            if point == prefix or point.startswith(prefix + "/"):
                points.append(point)
    return sorted(points, key=len, reverse=True)


def cgroup_mounts():
    """{mount point: (fstype, super options)} of the cgroup and cgroup2 mounts of our mount
    namespace, from the last mount on each point (it hides earlier ones: a cgroup2 over a
    hybrid host's tmpfs). The one reader of cgroup mounts for the tests."""
    mounts = {}
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            dash = fields.index("-")
            mounts[fields[4]] = (fields[dash + 1], fields[dash + 3])
    return {p: m for p, m in mounts.items() if m[0] in ("cgroup", "cgroup2")}


def processes_rooted_under(prefix):
    """PIDs whose root or working directory lies under `prefix`.

    For a process in another mount namespace that is its '/' mount's source
    directory (a container's rootfs); in ours, its cwd.
    """
    prefix = str(prefix).rstrip("/")
    unique = os.path.basename(prefix)
    own_mnt = os.readlink("/proc/self/ns/mnt")
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            if os.readlink(f"/proc/{entry}/ns/mnt") == own_mnt:
                cwd = os.readlink(f"/proc/{entry}/cwd")
                if cwd == prefix or cwd.startswith(prefix + "/"):
                    found.append(int(entry))
                continue
            with open(f"/proc/{entry}/mountinfo") as f:
                for line in f:
                    fields = line.split()
                    # The root field is relative to its filesystem (/tmp may be a
                    # tmpfs), so look for the temp dir's unique name in it.
                    if fields[4] == "/" and f"/{unique}/" in fields[3] + "/":
                        found.append(int(entry))
                        break
        except OSError:
            continue  # gone, or a kernel thread
    return found
