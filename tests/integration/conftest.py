"""pytest fixtures for the integration suite.

Environment:
  OCIRT_BIN               runtime under test (the built ocirt, or /usr/sbin/runc)
  OCIRT_PROBE             the static probe (build-dir/tests/helpers/probe)
  OCIRT_CONSOLE_RECEIVER  console socket receiver (build-dir/tests/helpers/console_receiver)
  OCIRT_BUSYBOX           static busybox for the rootfs (default /bin/busybox)

Each test gets `env`: a private temp dir, a Runtime with its own --root, and a
bundle factory. Teardown force-deletes every container, then fails the test if
a container is still listed, a mount is left under the temp dir, or a process
still runs inside one of the test's rootfs.
"""

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from bundle import Bundle, busybox_applets
from host import mounts_under, processes_rooted_under
from runner import Runtime, wait_until

def _env_path(name, default=None):
    value = os.environ.get(name, default)
    if not value:
        raise pytest.UsageError(f"set {name} (see tests/integration/conftest.py)")
    path = Path(value)
    if not path.exists():
        raise pytest.UsageError(f"{name}={value} does not exist")
    return str(path.resolve())


class RuntimeInfo:
    """Which runtime is under test: flavor ('ocirt' or 'runc') and version."""

    def __init__(self, binary):
        self.binary = binary
        out = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout
        first = out.splitlines()[0] if out else ""
        self.flavor = os.environ.get("OCIRT_FLAVOR") or (first.split()[0] if first else
                                                         Path(binary).name)
        match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", first)
        self.version = tuple(int(g or 0) for g in match.groups()) if match else (0, 0, 0)

    @property
    def is_runc(self):
        return self.flavor == "runc"


def pytest_configure(config):
    config.addinivalue_line("markers", "ocirt_only(reason): checks behaviour only ocirt defines")
    config.addinivalue_line("markers",
                            "runc_min_version(version, feature): runc gained `feature` in `version`")
    config.addinivalue_line("markers",
                            "runc_deviates(reason): this runc does not do what the spec or issue asks")


@pytest.fixture(scope="session")
def runtime_info():
    return RuntimeInfo(_env_path("OCIRT_BIN"))


@pytest.fixture(scope="session")
def helpers():
    busybox = _env_path("OCIRT_BUSYBOX", "/bin/busybox")
    return {
        "probe": _env_path("OCIRT_PROBE"),
        "console_receiver": _env_path("OCIRT_CONSOLE_RECEIVER"),
        "busybox": busybox,
        "applets": busybox_applets(busybox),
    }


@pytest.fixture(autouse=True)
def _runtime_markers(request, runtime_info):
    if os.geteuid() != 0:
        pytest.skip("integration tests create real containers and need root")
    marker = request.node.get_closest_marker("ocirt_only")
    if marker and runtime_info.flavor != "ocirt":
        pytest.skip(f"ocirt-only behaviour ({marker.args[0]}); runtime is {runtime_info.flavor}")
    marker = request.node.get_closest_marker("runc_deviates")
    if marker and runtime_info.is_runc:
        pytest.skip(f"runc differs here: {marker.args[0]}")
    marker = request.node.get_closest_marker("runc_min_version")
    if marker and runtime_info.is_runc:
        wanted = tuple(int(x) for x in marker.args[0].split("."))
        if runtime_info.version < wanted:
            pytest.skip(f"{marker.args[1]} needs runc >= {marker.args[0]}; "
                        f"this runc is {'.'.join(map(str, runtime_info.version))}")


class TestEnv:
    """Per-test world: temp dir, runtime with a private root, bundles, helpers."""

    def __init__(self, runtime_info, helpers, tmp):
        self.info = runtime_info
        self.helpers = helpers
        self.tmp = tmp
        self.rt = Runtime(runtime_info.binary, tmp / "root", tmp / "io")
        self.rt.workdir.mkdir()
        self._bundles = 0
        self._ids = 0
        self._cleanups = []

    def bundle(self):
        """A fresh bundle (busybox + /probe rootfs, config from `<runtime> spec`)."""
        self._bundles += 1
        path = self.tmp / f"bundle{self._bundles}"
        path.mkdir()
        return Bundle(path, self.info.binary, self.helpers["probe"], self.helpers["busybox"],
                      self.helpers["applets"])

    def new_id(self, stem="c"):
        self._ids += 1
        return f"{stem}{self._ids}-{self.tmp.name[-6:]}"

    def host_dir(self, name):
        """A directory under the temp dir, e.g. the source of a bind mount."""
        path = self.tmp / name
        path.mkdir(mode=0o755, parents=True, exist_ok=True)
        return path

    def defer(self, fn):
        """Runs `fn` at teardown, before the leftover checks."""
        self._cleanups.append(fn)

    def background(self, argv):
        """Starts a helper process that teardown kills."""
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)

        def stop():
            proc.kill()
            proc.wait()
        self.defer(stop)
        return proc

    def leftovers(self, container_id=None):
        """Problems that should not exist once containers are deleted; [] if none."""
        problems = []
        if container_id is not None and self.rt.root.exists():
            if any(container_id in p.name for p in self.rt.root.iterdir()):
                problems.append(f"state dir for {container_id} left in {self.rt.root}")
        mounts = mounts_under(self.tmp)
        if mounts:
            problems.append(f"mounts left under {self.tmp}: {mounts}")
        procs = processes_rooted_under(self.tmp)
        if procs:
            problems.append(f"processes left inside a test rootfs: {procs}")
        return problems

    def assert_nothing_left(self, container_id):
        """No state dir for the id, no mount, no process left (after a failed command)."""
        problems = self.leftovers(container_id)
        if self.rt.root.exists():
            listed = self.rt.list("--quiet")
            if listed.rc == 0 and listed.out.strip():
                problems.append(f"list still shows: {listed.out.split()}")
        assert not problems, "; ".join(problems)

    def teardown(self):
        problems = []
        for fn in reversed(self._cleanups):
            try:
                fn()
            except Exception as e:  # keep tearing down; report below
                problems.append(f"cleanup {fn}: {e}")
        self.rt.cleanup()
        if self.rt.root.exists():
            listed = self.rt.list("--quiet")
            if listed.rc != 0:
                problems.append(f"list failed during teardown: {listed.err.strip()}")
            elif listed.out.strip():
                problems.append(f"containers still listed after delete --force: {listed.out.split()}")
        # Processes may take a moment to be reaped after delete.
        try:
            wait_until(lambda: not processes_rooted_under(self.tmp), timeout=5,
                       what="container processes to exit")
        except AssertionError:
            pass
        problems += self.leftovers()
        self._force_clean()
        return problems

    def _force_clean(self):
        """Kills stray container processes and unmounts leftovers so rmtree stays inside tmp."""
        for pid in processes_rooted_under(self.tmp):
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        for point in mounts_under(self.tmp):
            subprocess.run(["umount", "-l", point], capture_output=True)
        if not mounts_under(self.tmp):
            shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture
def env(runtime_info, helpers):
    tmp = Path(tempfile.mkdtemp(prefix="oi-"))
    os.chmod(tmp, 0o755)  # user-namespaced and non-root containers must reach the rootfs
    test_env = TestEnv(runtime_info, helpers, tmp)
    yield test_env
    problems = test_env.teardown()
    if problems:
        pytest.fail("teardown found leftovers: " + "; ".join(problems))


@pytest.fixture
def bundle(env):
    """The default bundle of this test's env."""
    return env.bundle()


def pytest_report_header(config):
    binary = os.environ.get("OCIRT_BIN", "(OCIRT_BIN unset)")
    return f"runtime under test: {binary}"
