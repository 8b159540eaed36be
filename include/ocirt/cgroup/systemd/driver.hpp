#pragma once
/// The systemd cgroup driver (--systemd-cgroup), as runc's libcontainer/cgroups/systemd v2
/// manager: the container's cgroup is a transient unit systemd makes (a scope, or a slice when
/// the name ends in ".slice"), its resources are unit properties where systemd has one and
/// files otherwise. manager.cpp dispatches here when a ContainerCgroup has a unit.

#include <sys/types.h>

#include <string>

#include "ocirt/cgroup/manager.hpp"

namespace ocirt::cgroup::systemd {

/// The unit and cgroup of container `id`. Throws when systemd is not PID 1 or the host is not
/// a unified cgroup v2 host.
ContainerCgroup plan(const spec::Config& c, const std::string& id);
/// Starts the unit with its properties (StartTransientUnit, waiting for the job), then writes
/// what has no property to its files and installs the device filter. A scope is started
/// holding a placeholder process (systemd refuses an empty scope), which hand_over ends.
void setup(ContainerCgroup& cg, const spec::Config& c);
/// Once the init stage runs as `init_pid`: puts it in the scope and ends the placeholder.
void hand_over(ContainerCgroup& cg, pid_t init_pid);
/// Ends the placeholder if it still runs (a create that failed before hand_over).
void end_placeholder(const ContainerCgroup& cg) noexcept;
/// StopUnit (waiting for the job) and ResetFailedUnit: after it, systemd knows no such unit.
void stop(const ContainerCgroup& cg);
/// SetUnitProperties with the properties of `r` (and the device list when `r` has one).
void set_properties(const ContainerCgroup& cg, const spec::Resources& r, const spec::Config& config);

}  // namespace ocirt::cgroup::systemd
