#pragma once
/// linux.resources → cgroup v1 interface files, as runc's libcontainer/cgroups/fs. One apply_*
/// per controller, each in its own file under src/cgroup/v1/, all of the same shape: (the
/// controller's directory of the container's cgroup, the config's part, mode).

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ocirt/cgroup/cgroup_dir.hpp"
#include "ocirt/cgroup/v2/resources.hpp"
#include "ocirt/spec/config.hpp"

namespace ocirt::cgroup::v1 {

using v2::ApplyMode;

/// The directories of one cgroup, one per mounted v1 hierarchy, by hierarchy key ("cpu,cpuacct",
/// "memory", "name=systemd").
using Dirs = std::map<std::string, std::string>;

/// The directory of the hierarchy that holds `controller`; nullopt if none is mounted.
std::optional<CgroupDir> controller_dir(const Dirs& dirs, const std::string& controller);
/// The directory of `controller`; throws naming `field` when no hierarchy holds it.
CgroupDir require_controller(const Dirs& dirs, const std::string& controller, const std::string& field);

/// memory → memory.limit_in_bytes, memory.memsw.limit_in_bytes (in the order that keeps
/// memsw >= limit), memory.soft_limit_in_bytes, memory.swappiness, memory.oom_control,
/// memory.kmem(.tcp).limit_in_bytes.
void apply_memory(const CgroupDir& cg, const spec::MemoryResources& m, ApplyMode mode);
/// cpu → cpu.shares, cpu.cfs_period_us, cpu.cfs_quota_us, cpu.cfs_burst_us, cpu.rt_period_us,
/// cpu.rt_runtime_us, cpu.idle.
void apply_cpu(const CgroupDir& cg, const spec::CpuResources& c);
/// mkdir of each missing cpuset directory from `mount_point` down to `dir`, recorded in `created`
/// as it goes, each given its parent's cpuset.cpus/cpuset.mems where it has none (runc's
/// ensureParent/copyIfNeeded: a new v1 cpuset is empty and no task may join it). A parent made
/// here also gets cgroup.clone_children before its child is made, as LXC sets it: the kernel
/// then gives each directory made below it (this container's, and the next containers') the
/// parent's cpus/mems and the flag at mkdir, where a write of cpuset.cpus costs 0.6-0.8 ms (a
/// sched-domain rebuild). A parent ocirt did not make keeps its flag.
void make_cpuset_dirs(const std::string& mount_point, const std::string& dir, std::vector<std::string>& created);
/// cpu.cpus / cpu.mems → cpuset.cpus, cpuset.mems.
void apply_cpuset(const CgroupDir& cg, const spec::CpuResources& c);
/// pids.limit → pids.max ("max" for a limit <= 0).
void apply_pids(const CgroupDir& cg, const spec::Resources& r);
/// blockIO → blkio.weight (or blkio.bfq.weight), blkio.leaf_weight, blkio.weight_device,
/// blkio.throttle.{read,write}_{bps,iops}_device.
void apply_blkio(const CgroupDir& cg, const spec::BlockIoResources& b);
/// hugepageLimits → hugetlb.<size>.limit_in_bytes (and .rsvd.limit_in_bytes where it exists).
void apply_hugetlb(const CgroupDir& cg, const std::vector<spec::HugepageLimit>& limits);
/// network.classID → net_cls.classid.
void apply_net_cls(const CgroupDir& cg, uint32_t class_id);
/// network.priorities → net_prio.ifpriomap, one "<ifname> <prio>" write each.
void apply_net_prio(const CgroupDir& cg, const std::vector<spec::NetworkPriority>& priorities);

/// The hierarchies `r` needs, with the first field needing each: nothing is written unless all
/// are mounted. Throws naming the field for what v1 cannot do (unified keys on a legacy host).
void check_resources(const Dirs& dirs, const spec::Resources& r, bool has_unified);
/// Every resource group of `r` that is set, in runc's order (devices are apart: apply_devices).
void apply_resources(const Dirs& dirs, const spec::Resources& r, ApplyMode mode);

}  // namespace ocirt::cgroup::v1
