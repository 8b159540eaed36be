#include <algorithm>

#include <catch2/catch.hpp>

#include "ocirt/checkpoint/criu.hpp"
#include "ocirt/checkpoint/criu_args.hpp"
#include "ocirt/checkpoint/externals.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt::checkpoint;

namespace {
bool has_pair(const std::vector<std::string>& a, const std::string& flag, const std::string& value) {
    for (size_t i = 0; i + 1 < a.size(); ++i)
        if (a[i] == flag && a[i + 1] == value) return true;
    return false;
}
bool has(const std::vector<std::string>& a, const std::string& flag) { return std::find(a.begin(), a.end(), flag) != a.end(); }
}  // namespace

TEST_CASE("dump arguments map runc's flags and declare externals") {
    CriuOptions o;
    o.image_path = "/img";
    o.leave_running = true;
    o.tcp_established = true;
    o.empty_ns = {"network"};
    o.page_server = "10.0.0.1:27";
    DumpPlan p;
    p.pid = 42;
    p.root = "/b/rootfs";
    p.mounts = {{"/share", "/share"}, {"/proc/kcore", "/dev/null"}};
    p.files = {"file[12:345]"};
    const auto a = dump_args(o, p);
    CHECK(a[0] == "dump");
    CHECK(has_pair(a, "--tree", "42"));
    CHECK(has_pair(a, "--root", "/b/rootfs"));
    CHECK(has_pair(a, "--images-dir", "/img"));
    CHECK(has_pair(a, "--work-dir", "/img"));
    CHECK(has_pair(a, "--log-file", "dump.log"));
    CHECK(has(a, "--manage-cgroups=soft"));
    CHECK(has_pair(a, "--external", "mnt[/share]:/share"));
    CHECK(has_pair(a, "--external", "mnt[/proc/kcore]:/dev/null"));
    CHECK(has_pair(a, "--external", "file[12:345]"));
    CHECK(has_pair(a, "--empty-ns", "net"));
    CHECK(has_pair(a, "--address", "10.0.0.1"));
    CHECK(has_pair(a, "--port", "27"));
    CHECK(has(a, "--leave-running"));
    CHECK(has(a, "--tcp-established"));
    CHECK_FALSE(has(a, "--shell-job"));
}

TEST_CASE("pre-dump leaves the tree running without CRIU's flag") {
    CriuOptions o;
    o.image_path = "/img";
    o.pre_dump = true;
    o.leave_running = true;
    const auto a = dump_args(o, DumpPlan{});
    CHECK(a[0] == "pre-dump");
    CHECK_FALSE(has(a, "--leave-running"));
}

TEST_CASE("restore arguments: sibling, pid file, cgroup root, mounts and inherited fds") {
    CriuOptions o;
    o.image_path = "/img";
    o.work_path = "/work";
    o.manage_cgroups_mode = "full";
    RestorePlan p;
    p.root = "/s/criu-root";
    p.pid_file = "/s/criu.pid";
    p.cgroup_root = "/ocirt/c1";
    p.mounts = {{"/share", "/host/share"}};
    p.inherit_fds = {{1, "pipe:[77]"}};
    const auto a = restore_args(o, p);
    CHECK(a[0] == "restore");
    CHECK(has(a, "--restore-detached"));
    CHECK(has(a, "--restore-sibling"));
    CHECK(has_pair(a, "--work-dir", "/work"));
    CHECK(has(a, "--manage-cgroups=full"));
    CHECK(has_pair(a, "--cgroup-root", "/ocirt/c1"));
    CHECK(has_pair(a, "--pidfile", "/s/criu.pid"));
    CHECK(has_pair(a, "--external", "mnt[/share]:/host/share"));
    CHECK(has_pair(a, "--inherit-fd", "fd[1]:pipe:[77]"));
}

TEST_CASE("option checks name the flag") {
    CriuOptions o;
    o.image_path = "/img";
    o.manage_cgroups_mode = "hard";
    CHECK_THROWS_WITH(check_options(o), Catch::Contains("--manage-cgroups-mode"));
    o.manage_cgroups_mode = "strict";
    o.empty_ns = {"pid"};
    CHECK_THROWS_WITH(check_options(o), Catch::Contains("--empty-ns"));
    o.empty_ns = {};
    o.page_server = "nohost";
    CHECK_THROWS_WITH(check_options(o), Catch::Contains("--page-server"));
    o.page_server = "host:1";
    CHECK_NOTHROW(check_options(o));
}

TEST_CASE("stdio inherited at restore: pipes (runc's rule) and external files") {
    std::vector<StdioDescriptor> d{{0, "/dev/null", "file[3:9]"}, {1, "pipe:[5]", ""}, {2, "/tmp/x", ""}};
    const auto fds = inherit_stdio(d);
    REQUIRE(fds.size() == 2);
    CHECK(fds[0] == std::pair<int, std::string>{0, "file[3:9]"});
    CHECK(fds[1] == std::pair<int, std::string>{1, "pipe:[5]"});
}

TEST_CASE("the first Error line of a CRIU log, without its timestamp") {
    CHECK(first_error_line("(0.1) a\n(0.2) Error (x.c:1): first\n(0.3) b\n(0.4) Error (y.c:2): second\n(0.5) tail\n") ==
          "Error (x.c:1): first");
    CHECK(first_error_line("only\n") == "only");
    CHECK(first_error_line("") == "");
}
