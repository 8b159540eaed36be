#include "ocirt/cgroup/v2/resources.hpp"

#include "ocirt/cgroup/controllers.hpp"

namespace ocirt::cgroup::v2 {

void apply_resources(const CgroupDir& cg, const spec::Resources& r, ApplyMode mode) {
    needed_controllers(r);  // rejects what v2 cannot do before anything is written
    if (r.memory) apply_memory(cg, *r.memory, mode);
    if (r.cpu) {
        apply_cpuset(cg, *r.cpu);
        apply_cpu(cg, *r.cpu);
    }
    apply_pids(cg, r);
    if (r.block_io) apply_io(cg, *r.block_io);
    apply_hugetlb(cg, r.hugepage_limits);
    apply_rdma(cg, r.rdma);
    apply_unified(cg, r.unified);
}

}  // namespace ocirt::cgroup::v2
