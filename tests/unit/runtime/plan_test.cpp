#include <sched.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "ocirt/ns/namespaces.hpp"
#include "ocirt/runtime/default_spec.hpp"
#include "ocirt/spec/support.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt;
using spec::NamespaceType;

TEST_CASE("namespace plan: new ones as flags, joins with user first") {
    const auto plan = ns::plan_namespaces({{NamespaceType::network, "/run/netns/x"},
                                           {NamespaceType::mount, std::nullopt},
                                           {NamespaceType::user, "/proc/1/ns/user"},
                                           {NamespaceType::pid, std::nullopt}});
    CHECK(plan.new_flags == (CLONE_NEWNS | CLONE_NEWPID));
    REQUIRE(plan.joins.size() == 2);
    CHECK(plan.joins[0].type == NamespaceType::user);
    CHECK(plan.joins[1].type == NamespaceType::network);
    CHECK(plan.has(NamespaceType::network));
    CHECK_FALSE(plan.creates(NamespaceType::network));
    CHECK_FALSE(plan.has(NamespaceType::ipc));
    CHECK(plan.needs_fork());
    CHECK_FALSE(ns::plan_namespaces({{NamespaceType::mount, std::nullopt}}).needs_fork());
}

TEST_CASE("a namespace type listed twice is an error naming the entry") {
    CHECK_THROWS_WITH(ns::plan_namespaces({{NamespaceType::ipc, std::nullopt}, {NamespaceType::ipc, "/x"}}),
                      "/linux/namespaces/1: namespace type \"ipc\" is listed twice");
}

TEST_CASE("the default spec holds only what ocirt applies and survives a round trip") {
    const spec::Config c = runtime::default_config();
    CHECK(spec::unapplied_fields(c).empty());
    const spec::Config back = spec::config_from_json(spec::config_to_json(c));
    CHECK(back.process->args == std::vector<std::string>{"sh"});
    CHECK(back.mounts.size() == c.mounts.size());
    CHECK(back.linux_->namespaces.size() == 6);
}

TEST_CASE("unapplied fields are named by JSON pointer") {
    spec::Config c = runtime::default_config();
    c.linux_->seccomp = spec::Seccomp{};
    c.process->apparmor_profile = "p";
    c.linux_->cgroups_path = "/x";
    // seccomp and the AppArmor profile are applied (issue 5); what is not is named.
    const auto fields = spec::unapplied_fields(c);
    CHECK(std::find(fields.begin(), fields.end(), "/linux/seccomp") == fields.end());
    CHECK(std::find(fields.begin(), fields.end(), "/process/apparmorProfile") == fields.end());
    if (!fields.empty()) CHECK_THROWS_WITH(spec::check_applicable(c), fields.front() + ": not supported by ocirt yet");
}

TEST_CASE("signal names and numbers") {
    CHECK(sys::parse_signal("TERM") == 15);
    CHECK(sys::parse_signal("SIGKILL") == 9);
    CHECK(sys::parse_signal("sigusr1") == 10);
    CHECK(sys::parse_signal("9") == 9);
    CHECK_FALSE(sys::parse_signal("NOPE"));
    CHECK_FALSE(sys::parse_signal("0"));
    CHECK_FALSE(sys::parse_signal("99"));
}
