"""CVE-2021-30465 class: mount destinations in the rootfs that are symlinks out of it.

The rootfs belongs to the container's owner. A destination component that is a symlink to a
host path ("/tmp/x", or "../../.." enough times) must resolve as if the rootfs were "/": a
naive runtime that joins rootfs + destination and lets the kernel follow the link mounts onto
the host directory instead; the host directory then shows up inside the container (the
marker file below is visible) or the in-rootfs directory is never created.
"""

import os

import pytest

from runner import probe_output


@pytest.mark.parametrize("link_kind", ["absolute", "relative"])
def test_symlinked_destination_stays_in_the_rootfs(env, bundle, link_kind):
    host = env.host_dir("host-target")
    (host / "marker").write_text("host")
    if link_kind == "absolute":
        target = str(host)
    else:
        target = "../" * 20 + str(host).lstrip("/")
    os.symlink(target, bundle.rootfs / "evil")
    bundle.add_mount("/evil", "tmpfs", "tmpfs", ["size=1m"])
    bundle.args("/bin/sh", "-c", "ls -A /evil; echo end").save()
    r = env.rt.run(env.new_id(), bundle.path).check()
    assert "marker" not in r.out and "end" in r.out
    inside = bundle.rootfs / str(host).lstrip("/")
    assert inside.is_dir(), "the destination must have been created inside the rootfs"
    assert (host / "marker").read_text() == "host"


def test_symlinked_parent_of_a_bind_destination_stays_in_the_rootfs(env, bundle):
    host = env.host_dir("host-parent")
    (host / "child").mkdir()
    source = env.host_dir("bind-source")
    (source / "payload").write_text("payload")
    os.symlink(str(host), bundle.rootfs / "evil")
    bundle.bind(str(source), "/evil/child")
    bundle.probe("report").save()
    report = probe_output(env.rt.run(env.new_id(), bundle.path).check().out)
    points = [m["mount_point"] for m in report["mounts"]]
    assert str(host / "child") in points  # the link resolved inside the rootfs...
    assert not os.listdir(host / "child")  # ...and the host directory saw nothing
