"""Builds OCI bundles: a busybox + probe rootfs and a config.json from `<runtime> spec`."""

import json
import os
import shutil
import subprocess
from pathlib import Path

ROOTFS_DIRS = ["bin", "sbin", "usr/bin", "usr/sbin", "dev", "proc", "sys", "tmp", "etc", "root",
               "mnt", "run", "var", "home"]

HOOK_KINDS = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart",
              "poststop"]


def busybox_applets(busybox):
    """Applet paths relative to /, e.g. 'bin/sh', as busybox itself lists them."""
    out = subprocess.run([busybox, "--list-full"], check=True, capture_output=True, text=True).stdout
    return [line.strip() for line in out.splitlines() if line.strip()]


class Bundle:
    """An OCI bundle directory whose config the test edits before `save()`.

    The config starts as the runtime's own `spec` output, with `terminal` off
    and `/probe` as the process; `self.config` is the plain JSON dict.
    """

    def __init__(self, path, runtime_binary, probe, busybox, applets):
        self.path = Path(path)
        self.rootfs = self.path / "rootfs"
        self._make_rootfs(probe, busybox, applets)
        subprocess.run([runtime_binary, "spec", "--bundle", str(self.path)], check=True,
                       capture_output=True, text=True)
        self.config = json.loads((self.path / "config.json").read_text())
        self.process["terminal"] = False
        self.process["args"] = ["/probe"]
        self.save()

    def _make_rootfs(self, probe, busybox, applets):
        for d in ROOTFS_DIRS:
            (self.rootfs / d).mkdir(parents=True, exist_ok=True)
        os.chmod(self.rootfs / "tmp", 0o1777)
        shutil.copy2(busybox, self.rootfs / "bin/busybox")
        shutil.copy2(probe, self.rootfs / "probe")
        os.chmod(self.rootfs / "probe", 0o755)
        for applet in applets:
            target = self.rootfs / applet
            if applet != "bin/busybox" and not target.exists() and not target.is_symlink():
                target.parent.mkdir(parents=True, exist_ok=True)
                target.symlink_to("/bin/busybox")
        (self.rootfs / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/sh\n"
                                                "user:x:1000:1000:user:/home:/bin/sh\n")
        (self.rootfs / "etc/group").write_text("root:x:0:\nuser:x:1000:\n")

    # Config access and edits. Each returns self so edits can be chained.

    @property
    def process(self):
        return self.config["process"]

    @property
    def linux(self):
        return self.config.setdefault("linux", {})

    def save(self):
        (self.path / "config.json").write_text(json.dumps(self.config, indent=2))
        return self

    def args(self, *argv):
        self.process["args"] = list(argv)
        return self

    def probe(self, *probe_args):
        """Makes the container process `/probe probe_args...`."""
        return self.args("/probe", *probe_args)

    def namespace_types(self):
        return [ns["type"] for ns in self.linux.get("namespaces", [])]

    def add_namespace(self, ns_type, path=None):
        """Adds a namespace (or replaces the entry of that type)."""
        self.remove_namespace(ns_type)
        entry = {"type": ns_type}
        if path is not None:
            entry["path"] = str(path)
        self.linux.setdefault("namespaces", []).append(entry)
        return self

    def remove_namespace(self, ns_type):
        self.linux["namespaces"] = [ns for ns in self.linux.get("namespaces", [])
                                    if ns["type"] != ns_type]
        return self

    def add_mount(self, destination, mount_type, source, options=None):
        mount = {"destination": destination, "type": mount_type, "source": str(source)}
        if options is not None:
            mount["options"] = list(options)
        self.config.setdefault("mounts", []).append(mount)
        return self

    def bind(self, source, destination, *options):
        """Adds a bind mount of host path `source` (options: e.g. 'ro')."""
        return self.add_mount(destination, "bind", source, ["rbind", *options])

    def user(self, uid, gid, additional_gids=None, umask=None):
        user = {"uid": uid, "gid": gid}
        if additional_gids is not None:
            user["additionalGids"] = list(additional_gids)
        if umask is not None:
            user["umask"] = umask
        self.process["user"] = user
        return self

    def hook(self, kind, path, args=None, env=None, timeout=None):
        assert kind in HOOK_KINDS, kind
        entry = {"path": str(path)}
        if args is not None:
            entry["args"] = list(args)
        if env is not None:
            entry["env"] = list(env)
        if timeout is not None:
            entry["timeout"] = timeout
        self.config.setdefault("hooks", {}).setdefault(kind, []).append(entry)
        return self

    def readonly_root(self, readonly=True):
        self.config["root"]["readonly"] = readonly
        return self

    def capabilities(self, **sets):
        """Sets capability lists by set name (bounding=[...], effective=[...], ...)."""
        self.process["capabilities"] = {name: list(caps) for name, caps in sets.items()}
        return self

    def rlimits(self, limits):
        """limits: {"RLIMIT_NOFILE": (soft, hard), ...}."""
        self.process["rlimits"] = [{"type": t, "soft": s, "hard": h} for t, (s, h) in limits.items()]
        return self
