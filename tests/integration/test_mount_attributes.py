"""Recursive mount attributes (rro, rnosuid...), id-mapped bind mounts and the options
ocirt refuses."""

import json
import os

import pytest

from test_errors import assert_refused
from test_namespaces import userns_bundle


def sh(env, bundle, script):
    bundle.args("/bin/sh", "-c", script).save()
    return env.rt.run(env.new_id(), bundle.path)


def tree_with_submount(env):
    """A host dir with a tmpfs mounted below it, removed at teardown."""
    top = env.host_dir("tree")
    (top / "sub").mkdir()
    os.system(f"mount -t tmpfs tmpfs {top / 'sub'}")
    env.defer(lambda: os.system(f"umount -l {top / 'sub'}"))
    return top


def test_ro_bind_leaves_submount_writable_but_rro_does_not(env, bundle):
    top = tree_with_submount(env)
    bundle.bind(str(top), "/mnt/ro", "ro")
    bundle.bind(str(top), "/mnt/rro", "rro")
    out = sh(env, bundle, "touch /mnt/ro/sub/a 2>&1 && echo ro-sub-writable; "
                          "touch /mnt/rro/sub/b 2>&1; touch /mnt/rro/c 2>&1; true").check().out
    assert "ro-sub-writable" in out
    assert out.count("Read-only file system") == 2, out


def test_rnoexec_and_rnosuid_reach_submounts(env, bundle):
    top = tree_with_submount(env)
    bundle.bind(str(top), "/mnt/t", "rnoexec", "rnosuid", "rnodev")
    bundle.probe("report").save()
    mounts = json.loads(env.rt.run(env.new_id(), bundle.path).check().out)["mounts"]
    sub = [m for m in mounts if m["mount_point"] == "/mnt/t/sub"]
    assert sub, mounts
    assert {"noexec", "nosuid", "nodev"} <= set(sub[0]["options"])


def test_rnosymfollow(env, bundle):
    src = env.host_dir("links")
    (src / "target").write_text("x")
    (src / "link").symlink_to("target")
    bundle.bind(str(src), "/mnt/l", "rnosymfollow")
    out = sh(env, bundle, "cat /mnt/l/link 2>&1; cat /mnt/l/target").out
    assert out.strip().endswith("x")
    assert "Too many levels of symbolic links" in out or "Symbolic link loop" in out, out


@pytest.mark.runc_min_version("1.2", "id-mapped mounts")
def test_idmapped_bind_shows_mapped_owners(env, bundle):
    src = env.host_dir("owned")
    (src / "root-file").write_text("r")
    (src / "user-file").write_text("u")
    os.chown(src / "user-file", 1, 1)
    m = {"destination": "/mnt/idm", "type": "bind", "source": str(src), "options": ["rbind", "idmap"],
         "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 10}],
         "gidMappings": [{"containerID": 0, "hostID": 2000, "size": 10}]}
    bundle.config["mounts"].append(m)
    bundle.probe("stat", "/mnt/idm/root-file", "/mnt/idm/user-file").save()
    st = json.loads(env.rt.run(env.new_id(), bundle.path).check().out)
    assert (st["/mnt/idm/root-file"]["uid"], st["/mnt/idm/root-file"]["gid"]) == (1000, 2000)
    assert (st["/mnt/idm/user-file"]["uid"], st["/mnt/idm/user-file"]["gid"]) == (1001, 2001)
    # The host's files keep their owners.
    assert os.stat(src / "root-file").st_uid == 0


@pytest.mark.runc_min_version("1.2", "id-mapped mounts")
def test_idmap_in_a_user_namespace_uses_the_containers_mapping(env, bundle):
    userns_bundle(bundle)
    src = env.host_dir("shared")
    (src / "f").write_text("x")
    (bundle.rootfs / "mnt/s").mkdir()  # root of the user namespace may not create it in /mnt
    bundle.config["mounts"].append({"destination": "/mnt/s", "type": "bind", "source": str(src),
                                    "options": ["rbind", "idmap"]})
    bundle.args("/bin/sh", "-c", "stat -c '%u:%g' /mnt/s/f; echo ok > /mnt/s/g && echo wrote").save()
    out = env.rt.run(env.new_id(), bundle.path).check().out.split()
    # On disk 0:0 maps to host 100000, which is root inside the container: root can write.
    assert out == ["0:0", "wrote"]
    assert os.stat(src / "g").st_uid == 0


@pytest.mark.runc_min_version("1.2", "id-mapped mounts")
def test_idmap_without_mappings_or_user_namespace_is_refused(env, bundle):
    src = env.host_dir("plain")
    bundle.config["mounts"].append({"destination": "/mnt/p", "type": "bind", "source": str(src),
                                    "options": ["rbind", "idmap"]})
    assert_refused(env, bundle, "/mounts/", "idmap")


def test_idmap_on_a_tmpfs_is_refused(env, bundle):
    bundle.config["mounts"].append({"destination": "/mnt/t", "type": "tmpfs", "source": "tmpfs",
                                    "options": ["idmap"],
                                    "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
                                    "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]})
    assert_refused(env, bundle, "bind")

