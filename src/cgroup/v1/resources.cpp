#include "ocirt/cgroup/v1/resources.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cgroup::v1 {
namespace {

bool cpu_is_set(const spec::CpuResources& c) {
    return c.shares.value_or(0) != 0 || c.quota.value_or(0) != 0 || c.period.value_or(0) != 0 || c.burst || c.idle ||
           c.realtime_period.value_or(0) != 0 || c.realtime_runtime.value_or(0) != 0;
}

bool memory_is_set(const spec::MemoryResources& m) {
    return m.limit.value_or(0) != 0 || m.swap.value_or(0) != 0 || m.reservation.value_or(0) != 0 ||
           m.kernel_tcp.value_or(0) != 0 || m.disable_oom_killer.value_or(false) ||
           (m.swappiness && static_cast<int64_t>(*m.swappiness) != -1);
}

bool blkio_is_set(const spec::BlockIoResources& b) {
    return b.weight.value_or(0) != 0 || b.leaf_weight.value_or(0) != 0 || !b.weight_device.empty() ||
           !b.throttle_read_bps_device.empty() || !b.throttle_write_bps_device.empty() ||
           !b.throttle_read_iops_device.empty() || !b.throttle_write_iops_device.empty();
}

}  // namespace

void check_resources(const Dirs& dirs, const spec::Resources& r, bool has_unified) {
    const std::string res = "/linux/resources";
    if (r.memory && memory_is_set(*r.memory)) require_controller(dirs, "memory", res + "/memory");
    if (r.cpu && cpu_is_set(*r.cpu)) require_controller(dirs, "cpu", res + "/cpu");
    if (r.cpu && ((r.cpu->cpus && !r.cpu->cpus->empty()) || (r.cpu->mems && !r.cpu->mems->empty())))
        require_controller(dirs, "cpuset", res + "/cpu");
    if (r.has_pids && r.pids_limit.value_or(0) > 0) require_controller(dirs, "pids", res + "/pids");
    if (r.block_io && blkio_is_set(*r.block_io)) require_controller(dirs, "blkio", res + "/blockIO");
    if (r.network && r.network->class_id.value_or(0) != 0) require_controller(dirs, "net_cls", res + "/network/classID");
    if (r.network && !r.network->priorities.empty()) require_controller(dirs, "net_prio", res + "/network/priorities");
    if (v2::rdma_is_set(r.rdma)) require_controller(dirs, "rdma", res + "/rdma");
    if (!r.unified.empty() && !has_unified)
        fail("{}/unified/{}: unified (cgroup v2) keys need a cgroup v2 hierarchy; this host has cgroup v1 only", res,
             r.unified.begin()->first);
}

void apply_resources(const Dirs& dirs, const spec::Resources& r, ApplyMode mode) {
    // runc's subsystem order: cpuset, cpu, memory, pids, blkio, hugetlb, net_prio, net_cls.
    if (r.cpu) {
        if (auto d = controller_dir(dirs, "cpuset")) v1::apply_cpuset(*d, *r.cpu);
        if (auto d = controller_dir(dirs, "cpu")) v1::apply_cpu(*d, *r.cpu);
    }
    if (r.memory) {
        if (auto d = controller_dir(dirs, "memory")) v1::apply_memory(*d, *r.memory, mode);
    }
    if (auto d = controller_dir(dirs, "pids")) v1::apply_pids(*d, r);
    if (r.block_io) {
        if (auto d = controller_dir(dirs, "blkio")) apply_blkio(*d, *r.block_io);
    }
    if (!r.hugepage_limits.empty()) {
        if (auto d = controller_dir(dirs, "hugetlb")) v1::apply_hugetlb(*d, r.hugepage_limits);
    }
    if (r.network) {
        if (auto d = controller_dir(dirs, "net_prio")) apply_net_prio(*d, r.network->priorities);
        if (auto d = controller_dir(dirs, "net_cls")) apply_net_cls(*d, r.network->class_id.value_or(0));
    }
    if (!r.rdma.empty()) {
        if (auto d = controller_dir(dirs, "rdma")) v2::apply_rdma(*d, r.rdma);  // rdma.max is the same file on v1
    }
}

}  // namespace ocirt::cgroup::v1
