#pragma once
/// The processes in a cgroup: listing them (cgroup.procs of it and its descendants), signalling
/// them all, killing them all with cgroup.kill.

#include <sys/types.h>

#include <vector>

#include "ocirt/cgroup/cgroup_dir.hpp"

namespace ocirt::cgroup {

/// The PIDs in the cgroup and every cgroup below it, sorted.
std::vector<pid_t> processes(const CgroupDir& cg);
/// True if a process is in the cgroup or below (cgroup.events "populated 1").
bool populated(const CgroupDir& cg);
/// SIGKILLs every process in the cgroup and below through cgroup.kill (Linux 5.14); false if
/// the kernel has no cgroup.kill.
bool kill_all(const CgroupDir& cg);
/// Sends `sig` to every process listed in the cgroup and below; a process that is already gone
/// is skipped.
void signal_all(const CgroupDir& cg, int sig);

}  // namespace ocirt::cgroup
