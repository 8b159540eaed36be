#include <string>

#include "ocirt/cgroup/v2/resources.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cgroup::v2 {
namespace {
constexpr const char* kField = "/linux/resources/cpu";
}  // namespace

uint64_t cpu_shares_to_weight(uint64_t shares) {
    if (shares == 0) return 0;
    if (shares < 2) shares = 2;
    if (shares > 262144) shares = 262144;
    return 1 + ((shares - 2) * 9999) / 262142;
}

std::string cpu_max_value(const std::optional<int64_t>& quota, const std::optional<uint64_t>& period) {
    const int64_t q = quota.value_or(0);
    const uint64_t p = period.value_or(0);
    if (q == 0 && p == 0) return "";
    std::string v = q > 0 ? std::to_string(q) : "max";
    if (p != 0) v += " " + std::to_string(p);
    return v;
}

bool cpu_is_set(const spec::CpuResources& c) {
    return cpu_shares_to_weight(c.shares.value_or(0)) != 0 || !cpu_max_value(c.quota, c.period).empty() || c.burst ||
           c.idle;
}

bool cpuset_is_set(const spec::CpuResources& c) {
    return (c.cpus && !c.cpus->empty()) || (c.mems && !c.mems->empty());
}

void apply_cpu(const CgroupDir& cg, const spec::CpuResources& c) {
    if (!cpu_is_set(c)) return;
    const std::string f = kField;
    if (const uint64_t w = cpu_shares_to_weight(c.shares.value_or(0)); w != 0)
        cg.write("cpu.weight", std::to_string(w), f + "/shares");
    if (c.idle) cg.write("cpu.idle", std::to_string(*c.idle), f + "/idle");
    const std::string max = cpu_max_value(c.quota, c.period);
    // cpu.max.burst must not exceed the quota: lower it first when the quota shrinks, raise it
    // after a larger quota is in place. Writing it on both sides of cpu.max covers both.
    if (c.burst && cg.has("cpu.max.burst") && !max.empty()) {
        try {
            cg.write("cpu.max.burst", std::to_string(*c.burst), f + "/burst");
        } catch (const Error&) {
            // retried below, once the new quota is in place
        }
    }
    if (!max.empty()) cg.write("cpu.max", max, f + (c.quota ? "/quota" : "/period"));
    if (c.burst) cg.write("cpu.max.burst", std::to_string(*c.burst), f + "/burst");
}

void apply_cpuset(const CgroupDir& cg, const spec::CpuResources& c) {
    if (!cpuset_is_set(c)) return;
    const std::string f = kField;
    // mems before cpus, in runc's order.
    if (c.mems && !c.mems->empty()) cg.write("cpuset.mems", *c.mems, f + "/mems");
    if (c.cpus && !c.cpus->empty()) cg.write("cpuset.cpus", *c.cpus, f + "/cpus");
}

}  // namespace ocirt::cgroup::v2
