#pragma once
/// What a "cgroup" mount inside the container shows on a legacy or hybrid host: each mounted v1
/// hierarchy, with the container's own directory in it (runc's getCgroupMounts). The parent
/// works it out; the init stage mounts it (mount/mounts.hpp, RootfsContext::cgroup_v1).

#include <string>
#include <vector>

#include "ocirt/cgroup/manager.hpp"

namespace ocirt::cgroup {

/// One v1 hierarchy as the container's "cgroup" mount shows it.
struct V1MountView {
    std::string name;        ///< its directory below the mount: the host mount point's last part ("cpu,cpuacct", "systemd")
    std::string subsystems;  ///< its key, the options of a fresh mount of it ("cpu,cpuacct", "name=systemd")
    std::string dir;         ///< the container's directory in it, on the host
};

/// The v1 hierarchies of `host`, each once, with the container's directory: from `cg` when it is
/// a v1 driver cgroup, else (no cgroup, --no-cgroup) this process's own cgroup of the hierarchy
/// as /proc/self/cgroup names it, which the init stage inherits. Empty on a unified host (and one
/// without cgroups): there a "cgroup" mount is cgroup2. The cgroup2 hierarchy of a hybrid host is
/// not listed: runc and crun mount only the v1 ones.
std::vector<V1MountView> v1_mount_views(const CgroupHost& host, const ContainerCgroup* cg);

}  // namespace ocirt::cgroup
