#pragma once
/// What a cgroup reports about itself: cpu.stat, memory.*, pids.*, io.stat, hugetlb.*.
/// Raw numbers; `events` shapes them like runc.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ocirt/cgroup/cgroup_dir.hpp"

namespace ocirt::cgroup {

/// A "max" limit.
inline constexpr uint64_t kUnlimited = UINT64_MAX;

/// One line of io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0".
struct IoStatEntry {
    uint32_t major = 0;
    uint32_t minor = 0;
    std::map<std::string, uint64_t> values;
};

/// Per huge page size.
struct HugetlbStat {
    uint64_t usage = 0;                 ///< hugetlb.<size>.current
    uint64_t limit = kUnlimited;        ///< hugetlb.<size>.max (cgroup v2 records no peak usage)
    uint64_t failcnt = 0;               ///< hugetlb.<size>.events "max"
};

/// One line of a *.pressure file: "some avg10=0.00 avg60=0.00 avg300=0.00 total=0".
struct PressureLine {
    double avg10 = 0, avg60 = 0, avg300 = 0;
    uint64_t total = 0;
};

/// A *.pressure file (PSI): the "some" and "full" lines.
struct Pressure {
    PressureLine some;
    PressureLine full;
};

/// A cgroup's statistics; a missing file leaves its part empty.
struct Stats {
    std::map<std::string, uint64_t> cpu;            ///< cpu.stat (usage_usec, nr_throttled ...)
    std::optional<uint64_t> memory_current;
    uint64_t memory_max = kUnlimited;
    std::optional<uint64_t> memory_peak;
    std::optional<uint64_t> swap_current;
    uint64_t swap_max = kUnlimited;
    std::map<std::string, uint64_t> memory_stat;    ///< memory.stat
    std::map<std::string, uint64_t> memory_events;  ///< memory.events (oom, oom_kill ...)
    std::optional<uint64_t> pids_current;
    uint64_t processes = 0;                         ///< processes in the cgroup and below (cgroup.procs)
    uint64_t pids_max = kUnlimited;
    std::vector<IoStatEntry> io;
    std::map<std::string, HugetlbStat> hugetlb;     ///< by page size ("2MB")
    std::string cpus_effective;
    std::string mems_effective;
    std::optional<Pressure> cpu_pressure;           ///< cpu.pressure, where the kernel has PSI
    std::optional<Pressure> memory_pressure;        ///< memory.pressure
    std::optional<Pressure> io_pressure;            ///< io.pressure
};

/// Reads the statistics of a cgroup.
Stats read_stats(const CgroupDir& cg);
/// Parses a *.pressure file; nullopt if it has no "some" line.
std::optional<Pressure> parse_pressure(const std::string& text);
/// Parses io.stat.
std::vector<IoStatEntry> parse_io_stat(const std::string& text);
/// A limit file's value: a number, or kUnlimited for "max".
uint64_t parse_limit(const std::string& text);

}  // namespace ocirt::cgroup
