#include <string>

#include "ocirt/cgroup/v1/resources.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cgroup::v1 {
namespace {
constexpr const char* kField = "/linux/resources/cpu";
}  // namespace

void apply_cpu(const CgroupDir& cg, const spec::CpuResources& c) {
    const std::string f = kField;
    // Realtime bandwidth first, as runc: a SCHED_RR task cannot join a cgroup without it.
    if (c.realtime_period.value_or(0) != 0) cg.write("cpu.rt_period_us", std::to_string(*c.realtime_period), f + "/realtimePeriod");
    if (c.realtime_runtime.value_or(0) != 0)
        cg.write("cpu.rt_runtime_us", std::to_string(*c.realtime_runtime), f + "/realtimeRuntime");
    if (const uint64_t shares = c.shares.value_or(0); shares != 0) {
        cg.write("cpu.shares", std::to_string(shares), f + "/shares");
        // The kernel clamps out-of-range shares silently; runc reports it.
        const std::string got = cg.read("cpu.shares");
        if (got != std::to_string(shares)) fail("{}/shares: {} is out of range (the kernel set {})", f, shares, got);
    }
    const std::string period = c.period.value_or(0) != 0 ? std::to_string(*c.period) : "";
    if (!period.empty()) {
        try {
            cg.write("cpu.cfs_period_us", period, f + "/period");
        } catch (const Error& e) {
            // A shorter period can be refused while the old quota exceeds it: the quota goes
            // first then (runc does the same), and the period is written again below.
            if (e.code() != EINVAL || c.quota.value_or(0) == 0) throw;
        }
    }
    if (c.quota.value_or(0) != 0) {
        cg.write("cpu.cfs_quota_us", std::to_string(*c.quota), f + "/quota");
        if (!period.empty()) cg.write("cpu.cfs_period_us", period, f + "/period");
    }
    if (c.burst) cg.write("cpu.cfs_burst_us", std::to_string(*c.burst), f + "/burst");
    if (c.idle) cg.write("cpu.idle", std::to_string(*c.idle), f + "/idle");
}

}  // namespace ocirt::cgroup::v1
