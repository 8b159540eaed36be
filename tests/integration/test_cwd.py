"""process.cwd missing from the rootfs is created (as runc and crun do), inside the rootfs:
a symlink on the way is resolved in the container's root, never on the host."""

import os

import pytest

from runner import probe_output


def run_probe(env, bundle, cwd):
    bundle.process["cwd"] = cwd
    bundle.probe().save()
    return probe_output(env.rt.run(env.new_id(), bundle.path).check().out)


def test_missing_cwd_is_created(env, bundle):
    assert run_probe(env, bundle, "/does/not/exist")["cwd"] == "/does/not/exist"
    assert (bundle.rootfs / "does/not/exist").is_dir()


def test_missing_cwd_is_created_before_the_root_is_made_read_only(env, bundle):
    bundle.readonly_root(True)
    assert run_probe(env, bundle, "/work")["cwd"] == "/work"


def test_missing_cwd_for_a_non_root_user(env, bundle):
    bundle.user(1000, 1000)
    report = run_probe(env, bundle, "/home/new")
    assert (report["cwd"], report["uid"]) == ("/home/new", 1000)


@pytest.mark.runc_deviates("runc 1.1's MkdirAll stops at a dangling symlink: mkdir /out: file exists")
@pytest.mark.parametrize("link", ["absolute", "relative"])
def test_missing_cwd_through_a_symlink_out_of_the_rootfs_stays_inside(env, bundle, link):
    host = env.host_dir("host-side")
    target = str(host) if link == "absolute" else os.path.relpath(host, bundle.rootfs)
    (bundle.rootfs / "out").symlink_to(target)
    report = run_probe(env, bundle, "/out/created")
    assert report["cwd"].endswith("/created")
    assert not (host / "created").exists()  # the host is not touched
    # In the container's root ".." stops at "/": the relative link leads to /host-side.
    resolved = str(host) if link == "absolute" else "/host-side"
    inside = bundle.rootfs / resolved.lstrip("/") / "created"
    assert inside.is_dir(), f"{inside} was not created inside the rootfs"
