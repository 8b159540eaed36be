#include <catch2/catch.hpp>

#include "ocirt/ns/sysctl.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt;
using spec::NamespaceType;

TEST_CASE("sysctl keys map to the namespace that owns them") {
    CHECK(ns::sysctl_namespace("net.ipv4.ip_forward") == NamespaceType::network);
    CHECK(ns::sysctl_namespace("net/ipv4/conf/eth0.100/forwarding") == NamespaceType::network);
    CHECK(ns::sysctl_namespace("kernel.shmmax") == NamespaceType::ipc);
    CHECK(ns::sysctl_namespace("kernel/msgmnb") == NamespaceType::ipc);
    CHECK(ns::sysctl_namespace("fs.mqueue.queues_max") == NamespaceType::ipc);
    CHECK(ns::sysctl_namespace("kernel.hostname") == NamespaceType::uts);
    CHECK_FALSE(ns::sysctl_namespace("kernel.panic"));
    CHECK_FALSE(ns::sysctl_namespace("vm.overcommit_memory"));
    CHECK_FALSE(ns::sysctl_namespace("kernel.shm_next_id_x"));
}

TEST_CASE("sysctl keys become paths below /proc/sys") {
    CHECK(ns::sysctl_path("net.ipv4.ip_forward") == "net/ipv4/ip_forward");
    CHECK(ns::sysctl_path("net/ipv4/conf/eth0.100/forwarding") == "net/ipv4/conf/eth0.100/forwarding");
}

TEST_CASE("sysctls the config's namespaces do not cover are refused") {
    const auto plan = ns::plan_namespaces({{NamespaceType::ipc, std::nullopt}, {NamespaceType::mount, std::nullopt}});
    CHECK_NOTHROW(ns::check_sysctls({{"kernel.sem", "1 2 3 4"}}, plan));
    CHECK_THROWS_WITH(ns::check_sysctls({{"net.core.somaxconn", "1"}}, plan),
                      Catch::Contains("/linux/sysctl/net.core.somaxconn") && Catch::Contains("network"));
    CHECK_THROWS_WITH(ns::check_sysctls({{"kernel.panic", "1"}}, plan), Catch::Contains("not a namespaced"));
    CHECK_THROWS_WITH(ns::check_sysctls({{"kernel/../kernel/sem", "1"}}, plan), Catch::Contains("malformed"));
    CHECK_THROWS_WITH(ns::check_sysctls({{"kernel.sem", "1\n2"}}, plan), Catch::Contains("one line"));
}
