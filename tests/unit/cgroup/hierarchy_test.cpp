#include <catch2/catch.hpp>

#include "../error_of.hpp"
#include "ocirt/cgroup/controllers.hpp"
#include "ocirt/cgroup/hierarchy.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt::cgroup;

namespace {
// This development host: cgroup v1 controllers on a tmpfs, cgroup2 beside them.
const char* kHybrid =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
const char* kUnified =
    "22 1 0:21 / /sys rw - sysfs sysfs rw\n"
    "29 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";
}  // namespace

TEST_CASE("the cgroup2 mount is found in mountinfo, not assumed") {
    auto m = find_cgroup2_mount(kHybrid);
    REQUIRE(m);
    CHECK(m->mount_point == "/sys/fs/cgroup/unified");
    CHECK(m->root == "/");
    m = find_cgroup2_mount(kUnified);
    REQUIRE(m);
    CHECK(m->mount_point == "/sys/fs/cgroup");
    CHECK_FALSE(find_cgroup2_mount("32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"));
    // Escaped mount points and a mount showing a sub-tree.
    m = find_cgroup2_mount("50 1 0:40 /ocirt /mnt/my\\040cg rw - cgroup2 none rw\n");
    REQUIRE(m);
    CHECK(m->mount_point == "/mnt/my cg");
    CHECK(m->root == "/ocirt");
}

TEST_CASE("the host kind comes from the mount table, in one place") {
    const std::string hybrid = std::string(kHybrid) +
                               "33 31 0:30 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
                               "34 31 0:31 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
                               "35 31 0:32 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n";
    auto host = find_cgroup_host(hybrid);
    CHECK(host.kind == HostKind::hybrid);
    REQUIRE(host.v2);
    CHECK(host.v2->mount_point == "/sys/fs/cgroup/unified");
    CHECK(host.v1.at("memory") == "/sys/fs/cgroup/memory");
    CHECK(host.v1.at("cpu") == "/sys/fs/cgroup/cpu");
    CHECK(host.v1.count("systemd") == 0);  // a named hierarchy holds no controller
    CHECK(host.v1.count("name=systemd") == 0);
    CHECK(std::string(host_kind_name(host.kind)) == "hybrid");

    // The integration tests' view: cgroup2 mounted over the hybrid's tmpfs hides the v1 mounts.
    host = find_cgroup_host(hybrid + "90 1 0:38 / /sys/fs/cgroup rw,relatime - cgroup2 none rw\n");
    CHECK(host.kind == HostKind::unified);
    CHECK(host.v1.empty());
    REQUIRE(host.v2);
    CHECK(host.v2->mount_point == "/sys/fs/cgroup");

    CHECK(find_cgroup_host(kUnified).kind == HostKind::unified);
    // cgroup2 beside a named v1 hierarchy only: every controller is in v2.
    CHECK(find_cgroup_host("34 31 0:31 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n"
                           "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n")
              .kind == HostKind::unified);
    host = find_cgroup_host("33 31 0:30 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n");
    CHECK(host.kind == HostKind::legacy);
    CHECK_FALSE(host.v2);
    CHECK(find_cgroup_host("22 1 0:21 / /sys rw - sysfs sysfs rw\n").kind == HostKind::none);
}

TEST_CASE("the unified entry of /proc/self/cgroup") {
    CHECK(unified_entry("4:memory:/x\n0::/user.slice/a.scope\n") == std::optional<std::string>("/user.slice/a.scope"));
    CHECK_FALSE(unified_entry("4:memory:/x\n"));
}

TEST_CASE("cgroupsPath resolves as runc does") {
    CHECK(clean_path("a//b/./c/") == "/a/b/c");
    CHECK(clean_path("/../../a/../b") == "/b");
    CHECK(resolve_cgroup_path(std::nullopt, "c1", "/") == "/ocirt/c1");
    CHECK(resolve_cgroup_path(std::string(""), "c1", "/") == "/ocirt/c1");
    CHECK(resolve_cgroup_path(std::string("/a/b"), "c1", "/x/y") == "/a/b");
    CHECK(resolve_cgroup_path(std::string("/a/../../etc"), "c1", "/") == "/etc");
    // Relative: under the parent of the caller's cgroup; ".." cannot climb out of it.
    CHECK(resolve_cgroup_path(std::string("box/c1"), "c1", "/user.slice/me.scope") == "/user.slice/box/c1");
    CHECK(resolve_cgroup_path(std::string("../../x"), "c1", "/a/b") == "/a/x");
    CHECK(resolve_cgroup_path(std::string("x"), "c1", "/") == "/x");
}

TEST_CASE("a hierarchy path maps to a directory under the mount") {
    CHECK(directory_of({"/sys/fs/cgroup", "/"}, "/ocirt/c1") == "/sys/fs/cgroup/ocirt/c1");
    CHECK(directory_of({"/mnt", "/ocirt"}, "/ocirt/c1") == "/mnt/c1");
    CHECK(directory_of({"/mnt", "/ocirt"}, "/ocirt") == "/mnt");
    CHECK_THROWS_AS(directory_of({"/mnt", "/ocirt"}, "/other/c1"), ocirt::Error);
    CHECK_THROWS_AS(directory_of({"/mnt", "/ocirt"}, "/ocirtx"), ocirt::Error);
}

TEST_CASE("the levels from a mount point down to a directory, top first") {
    using V = std::vector<std::string>;
    CHECK(levels_below("/sys/fs/cgroup/memory", "/sys/fs/cgroup/memory/ocirt/c1") ==
          V{"/sys/fs/cgroup/memory/ocirt", "/sys/fs/cgroup/memory/ocirt/c1"});
    CHECK(levels_below("/mnt", "/mnt//a/") == V{"/mnt/a"});
    CHECK(levels_below("/mnt", "/mnt").empty());
}
