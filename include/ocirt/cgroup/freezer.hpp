#pragma once
/// Freezing and thawing a cgroup through cgroup.freeze, waiting for cgroup.events to agree.

#include "ocirt/cgroup/cgroup_dir.hpp"

namespace ocirt::cgroup {

/// Writes 1 to cgroup.freeze and waits (bounded) until cgroup.events says "frozen 1".
void freeze(const CgroupDir& cg);
/// Writes 0 to cgroup.freeze and waits (bounded) until cgroup.events says "frozen 0".
void thaw(const CgroupDir& cg);
/// True if the cgroup is asked to be frozen (cgroup.freeze reads 1); false without the file.
bool is_frozen(const CgroupDir& cg);

}  // namespace ocirt::cgroup
