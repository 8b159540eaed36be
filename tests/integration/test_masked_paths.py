"""linux.maskedPaths and linux.readonlyPaths, seen from inside the container."""

import json
import os

import pytest

from test_errors import assert_one_line_error


def sh(env, bundle, script):
    bundle.args("/bin/sh", "-c", script).save()
    return env.rt.run(env.new_id(), bundle.path)


def test_masked_file_reads_empty(env, bundle):
    (bundle.rootfs / "etc/secret").write_text("top secret\n")
    bundle.linux["maskedPaths"] = ["/etc/secret", "/proc/cmdline"]
    out = sh(env, bundle, "wc -c < /etc/secret; wc -c < /proc/cmdline; echo x > /etc/secret; echo rc=$?").check().out
    assert out.split()[:2] == ["0", "0"]
    # Writing to the null device succeeds and changes nothing underneath.
    assert (bundle.rootfs / "etc/secret").read_text() == "top secret\n"


def test_masked_file_is_the_null_device(env, bundle):
    (bundle.rootfs / "etc/secret").write_text("x")
    bundle.linux["maskedPaths"] = ["/etc/secret"]
    bundle.probe("stat", "/etc/secret").save()
    st = json.loads(env.rt.run(env.new_id(), bundle.path).check().out)["/etc/secret"]
    assert (st["type"], st["major"], st["minor"]) == ("chr", 1, 3)


def test_masked_directory_is_empty_and_read_only(env, bundle):
    (bundle.rootfs / "srv/data").mkdir(parents=True)
    (bundle.rootfs / "srv/data/file").write_text("hidden")
    bundle.linux["maskedPaths"] = ["/srv/data", "/proc/acpi"]
    out = sh(env, bundle, "ls -A /srv/data | wc -l; touch /srv/data/new 2>&1; echo rc=$?").check().out
    assert out.splitlines()[0].strip() == "0"
    assert "Read-only file system" in out
    assert out.strip().endswith("rc=1")


def test_missing_masked_path_is_skipped(env, bundle):
    bundle.linux["maskedPaths"] = ["/does/not/exist"]
    sh(env, bundle, "true").check()


def test_readonly_path_refuses_writes(env, bundle):
    (bundle.rootfs / "srv/ro").mkdir(parents=True)
    bundle.linux["readonlyPaths"] = ["/srv/ro", "/proc/sys"]
    out = sh(env, bundle, "touch /srv/ro/f 2>&1; { echo 1 > /proc/sys/kernel/ns_last_pid; } 2>&1; touch /dev/shm/ok && echo writable-elsewhere").out
    assert out.count("Read-only file system") == 2, out
    assert "writable-elsewhere" in out


@pytest.mark.runc_deviates("runc 1.1 makes only the top mount of a read-only path read-only")
def test_readonly_path_covers_submounts(env, bundle):
    (bundle.rootfs / "srv/ro").mkdir(parents=True)
    bundle.add_mount("/srv/ro/sub", "tmpfs", "tmpfs")
    bundle.linux["readonlyPaths"] = ["/srv/ro"]
    out = sh(env, bundle, "touch /srv/ro/sub/f 2>&1; echo done").out
    assert "Read-only file system" in out


@pytest.mark.ocirt_only("checks that /dev/null is the null device before masking with it")
def test_fake_dev_null_is_refused(env, bundle):
    # A /dev bound from a host directory whose "null" is a symlink to a regular file: masking
    # with it would bind that file over the masked path (runc CVE-2025-31133 class).
    fake_dev = env.host_dir("fakedev")
    victim = env.tmp / "victim"
    victim.write_text("host file\n")
    (fake_dev / "null").symlink_to(str(victim))
    bundle.config["mounts"] = [m for m in bundle.config["mounts"] if not m["destination"].startswith("/dev")]
    bundle.bind(str(fake_dev), "/dev", "rbind")
    (bundle.rootfs / "etc/secret").write_text("x")
    bundle.linux["maskedPaths"] = ["/etc/secret"]
    bundle.args("/bin/true").save()
    cid = env.new_id()
    result = env.rt.run(cid, bundle.path)
    assert_one_line_error(result)
    assert "/dev/null" in result.err and "maskedPaths" in result.err
    assert victim.read_text() == "host file\n"
    env.assert_nothing_left(cid)


def test_masked_symlink_to_a_host_path_stays_inside(env, bundle):
    # /etc/leak -> <host tmp>/hostsecret: resolved inside the rootfs, where it does not exist,
    # so nothing is masked and nothing on the host is touched.
    secret = env.tmp / "hostsecret"
    secret.write_text("host\n")
    (bundle.rootfs / "etc/leak").symlink_to(str(secret))
    bundle.linux["maskedPaths"] = ["/etc/leak"]
    sh(env, bundle, "cat /etc/leak 2>&1; true").check()
    assert secret.read_text() == "host\n"


def test_rootfs_whose_proc_is_a_symlink_is_refused(env, bundle):
    # <rootfs>/proc -> <host tmp>/fakeproc: following it would mount procfs elsewhere and leave
    # /proc (and every masked path below it) to whatever the link points at.
    host_target = env.host_dir("fakeproc-target")
    (bundle.rootfs / "proc").rmdir()
    (bundle.rootfs / "proc").symlink_to(str(host_target))
    bundle.args("/bin/true").save()
    cid = env.new_id()
    result = env.rt.run(cid, bundle.path)
    assert_one_line_error(result)
    if env.info.flavor == "ocirt":
        assert "/proc" in result.err and "symlink" in result.err
    assert list(host_target.iterdir()) == []
    env.assert_nothing_left(cid)
