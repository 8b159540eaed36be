"""Hostile bundle configs: thousands of mounts, huge strings, deep nesting.

A config comes from whoever built the bundle. Each case must end in a clear one-line error
(or a normal container) within a bounded time and memory, never a crash, a hang or an
exhausted host. A naive runtime that recurses without a depth limit or loads any size
crashes (signal status), exceeds the time limit or the memory bound below.
"""

import json
import resource
import subprocess
import time

import pytest

LIMIT_SECONDS = 20
LIMIT_RSS_KB = 512 * 1024


def deep(levels):
    text = "0"
    for _ in range(levels):
        text = "[" + text + "]"
    return text


def run_create(env, bundle):
    cid = env.new_id()
    start = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    r = env.rt.create(cid, bundle.path, timeout=LIMIT_SECONDS * 3)
    elapsed = time.monotonic() - start
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert elapsed < LIMIT_SECONDS, f"create took {elapsed:.1f}s"
    assert rss < LIMIT_RSS_KB or rss == before, f"a child peaked at {rss} KiB"
    assert r.rc in (0, 1), r.describe()  # an error, not a crash (negative: a signal)
    return cid, r


def write_raw(bundle, text):
    (bundle.path / "config.json").write_text(text)


@pytest.mark.parametrize("levels", [64, 100000])
def test_deep_nesting(env, bundle, levels):
    config = json.dumps(bundle.config)
    write_raw(bundle, config[:-1] + ', "annotations": {"x": ' + deep(levels) + "}}")
    cid, r = run_create(env, bundle)
    assert r.rc == 1, r.describe()
    assert len(r.err.strip().splitlines()) == 1 and len(r.err) < 4096


def test_thousands_of_mounts(env, bundle):
    bundle.config["mounts"] += [{"destination": f"/m/{i}", "type": "tmpfs", "source": "tmpfs"}
                                for i in range(5000)]
    bundle.probe("exit", "0").save()
    cid, r = run_create(env, bundle)
    if r.rc == 0:
        env.rt.delete(cid, "--force").check()
    else:
        assert len(r.err.strip().splitlines()) == 1, r.describe()


def test_huge_string(env, bundle):
    bundle.process["env"].append("HUGE=" + "x" * (64 << 20))
    bundle.save()
    cid, r = run_create(env, bundle)
    if r.rc == 0:
        env.rt.delete(cid, "--force").check()
    else:
        assert len(r.err) < 4096, "the error must not echo the string"
