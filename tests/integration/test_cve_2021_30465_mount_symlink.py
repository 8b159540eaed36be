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


def test_destination_swapped_while_creating_never_reaches_the_host(env, bundle):
    # The race itself: /race flips between a directory and a symlink to a host directory
    # while containers are created. A runtime that resolves the destination as a path string
    # and then mounts (or mkdirs) by that string sometimes lands on the host directory: it
    # gains a "sub" directory. ocirt resolves each component with openat2(RESOLVE_IN_ROOT)
    # and mounts on the resolved fd, so the host directory stays empty however the race falls.
    import threading

    host = env.host_dir("race-target")
    race = bundle.rootfs / "race"
    real = bundle.rootfs / "race.real"
    link = bundle.rootfs / "race.link"
    real.mkdir()
    os.symlink(str(host), link)
    os.rename(real, race)
    stop = threading.Event()

    def flip():
        state = "real"
        while not stop.is_set():
            try:
                if state == "real":
                    os.rename(race, real)
                    os.rename(link, race)
                    state = "link"
                else:
                    os.rename(race, link)
                    os.rename(real, race)
                    state = "real"
            except OSError:
                pass

    bundle.add_mount("/race/sub", "tmpfs", "tmpfs", ["size=1m"])
    bundle.args("/bin/true").save()
    flipper = threading.Thread(target=flip)
    flipper.start()
    try:
        for _ in range(25):
            cid = env.new_id()
            r = env.rt.run(cid, bundle.path)
            assert r.rc in (0, 1), r.describe()
            assert list(host.iterdir()) == [], "a mount or mkdir reached the host directory"
    finally:
        stop.set()
        flipper.join()
