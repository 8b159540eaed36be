"""The lane's one image, made locally (no registry): Debian's static busybox
with its applet links, a few users, a non-executable file, and a directory
with content for tmpcopyup. Written as a plain rootfs tar (for `podman
import`, `docker import`) and as an OCI image archive (for `ctr images
import`).
"""

import gzip
import hashlib
import io
import json
import subprocess
import tarfile
import time

IMAGE_REF = "lane-busybox:latest"
CTR_IMAGE = "docker.io/library/lane-busybox:latest"

FILES = {
    "etc/passwd": "root:x:0:0:root:/root:/bin/sh\nlane:x:1000:1000:lane:/home/lane:/bin/sh\n"
                  "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
    "etc/group": "root:x:0:\nlane:x:1000:\nnogroup:x:65534:\n",
    # 0644: running it must fail with "permission denied" (exit 126 in docker/podman).
    "notexec": "#!/bin/sh\necho should not run\n",
    # Content under a directory the tmpfs scenarios mount over (tmpcopyup keeps it).
    "srv/keep": "kept\n",
}
DIRS = {"proc": 0o555, "sys": 0o555, "dev": 0o755, "tmp": 0o1777, "etc": 0o755, "root": 0o700,
        "run": 0o755, "var": 0o755, "var/tmp": 0o1777, "home": 0o755, "srv": 0o755,
        "bin": 0o755, "sbin": 0o755, "usr": 0o755, "usr/bin": 0o755, "usr/sbin": 0o755}


def rootfs_tar(busybox):
    """The rootfs as an uncompressed tar (bytes)."""
    applets = subprocess.run([busybox, "--list-full"], check=True, capture_output=True,
                             text=True).stdout.split()
    buf = io.BytesIO()
    mtime = int(time.time())
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path, mode in sorted(DIRS.items()):
            info = tarfile.TarInfo(path)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, mode, mtime
            tar.addfile(info)
        home = tarfile.TarInfo("home/lane")
        home.type, home.mode, home.uid, home.gid, home.mtime = tarfile.DIRTYPE, 0o755, 1000, 1000, mtime
        tar.addfile(home)
        with open(busybox, "rb") as f:
            data = f.read()
        info = tarfile.TarInfo("bin/busybox")
        info.size, info.mode, info.mtime = len(data), 0o755, mtime
        tar.addfile(info, io.BytesIO(data))
        for path in applets:
            path = path.lstrip("/")
            if path == "bin/busybox" or "/" not in path:
                continue
            link = tarfile.TarInfo(path)
            link.type, link.linkname, link.mode, link.mtime = tarfile.SYMTYPE, "/bin/busybox", 0o777, mtime
            tar.addfile(link)
        for path, text in FILES.items():
            data = text.encode()
            info = tarfile.TarInfo(path)
            info.size, info.mode, info.mtime = len(data), 0o644, mtime
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _blob(tar, data, mode_time):
    digest = hashlib.sha256(data).hexdigest()
    info = tarfile.TarInfo(f"blobs/sha256/{digest}")
    info.size, info.mode, info.mtime = len(data), 0o644, mode_time
    tar.addfile(info, io.BytesIO(data))
    return {"digest": f"sha256:{digest}", "size": len(data)}


def oci_archive(layer_tar, name=CTR_IMAGE):
    """An OCI image layout as a tar (bytes), one gzip layer, named for containerd."""
    mtime = int(time.time())
    layer = gzip.compress(layer_tar, mtime=0)
    config = {
        "architecture": "amd64", "os": "linux",
        "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                   "Cmd": ["sh"]},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer_tar).hexdigest()]},
    }
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        layer_d = _blob(tar, layer, mtime)
        config_d = _blob(tar, json.dumps(config).encode(), mtime)
        manifest = {
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **config_d},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", **layer_d}],
        }
        manifest_d = _blob(tar, json.dumps(manifest).encode(), mtime)
        index = {"schemaVersion": 2, "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json", **manifest_d,
            "platform": {"architecture": "amd64", "os": "linux"},
            "annotations": {"io.containerd.image.name": name,
                            "org.opencontainers.image.ref.name": name.rsplit(":", 1)[1]}}]}
        for path, data in (("oci-layout", b'{"imageLayoutVersion": "1.0.0"}'),
                           ("index.json", json.dumps(index).encode())):
            info = tarfile.TarInfo(path)
            info.size, info.mode, info.mtime = len(data), 0o644, mtime
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()
