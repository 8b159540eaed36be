"""Mounts, their flags and propagation, the root filesystem, as seen from inside."""

import errno
import shutil
import subprocess

import pytest

from runner import json_lines, probe_output, wait_until


def run_probe(env, bundle, *probe_args, flags=()):
    bundle.probe(*probe_args).save()
    return probe_output(env.rt.run(env.new_id(), bundle.path, *flags).check().out)


def mount_at(report, point):
    """The topmost mountinfo entry for `point` (mounts listed later sit on top)."""
    entries = [m for m in report["mounts"] if m["mount_point"] == point]
    assert entries, f"nothing mounted at {point}: {[m['mount_point'] for m in report['mounts']]}"
    return entries[-1]


def test_tmpfs_with_size_and_mode(env, bundle):
    bundle.add_mount("/scratch", "tmpfs", "tmpfs", ["size=1m", "mode=700"])
    mount = mount_at(run_probe(env, bundle), "/scratch")
    assert mount["fstype"] == "tmpfs"
    assert "size=1024k" in mount["super_options"]
    assert "mode=700" in mount["super_options"]


@pytest.mark.parametrize("flag", ["nosuid", "nodev", "noexec", "ro", "noatime"])
def test_mount_flag_appears_in_mountinfo(env, bundle, flag):
    bundle.add_mount("/flagged", "tmpfs", "tmpfs", [flag])
    assert flag in mount_at(run_probe(env, bundle), "/flagged")["options"]


@pytest.mark.parametrize("options,runs", [(["noexec"], False), ([], True)], ids=["noexec", "exec"])
def test_noexec_bind_mount_refuses_to_run_programs(env, bundle, options, runs):
    source = env.host_dir("programs")
    shutil.copy2(env.helpers["probe"], source / "probe")
    bundle.bind(source, "/programs", *options)
    bundle.args("/bin/sh", "-c", "/programs/probe exit 0 2>/dev/null; echo rc=$?").save()
    out = env.rt.run(env.new_id(), bundle.path).check().out.strip()
    assert out == ("rc=0" if runs else "rc=126")


def test_mount_without_flags_is_plain(env, bundle):
    bundle.add_mount("/plain", "tmpfs", "tmpfs", [])
    options = mount_at(run_probe(env, bundle), "/plain")["options"]
    assert "rw" in options
    assert not {"nosuid", "nodev", "noexec"} & set(options)


def test_readonly_bind_mount_refuses_writes(env, bundle):
    source = env.host_dir("data")
    bundle.bind(source, "/data", "ro")
    bundle.probe("write", "/data/file").save()
    result = env.rt.run(env.new_id(), bundle.path)
    assert result.rc == 1, result.describe()
    assert probe_output(result.out)["errno"] == errno.EROFS
    assert not (source / "file").exists()


def test_readonly_bind_mount_is_ro_in_mountinfo(env, bundle):
    bundle.bind(env.host_dir("data"), "/data", "ro")
    assert "ro" in mount_at(run_probe(env, bundle), "/data")["options"]


def test_bind_mount_writes_reach_the_host(env, bundle):
    source = env.host_dir("data")
    bundle.bind(source, "/data")
    bundle.probe("write", "/data/file").save()
    env.rt.run(env.new_id(), bundle.path).check()
    assert (source / "file").read_text() == "written by probe\n"


def test_bind_mount_of_a_file(env, bundle):
    source = env.tmp / "host-file"
    source.write_text("from the host\n")
    bundle.bind(source, "/etc/injected")
    bundle.args("/bin/cat", "/etc/injected").save()
    assert env.rt.run(env.new_id(), bundle.path).check().out == "from the host\n"


def test_missing_destination_is_created(env, bundle):
    bundle.add_mount("/new/deep/dir", "tmpfs", "tmpfs", [])
    assert mount_at(run_probe(env, bundle), "/new/deep/dir")["fstype"] == "tmpfs"


def test_relative_destination_is_under_root(env, bundle):
    bundle.add_mount("rel/dir", "tmpfs", "tmpfs", ["size=2m"])
    assert "size=2048k" in mount_at(run_probe(env, bundle), "/rel/dir")["super_options"]


def test_mounts_are_made_in_order(env, bundle):
    bundle.add_mount("/outer", "tmpfs", "tmpfs", ["size=1m"])
    bundle.add_mount("/outer/inner", "tmpfs", "tmpfs", ["size=2m"])
    report = run_probe(env, bundle)
    outer, inner = mount_at(report, "/outer"), mount_at(report, "/outer/inner")
    assert inner["parent"] == outer["id"]


def escaping_symlink_bundle(env, bundle):
    """A rootfs with /escape -> an absolute host path, and a mount below it."""
    outside = env.host_dir("outside")
    (bundle.rootfs / "escape").symlink_to(outside)
    bundle.add_mount("/escape/sub", "tmpfs", "tmpfs", ["size=1m"])
    bundle.probe().save()
    return outside


def test_destination_symlink_cannot_escape_the_rootfs(env, bundle):
    outside = escaping_symlink_bundle(env, bundle)
    env.rt.run(env.new_id(), bundle.path)  # refusing is safe too; only escaping is wrong
    assert list(outside.iterdir()) == [], "the runtime followed a symlink out of the rootfs"


def test_destination_symlink_is_resolved_inside_the_rootfs(env, bundle):
    outside = escaping_symlink_bundle(env, bundle)
    report = probe_output(env.rt.run(env.new_id(), bundle.path).check().out)
    # The link's target is taken as a path inside the rootfs, as runc does.
    assert "size=1024k" in mount_at(report, f"{outside}/sub")["super_options"]


def test_special_filesystems(env, bundle):
    bundle.config["mounts"] = [
        {"destination": "/proc", "type": "proc", "source": "proc"},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["ro", "nosuid"]},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["mode=755"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
         "options": ["newinstance", "ptmxmode=0666", "mode=0620"]},
        {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": []},
    ]
    report = run_probe(env, bundle)
    types = {point: mount_at(report, point)["fstype"]
             for point in ["/proc", "/sys", "/dev", "/dev/pts", "/dev/mqueue"]}
    assert types == {"/proc": "proc", "/sys": "sysfs", "/dev": "tmpfs", "/dev/pts": "devpts",
                     "/dev/mqueue": "mqueue"}
    assert "ro" in mount_at(report, "/sys")["options"]


def test_proc_shows_the_container_pid_namespace(env, bundle):
    bundle.args("/bin/sh", "-c", "ls /proc | grep -E '^[0-9]+$'").save()
    pids = env.rt.run(env.new_id(), bundle.path).check().out.split()
    assert "1" in pids and len(pids) <= 3, pids


def test_cgroup2_mount(env, bundle):
    bundle.add_namespace("cgroup")
    bundle.config["mounts"] = [m for m in bundle.config["mounts"]
                               if m["destination"] != "/sys/fs/cgroup"]
    bundle.add_mount("/sys/fs/cgroup", "cgroup2", "cgroup2", ["nosuid", "nodev", "noexec"])
    assert mount_at(run_probe(env, bundle), "/sys/fs/cgroup")["fstype"] == "cgroup2"


def test_root_readonly(env, bundle):
    bundle.readonly_root(True)
    bundle.probe("write", "/file").save()
    result = env.rt.run(env.new_id(), bundle.path)
    assert result.rc == 1, result.describe()
    assert probe_output(result.out)["errno"] == errno.EROFS
    assert not (bundle.rootfs / "file").exists()


def test_root_readonly_in_mountinfo_and_mounts_above_stay_writable(env, bundle):
    bundle.readonly_root(True)
    bundle.add_mount("/tmp", "tmpfs", "tmpfs", [])
    bundle.args("/bin/sh", "-c", "/probe write /tmp/file && /probe").save()
    result = env.rt.run(env.new_id(), bundle.path).check()
    write, report = json_lines(result.out)
    assert write["ok"]
    assert "ro" in mount_at(report, "/")["options"]


def test_root_writable(env, bundle):
    bundle.readonly_root(False)
    bundle.probe("write", "/file").save()
    env.rt.run(env.new_id(), bundle.path).check()
    assert (bundle.rootfs / "file").read_text() == "written by probe\n"


def test_no_pivot(env, bundle):
    report = run_probe(env, bundle, flags=["--no-pivot"])
    assert report["pid"] == 1
    assert report["cwd"] == "/"


def optional_tags(mount):
    return {tag.split(":")[0] for tag in mount["optional"]}


@pytest.mark.parametrize("propagation,expected", [("rshared", {"shared"}), ("rprivate", set()),
                                                  ("shared", {"shared"}), ("private", set())])
def test_mount_propagation_option(env, bundle, propagation, expected):
    bundle.bind(env.host_dir("data"), "/data", propagation)
    assert optional_tags(mount_at(run_probe(env, bundle), "/data")) == expected


def test_rootfs_propagation_private(env, bundle):
    bundle.linux["rootfsPropagation"] = "private"
    assert optional_tags(mount_at(run_probe(env, bundle), "/")) == set()


def test_rslave_bind_mount_receives_host_mounts(env, bundle):
    source = env.host_dir("shared-src")
    flag = env.host_dir("flag")
    # Make the source its own shared mount so a slave copy follows it.
    subprocess.run(["mount", "--bind", source, source], check=True)
    env.defer(lambda: subprocess.run(["umount", "-R", source], check=False))
    subprocess.run(["mount", "--make-shared", source], check=True)
    (source / "sub").mkdir()

    bundle.bind(source, "/data", "rslave")
    bundle.bind(flag, "/flag")
    bundle.args("/bin/sh", "-c", "echo '{\"waiting\":1}'; while [ ! -e /flag/go ]; do sleep 0.1; done; "
                "exec /probe").save()
    cid = env.new_id()
    created = env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    wait_until(lambda: "waiting" in created.io.out(), what="container to start waiting")

    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "late", source / "sub"], check=True)
    (flag / "go").touch()
    env.rt.wait_status(cid, "stopped")
    mount = mount_at(probe_output(created.io.out()), "/data/sub")
    assert "size=3072k" in mount["super_options"]
    assert "master" in optional_tags(mount_at(probe_output(created.io.out()), "/data"))


@pytest.mark.runc_deviates("runc makes / unbindable before it binds the rootfs, which then fails")
def test_rootfs_propagation_unbindable(env, bundle):
    bundle.linux["rootfsPropagation"] = "unbindable"
    bundle.bind(env.host_dir("data"), "/data")  # a bind source below the host's /
    report = run_probe(env, bundle)
    assert optional_tags(mount_at(report, "/")) == {"unbindable"}
    assert optional_tags(mount_at(report, "/data")) == {"unbindable"}


# A slave shows "master" only if its source was shared: on a host whose "/" is private, none.
@pytest.mark.parametrize("spelling,allowed", [
    ("rprivate", [set()]), ("rslave", [{"master"}, set()]),
    pytest.param("rshared", [{"shared"}], marks=pytest.mark.runc_deviates(
        "runc 1.1 applies rootfsPropagation before pivot_root only: the new / is not shared")),
    pytest.param("runbindable", [{"unbindable"}], marks=pytest.mark.runc_deviates(
        "runc makes / unbindable before it binds the rootfs, which then fails"))])
def test_rootfs_propagation_recursive_spellings(env, bundle, spelling, allowed):
    bundle.linux["rootfsPropagation"] = spelling
    report = run_probe(env, bundle)
    assert optional_tags(mount_at(report, "/")) in allowed
    assert optional_tags(mount_at(report, "/proc")) in allowed


@pytest.mark.ocirt_only("ocirt validate")
def test_validate_warns_about_a_recursive_rootfs_propagation_spelling(env, bundle):
    bundle.linux["rootfsPropagation"] = "rslave"
    bundle.save()
    result = env.rt.invoke("validate", "--bundle", bundle.path, "--format", "json")
    assert result.rc == 0, result.describe()
    assert [(d["pointer"], d["severity"]) for d in result.json()] == [("/linux/rootfsPropagation", "warning")]
