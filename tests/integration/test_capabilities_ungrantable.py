"""Capabilities the runtime cannot grant: left out with one warning each, and the container runs.

runtime-spec 1.3 config.md: a capability that cannot be granted MUST be logged as a warning by
the runtime and SHOULD NOT fail the container. The test drops CAP_SYS_NICE from the bounding
set of the process that calls the runtime, so the runtime cannot hold it either.
"""

import shutil
import subprocess

import pytest

from runner import probe_output
from test_namespaces import userns_bundle

CAP = {"CAP_CHOWN": 0, "CAP_KILL": 5, "CAP_NET_BIND_SERVICE": 10, "CAP_SYS_NICE": 23}
WANTED = ["CAP_CHOWN", "CAP_KILL", "CAP_SYS_NICE", "CAP_NET_BIND_SERVICE"]


def mask(*names):
    return sum(1 << CAP[n] for n in names)


def run_without_sys_nice(env, bundle):
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv (util-linux) is not installed")
    bundle.capabilities(bounding=WANTED, effective=WANTED, permitted=WANTED,
                        inheritable=["CAP_KILL", "CAP_SYS_NICE"], ambient=["CAP_KILL", "CAP_SYS_NICE"])
    bundle.probe("report").save()
    cid = env.new_id()
    env.rt.track(cid)
    argv = [setpriv, "--bounding-set", "-sys_nice", *env.rt.argv("run", "--bundle", bundle.path, cid)]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


def status_masks(out):
    status = probe_output(out)["status"]
    return {k: int(status[k], 16) for k in ("CapBnd", "CapEff", "CapPrm", "CapInh", "CapAmb")}


@pytest.mark.parametrize("uid", [0, 1000])
def test_capabilities_the_runtime_lacks_are_left_out_with_a_warning(env, bundle, uid):
    bundle.user(uid, uid)
    r = run_without_sys_nice(env, bundle)
    if env.info.is_runc and r.returncode != 0:
        pytest.skip(f"runc fails the container instead: {r.stderr.strip()[-200:]}")
    assert r.returncode == 0, r.stderr
    granted = ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    # A non-root program keeps across execve only its ambient capabilities.
    held = granted if uid == 0 else ["CAP_KILL"]
    assert status_masks(r.stdout) == {"CapBnd": mask(*granted), "CapEff": mask(*held),
                                      "CapPrm": mask(*held), "CapInh": mask("CAP_KILL"),
                                      "CapAmb": mask("CAP_KILL")}
    if not env.info.is_runc:
        warnings = [line for line in r.stderr.splitlines() if "CAP_SYS_NICE" in line]
        assert len(warnings) == 1, r.stderr  # once, though four sets name it
        assert "warning" in warnings[0] and "cannot be granted" in warnings[0]
        assert "CAP_KILL" not in r.stderr


def test_in_a_user_namespace_the_runtime_holds_them_all(env, bundle):
    # A new user namespace starts with every capability, whatever the caller's bounding set.
    userns_bundle(bundle)
    r = run_without_sys_nice(env, bundle)
    assert r.returncode == 0, r.stderr
    assert status_masks(r.stdout)["CapEff"] == mask(*WANTED)
    assert "CAP_SYS_NICE" not in r.stderr
