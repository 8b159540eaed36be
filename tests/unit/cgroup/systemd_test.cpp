#include <catch2/catch.hpp>

#include "../error_of.hpp"
#include "ocirt/cgroup/device_rules.hpp"
#include "ocirt/cgroup/systemd/properties.hpp"
#include "ocirt/cgroup/systemd/unit_name.hpp"
#include "ocirt/cgroup/systemd/user_bus.hpp"

using namespace ocirt;
using namespace ocirt::cgroup;
using namespace ocirt::cgroup::systemd;

namespace {
const Property* find(const std::vector<Property>& props, const std::string& name) {
    for (const auto& p : props)
        if (p.name == name) return &p;
    return nullptr;
}
uint64_t number(const std::vector<Property>& props, const std::string& name) {
    const Property* p = find(props, name);
    REQUIRE(p != nullptr);
    return std::get<uint64_t>(p->value);
}
}  // namespace

TEST_CASE("systemd: slices with dashes expand to their parents", "[cgroup][systemd]") {
    CHECK(expand_slice("system.slice") == "/system.slice");
    CHECK(expand_slice("a-b-c.slice") == "/a.slice/a-b.slice/a-b-c.slice");
    CHECK(expand_slice("kubepods-burstable-pod1234.slice") ==
          "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice");
    CHECK(expand_slice("-.slice") == "/");
    for (const char* bad : {"", ".slice", "system", "a--b.slice", "-a.slice", "a-.slice", "a/b.slice"})
        CHECK_THAT(error_of([&] { expand_slice(bad); }), Catch::Contains("invalid slice name"));
}

TEST_CASE("systemd: unit names", "[cgroup][systemd]") {
    CHECK(unit_name("libpod", "abc") == "libpod-abc.scope");
    CHECK(unit_name("", "abc") == "abc.scope");
    CHECK(unit_name("x", "my-ctr.slice") == "my-ctr.slice");
}

TEST_CASE("systemd: the engines' cgroupsPath forms", "[cgroup][systemd]") {
    const UnitPlan podman = plan_unit(std::string("machine.slice:libpod:abc"), "id");
    CHECK(podman.unit == "libpod-abc.scope");
    CHECK(podman.slice == "machine.slice");
    CHECK(podman.path == "/machine.slice/libpod-abc.scope");
    CHECK_FALSE(podman.is_slice);

    const UnitPlan cri = plan_unit(std::string("kubepods-burstable-pod12.slice:cri-containerd:abc"), "id");
    CHECK(cri.unit == "cri-containerd-abc.scope");
    CHECK(cri.path == "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod12.slice/cri-containerd-abc.scope");

    const UnitPlan docker = plan_unit(std::string("system.slice:docker:abc"), "id");
    CHECK(docker.path == "/system.slice/docker-abc.scope");

    // An empty slice is system.slice; no cgroupsPath is system.slice:ocirt:<id>.
    CHECK(plan_unit(std::string(":p:n"), "id").path == "/system.slice/p-n.scope");
    CHECK(plan_unit(std::nullopt, "c1").path == "/system.slice/ocirt-c1.scope");

    // A name ending in .slice makes a slice, nested by its own name.
    const UnitPlan slice = plan_unit(std::string("system.slice:x:ocirt-test-a.slice"), "id");
    CHECK(slice.is_slice);
    CHECK(slice.unit == "ocirt-test-a.slice");
    CHECK(slice.path == "/ocirt.slice/ocirt-test.slice/ocirt-test-a.slice");

    CHECK_THAT(error_of([] { plan_unit(std::string("/a/b"), "id"); }),
               Catch::Contains("/linux/cgroupsPath") && Catch::Contains("slice:prefix:name"));
    CHECK_THAT(error_of([] { plan_unit(std::string("a:b:c:d"), "id"); }), Catch::Contains("slice:prefix:name"));
    CHECK_THAT(error_of([] { plan_unit(std::string("bad--x.slice:p:n"), "id"); }),
               Catch::Contains("/linux/cgroupsPath") && Catch::Contains("invalid slice name"));
    CHECK_THAT(error_of([] { plan_unit(std::string("system.slice:p:"), "id"); }), Catch::Contains("is empty"));
}

TEST_CASE("systemd: cpuset lists as bitmasks", "[cgroup][systemd]") {
    CHECK(cpuset_bitmask("0", "f") == std::vector<uint8_t>{0x01});
    CHECK(cpuset_bitmask("0-2,7", "f") == std::vector<uint8_t>{0x87});
    CHECK(cpuset_bitmask("1,9", "f") == std::vector<uint8_t>{0x02, 0x02});
    CHECK_THAT(error_of([] { cpuset_bitmask("3-1", "/linux/resources/cpu/cpus"); }),
               Catch::Contains("/linux/resources/cpu/cpus"));
    CHECK_THAT(error_of([] { cpuset_bitmask("x", "/f"); }), Catch::Contains("/f"));
}

TEST_CASE("systemd: CPU quota per second, rounded up to 10 ms as runc", "[cgroup][systemd]") {
    CHECK(cpu_quota_per_sec_usec(50000, 100000) == 500000);
    CHECK(cpu_quota_per_sec_usec(12345, 100000) == 130000);
    CHECK(cpu_quota_per_sec_usec(20000, 0) == 200000);
    CHECK(cpu_quota_per_sec_usec(-1, 100000) == kInfinity);
}

TEST_CASE("systemd: resources as unit properties", "[cgroup][systemd]") {
    spec::Resources r;
    r.memory = spec::MemoryResources{};
    r.memory->limit = 64 << 20;
    r.memory->reservation = 32 << 20;
    r.memory->swap = 96 << 20;
    r.cpu = spec::CpuResources{};
    r.cpu->shares = 1024;
    r.cpu->quota = 50000;
    r.cpu->period = 100000;
    r.cpu->cpus = "0";
    r.cpu->mems = "0";
    r.pids_limit = 42;
    r.block_io = spec::BlockIoResources{};
    r.block_io->weight = 500;
    r.unified = {{"memory.high", "max"}, {"memory.min", "4096"}, {"io.max", "8:0 rbps=1"}};
    const auto props = resource_properties(r);
    CHECK(number(props, "MemoryMax") == 64u << 20);
    CHECK(number(props, "MemoryLow") == 32u << 20);
    CHECK(number(props, "MemorySwapMax") == 32u << 20);
    CHECK(number(props, "CPUWeight") == 39);
    CHECK(number(props, "CPUQuotaPerSecUSec") == 500000);
    CHECK(number(props, "CPUQuotaPeriodUSec") == 100000);
    CHECK(std::get<std::vector<uint8_t>>(find(props, "AllowedCPUs")->value) == std::vector<uint8_t>{1});
    CHECK(std::get<std::vector<uint8_t>>(find(props, "AllowedMemoryNodes")->value) == std::vector<uint8_t>{1});
    CHECK(number(props, "TasksMax") == 42);
    CHECK(number(props, "IOWeight") == 1 + (500 - 10) * 9999 / 990);
    CHECK(number(props, "MemoryHigh") == kInfinity);
    CHECK(number(props, "MemoryMin") == 4096);
    CHECK(find(props, "IOReadBandwidthMax") == nullptr);  // io.max stays a file

    spec::Resources none;
    CHECK(resource_properties(none).empty());
    spec::Resources unlimited;
    unlimited.pids_limit = -1;
    unlimited.memory = spec::MemoryResources{};
    unlimited.memory->limit = -1;
    const auto up = resource_properties(unlimited);
    CHECK(number(up, "TasksMax") == kInfinity);
    CHECK(number(up, "MemoryMax") == kInfinity);

    spec::Resources bad;
    bad.unified = {{"pids.max", "lots"}};
    CHECK_THAT(error_of([&] { resource_properties(bad); }), Catch::Contains("/linux/resources/unified/pids.max"));
}

TEST_CASE("systemd: device rules as DevicePolicy and DeviceAllow", "[cgroup][systemd]") {
    const DeviceMajors majors = parse_proc_devices("Character devices:\n  1 mem\n136 pts\n\nBlock devices:\n  8 sd\n");
    CHECK(majors.character.at(136) == "pts");
    CHECK(majors.block.at(8) == "sd");

    std::vector<DeviceRule> rules{{false, 'a', kAnyNumber, kAnyNumber, kAccessAll}};
    for (const auto& d : default_allowed_devices()) rules.push_back(d);
    const auto props = device_properties(rules, majors);
    REQUIRE(props.size() == 3);
    CHECK(std::get<std::string>(props[0].value) == "strict");
    const auto& allow = std::get<std::vector<std::pair<std::string, std::string>>>(props[2].value);
    CHECK(std::find(allow.begin(), allow.end(), std::make_pair(std::string("/dev/char/1:3"), std::string("rwm"))) !=
          allow.end());
    CHECK(std::find(allow.begin(), allow.end(), std::make_pair(std::string("char-pts"), std::string("rwm"))) != allow.end());
    CHECK(std::find(allow.begin(), allow.end(), std::make_pair(std::string("char-*"), std::string("m"))) != allow.end());

    // A deny after an allow, an allow-all, or a major systemd cannot name: systemd enforces
    // nothing (DevicePolicy=auto) and ocirt's eBPF program the whole list.
    std::vector<DeviceRule> deny_after = rules;
    deny_after.push_back({false, 'c', 1, 3, kAccessAll});
    CHECK(std::get<std::string>(device_properties(deny_after, majors)[0].value) == "auto");
    CHECK(std::get<std::string>(device_properties({{true, 'a', kAnyNumber, kAnyNumber, kAccessAll}}, majors)[0].value) ==
          "auto");
    CHECK(std::get<std::string>(device_properties({{true, 'c', 250, kAnyNumber, kAccessAll}}, majors)[0].value) == "auto");
}

TEST_CASE("systemd: the user's bus is looked for in runc's order", "[cgroup][systemd]") {
    const auto all = user_bus_candidates(std::string("unix:path=/x/bus"), std::string("/run/xdg"), 1000);
    REQUIRE(all.size() == 3);
    CHECK(all[0].address == "unix:path=/x/bus");
    CHECK(all[0].source == "$DBUS_SESSION_BUS_ADDRESS");
    CHECK(all[1].address == "unix:path=/run/xdg/bus");
    CHECK(all[2].address == "unix:path=/run/user/1000/bus");
    // $XDG_RUNTIME_DIR is /run/user/<uid> in a login session: that place is tried once.
    const auto usual = user_bus_candidates(std::nullopt, std::string("/run/user/1000"), 1000);
    REQUIRE(usual.size() == 1);
    CHECK(usual[0].source == "$XDG_RUNTIME_DIR/bus");
    const auto none = user_bus_candidates(std::nullopt, std::nullopt, 7);
    REQUIRE(none.size() == 1);
    CHECK(none[0].address == "unix:path=/run/user/7/bus");
}

TEST_CASE("systemd: a controller the user's systemd was not given is refused by field", "[cgroup][systemd]") {
    const std::vector<ControllerNeed> needs{{"memory", "/linux/resources/memory"}, {"cpuset", "/linux/resources/cpu"}};
    const std::string msg = error_of([&] {
        require_delegated(needs, {"cpu", "memory", "pids"}, "/user.slice/user-1000.slice/user@1000.service");
    });
    CHECK(msg.find("/linux/resources/cpu: ") == 0);
    CHECK(msg.find("\"cpuset\" is not delegated") != std::string::npos);
    CHECK(msg.find("offers: cpu memory pids") != std::string::npos);
    CHECK_NOTHROW(require_delegated({{"pids", "/linux/resources/pids"}}, {"pids"}, "/u"));
}

TEST_CASE("systemd: the rootless default slice is user.slice", "[cgroup][systemd]") {
    const UnitPlan p = plan_unit(std::nullopt, "c1", "user.slice");
    CHECK(p.slice == "user.slice");
    CHECK(p.path == "/user.slice/ocirt-c1.scope");
    CHECK(plan_unit(std::string(":ocirt-test:x"), "c1", "user.slice").path == "/user.slice/ocirt-test-x.scope");
    CHECK(plan_unit(std::string("app.slice:p:x"), "c1", "user.slice").path == "/app.slice/p-x.scope");
}

TEST_CASE("systemd: the user manager's cgroup from a scope's path", "[cgroup][systemd]") {
    CHECK(user_manager_cgroup("/user.slice/user-1000.slice/user@1000.service/user.slice/ocirt-c1.scope") ==
          "/user.slice/user-1000.slice/user@1000.service");
    CHECK_FALSE(error_of([] { user_manager_cgroup("/system.slice/x.scope"); }).empty());
}
