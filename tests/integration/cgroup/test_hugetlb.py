"""hugepageLimits → hugetlb.<size>.max (the one controller this development host's cgroup2 has)."""

from pathlib import Path

import json

import pytest

from cgroup_host import created, read, require, resources


def require_2mb_pages():
    require("hugetlb")
    if not Path("/sys/kernel/mm/hugepages/hugepages-2048kB").exists():
        pytest.skip("this kernel has no 2MB huge pages")


def test_hugepage_limit_is_applied_and_reported(env, bundle):
    require_2mb_pages()
    resources(bundle)["hugepageLimits"] = [{"pageSize": "2MB", "limit": 4 * 2 ** 21}]
    cid, pid, cgdir = created(env, bundle, "/probe", "sleep", "60")
    assert read(cgdir, "hugetlb.2MB.max") == str(4 * 2 ** 21)
    if (cgdir / "hugetlb.2MB.rsvd.max").exists():
        assert read(cgdir, "hugetlb.2MB.rsvd.max") == str(4 * 2 ** 21)
    stats = json.loads(env.rt.invoke("events", "--stats", cid).check().out)["data"]
    # runc's "max" is the peak usage, which cgroup v2 does not record (never the limit).
    assert stats["hugetlb"]["2MB"].get("max", 0) != 4 * 2 ** 21
    assert stats["hugetlb"]["2MB"]["failcnt"] == 0


def test_hugepage_limit_is_updated_live(env, bundle):
    require_2mb_pages()
    resources(bundle)["hugepageLimits"] = [{"pageSize": "2MB", "limit": 2 ** 21}]
    cid, pid, cgdir = created(env, bundle, "/probe", "sleep", "60")
    new = env.tmp / "r.json"
    new.write_text(json.dumps({"hugepageLimits": [{"pageSize": "2MB", "limit": 2 * 2 ** 21}]}))
    env.rt.invoke("update", "--resources", new, cid).check()
    assert read(cgdir, "hugetlb.2MB.max") == str(2 * 2 ** 21)
