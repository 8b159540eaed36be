#pragma once
/// The `data` of an `events` stats record in runc's types.Stats shape (runc types/events.go),
/// which engines decode: the same keys, the same omitted-when-zero fields, cgroup v2 numbers
/// mapped as runc maps them (memory.swap is memory+swap, hugetlb has no peak, pids.limit 0
/// for none), and cpuset cpus/mems as number arrays.

#include <string>

#include "ocirt/cgroup/stats.hpp"

namespace ocirt::runtime {

/// The stats object as JSON text.
std::string runc_stats_json(const cgroup::Stats& s);

}  // namespace ocirt::runtime
