"""CVE-2025-31133: maskedPaths are masked by bind-mounting /dev/null over them; if the
container's /dev/null is not the null device, the "mask" shows something else.

In the runc advisory the rootfs's /dev/null became a symlink to /proc/sys/kernel/core_pattern
(or another procfs file), so masking /proc/kcore (say) bound a writable procfs file there, and
a container could then write the host's core_pattern. Here the rootfs keeps its own /dev (no
/dev tmpfs) and its /dev/null is such a symlink, or a plain file. A naive runtime that binds
"<rootfs>/dev/null" by path follows the link: inside, the masked path reads as the procfs
file (or the plain file's text). ocirt must either refuse the rootfs or mask with the real
null device (character device 1:3).

test_masked_paths.py covers a /dev bound from a host directory whose null points at a host file.
"""

import os

import pytest

from runner import json_lines


def own_dev_bundle(bundle):
    bundle.config["mounts"] = [m for m in bundle.config["mounts"] if m["destination"] != "/dev"]
    (bundle.rootfs / "dev").mkdir(exist_ok=True)
    # Not read-only: runc 1.1.5 cannot remount such a root read-only, which is beside the point.
    return bundle.readonly_root(False)


@pytest.mark.runc_deviates("runc 1.1.5 shows no output of a container whose rootfs keeps its "
                           "own /dev here (exit 0, empty stdout; cause not investigated)")
@pytest.mark.parametrize("fake", ["symlink-to-procfs", "plain-file"])
def test_masking_never_uses_a_fake_dev_null(env, bundle, fake):
    own_dev_bundle(bundle)
    null = bundle.rootfs / "dev/null"
    if fake == "symlink-to-procfs":
        os.symlink("/proc/sys/kernel/core_pattern", null)
    else:
        null.write_text("not the null device\n")
    (bundle.rootfs / "etc/secret").write_text("secret\n")
    bundle.linux["maskedPaths"] = ["/etc/secret", "/proc/kcore"]
    bundle.probe("stat", "/etc/secret", "/proc/kcore").save()
    r = env.rt.run(env.new_id(), bundle.path)
    if r.rc != 0:
        assert "null" in r.err, r.describe()
        return
    report = json_lines(r.out)[-1]
    for path in ("/etc/secret", "/proc/kcore"):
        st = report[path]
        assert st.get("type") == "chr" and (st["major"], st["minor"]) == (1, 3), (path, st)
