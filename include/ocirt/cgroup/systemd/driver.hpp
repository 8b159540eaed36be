#pragma once
/// The systemd cgroup driver (--systemd-cgroup), as runc's libcontainer/cgroups/systemd v2
/// manager: the container's cgroup is a transient unit systemd makes (a scope, or a slice when
/// the name ends in ".slice"), its resources are unit properties where systemd has one and
/// files otherwise. manager.cpp dispatches here when a ContainerCgroup has a unit.

#include <sys/types.h>

#include <string>
#include <vector>

#include "ocirt/cgroup/controllers.hpp"
#include "ocirt/cgroup/manager.hpp"

namespace ocirt::cgroup::systemd {

/// The unit and cgroup of container `id`. Throws when systemd is not PID 1 or the host is not
/// a unified cgroup v2 host. With `user` (rootless) the unit is the calling user's systemd's,
/// reached on the user bus: default slice user.slice, the cgroup below the manager's own
/// (its ControlGroup property), as runc's rootless systemd manager.
ContainerCgroup plan(const spec::Config& c, const std::string& id, bool user);
/// Starts the unit with its properties (StartTransientUnit, waiting for the job), then writes
/// what has no property to its files and installs the device filter. A scope is started
/// holding a placeholder process (systemd refuses an empty scope), which hand_over ends.
void setup(ContainerCgroup& cg, const spec::Config& c);
/// Checks that the controllers `needs` can be used for the unit's cgroup (for the user's systemd:
/// delegated to it) and returns the directory from which enable_controllers may write (the mount
/// point, or the user manager's cgroup).
std::string require_controllers(const ContainerCgroup& cg, const std::vector<ControllerNeed>& needs);
/// Once the init stage runs as `init_pid`: puts it in the scope and ends the placeholder.
void hand_over(ContainerCgroup& cg, pid_t init_pid);
/// The user's systemd's unit (rootless): asks it to move `pid` into the unit's cgroup (or
/// cg.systemd_subcgroup below it) with AttachProcessesToUnit, since the user may not move a process
/// out of a cgroup it does not own (systemd, refused itself, asks the system manager). Nothing
/// for the system's units, which the process joins itself.
void attach_process(const ContainerCgroup& cg, pid_t pid);
/// Ends the placeholder if it still runs (a create that failed before hand_over).
void end_placeholder(const ContainerCgroup& cg) noexcept;
/// StopUnit (waiting for the job) and ResetFailedUnit: after it, systemd knows no such unit.
void stop(const ContainerCgroup& cg);
/// SetUnitProperties with the properties of `r` (and the device list when `r` has one).
void set_properties(const ContainerCgroup& cg, const spec::Resources& r, const spec::Config& config);

}  // namespace ocirt::cgroup::systemd
