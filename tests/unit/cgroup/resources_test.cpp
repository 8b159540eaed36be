#include <stdlib.h>

#include <catch2/catch.hpp>

#include "../error_of.hpp"
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "ocirt/cgroup/cgroup_dir.hpp"
#include "ocirt/cgroup/controllers.hpp"
#include "ocirt/cgroup/stats.hpp"
#include "ocirt/cgroup/v2/resources.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt;
using namespace ocirt::cgroup;
using namespace ocirt::cgroup::v2;

namespace {

/// A temp dir holding empty files named like a cgroup's interface files.
struct FakeCgroup {
    std::string path;
    explicit FakeCgroup(std::initializer_list<const char*> files) {
        char tmpl[] = "/tmp/ocirt-cg-XXXXXX";
        path = ::mkdtemp(tmpl);
        for (const char* f : files) sys::write_file(path + "/" + f, "");
    }
    ~FakeCgroup() { sys::remove_tree(path); }
    CgroupDir dir() const { return CgroupDir(path); }
    std::string get(const char* f) const { return sys::read_file(path + "/" + f); }
    /// Empties a file again (the kernel's files take each write whole; plain files keep the tail).
    void clear(const char* f) const { sys::write_file(path + "/" + f, ""); }
};

}  // namespace

TEST_CASE("memory: limit, reservation and swap as memory+swap") {
    FakeCgroup cg{"memory.max", "memory.low", "memory.swap.max"};
    spec::MemoryResources m;
    m.limit = 64 << 20;
    m.reservation = 32 << 20;
    m.swap = 96 << 20;
    apply_memory(cg.dir(), m, ApplyMode::create);
    CHECK(cg.get("memory.max") == std::to_string(64 << 20));
    CHECK(cg.get("memory.low") == std::to_string(32 << 20));
    CHECK(cg.get("memory.swap.max") == std::to_string(32 << 20));
    m.limit = -1;
    m.swap = std::nullopt;
    cg.clear("memory.max");
    cg.clear("memory.swap.max");
    apply_memory(cg.dir(), m, ApplyMode::create);
    CHECK(cg.get("memory.max") == "max");
    CHECK(cg.get("memory.swap.max") == "max");

    CHECK(swap_max_value(-1, 100) == -1);
    CHECK(swap_max_value(0, -1) == -1);
    CHECK(swap_max_value(200, 100) == 100);
    CHECK(error_of([] { swap_max_value(50, 100); }).find("/linux/resources/memory/swap") == 0);
    CHECK(error_of([] { swap_max_value(50, 0); }) == "/linux/resources/memory/swap: a swap limit needs a memory limit");
    spec::MemoryResources oom;
    oom.disable_oom_killer = true;
    CHECK(error_of([&] { apply_memory(cg.dir(), oom, ApplyMode::create); }).find("/linux/resources/memory/disableOOMKiller") == 0);
    spec::MemoryResources kernel;
    kernel.kernel = 1;
    CHECK(error_of([&] { apply_memory(cg.dir(), kernel, ApplyMode::create); }).find("/linux/resources/memory/kernel") == 0);
}

TEST_CASE("memory: checkBeforeUpdate refuses a limit below the usage") {
    FakeCgroup cg{"memory.max", "memory.current"};
    sys::write_file(cg.path + "/memory.current", "5000\n");
    spec::MemoryResources m;
    m.limit = 4096;
    m.check_before_update = true;
    CHECK(error_of([&] { apply_memory(cg.dir(), m, ApplyMode::update); }).find("below the current usage 5000") != std::string::npos);
    m.limit = 8192;
    apply_memory(cg.dir(), m, ApplyMode::update);
    CHECK(cg.get("memory.max") == "8192");
}

TEST_CASE("a missing interface file is an error naming the field and the file") {
    FakeCgroup cg{};
    spec::MemoryResources m;
    m.limit = 1 << 20;
    const std::string e = error_of([&] { apply_memory(cg.dir(), m, ApplyMode::create); });
    CHECK(e.find("/linux/resources/memory/limit: ") == 0);
    CHECK(e.find("memory.max does not exist") != std::string::npos);
}

TEST_CASE("cpu: weight from shares, cpu.max, burst, idle, cpuset") {
    CHECK(cpu_shares_to_weight(0) == 0);
    CHECK(cpu_shares_to_weight(2) == 1);
    CHECK(cpu_shares_to_weight(1024) == 39);
    CHECK(cpu_shares_to_weight(262144) == 10000);
    CHECK(cpu_max_value(std::nullopt, std::nullopt).empty());
    CHECK(cpu_max_value(50000, 100000) == "50000 100000");
    CHECK(cpu_max_value(-1, 100000) == "max 100000");
    CHECK(cpu_max_value(20000, std::nullopt) == "20000");

    FakeCgroup cg{"cpu.weight", "cpu.max", "cpu.max.burst", "cpu.idle", "cpuset.cpus", "cpuset.mems"};
    spec::CpuResources c;
    c.shares = 512;
    c.quota = 50000;
    c.period = 100000;
    c.burst = 1000;
    c.idle = 0;
    c.cpus = "0";
    c.mems = "0";
    apply_cpu(cg.dir(), c);
    apply_cpuset(cg.dir(), c);
    CHECK(cg.get("cpu.weight") == "20");
    CHECK(cg.get("cpu.max") == "50000 100000");
    CHECK(cg.get("cpu.max.burst") == "1000");
    CHECK(cg.get("cpu.idle") == "0");
    CHECK(cg.get("cpuset.cpus") == "0");
    CHECK(cg.get("cpuset.mems") == "0");
}

TEST_CASE("pids, io, hugetlb, rdma, unified") {
    FakeCgroup cg{"pids.max", "io.weight", "io.max", "hugetlb.2MB.max", "rdma.max", "memory.high", "cgroup.controllers"};
    spec::Resources r;
    r.has_pids = true;
    r.pids_limit = 10;
    apply_pids(cg.dir(), r);
    CHECK(cg.get("pids.max") == "10");
    r.pids_limit = -1;
    cg.clear("pids.max");
    apply_pids(cg.dir(), r);
    CHECK(cg.get("pids.max") == "max");
    r.pids_limit = 0;
    cg.clear("pids.max");
    apply_pids(cg.dir(), r);
    CHECK(cg.get("pids.max") == "max");
    // Without the controller (no pids.max) "no limit" is already the state: nothing is written.
    FakeCgroup bare{};
    CHECK_NOTHROW(apply_pids(bare.dir(), r));
    r.pids_limit = 5;
    CHECK(error_of([&] { apply_pids(bare.dir(), r); }).find("/linux/resources/pids/limit") == 0);

    CHECK(blkio_weight_to_io_weight(10) == 1);
    CHECK(blkio_weight_to_io_weight(1000) == 10000);
    CHECK(blkio_weight_to_io_weight(500) == 4950);
    spec::BlockIoResources b;
    b.weight = 500;
    b.throttle_read_bps_device.push_back(spec::ThrottleDevice{254, 0, 1048576});
    apply_io(cg.dir(), b);
    CHECK(cg.get("io.weight") == "4950");
    CHECK(cg.get("io.max") == "254:0 rbps=1048576");
    b.weight = 5;
    CHECK(error_of([&] { apply_io(cg.dir(), b); }) == "/linux/resources/blockIO/weight: 5 is outside 10..1000");

    apply_hugetlb(cg.dir(), {spec::HugepageLimit{"2MB", 4194304}});
    CHECK(cg.get("hugetlb.2MB.max") == "4194304");
    CHECK(error_of([&] { apply_hugetlb(cg.dir(), {spec::HugepageLimit{"1GB", 1}}); }).find("/linux/resources/hugepageLimits/0/pageSize: the kernel has no 1GB huge pages") == 0);

    apply_rdma(cg.dir(), {{"mlx5_0", spec::RdmaLimit{3, 1000}}});
    CHECK(cg.get("rdma.max") == "mlx5_0 hca_handle=3 hca_object=1000");

    sys::write_file(cg.path + "/cgroup.controllers", "memory pids\n");
    apply_unified(cg.dir(), {{"memory.high", "1000000"}});
    CHECK(cg.get("memory.high") == "1000000");
    CHECK(error_of([&] { apply_unified(cg.dir(), {{"io.latency", "x"}}); }) ==
          "/linux/resources/unified/io.latency: the controller \"io\" is not enabled for this cgroup");
}

TEST_CASE("needed controllers, and what cgroup v2 cannot do") {
    spec::Resources r;
    r.memory = spec::MemoryResources{};
    r.memory->limit = 1;
    r.cpu = spec::CpuResources{};
    r.cpu->cpus = "0";
    r.has_pids = true;
    r.pids_limit = 100;
    r.hugepage_limits.push_back(spec::HugepageLimit{"2MB", 1});
    r.unified["misc.max"] = "x";
    r.unified["cgroup.max.depth"] = "3";
    const auto needs = needed_controllers(r);
    std::vector<std::string> names;
    for (const auto& n : needs) names.push_back(n.controller);
    CHECK(names == std::vector<std::string>{"cpuset", "memory", "pids", "hugetlb", "misc"});
    CHECK(error_of([&] { require_available(needs, {"hugetlb"}, "/sys/fs/cgroup/unified"); }) ==
          "/linux/resources/cpu/cpus: the cgroup v2 controller \"cpuset\" is not available (cgroup2 at /sys/fs/cgroup/unified offers: hugetlb)");

    spec::Resources net;
    net.network = spec::NetworkResources{};
    net.network->class_id = 7;
    CHECK(error_of([&] { needed_controllers(net); }) == "/linux/resources/network: net_cls and net_prio do not exist on cgroup v2");
    spec::Resources rt;
    rt.cpu = spec::CpuResources{};
    rt.cpu->realtime_runtime = 0;
    CHECK(needed_controllers(rt).empty());
    rt.cpu->realtime_runtime = 950000;
    CHECK(error_of([&] { needed_controllers(rt); }) == "/linux/resources/cpu/realtimeRuntime: not supported on cgroup v2");
    for (const char* bad : {"../memory.max", "memory", "a/b.c", ".max"}) {
        spec::Resources u;
        u.unified[bad] = "1";
        CHECK(error_of([&] { needed_controllers(u); }).find("/linux/resources/unified/") == 0);
    }
}

TEST_CASE("values engines send for \"unset\" need no controller and write nothing") {
    // dockerd: blockIO.weight 0 and an empty memory object always; docker update: cpu zeros;
    // podman: pids.limit 0 for "no limit"; kernel memory 0.
    const spec::Resources r = spec::resources_from_json(nlohmann::json::parse(R"({
        "blockIO": {"weight": 0, "leafWeight": 0},
        "cpu": {"shares": 0, "quota": 0, "period": 0, "realtimeRuntime": 0, "realtimePeriod": 0, "cpus": "", "mems": ""},
        "memory": {"limit": 0, "reservation": 0, "swap": 0, "kernel": 0, "kernelTCP": 0},
        "pids": {"limit": 0},
        "network": {"classID": 0},
        "rdma": {"mlx5_0": {}}
    })"));
    CHECK(needed_controllers(r).empty());
    FakeCgroup none{};  // no interface file at all: any write would fail
    CHECK_NOTHROW(apply_resources(none.dir(), r, ApplyMode::create));
    CHECK_NOTHROW(apply_resources(none.dir(), r, ApplyMode::update));

    // Each value that does write something needs its controller, and only then.
    auto needs = [](const spec::Resources& x) {
        std::vector<std::string> names;
        for (const auto& n : needed_controllers(x)) names.push_back(n.controller);
        return names;
    };
    spec::Resources w = r;
    w.block_io->weight = 100;
    CHECK(needs(w) == std::vector<std::string>{"io"});
    w = r;
    w.cpu->quota = -1;  // "max" with the default period: cpu.max is written
    CHECK(needs(w) == std::vector<std::string>{"cpu"});
    w = r;
    w.cpu->shares = 1024;
    CHECK(needs(w) == std::vector<std::string>{"cpu"});
    w = r;
    w.memory->limit = -1;  // "max" is a value, as in runc
    CHECK(needs(w) == std::vector<std::string>{"memory"});
    w = r;
    w.pids_limit = 1;
    CHECK(needs(w) == std::vector<std::string>{"pids"});
    w = r;
    w.pids_limit = -1;
    CHECK(needs(w).empty());
    w = r;
    w.memory->kernel = 1;
    CHECK(error_of([&] { apply_resources(none.dir(), w, ApplyMode::create); }).find("/linux/resources/memory/kernel") == 0);
}

TEST_CASE("stats files parse") {
    const auto io = parse_io_stat("8:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n254:16 rbytes=1\n");
    REQUIRE(io.size() == 2);
    CHECK(io[0].major == 8);
    CHECK(io[0].values.at("rbytes") == 4096);
    CHECK(io[1].minor == 16);
    CHECK(parse_limit("max\n") == kUnlimited);
    CHECK(parse_limit("1024\n") == 1024);
    CHECK(parse_keyed("usage_usec 10\nnr_throttled 3\n").at("nr_throttled") == 3);
}

TEST_CASE("a write to an interface file the cgroup lacks names the field and the file") {
    FakeCgroup cg{"memory.max"};
    cg.dir().write("memory.max", "1", "/linux/resources/memory/limit");
    CHECK(cg.get("memory.max") == "1");
    const std::string e = error_of([&] { cg.dir().write("memory.high", "1", "/linux/resources/unified"); });
    CHECK(e == "/linux/resources/unified: " + cg.path +
                   "/memory.high does not exist (the kernel or the cgroup's enabled controllers lack it)");
}
