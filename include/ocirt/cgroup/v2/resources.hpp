#pragma once
/// linux.resources → cgroup v2 interface files. One apply_* per resource group, each in its own
/// file under src/cgroup/v2/, all of the same shape: (cgroup, the config's part, mode).

#include <cstdint>
#include <string>

#include "ocirt/cgroup/cgroup_dir.hpp"
#include "ocirt/spec/config.hpp"

namespace ocirt::cgroup::v2 {

/// Why resources are applied: at create, or by `update` on a live container.
enum class ApplyMode { create, update };

/// Whether a resource group asks for anything, as apply_* reads it. needed_controllers asks the
/// same predicates, so a value that writes nothing (0 for a weight, shares, quota, period, limit,
/// reservation or swap; a pids limit of 0 or below) needs no controller either. What engines
/// send for "unset" (dockerd's blockIO.weight 0, docker update's cpu zeros) thus runs anywhere.
bool memory_is_set(const spec::MemoryResources& m);
/// cpu.weight, cpu.max, cpu.max.burst or cpu.idle would be written.
bool cpu_is_set(const spec::CpuResources& c);
/// cpuset.cpus or cpuset.mems would be written.
bool cpuset_is_set(const spec::CpuResources& c);
/// A pids limit above 0. A limit of 0 or below means none (runtime-spec before 1.3, crun, and
/// what podman 4.3 sends for "unlimited"): "max", the kernel's default, which needs no controller.
bool pids_is_set(const spec::Resources& r);
/// io.weight (io.bfq.weight) or io.max would be written.
bool io_is_set(const spec::BlockIoResources& b);
/// Some rdma entry has a limit.
bool rdma_is_set(const std::map<std::string, spec::RdmaLimit>& rdma);

/// memory → memory.max, memory.low, memory.swap.max (memory.go's rules: swap is limit+swap).
void apply_memory(const CgroupDir& cg, const spec::MemoryResources& m, ApplyMode mode);
/// cpu → cpu.weight, cpu.max, cpu.max.burst, cpu.idle.
void apply_cpu(const CgroupDir& cg, const spec::CpuResources& c);
/// cpu.cpus / cpu.mems → cpuset.cpus, cpuset.mems.
void apply_cpuset(const CgroupDir& cg, const spec::CpuResources& c);
/// pids.limit → pids.max; a limit <= 0 is "max", written only where pids.max exists (a cgroup
/// without the controller has no limit to lift).
void apply_pids(const CgroupDir& cg, const spec::Resources& r);
/// blockIO → io.bfq.weight or io.weight, io.max.
void apply_io(const CgroupDir& cg, const spec::BlockIoResources& b);
/// hugepageLimits → hugetlb.<size>.max (and .rsvd.max where the kernel has it).
void apply_hugetlb(const CgroupDir& cg, const std::vector<spec::HugepageLimit>& limits);
/// rdma → rdma.max.
void apply_rdma(const CgroupDir& cg, const std::map<std::string, spec::RdmaLimit>& rdma);
/// unified → the files named by its keys, verbatim.
void apply_unified(const CgroupDir& cg, const std::map<std::string, std::string>& unified);

/// Every resource group of `r` that is set, unified last so it may override the others.
void apply_resources(const CgroupDir& cg, const spec::Resources& r, ApplyMode mode);

/// runc's conversion of cgroup v1 cpu.shares (2..262144) to cpu.weight (1..10000); 0 for 0.
uint64_t cpu_shares_to_weight(uint64_t shares);
/// The cpu.max line of quota/period ("max 100000", "50000 100000", "50000"); empty if neither.
std::string cpu_max_value(const std::optional<int64_t>& quota, const std::optional<uint64_t>& period);
/// runc's conversion of blkio weight (10..1000) to io.weight (1..10000).
uint64_t blkio_weight_to_io_weight(uint64_t weight);
/// memory.swap.max from the spec's swap (= memory+swap) and limit; -1 is "max". Throws naming
/// /linux/resources/memory/swap when swap is set without a limit or below it.
int64_t swap_max_value(int64_t swap, int64_t limit);

}  // namespace ocirt::cgroup::v2
