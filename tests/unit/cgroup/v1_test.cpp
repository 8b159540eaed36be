#include <catch2/catch.hpp>

#include "../error_of.hpp"
#include "ocirt/cgroup/hierarchy.hpp"
#include "ocirt/cgroup/mount_view.hpp"
#include "ocirt/cgroup/v1/devices.hpp"
#include "ocirt/cgroup/v1/resources.hpp"
#include "ocirt/cgroup/v1/stats.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt::cgroup;
using namespace ocirt::cgroup::v1;

namespace {
const char* kHybrid =
    "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
    "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "35 30 0:31 / /mnt/again rw,relatime - cgroup cgroup rw,memory\n"
    "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
    "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

DeviceRule rule(bool allow, char type, int64_t major, int64_t minor, uint32_t access = kAccessAll) {
    return DeviceRule{allow, type, major, minor, access};
}
}  // namespace

TEST_CASE("every v1 hierarchy is found once, named ones too, keyed as /proc/<pid>/cgroup names it") {
    const CgroupHost h = find_cgroup_host(kHybrid);
    CHECK(h.kind == HostKind::hybrid);
    REQUIRE(h.v1_hierarchies.size() == 3);
    CHECK(h.v1_hierarchies[0].key == "cpu,cpuacct");
    CHECK(h.v1_hierarchies[0].controllers == std::vector<std::string>{"cpu", "cpuacct"});
    CHECK(h.v1_hierarchies[1].key == "memory");
    CHECK(h.v1_hierarchies[1].mount.mount_point == "/sys/fs/cgroup/memory");
    CHECK(h.v1_hierarchies[2].key == "name=systemd");
    CHECK(h.v1_hierarchies[2].controllers.empty());
    const CgroupHost legacy = find_cgroup_host("34 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n");
    CHECK(legacy.kind == HostKind::legacy);
    CHECK(legacy.v1_hierarchies.size() == 1);
}

TEST_CASE("the v1 entries of /proc/<pid>/cgroup") {
    const auto e = v1_entries("9:name=systemd:/a\n4:cpu,cpuacct:/b\n0::/c\n");
    CHECK(e.size() == 2);
    CHECK(e.at("name=systemd") == "/a");
    CHECK(e.at("cpu,cpuacct") == "/b");
}

TEST_CASE("a controller's directory is the one of the hierarchy that holds it") {
    const Dirs dirs{{"cpu,cpuacct", "/x/cpu,cpuacct/c"}, {"memory", "/x/memory/c"}};
    CHECK(controller_dir(dirs, "cpuacct")->path() == "/x/cpu,cpuacct/c");
    CHECK_FALSE(controller_dir(dirs, "cpuset"));
    CHECK(error_of([&] { require_controller(dirs, "pids", "/linux/resources/pids"); }) ==
          "/linux/resources/pids: no cgroup v1 pids hierarchy is mounted on this host");
}

TEST_CASE("a limit without its v1 hierarchy, or unified keys on a legacy host, are refused before anything is made") {
    const Dirs dirs{{"memory", "/x/memory/c"}};
    ocirt::spec::Resources r;
    r.has_pids = true;
    r.pids_limit = 10;
    CHECK(error_of([&] { check_resources(dirs, r, true); }) ==
          "/linux/resources/pids: no cgroup v1 pids hierarchy is mounted on this host");
    ocirt::spec::Resources u;
    u.unified["memory.high"] = "1";
    CHECK(error_of([&] { check_resources(dirs, u, false); }).find("/linux/resources/unified/memory.high") == 0);
    CHECK_NOTHROW(check_resources(dirs, u, true));
    ocirt::spec::Resources unset;  // what engines send for "unset"
    unset.has_pids = true;
    unset.pids_limit = 0;
    unset.cpu = ocirt::spec::CpuResources{};
    unset.cpu->shares = 0;
    CHECK_NOTHROW(check_resources(Dirs{}, unset, false));
}

TEST_CASE("the devices emulator plays rules as the v1 kernel does") {
    // runc's usual list: deny all, then allow some.
    DeviceState s = emulate({rule(false, 'a', kAnyNumber, kAnyNumber), rule(true, 'c', 1, 3),
                             rule(true, 'c', kAnyNumber, kAnyNumber, kAccessMknod)});
    CHECK_FALSE(s.default_allow);
    CHECK(s.exceptions.size() == 2);
    CHECK(s.exceptions.at({'c', 1, 3}) == kAccessAll);
    // A deny in a default-deny list takes access back from an exception.
    s = emulate({rule(false, 'a', -1, -1), rule(true, 'c', 1, 3), rule(false, 'c', 1, 3, kAccessWrite)});
    CHECK(s.exceptions.at({'c', 1, 3}) == (kAccessRead | kAccessMknod));
    // An allow-all in the middle drops the exceptions before it.
    s = emulate({rule(false, 'a', -1, -1), rule(true, 'c', 1, 3), rule(true, 'a', -1, -1), rule(false, 'b', 8, 0)});
    CHECK(s.default_allow);
    CHECK(s.exceptions.size() == 1);
    CHECK(s.exceptions.at({'b', 8, 0}) == kAccessAll);
    // Taking back what only a wider exception grants would be ignored by the kernel: refused.
    CHECK(error_of([] {
              emulate({rule(false, 'a', -1, -1), rule(true, 'c', -1, -1, kAccessMknod), rule(false, 'c', 1, 3, kAccessMknod)});
          }).find("/linux/resources/devices: cannot remove \"c 1:3 m\"") == 0);
}

TEST_CASE("devices.list is read back as the kernel's model") {
    CHECK(parse_devices_list("a *:* rwm\n").default_allow);
    const DeviceState s = parse_devices_list("c 1:3 rwm\nc *:* m\nb 8:0 r\n");
    CHECK_FALSE(s.default_allow);
    CHECK(s.exceptions.at({'c', kAnyNumber, kAnyNumber}) == kAccessMknod);
    CHECK(s.exceptions.at({'b', 8, 0}) == kAccessRead);
    CHECK_FALSE(parse_devices_list("").default_allow);
}

TEST_CASE("the transition writes the fewest lines: the disruptive 'a' only when the default changes") {
    const DeviceState allow_all = parse_devices_list("a *:* rwm");
    const DeviceState target = emulate({rule(false, 'a', -1, -1), rule(true, 'c', 1, 3, kAccessRead | kAccessWrite)});
    CHECK(transition(allow_all, target) ==
          std::vector<DeviceWrite>{{false, "a *:* rwm"}, {true, "c 1:3 rw"}});
    // A live update of a default-deny list: no "deny all" moment, only the differences.
    const DeviceState current = parse_devices_list("c 1:3 rw\nc 1:5 rwm\n");
    const DeviceState next = emulate({rule(false, 'a', -1, -1), rule(true, 'c', 1, 3, kAccessRead | kAccessWrite),
                                      rule(true, 'c', 1, 9, kAccessRead)});
    CHECK(transition(current, next) == std::vector<DeviceWrite>{{false, "c 1:5 rwm"}, {true, "c 1:9 r"}});
    CHECK(transition(next, next).empty());
}

TEST_CASE("blkio throttle stats take io.stat's shape") {
    std::vector<IoStatEntry> io;
    parse_blkio_stat("8:0 Read 4096\n8:0 Write 512\n8:0 Sync 1\n8:0 Total 4608\nTotal 4608\n", "rbytes", "wbytes", io);
    parse_blkio_stat("8:0 Read 2\n8:0 Write 1\n", "rios", "wios", io);
    REQUIRE(io.size() == 1);
    CHECK(io[0].major == 8);
    CHECK(io[0].values.at("rbytes") == 4096);
    CHECK(io[0].values.at("wbytes") == 512);
    CHECK(io[0].values.at("rios") == 2);
    CHECK(io[0].values.at("wios") == 1);
}

TEST_CASE("a cgroup mount inside the container shows each v1 hierarchy once, by its mount point's name") {
    ContainerCgroup cg;
    cg.driver = Driver::v1;
    cg.host = find_cgroup_host(kHybrid);
    cg.v1_dirs = {{"cpu,cpuacct", "/sys/fs/cgroup/cpu,cpuacct/c1"},
                  {"memory", "/sys/fs/cgroup/memory/c1"},
                  {"name=systemd", "/sys/fs/cgroup/systemd/c1"}};
    const auto views = v1_mount_views(cg.host, &cg);
    REQUIRE(views.size() == 3);  // not the second memory mount, not the cgroup2 one
    CHECK(views[0].name == "cpu,cpuacct");
    CHECK(views[0].subsystems == "cpu,cpuacct");
    CHECK(views[0].dir == "/sys/fs/cgroup/cpu,cpuacct/c1");
    CHECK(views[1].name == "memory");
    CHECK(views[2].name == "systemd");
    CHECK(views[2].subsystems == "name=systemd");
    CHECK(views[2].dir == "/sys/fs/cgroup/systemd/c1");
    // A unified host: the mount stays cgroup2.
    CHECK(v1_mount_views(find_cgroup_host("40 30 0:37 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"), &cg).empty());
}
