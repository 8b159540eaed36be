#pragma once
/// A container's cgroup from birth to removal: where it goes (cgroupsPath), creating it with
/// its controllers, resources and device filter (parent side, before the init stage starts),
/// joining it (init side, first thing), updating it live, and removing it.

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "ocirt/cgroup/cgroup_dir.hpp"
#include "ocirt/cgroup/hierarchy.hpp"
#include "ocirt/spec/config.hpp"
#include "ocirt/sys/fd.hpp"

namespace ocirt::cgroup {

/// Where a container's cgroup is, and what ocirt made for it.
struct ContainerCgroup {
    std::string path;                  ///< in the hierarchy, as /proc/<pid>/cgroup names it: "/ocirt/c1"
    Cgroup2Mount mount;                ///< the cgroup2 mount it is reached through
    CgroupHost host;                   ///< the host's hierarchies, found once when planned or located
    std::vector<std::string> created;  ///< hierarchy paths ocirt created, shallowest first
    bool claimed = false;              ///< the cgroup is the container's (made, or found empty, by ocirt)
    std::string systemd_unit;          ///< the systemd driver's unit ("libpod-1.scope"); empty: cgroupfs driver
    std::string systemd_slice;         ///< its slice (at create)
    pid_t placeholder = 0;             ///< at create, the process holding a new scope until the init stage is in
    /// The cgroup's directory.
    std::string dir() const;
    /// Its interface files.
    CgroupDir files() const { return CgroupDir(dir()); }
};

/// Where the cgroup of container `id` goes. nullopt when this host has no cgroup2 mount and
/// the config asks for nothing a cgroup does (no cgroupsPath, no resources). With `systemd`
/// (--systemd-cgroup) the systemd driver's unit (cgroup/systemd/driver.hpp). On a hybrid host
/// the cgroup goes in the cgroup2 hierarchy; setup_cgroup refuses limits whose controller v1 holds.
std::optional<ContainerCgroup> plan_cgroup(const spec::Config& c, const std::string& id, bool systemd);
/// Checks that the hierarchy offers every controller the config needs, then creates the
/// cgroup (recording what it made in `cg.created` as it goes), enables the controllers in its
/// ancestors, applies linux.resources and installs the device filter. On an error the caller
/// removes the cgroup with remove_cgroup.
void setup_cgroup(ContainerCgroup& cg, const spec::Config& c);
/// Once the init stage runs as `init_pid`, before anything waits on it: the systemd driver puts
/// it in the new scope and ends the scope's placeholder process. Nothing for cgroupfs.
void hand_over(ContainerCgroup& cg, pid_t init_pid);
/// cgroup.procs of the cgroup, open for writing, for the init stage to join with.
sys::Fd open_for_join(const ContainerCgroup& cg);
/// Moves the calling process into the cgroup whose cgroup.procs `procs_fd` is (writes "0").
/// The permission checks use the credentials of whoever opened the fd.
void join(int procs_fd);
/// A recorded cgroup, found again through this process's cgroup2 mount; `systemd_unit` is the
/// systemd driver's unit recorded with it (empty: cgroupfs).
ContainerCgroup locate(const std::string& path, const std::vector<std::string>& created,
                       const std::string& systemd_unit = "");
/// The existing cgroup `relative` below `cg` (exec --cgroup); throws if the path leaves `cg`
/// or no such cgroup exists.
ContainerCgroup sub_cgroup(const ContainerCgroup& cg, const std::string& relative);
/// Kills what is left in the cgroup and below it (cgroup.kill, or SIGKILL to each process), waits
/// until it is empty, removes it with every cgroup its processes made below it (deepest first),
/// then the directories ocirt created above it (those still empty); the systemd driver then
/// stops the unit (StopUnit, waiting) and resets it, so that systemd knows it no more.
void remove_cgroup(const ContainerCgroup& cg);
/// Applies new resources to a live container's cgroup (`update`); a devices list replaces the
/// device filter (`config` supplies linux.devices and the defaults). The systemd driver sets the
/// unit's properties first (SetUnitProperties), then the files.
void update_cgroup(const ContainerCgroup& cg, const spec::Resources& r, const spec::Config& config);

}  // namespace ocirt::cgroup
