"""Containers without a mount namespace of their own: none in linux.namespaces (runtime-spec:
the runtime's is inherited) or one joined by path. ocirt then mounts nothing in that namespace
and only chroots the process into root.path; a field that needs mounts is refused by name.

The positive tests move the pytest process into a private mount namespace for the test (the
runtime and its containers inherit it) and mount a procfs into the rootfs there, so the probe
can read /proc/self/ns/mnt from inside the chroot and the host's mount table is not touched.
"""

import contextlib
import os
import subprocess

import pytest

from host import private_mount_namespace
from runner import probe_output
from test_errors import assert_refused
from test_namespaces import namespace_holder


@pytest.fixture
def private_mount_ns(env):
    """The test process in a private mount namespace until teardown; returns its identity."""
    stack = contextlib.ExitStack()
    stack.enter_context(private_mount_namespace())
    env.defer(stack.close)
    return os.readlink("/proc/self/ns/mnt")


def without_mounts(bundle):
    """No field that needs a mount: no mounts, masked or read-only paths, writable root."""
    bundle.config["mounts"] = []
    bundle.linux.pop("maskedPaths", None)
    bundle.linux.pop("readonlyPaths", None)
    bundle.readonly_root(False)
    return bundle


def shared_bundle(bundle):
    """A bundle without a mount namespace, with a procfs in its rootfs (private_mount_ns)."""
    bundle.remove_namespace("mount")
    without_mounts(bundle)
    subprocess.run(["mount", "-t", "proc", "proc", str(bundle.rootfs / "proc")], check=True)
    (bundle.rootfs / "marker").write_text("inside the rootfs\n")
    return bundle


def test_without_mount_namespace_the_runtimes_is_inherited(env, bundle, private_mount_ns):
    shared_bundle(bundle).args("/bin/sh", "-c", "cat /marker && exec /probe")
    bundle.process["cwd"] = "/tmp"
    bundle.save()
    out = env.rt.run(env.new_id(), bundle.path).check().out
    report = probe_output(out)
    assert report["namespaces"]["mnt"] == private_mount_ns
    assert "inside the rootfs" in out  # chrooted into root.path
    assert report["cwd"] == "/tmp"


@pytest.mark.runc_deviates("runc makes / rslave, binds the rootfs and makes /dev nodes in the "
                           "runtime's mount namespace")
def test_without_mount_namespace_nothing_is_mounted_or_made(env, bundle, private_mount_ns):
    shared_bundle(bundle).probe().save()
    with open("/proc/self/mountinfo") as f:
        before = f.read()
    env.rt.run(env.new_id(), bundle.path).check()
    with open("/proc/self/mountinfo") as f:
        assert f.read() == before
    assert not os.path.lexists(bundle.rootfs / "dev/null")


@pytest.mark.runc_deviates("runc exec does not enter the chroot: the process sees the host's root")
def test_exec_enters_the_chroot(env, bundle, private_mount_ns):
    shared_bundle(bundle).probe("sleep", "300").save()
    cid = env.new_id()
    env.rt.run(cid, bundle.path, "--detach").check()
    r = env.rt.exec(cid, "/bin/sh", "-c", "cat /marker && exec /probe").check()
    assert "inside the rootfs" in r.out
    assert probe_output(r.out)["namespaces"]["mnt"] == private_mount_ns


RUNC_APPLIES_IT = pytest.mark.runc_deviates("runc applies it in the runtime's mount namespace")

# field at fault -> how to set it
NEEDS_MOUNTS = {
    "/mounts": pytest.param(
        lambda b: b.add_mount("/proc", "proc", "proc"), marks=RUNC_APPLIES_IT, id="mounts"),
    "/linux/maskedPaths": pytest.param(
        lambda b: b.linux.update(maskedPaths=["/proc/kcore"]), id="maskedPaths"),
    "/linux/readonlyPaths": pytest.param(
        lambda b: b.linux.update(readonlyPaths=["/proc/sys"]), id="readonlyPaths"),
    "/linux/devices": pytest.param(
        lambda b: b.linux.update(devices=[{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229}]),
        marks=RUNC_APPLIES_IT, id="devices"),
    "/root/readonly": pytest.param(lambda b: b.readonly_root(True), marks=pytest.mark.runc_deviates(
        "runc ignores root.readonly without a mount namespace"), id="root.readonly"),
    "/linux/rootfsPropagation": pytest.param(
        lambda b: b.linux.update(rootfsPropagation="private"), marks=RUNC_APPLIES_IT, id="rootfsPropagation"),
}


@pytest.mark.parametrize("field,edit", [pytest.param(f, *p.values, marks=p.marks, id=p.id)
                                        for f, p in NEEDS_MOUNTS.items()])
def test_without_mount_namespace_a_field_needing_mounts_is_refused(env, bundle, field, edit):
    without_mounts(bundle).remove_namespace("mount")
    edit(bundle)
    assert_refused(env, bundle, field, "no mount namespace of its own")


@pytest.mark.parametrize("field,edit", [pytest.param(f, *p.values, marks=p.marks, id=p.id)
                                        for f, p in NEEDS_MOUNTS.items()])
@pytest.mark.runc_deviates("runc mounts into a mount namespace joined by path")
def test_joined_mount_namespace_a_field_needing_mounts_is_refused(env, bundle, field, edit):
    without_mounts(bundle).add_namespace("mount", namespace_holder(env, "mount"))
    edit(bundle)
    assert_refused(env, bundle, field, "joined by path")


@pytest.mark.runc_deviates("runc builds the rootfs and pivots inside the joined namespace "
                           "(pivot_root: device or resource busy)")
def test_mount_namespace_joined_from_another_container(env):
    first = env.bundle()
    (first.rootfs / "marker").write_text("the first container's rootfs\n")
    first.probe("sleep", "300").save()
    first_id = env.new_id()
    env.rt.run(first_id, first.path, "--detach").check()
    pid = env.rt.state(first_id)["pid"]
    with open(f"/proc/{pid}/mountinfo") as f:
        first_mounts = f.read()

    second = without_mounts(env.bundle())
    # Its pid namespace too: the first container's /proc shows only that one.
    second.add_namespace("mount", f"/proc/{pid}/ns/mnt").add_namespace("pid", f"/proc/{pid}/ns/pid")
    second.config["root"]["path"] = "/"  # a path in the joined namespace: the first rootfs
    second.args("/bin/sh", "-c", "cat /marker && exec /probe").save()
    out = env.rt.run(env.new_id(), second.path).check().out
    assert "the first container's rootfs" in out
    assert probe_output(out)["namespaces"]["mnt"] == os.readlink(f"/proc/{pid}/ns/mnt")
    with open(f"/proc/{pid}/mountinfo") as f:
        assert f.read() == first_mounts  # the first container's mounts are untouched
