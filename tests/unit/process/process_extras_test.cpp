#include <catch2/catch.hpp>

#include "../error_of.hpp"

#include "ocirt/process/process_extras.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt;

TEST_CASE("CPU lists: single CPUs and ranges") {
    CHECK(process::parse_cpu_list("0-3,6", "f") == std::vector<unsigned>{0, 1, 2, 3, 6});
    CHECK(process::parse_cpu_list("5", "f") == std::vector<unsigned>{5});
    CHECK(error_of([] { process::parse_cpu_list("3-1", "/x"); }).find("/x") != std::string::npos);
    CHECK(error_of([] { process::parse_cpu_list("a", "/x"); }).find("\"a\"") != std::string::npos);
    CHECK_FALSE(error_of([] { process::parse_cpu_list("", "/x"); }).empty());
    CHECK_FALSE(error_of([] { process::parse_cpu_list("0,,1", "/x"); }).empty());
    CHECK_FALSE(error_of([] { process::parse_cpu_list("4096", "/x"); }).empty());
}

TEST_CASE("scheduler checks name the field at fault") {
    spec::Scheduler s;
    s.policy = "SCHED_FIFO";
    CHECK(error_of([&] { process::check_scheduler(s); }).find("/process/scheduler/priority") == 0);
    s.priority = 10;
    CHECK(error_of([&] { process::check_scheduler(s); }).empty());
    s.policy = "SCHED_OTHER";
    CHECK(error_of([&] { process::check_scheduler(s); }).find("/process/scheduler/priority") == 0);
    s.priority.reset();
    s.runtime = 1000;
    CHECK(error_of([&] { process::check_scheduler(s); }).find("/process/scheduler/runtime") == 0);
    s.policy = "SCHED_DEADLINE";
    s.deadline = 2000;
    CHECK(error_of([&] { process::check_scheduler(s); }).empty());
    s.flags = {"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_NOPE"};
    CHECK(error_of([&] { process::check_scheduler(s); }).find("/process/scheduler/flags/1") == 0);
}

TEST_CASE("io priority, personality and memory policy checks") {
    CHECK(error_of([] { process::check_io_priority({"IOPRIO_CLASS_BE", 8}); }).find("/process/ioPriority/priority") == 0);
    CHECK(error_of([] { process::check_io_priority({"IOPRIO_CLASS_X", 0}); }).find("/process/ioPriority/class") == 0);
    CHECK(error_of([] { process::check_io_priority({"IOPRIO_CLASS_IDLE", 0}); }).empty());
    CHECK(error_of([] { process::check_personality({"LINUX32", {}}); }).empty());
    CHECK(error_of([] { process::check_personality({"LINUX64", {}}); }).find("/linux/personality/domain") == 0);
    CHECK(error_of([] { process::check_memory_policy({"MPOL_LOCAL", std::string("0"), {}}); })
              .find("/linux/memoryPolicy/nodes") == 0);
    CHECK(error_of([] { process::check_memory_policy({"MPOL_BIND", std::string("0-1"), {"MPOL_F_STATIC_NODES"}}); })
              .empty());
}

TEST_CASE("the features tables list what the checks accept") {
    for (const auto& mode : process::memory_policy_modes()) {
        const bool nodes = mode != "MPOL_DEFAULT" && mode != "MPOL_LOCAL";
        CHECK(error_of([&] { process::check_memory_policy({mode, nodes ? std::optional<std::string>("0") : std::nullopt, {}}); })
                  .empty());
    }
    for (const auto& c : process::io_priority_classes()) CHECK(error_of([&] { process::check_io_priority({c, 0}); }).empty());
    for (const auto& d : process::personality_domains()) CHECK(error_of([&] { process::check_personality({d, {}}); }).empty());
}
