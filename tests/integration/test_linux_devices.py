"""linux.devices: nodes with the asked type, numbers, mode and owner, anywhere inside the
rootfs and never outside it."""

import json
import os
import stat

import pytest

from test_errors import assert_one_line_error
from test_namespaces import userns_bundle


def stat_inside(env, bundle, *paths):
    bundle.probe("stat", *paths).save()
    return json.loads(env.rt.run(env.new_id(), bundle.path).check().out)


def test_char_block_and_fifo_nodes(env, bundle):
    bundle.linux["devices"] = [
        {"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 0o640, "uid": 1000, "gid": 1000},
        {"path": "/dev/loopfake", "type": "b", "major": 7, "minor": 200, "fileMode": 0o600},
        {"path": "/dev/unbuffered", "type": "u", "major": 1, "minor": 5},
        {"path": "/run/fifo", "type": "p", "fileMode": 0o620, "gid": 5},
    ]
    st = stat_inside(env, bundle, "/dev/fuse", "/dev/loopfake", "/dev/unbuffered", "/run/fifo")
    fuse = st["/dev/fuse"]
    assert (fuse["type"], fuse["major"], fuse["minor"], fuse["mode"]) == ("chr", 10, 229, 0o640)
    assert (fuse["uid"], fuse["gid"]) == (1000, 1000)
    blk = st["/dev/loopfake"]
    assert (blk["type"], blk["major"], blk["minor"], blk["mode"]) == ("blk", 7, 200, 0o600)
    assert (blk["uid"], blk["gid"]) == (0, 0)
    assert (st["/dev/unbuffered"]["type"], st["/dev/unbuffered"]["minor"]) == ("chr", 5)
    assert st["/dev/unbuffered"]["mode"] == 0o666  # no fileMode: 0666 as runc
    assert (st["/run/fifo"]["type"], st["/run/fifo"]["mode"], st["/run/fifo"]["gid"]) == ("fifo", 0o620, 5)


def test_device_outside_dev_in_a_new_directory(env, bundle):
    bundle.linux["devices"] = [{"path": "/opt/devs/zero", "type": "c", "major": 1, "minor": 5}]
    bundle.args("/bin/sh", "-c", "head -c 2 /opt/devs/zero | od -An -tx1").save()
    assert env.rt.run(env.new_id(), bundle.path).check().out.split() == ["00", "00"]


@pytest.mark.runc_deviates("runc 1.1 fails to reopen a /dev/null created with mode 0600")
def test_config_entry_overrides_a_default_device(env, bundle):
    bundle.linux["devices"] = [{"path": "/dev/null", "type": "c", "major": 1, "minor": 3, "fileMode": 0o600}]
    assert stat_inside(env, bundle, "/dev/null")["/dev/null"]["mode"] == 0o600


def test_existing_matching_node_is_kept(env, bundle):
    # Outside /dev: the config's tmpfs on /dev would hide a node made on disk there.
    (bundle.rootfs / "opt").mkdir()
    os.mknod(bundle.rootfs / "opt/kept", 0o604 | stat.S_IFCHR, os.makedev(1, 7))
    bundle.linux["devices"] = [{"path": "/opt/kept", "type": "c", "major": 1, "minor": 7}]
    kept = stat_inside(env, bundle, "/opt/kept")["/opt/kept"]
    assert (kept["minor"], kept["mode"]) == (7, 0o604)


@pytest.mark.runc_deviates("runc 1.1 keeps whatever file is at a device path (config-linux.md: MUST error)")
def test_existing_file_that_is_not_the_device_is_an_error(env, bundle):
    (bundle.rootfs / "opt").mkdir()
    (bundle.rootfs / "opt/imposter").write_text("not a device")
    bundle.linux["devices"] = [{"path": "/opt/imposter", "type": "c", "major": 1, "minor": 7}]
    bundle.probe().save()
    cid = env.new_id()
    result = env.rt.run(cid, bundle.path)
    assert_one_line_error(result)
    assert "/linux/devices/0" in result.err and "/opt/imposter" in result.err
    env.assert_nothing_left(cid)


@pytest.mark.ocirt_only("refuses '..' in a device path before touching anything")
def test_device_path_climbing_out_is_refused(env, bundle):
    bundle.linux["devices"] = [{"path": "/dev/../../../../../tmp/ocirt-escape", "type": "c", "major": 1, "minor": 3}]
    bundle.probe().save()
    cid = env.new_id()
    result = env.rt.run(cid, bundle.path)
    assert_one_line_error(result)
    assert "/linux/devices/0/path" in result.err
    assert not os.path.exists("/tmp/ocirt-escape")
    env.assert_nothing_left(cid)


@pytest.mark.runc_deviates("runc 1.1 keeps whatever file is at a device path (config-linux.md: MUST error)")
def test_symlink_at_a_device_path_is_refused(env, bundle):
    # /opt/escape -> <host tmp>/hostside-marker: a symlink is a file that is not the device,
    # so create fails; nothing may appear on the host at the link's target.
    host_target = env.tmp / "hostside-marker"
    (bundle.rootfs / "opt").mkdir()
    (bundle.rootfs / "opt/escape").symlink_to(str(host_target))
    bundle.linux["devices"] = [{"path": "/opt/escape", "type": "c", "major": 1, "minor": 5}]
    bundle.args("/bin/true").save()
    cid = env.new_id()
    result = env.rt.run(cid, bundle.path)
    assert_one_line_error(result)
    assert "/linux/devices/0" in result.err
    assert not host_target.exists()
    env.assert_nothing_left(cid)


def test_device_below_a_symlinked_directory_stays_in_the_rootfs(env, bundle):
    # /opt/devdir -> <host tmp>/hostdir: the directory resolves inside the rootfs.
    host_dir = env.tmp / "hostdir"
    (bundle.rootfs / "opt").mkdir()
    (bundle.rootfs / "opt/devdir").symlink_to(str(host_dir))
    bundle.linux["devices"] = [{"path": "/opt/devdir/zero", "type": "c", "major": 1, "minor": 5}]
    bundle.args("/bin/true").save()
    env.rt.run(env.new_id(), bundle.path).check()
    assert not host_dir.exists()
    inside = bundle.rootfs / str(host_dir).lstrip("/") / "zero"
    assert stat.S_ISCHR(os.lstat(inside).st_mode)


def test_user_namespace_binds_the_host_node(env, bundle):
    userns_bundle(bundle)
    bundle.linux["devices"] = [{"path": "/dev/full", "type": "c", "major": 1, "minor": 7}]
    full = stat_inside(env, bundle, "/dev/full")["/dev/full"]
    assert (full["type"], full["major"], full["minor"]) == ("chr", 1, 7)


def test_device_path_with_a_trailing_slash_is_normalised(env, bundle):
    bundle.linux["devices"] = [{"path": "/dev/fuse/", "type": "c", "major": 10, "minor": 229}]
    fuse = stat_inside(env, bundle, "/dev/fuse")["/dev/fuse"]
    assert (fuse["type"], fuse["major"], fuse["minor"]) == ("chr", 10, 229)
