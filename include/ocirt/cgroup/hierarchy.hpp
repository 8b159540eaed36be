#pragma once
/// Where the cgroup v2 hierarchy is: the cgroup2 mount found in /proc/self/mountinfo, and this
/// process's own cgroup from /proc/self/cgroup. Nothing here assumes /sys/fs/cgroup.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ocirt::cgroup {

/// A cgroup mount as this process sees it (cgroup2, or one v1 hierarchy in V1Hierarchy).
struct Cgroup2Mount {
    std::string mount_point;  ///< e.g. /sys/fs/cgroup or /sys/fs/cgroup/unified
    std::string root = "/";   ///< the hierarchy path mounted there (field 4 of mountinfo)
};

/// The cgroup2 mount in a mountinfo text: /sys/fs/cgroup when it is cgroup2, else the first
/// cgroup2 mount whose root is "/", else the first at all; nullopt without one.
std::optional<Cgroup2Mount> find_cgroup2_mount(const std::string& mountinfo);
/// What cgroup hierarchies this host mounts, as the mount table shows them.
enum class HostKind {
    unified,  ///< cgroup2 on /sys/fs/cgroup, or cgroup2 and no v1 controller mounted anywhere
    hybrid,   ///< v1 controller hierarchies beside a cgroup2 mount (systemd's "hybrid": /sys/fs/cgroup/unified)
    legacy,   ///< v1 controller hierarchies only
    none,     ///< no cgroup mount at all
};

/// One mounted cgroup v1 hierarchy: its controllers (or its name) and where it is mounted.
struct V1Hierarchy {
    std::string key;                       ///< "cpu,cpuacct", "memory", "name=systemd": as /proc/<pid>/cgroup names it
    std::vector<std::string> controllers;  ///< "cpu", "cpuacct"; empty for a named hierarchy
    Cgroup2Mount mount;                    ///< mount point and the hierarchy path mounted there
};

/// The cgroup hierarchies of this host: which kind, the cgroup2 mount, and every v1 hierarchy.
struct CgroupHost {
    HostKind kind = HostKind::none;
    std::optional<Cgroup2Mount> v2;
    std::map<std::string, std::string> v1;  ///< v1 controller ("memory", "blkio") → its mount point
    std::vector<V1Hierarchy> v1_hierarchies;  ///< each v1 hierarchy once (the first mount of it), named ones too
};

/// The host kind of a mountinfo text. cgroup2 on /sys/fs/cgroup is a unified host whatever v1
/// mounts the table still lists (a cgroup2 mounted over a hybrid's tmpfs hides them). The one
/// place that tells the kinds apart.
CgroupHost find_cgroup_host(const std::string& mountinfo);
/// The cgroup hierarchies of this process's mount namespace (reads /proc/self/mountinfo).
CgroupHost discover_host();
/// "unified", "hybrid", "legacy", "none".
const char* host_kind_name(HostKind kind);

/// The "0::<path>" entry of a /proc/<pid>/cgroup text; nullopt without one.
std::optional<std::string> unified_entry(const std::string& proc_cgroup);
/// This process's cgroup v2 path (reads /proc/self/cgroup); "/" when it has no v2 entry.
std::string own_cgroup();
/// This process's cgroup2 directory on a unified host (what a container without a cgroup of
/// its own stays in); "" elsewhere, or when the cgroup2 mount does not show it.
std::string own_cgroup_dir();
/// The v1 entries of a /proc/<pid>/cgroup text: hierarchy key ("cpu,cpuacct", "name=systemd") → path.
std::map<std::string, std::string> v1_entries(const std::string& proc_cgroup);

/// Cleans a cgroup path lexically: absolute, no empty, "." or ".." components (".." never
/// climbs above "/"), as runc's CleanPath does for cgroupsPath.
std::string clean_path(const std::string& path);
/// The hierarchy path of a container's cgroup from linux.cgroupsPath: absolute paths are taken
/// as they are (relative to the cgroup namespace root), relative ones go under the parent of the
/// caller's cgroup (runc: the caller's own cgroup usually holds processes, so controllers cannot
/// be enabled below it), and an absent one is /ocirt/<id>.
std::string resolve_cgroup_path(const std::optional<std::string>& cgroups_path, const std::string& id,
                                const std::string& own);
/// The directory of hierarchy path `path` under the mount; throws if the mount does not show it.
std::string directory_of(const Cgroup2Mount& m, const std::string& path);
/// Each directory from just below `top` down to `dir` (which lies under `top`), top first:
/// "/sys/fs/cgroup/memory", ".../memory/ocirt/c1" -> ".../memory/ocirt", ".../memory/ocirt/c1".
std::vector<std::string> levels_below(const std::string& top, const std::string& dir);

}  // namespace ocirt::cgroup
