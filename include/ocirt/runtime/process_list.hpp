#pragma once
/// Finding a container's processes on the host without cgroups: the members of its pid
/// namespace, or, when it shares ours, its init process and that process's descendants.

#include <sys/types.h>

#include <vector>

namespace ocirt::runtime {

/// The host PIDs of the processes belonging to the container whose init is `init_pid`.
std::vector<pid_t> processes_of(pid_t init_pid);

/// True if `init_pid` is the init of a PID namespace other than ours: when it dies the kernel
/// kills every other process of that namespace, so nobody needs to find them (processes_of
/// reads a file of every process on the host).
bool owns_pid_namespace(pid_t init_pid);

}  // namespace ocirt::runtime
