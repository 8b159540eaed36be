#pragma once
/// The cgroup of a rootless container (runc's rootless cgroup manager): the planned cgroup is
/// used when it was delegated to the caller (its directories writable); otherwise the container
/// runs without one when the config asks for no limits, and is refused when it does. An unprivileged
/// caller gets no device filter (an eBPF program cannot be loaded without privilege; v1's
/// devices files cannot be written): the mount layer provides the allowed devices as bind
/// mounts of the host's nodes instead.

#include <optional>
#include <string>

#include "ocirt/cgroup/manager.hpp"
#include "ocirt/spec/config.hpp"

namespace ocirt::cgroup {

/// True if linux.resources asks for anything a controller applies (devices aside).
bool asks_limits(const spec::Config& c);
/// True if this process may create (or already owns the files of) every directory of `cg`, and
/// for its cgroup2 directory also move processes there (cgroup.procs of the common ancestor of
/// its own cgroup and the container's writable).
bool delegated(const ContainerCgroup& cg);
/// plan_cgroup for a rootless caller, as described above; `unprivileged` (not real root:
/// --rootless=true given to root keeps the device filter) drops the device filter.
std::optional<ContainerCgroup> plan_rootless(const spec::Config& c, const std::string& id, bool systemd,
                                             bool unprivileged);

}  // namespace ocirt::cgroup
