#pragma once
/// The container process's execution settings beyond identity and limits: execution domain
/// (linux.personality), CPU scheduling (process.scheduler), I/O priority (process.ioPriority),
/// CPU affinity (process.execCPUAffinity) and NUMA memory policy (linux.memoryPolicy).
/// Each has a check (pure, run by create before anything is touched, throwing with the JSON
/// path at fault) and an apply (run by the init stage on itself).

#include <string>
#include <vector>

#include "ocirt/spec/config.hpp"

namespace ocirt::process {

// personality.cpp
void check_personality(const spec::Personality& p);
void apply_personality(const spec::Personality& p);

// scheduler.cpp
void check_scheduler(const spec::Scheduler& s);
void apply_scheduler(const spec::Scheduler& s);

// io_priority.cpp
void check_io_priority(const spec::IoPriority& p);
void apply_io_priority(const spec::IoPriority& p);

// cpu_affinity.cpp
/// Parses a CPU list ("0-3,6"); throws naming `field` on a malformed one.
std::vector<unsigned> parse_cpu_list(const std::string& list, const std::string& field);
void check_cpu_affinity(const spec::ExecCpuAffinity& a);
/// The "initial" set: applied as soon as the init stage starts.
void apply_initial_cpu_affinity(const spec::ExecCpuAffinity& a);
/// The "final" set: applied right before execve, once in the container's cgroup.
void apply_final_cpu_affinity(const spec::ExecCpuAffinity& a);

// memory_policy.cpp
void check_memory_policy(const spec::MemoryPolicy& m);
void apply_memory_policy(const spec::MemoryPolicy& m);

/// Every check above for the fields the config sets.
void check_process_extras(const spec::Config& c);

// Names each setting accepts, for `ocirt features` (the same tables the checks use).
std::vector<std::string> personality_domains();
std::vector<std::string> scheduler_policies();
std::vector<std::string> scheduler_flags();
std::vector<std::string> io_priority_classes();
std::vector<std::string> memory_policy_modes();
std::vector<std::string> memory_policy_flags();

}  // namespace ocirt::process
