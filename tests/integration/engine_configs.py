"""The config.json files real engines handed their runtime (engine_configs/, see the README
there), made runnable in a test bundle. Only what refers to the engine's host is rewritten."""

import json
from pathlib import Path

DATA = Path(__file__).parent / "engine_configs"

# What the engines' per-container files hold, by the bind source's file name.
_FILE_CONTENT = {
    "passwd": "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home:/bin/sh\n",
    "group": "root:x:0:\nuser:x:1000:\n",
    "hostname": "engine\n",
    "hosts": "127.0.0.1 localhost\n",
    "resolv.conf": "",
    ".containerenv": "",
}


def engine_config(name):
    """The engine's config as it wrote it."""
    return json.loads((DATA / name).read_text())


def _host_source(env, source):
    """A stand-in for an engine's host file or directory (the same kind, in the test's dir)."""
    name = Path(source).name
    if name not in _FILE_CONTENT:  # podman's shm, Docker's -v /tmp
        path = env.host_dir("engine-" + name.strip("."))
        path.chmod(0o1777)
        return path
    path = env.tmp / ("engine-" + name.strip("."))
    path.write_text(_FILE_CONTENT[name])
    return path


def engine_bundle(env, name, cid, *args):
    """A bundle whose config is the engine's `name` with `args` as the process, the bundle's
    rootfs as root.path and the cgroup /ocirt-it-<cid>."""
    bundle = env.bundle()
    config = engine_config(name)
    config["root"]["path"] = str(bundle.rootfs)
    for m in config.get("mounts", []):
        source = m.get("source", "")
        if source.startswith(("/var/lib/", "/run/")) or source == "/tmp":
            m["source"] = str(_host_source(env, source))
    hooks = config.get("hooks", {})
    hooks["prestart"] = [h for h in hooks.get("prestart", []) if not h["path"].startswith("/proc/")]
    config["linux"]["cgroupsPath"] = f"/ocirt-it-{cid}"
    config["process"]["args"] = list(args)
    config["process"]["terminal"] = False
    bundle.config = config
    return bundle.save()
