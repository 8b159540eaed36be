"""tmpfs mounts: the mode of the directory they cover (runc), and tmpcopyup (runc and crun),
which podman adds to every tmpfs it asks for."""

import os

import pytest

from runner import json_lines, probe_output


def run_sh(env, bundle, script):
    bundle.args("/bin/sh", "-c", script).save()
    result = env.rt.run(env.new_id(), bundle.path)
    assert result.rc == 0, result.describe()
    return result


def stat_in(env, bundle, *paths):
    bundle.probe("stat", *paths).save()
    result = env.rt.run(env.new_id(), bundle.path)
    assert result.rc == 0, result.describe()
    return probe_output(result.out)


def mount_line(text, point):
    """The /proc/self/mountinfo line of `point` in `text`, split into fields."""
    for line in text.splitlines():
        fields = line.split()
        if len(fields) > 4 and fields[4] == point:
            return fields
    raise AssertionError(f"no mount on {point} in:\n{text}")


def image_tree(bundle, secret):
    """A directory /mnt/c of the rootfs with what a copy must keep: a file with set-id bits and an
    owner, a subdirectory, relative and absolute symlinks (one to a host file that exists only
    on the host)."""
    top = bundle.rootfs / "mnt/c"
    (top / "sub").mkdir(parents=True)
    (top / "a.txt").write_text("hello\n")
    os.chown(top / "a.txt", 1000, 1000)
    os.chmod(top / "a.txt", 0o4754)
    (top / "sub/b").write_text("nested\n")
    os.chmod(top / "sub/b", 0o604)
    os.chown(top / "sub", 1000, 100)
    os.chmod(top / "sub", 0o751)
    os.symlink("a.txt", top / "rel")
    os.symlink(str(secret), top / "host")
    os.symlink("../../../../../../../../etc/shadow", top / "up")
    os.lchown(top / "rel", 1000, 1000)
    os.chmod(top, 0o751)
    return top


def test_tmpcopyup_copies_content_owners_modes_and_symlinks(env, bundle):
    secret = env.tmp / "host-secret"
    secret.write_text("host only\n")
    image_tree(bundle, secret)
    bundle.add_mount("/mnt/c", "tmpfs", "tmpfs", ["nosuid", "nodev", "tmpcopyup"]).save()
    result = run_sh(env, bundle,
                    "/probe stat /mnt/c /mnt/c/a.txt /mnt/c/sub /mnt/c/sub/b /mnt/c/rel /mnt/c/host "
                    "/mnt/c/up; cat /mnt/c/a.txt /mnt/c/sub/b; cat /mnt/c/host; "
                    "echo new > /mnt/c/new; cat /proc/self/mountinfo")
    st = json_lines(result.out)[0]
    assert st["/mnt/c/a.txt"] == {"type": "reg", "mode": 0o4754, "uid": 1000, "gid": 1000}
    assert st["/mnt/c/sub"] == {"type": "dir", "mode": 0o751, "uid": 1000, "gid": 100}
    assert st["/mnt/c/sub/b"]["mode"] == 0o604
    assert st["/mnt/c/rel"] == {"type": "lnk", "mode": 0o777, "uid": 1000, "gid": 1000, "link": "a.txt"}
    # Symlinks are copied as symlinks: not followed to the host, nor up out of the rootfs.
    assert st["/mnt/c/host"]["type"] == "lnk" and st["/mnt/c/host"]["link"] == str(secret)
    assert st["/mnt/c/up"]["type"] == "lnk"
    assert st["/mnt/c"]["mode"] == 0o751
    assert "hello\nnested\n" in result.out
    assert "host only" not in result.out
    assert mount_line(result.out, "/mnt/c")[-3] == "tmpfs"
    # The container writes into the tmpfs, not into the image.
    assert not (bundle.rootfs / "mnt/c/new").exists()


@pytest.mark.runc_deviates("runc 1.1's copy makes no FIFO (it fails: lchown …/fifo: no such file or "
                           "directory) and drops a directory's set-group-ID bit")
def test_tmpcopyup_copies_fifos_and_set_id_bits_of_directories(env, bundle):
    (bundle.rootfs / "mnt/c/shared").mkdir(parents=True)
    os.chmod(bundle.rootfs / "mnt/c/shared", 0o2775)
    os.mkfifo(bundle.rootfs / "mnt/c/fifo")
    os.chmod(bundle.rootfs / "mnt/c/fifo", 0o620)
    bundle.add_mount("/mnt/c", "tmpfs", "tmpfs", ["tmpcopyup"]).save()
    st = stat_in(env, bundle, "/mnt/c/fifo", "/mnt/c/shared")
    assert st["/mnt/c/fifo"]["type"] == "fifo" and st["/mnt/c/fifo"]["mode"] == 0o620
    assert st["/mnt/c/shared"]["mode"] == 0o2775


def test_tmpcopyup_into_a_read_only_tmpfs(env, bundle):
    (bundle.rootfs / "mnt/c").mkdir(parents=True)
    (bundle.rootfs / "mnt/c/f").write_text("kept\n")
    bundle.add_mount("/mnt/c", "tmpfs", "tmpfs", ["ro", "tmpcopyup"]).save()
    result = run_sh(env, bundle, "cat /mnt/c/f; touch /mnt/c/g 2>/dev/null && echo WROTE; true")
    assert "kept" in result.out
    assert "WROTE" not in result.out


def test_tmpcopyup_of_a_missing_directory_gives_an_empty_tmpfs(env, bundle):
    bundle.add_mount("/mnt/none", "tmpfs", "tmpfs", ["tmpcopyup"]).save()
    result = run_sh(env, bundle, "ls -A /mnt/none | wc -l; cat /proc/self/mountinfo")
    assert result.out.split()[0] == "0"
    assert mount_line(result.out, "/mnt/none")[-3] == "tmpfs"


@pytest.mark.ocirt_only("ocirt refuses tmpcopyup where there is no tmpfs to copy into; runc ignores it")
def test_tmpcopyup_on_a_bind_mount_is_refused(env, bundle):
    from test_errors import assert_refused
    bundle.add_mount("/mnt/b", "bind", str(env.host_dir("src")), ["rbind", "tmpcopyup"])
    assert_refused(env, bundle, "/mounts/", "tmpcopyup")


def test_tmpfs_without_mode_takes_the_mode_of_the_directory_it_covers(env, bundle):
    (bundle.rootfs / "mnt/m").mkdir(parents=True)
    os.chmod(bundle.rootfs / "mnt/m", 0o750)
    bundle.add_mount("/mnt/m", "tmpfs", "tmpfs", ["nosuid", "size=1m"])
    bundle.add_mount("/mnt/new", "tmpfs", "tmpfs", ["nosuid"]).save()
    st = stat_in(env, bundle, "/mnt/m", "/mnt/new")
    assert st["/mnt/m"]["mode"] == 0o750
    assert st["/mnt/new"]["mode"] == 0o1777  # created for the mount: tmpfs's own default


@pytest.mark.runc_deviates("runc 1.1 chmods the tmpfs to the covered directory's mode after mounting, "
                           "over an explicit mode=")
def test_an_explicit_tmpfs_mode_wins(env, bundle):
    (bundle.rootfs / "mnt/m").mkdir(parents=True)
    os.chmod(bundle.rootfs / "mnt/m", 0o750)
    bundle.add_mount("/mnt/m", "tmpfs", "tmpfs", ["mode=700"]).save()
    assert stat_in(env, bundle, "/mnt/m")["/mnt/m"]["mode"] == 0o700
