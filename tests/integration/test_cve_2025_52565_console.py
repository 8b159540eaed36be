"""CVE-2025-52565: the /dev/console bind mount follows a symlink the rootfs put there.

With process.terminal the runtime binds the pty slave onto /dev/console. A rootfs without a
/dev tmpfs keeps its own /dev; if /dev/console there is a symlink to an absolute path, a naive
runtime that mounts onto "<rootfs>/dev/console" lets the kernel follow it on the host and binds
the pty over a host file (runc bound it over /proc/sys/... to escape masking). Inside the
container /dev/console then leads nowhere (the target was never created in the rootfs) and
the host file's mount namespace copy is covered. ocirt resolves the target inside the rootfs,
so the symlink's target is created there and is the pty. (Refusing such a rootfs is safe
too: runc 1.1.5 fails create on it.)
"""

import os

from test_console import receiver, terminal_bundle


def test_console_symlink_to_a_host_path_stays_in_the_rootfs(env, bundle):
    host = env.host_dir("host-console")
    secret = host / "secret"
    secret.write_text("host file\n")
    bundle.config["mounts"] = [m for m in bundle.config["mounts"] if m["destination"] != "/dev"]
    (bundle.rootfs / "dev").mkdir(exist_ok=True)
    os.symlink(str(secret), bundle.rootfs / "dev/console")
    terminal_bundle(bundle, "/bin/sh", "-c", "stat -L -c '%F %t' /dev/console")
    cid = env.new_id()
    console = receiver(env)
    r = env.rt.create(cid, bundle.path, "--console-socket", console.socket_path)
    if r.rc != 0:
        assert "console" in r.err and secret.read_text() == "host file\n", r.describe()
        return
    env.rt.start(cid).check()
    report = console.result()
    assert "character special file 88" in report["output"], report["output"]  # major 136
    assert (bundle.rootfs / str(secret).lstrip("/")).exists()
    assert secret.read_text() == "host file\n"
