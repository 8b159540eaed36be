#pragma once
/// Finding a container's processes on the host without cgroups: the members of its pid
/// namespace, or, when it shares ours, its init process and that process's descendants.

#include <sys/types.h>

#include <vector>

namespace ocirt::runtime {

/// The host PIDs of the processes belonging to the container whose init is `init_pid`.
std::vector<pid_t> processes_of(pid_t init_pid);

}  // namespace ocirt::runtime
