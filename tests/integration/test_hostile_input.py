"""Hostile configs refused fast and clearly, or handled: NUL bytes, repeated keys and
capabilities, nesting, 100,000-entry lists, annotations too large for one sync message.

Each refusal is one error naming the JSON pointer, before anything is created; each accepted
case runs a real container and looks at the result from inside (or from a hook).
"""

import json
import time

import pytest

from runner import probe_output

# A wide "does not hang" guard: a quadratic check takes minutes at 100,000 entries.
LIMIT_SECONDS = 30


def write_text(bundle, text):
    (bundle.path / "config.json").write_text(text)


def create_refused(env, bundle, *needles):
    cid = env.new_id()
    start = time.monotonic()
    r = env.rt.create(cid, bundle.path, timeout=LIMIT_SECONDS * 4)
    elapsed = time.monotonic() - start
    assert elapsed < LIMIT_SECONDS, f"create took {elapsed:.1f}s"
    assert r.rc == 1, r.describe()
    assert cid not in env.rt.list_ids(), "a refused create left its container behind"
    if not env.info.is_runc:
        for needle in needles:
            assert needle in r.err, r.describe()
    return r


# Field -> (edit of the config, JSON pointer ocirt names).
NUL_CASES = {
    "args": (lambda c: c["process"]["args"].append("a\0b"), "/process/args/"),
    "env": (lambda c: c["process"]["env"].append("A=b\0c"), "/process/env/"),
    "cwd": (lambda c: c["process"].update(cwd="/tmp\0/x"), "/process/cwd"),
    "mount destination": (lambda c: c["mounts"].append(
        {"destination": "/etc\0/ignored", "type": "tmpfs", "source": "tmpfs"}), "/mounts/"),
    "mount option": (lambda c: c["mounts"].append(
        {"destination": "/t", "type": "tmpfs", "source": "tmpfs", "options": ["mode=755\0"]}), "/options/0"),
    "root.path": (lambda c: c["root"].update(path="rootfs\0/x"), "/root/path"),
    "hostname": (lambda c: c.update(hostname="h\0x"), "/hostname"),
    "hook path": (lambda c: c.setdefault("hooks", {}).setdefault("prestart", []).append(
        {"path": "/bin/true\0x"}), "/hooks/prestart/0/path"),
    "masked path": (lambda c: c["linux"].setdefault("maskedPaths", []).append("/proc\0/x"), "/linux/maskedPaths/"),
}


# runc 1.1.5 creates these: a NUL in args fails only at start (execve), and the host name is
# set cut at the NUL.
RUNC_ACCEPTS_NUL = {"args", "hostname"}


@pytest.mark.parametrize("field", [
    pytest.param(f, marks=pytest.mark.runc_deviates(f"runc 1.1.5 creates a container with a NUL in {f}"))
    if f in RUNC_ACCEPTS_NUL else f for f in sorted(NUL_CASES)])
def test_nul_byte_is_refused_with_its_pointer(env, bundle, field):
    edit, pointer = NUL_CASES[field]
    edit(bundle.config)
    bundle.save()
    r = create_refused(env, bundle, pointer, "NUL byte")
    if not env.info.is_runc:
        assert len(r.err.strip().splitlines()) == 1, r.describe()


@pytest.mark.ocirt_only("ocirt validate")
def test_validate_reports_nul_bytes(env, bundle):
    bundle.config["mounts"].append({"destination": "/etc\0/ignored", "type": "tmpfs", "source": "tmpfs"})
    bundle.save()
    r = env.rt.invoke("validate", "--bundle", str(bundle.path))
    assert r.rc == 1, r.describe()
    assert f"/mounts/{len(bundle.config['mounts']) - 1}/destination: contains a NUL byte" in r.out, r.describe()


@pytest.mark.runc_deviates("runc (Go's encoding/json) keeps the last of repeated keys silently")
def test_repeated_key_is_refused_naming_both_lines(env, bundle):
    text = json.dumps(bundle.config, indent=2)
    # A second "args" after the first: a checker reading the first would see /probe.
    text = text.replace('"args": [', '"args": ["/bin/false"],\n    "args": [', 1)
    write_text(bundle, text)
    r = create_refused(env, bundle, '/process: duplicate key "args" (lines ')
    assert len(r.err.strip().splitlines()) == 1, r.describe()


def nested(levels):
    return "[" * levels + "]" * levels


@pytest.mark.runc_deviates("Go's encoding/json refuses nesting beyond 10000 levels only")
def test_nesting_limit_is_the_validators(env, bundle):
    # 100 levels inside an extension field: within the one limit (128), so create accepts what
    # validate accepts (the create parser used to stop at 64).
    bundle.config["x-extension"] = "@"
    bundle.probe("exit", "0")
    write_text(bundle, json.dumps(bundle.config).replace('"@"', nested(100)))
    cid = env.new_id()
    env.rt.create(cid, bundle.path).check()
    env.rt.delete(cid, "--force").check()
    # 200 levels: one line, the path once.
    write_text(bundle, json.dumps(bundle.config).replace('"@"', nested(200)))
    r = create_refused(env, bundle, "nesting deeper than 128 levels")
    if not env.info.is_runc:
        assert len(r.err.strip().splitlines()) == 1, r.describe()
        assert r.err.count("config.json") == 1, r.describe()


def test_repeated_capabilities_count_once(env, bundle):
    many = ["CAP_KILL"] * 100 + ["CAP_CHOWN"]
    bundle.capabilities(bounding=many, effective=many, permitted=many, inheritable=many, ambient=many)
    bundle.probe().save()
    status = probe_output(env.rt.run(env.new_id(), bundle.path).check().out)["status"]
    both = (1 << 5) | (1 << 0)
    assert {k: int(status[k], 16) for k in ["CapBnd", "CapEff", "CapPrm", "CapAmb"]} == \
        {"CapBnd": both, "CapEff": both, "CapPrm": both, "CapAmb": both}


LISTS = {
    "namespaces": lambda c, n: c["linux"]["namespaces"].extend({"type": "pid"} for _ in range(n)),
    "devices": lambda c, n: c["linux"].setdefault("devices", []).extend(
        {"path": "/dev/x", "type": "c", "major": 1, "minor": 3} for _ in range(n)),
    "rlimits": lambda c, n: c["process"].setdefault("rlimits", []).extend(
        {"type": "RLIMIT_NOFILE", "soft": 1024, "hard": 1024} for _ in range(n)),
    "hugepageLimits": lambda c, n: c["linux"].setdefault("resources", {}).setdefault("hugepageLimits", []).extend(
        {"pageSize": "2MB", "limit": 0} for _ in range(n)),
    "netDevices": lambda c, n: c["linux"].setdefault("netDevices", {}).update(
        {f"d{i}": {"name": "eth0"} for i in range(n)}),
    "env": lambda c, n: c["process"]["env"].extend(f"=bad{i}" for i in range(n)),
}


# runc 1.1.5 does not check these for repeats (and ignores netDevices, which it predates).
RUNC_ACCEPTS_LIST = {"devices", "rlimits", "netDevices"}


@pytest.mark.parametrize("field", [
    pytest.param(f, marks=pytest.mark.runc_deviates(f"runc 1.1.5 accepts 100,000 repeated {f}"))
    if f in RUNC_ACCEPTS_LIST else f for f in sorted(LISTS)])
def test_100000_bad_entries_are_refused_fast(env, bundle, field):
    LISTS[field](bundle.config, 100000)
    write_text(bundle, json.dumps(bundle.config))  # minified: one long line
    r = create_refused(env, bundle)
    if not env.info.is_runc:
        lines = r.err.strip().splitlines()
        assert 2 <= len(lines) <= 102, f"{len(lines)} lines"
        assert "more not shown" in lines[-1], lines[-1]


def test_1mib_of_annotations_reach_the_hooks(env, bundle):
    # Larger than one SOCK_SEQPACKET message: the hook states cross to the init stage in a memfd.
    out = env.host_dir("hooklog")
    annotations = {f"org.example.a{i}": "v" * 1024 for i in range(1024)}
    bundle.config["annotations"] = annotations
    for kind in ["prestart", "createContainer", "startContainer"]:
        where = "/hooklog" if kind == "startContainer" else str(out)
        bundle.hook(kind, "/bin/sh", args=["sh", "-c", 'cat > "$0/$1.json"', where, kind])
    bundle.bind(out, "/hooklog")
    bundle.probe("exit", "0").save()
    cid = env.new_id()
    env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    env.rt.delete(cid, "--force").check()
    for kind in ["prestart", "createContainer", "startContainer"]:
        state = json.loads((out / f"{kind}.json").read_text())
        assert state["id"] == cid
        assert state["annotations"] == annotations, kind
