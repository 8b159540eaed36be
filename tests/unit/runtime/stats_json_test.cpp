#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "ocirt/runtime/stats_json.hpp"

using namespace ocirt;
using nlohmann::json;

TEST_CASE("events stats: runc's types.Stats keys, cpuset lists as numbers") {
    cgroup::Stats s;
    s.cpu = {{"usage_usec", 3}, {"user_usec", 2}, {"system_usec", 1}, {"nr_periods", 0}};
    s.cpus_effective = "0-2,5";
    s.mems_effective = "0";
    s.processes = 2;
    const json j = json::parse(runtime::runc_stats_json(s));
    for (const char* key : {"cpu", "cpuset", "memory", "pids", "blkio", "hugetlb", "intel_rdt", "network_interfaces"})
        CHECK(j.contains(key));
    CHECK(j["network_interfaces"].is_null());
    CHECK(j["cpuset"]["cpus"] == json({0, 1, 2, 5}));
    CHECK(j["cpuset"]["mems"] == json({0}));
    CHECK(j["cpuset"]["cpu_exclusive"] == 0);
    CHECK(j["cpu"]["usage"] == json({{"total", 3000}, {"user", 2000}, {"kernel", 1000}}));
    CHECK(j["cpu"]["throttling"] == json::object());  // zero values are left out, as Go's omitempty
    CHECK(j["pids"] == json({{"current", 2}}));       // no pids controller: the processes counted
    CHECK(j["blkio"] == json::object());
    CHECK(j["memory"]["usage"] == json({{"limit", 0}, {"failcnt", 0}}));
    CHECK_FALSE(j["memory"].contains("raw"));
}

TEST_CASE("events stats: hugetlb max is peak usage (none on cgroup v2), swap is memory+swap") {
    cgroup::Stats s;
    s.hugetlb["2MB"] = cgroup::HugetlbStat{4096, 8 * 2097152, 1};
    s.memory_current = 100;
    s.memory_max = 1000;
    s.memory_peak = 150;
    s.swap_current = 10;
    s.swap_max = 500;
    s.memory_stat = {{"file", 7}};
    s.pids_current = 3;
    s.pids_max = 16;
    const json j = json::parse(runtime::runc_stats_json(s));
    CHECK(j["hugetlb"]["2MB"] == json({{"usage", 4096}, {"failcnt", 1}}));
    CHECK(j["memory"]["usage"] == json({{"limit", 1000}, {"usage", 100}, {"max", 150}, {"failcnt", 0}}));
    CHECK(j["memory"]["swap"] == json({{"limit", 1500}, {"usage", 110}, {"failcnt", 0}}));
    CHECK(j["memory"]["cache"] == 7);
    CHECK(j["memory"]["raw"]["file"] == 7);
    CHECK_FALSE(j["memory"].contains("swapOnlyUsage"));
    CHECK(j["pids"] == json({{"current", 3}, {"limit", 16}}));
    s.swap_max = cgroup::kUnlimited;
    CHECK(json::parse(runtime::runc_stats_json(s))["memory"]["swap"]["limit"] == cgroup::kUnlimited);
}

TEST_CASE("events stats: pressure (PSI) as runc's psi objects, zero lines left out") {
    const auto p = cgroup::parse_pressure("some avg10=1.50 avg60=0.25 avg300=0.00 total=1234\n"
                                          "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
    REQUIRE(p);
    CHECK(p->some.avg10 == 1.5);
    CHECK(p->some.total == 1234u);
    CHECK_FALSE(cgroup::parse_pressure(""));
    cgroup::Stats s;
    s.cpu_pressure = p;
    s.io_pressure = p;
    const json j = json::parse(runtime::runc_stats_json(s));
    CHECK(j["cpu"]["psi"] == json({{"some", {{"avg10", 1.5}, {"avg60", 0.25}, {"avg300", 0.0}, {"total", 1234}}}}));
    CHECK(j["blkio"]["psi"]["some"]["total"] == 1234);
    CHECK_FALSE(j["memory"].contains("psi"));
}
