#pragma once
/// A container's cgroup from birth to removal: where it goes (cgroupsPath), creating it with
/// its controllers, resources and device filter (parent side, before the init stage starts),
/// joining it (init side, first thing), updating it live, and removing it.

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ocirt/cgroup/cgroup_dir.hpp"
#include "ocirt/cgroup/hierarchy.hpp"
#include "ocirt/cgroup/stats.hpp"
#include "ocirt/spec/config.hpp"
#include "ocirt/sys/fd.hpp"

namespace ocirt::cgroup {

/// How the container's cgroup is driven: the cgroup v2 hierarchy alone (a unified host), or one
/// directory in every cgroup v1 hierarchy (plus the cgroup2 one on a hybrid host), as runc's fs.
enum class Driver { v2, v1 };

/// "v2" / "v1", as state.json records it.
const char* driver_name(Driver d);

/// Where a container's cgroup is, and what ocirt made for it.
struct ContainerCgroup {
    Driver driver = Driver::v2;
    std::string path;                  ///< in the hierarchy, as /proc/<pid>/cgroup names it: "/ocirt/c1"
    Cgroup2Mount mount;                ///< the cgroup2 mount it is reached through (v1 driver: when `unified`)
    bool unified = true;               ///< the cgroup has a directory in a cgroup2 hierarchy (v1 driver: a hybrid host)
    std::map<std::string, std::string> v1_dirs;  ///< v1 driver: hierarchy key ("cpu,cpuacct") → the cgroup's directory
    CgroupHost host;                   ///< the host's hierarchies, found once when planned or located
    /// What ocirt created, shallowest first: v2 driver, hierarchy paths; v1 driver, the
    /// directories themselves (the hierarchies are several).
    std::vector<std::string> created;
    bool claimed = false;              ///< the cgroup is the container's (made, or found empty, by ocirt)
    std::string systemd_unit;          ///< the systemd driver's unit ("libpod-1.scope"); empty: cgroupfs driver
    std::string systemd_slice;         ///< its slice (at create)
    bool systemd_user = false;         ///< the unit is the calling user's systemd's (rootless), not the system's
    std::string systemd_manager_cgroup;  ///< at create, the user manager's ControlGroup (its delegated subtree)
    std::string systemd_subcgroup;     ///< exec --cgroup: the sub-cgroup below the unit's ("/sub"); "" the unit's own
    pid_t placeholder = 0;             ///< at create, the process holding a new scope until the init stage is in
    bool device_filter = true;         ///< install the device filter (false rootless: see cgroup/rootless.hpp)
    /// The cgroup's directory in the cgroup2 hierarchy; "" for a v1 driver cgroup on a legacy host.
    std::string dir() const;
    /// Its interface files.
    CgroupDir files() const { return CgroupDir(dir()); }
};

/// Where the cgroup of container `id` goes. nullopt when this host has no cgroup2 mount and
/// the config asks for nothing a cgroup does (no cgroupsPath, no resources). With `systemd`
/// (--systemd-cgroup) the systemd driver's unit (cgroup/systemd/driver.hpp). On a hybrid host
/// the cgroup goes in the cgroup2 hierarchy; setup_cgroup refuses limits whose controller v1 holds.
/// `systemd_user` (rootless): the unit is the calling user's systemd's (systemd/driver.hpp).
std::optional<ContainerCgroup> plan_cgroup(const spec::Config& c, const std::string& id, bool systemd,
                                           bool systemd_user = false);
/// Checks that the hierarchy offers every controller the config needs, then creates the
/// cgroup (recording what it made in `cg.created` as it goes), enables the controllers in its
/// ancestors, applies linux.resources and installs the device filter. On an error the caller
/// removes the cgroup with remove_cgroup.
void setup_cgroup(ContainerCgroup& cg, const spec::Config& c);
/// Once the init stage runs as `init_pid`, before anything waits on it: the systemd driver puts
/// it in the new scope and ends the scope's placeholder process. Nothing for cgroupfs.
void hand_over(ContainerCgroup& cg, pid_t init_pid);
/// True when a process cannot join the cgroup by itself and its manager moves it in: the user's
/// systemd's unit (rootless), whose cgroup may share no user-owned ancestor with the caller's.
bool moved_by_manager(const ContainerCgroup& cg);
/// For such a cgroup, asks the manager to move `pid` in (AttachProcessesToUnit); called on the
/// init or exec stage before it is sent its bootstrap, so that its own join (through the
/// cgroup.procs fd) is then within the cgroup. Nothing for other cgroups.
void attach_by_manager(const ContainerCgroup& cg, pid_t pid);
/// The file of the cgroup in each of its hierarchies that a single-threaded stage joins by,
/// open for writing, for the init stage to join with (each fd in turn, before it unshares
/// anything): a v1 directory's `tasks` (no global lock: manager.cpp says why), then the
/// cgroup2 directory's cgroup.procs, last.
std::vector<sys::Fd> open_for_join(const ContainerCgroup& cg);
/// The cgroup2 directory, for clone3(CLONE_INTO_CGROUP): the v2 driver's, or the v1 driver's on
/// a hybrid host (whose v1 hierarchies are still joined through open_for_join's fds); nullopt
/// for a systemd unit (whose hand_over moves the process itself) and on a legacy host.
std::optional<sys::Fd> open_for_clone(const ContainerCgroup& cg);
/// Moves the calling process (single-threaded) into the cgroup whose `tasks` or cgroup.procs
/// `procs_fd` is (writes "0"). The permission checks use the credentials of whoever opened the fd.
void join(int procs_fd);
/// What state.json keeps of a container's cgroup.
struct CgroupRecord {
    std::string path;
    std::vector<std::string> created;
    std::string driver;                          ///< driver_name(); "" (older records) is v2
    std::map<std::string, std::string> v1_dirs;  ///< v1 driver: hierarchy key → directory ("" → the cgroup2 one)
    std::string systemd_unit;                    ///< the systemd driver's unit; empty: cgroupfs
    bool systemd_user = false;                   ///< the unit is the user's systemd's (the user bus)
};
/// The record of a cgroup.
CgroupRecord record_of(const ContainerCgroup& cg);
/// The record create saves before setup_cgroup, naming in `created` the directories setup will
/// make (those missing now), so that a create killed mid-way can be undone; nullopt when setup
/// makes none (an existing cgroup is recorded only once setup has claimed it). The systemd
/// driver's unit is recorded after setup.
std::optional<CgroupRecord> planned_record(const ContainerCgroup& cg);
/// A recorded cgroup, found again (v2: through this process's cgroup2 mount).
ContainerCgroup locate(const CgroupRecord& rec);
/// The same with the host's hierarchies already found (`list` finds them once for all).
ContainerCgroup locate(const CgroupRecord& rec, const CgroupHost& host);
/// A recorded v2 cgroup (older callers).
inline ContainerCgroup locate(const std::string& path, const std::vector<std::string>& created) {
    return locate(CgroupRecord{path, created, "", {}, "", false});
}
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

/// Freezes the container's cgroup (cgroup.freeze, or the v1 freezer).
void freeze(const ContainerCgroup& cg);
/// Thaws it.
void thaw(const ContainerCgroup& cg);
/// True if it is frozen (asked to be); false when it cannot tell.
bool is_frozen(const ContainerCgroup& cg);
/// The same for a recorded cgroup, without building its ContainerCgroup (a copy of the host's
/// hierarchies) for a v1 driver record, whose freezer directory the record names: `list` asks
/// it of every container.
bool is_frozen(const CgroupRecord& rec, const CgroupHost& host);
/// The PIDs in the cgroup and below, sorted (every hierarchy's, once each).
std::vector<pid_t> processes(const ContainerCgroup& cg);
/// Sends `sig` to every process in the cgroup: cgroup.kill for SIGKILL on v2; on v1 frozen
/// first so nothing forks away, then thawed (runc's signalAllProcesses).
void signal_all(const ContainerCgroup& cg, int sig);
/// The cgroup's statistics, whatever its driver.
Stats read_stats(const ContainerCgroup& cg);
/// How many OOM kills the cgroup has seen (memory.events oom_kill, v1 memory.oom_control).
uint64_t oom_kills(const ContainerCgroup& cg);

}  // namespace ocirt::cgroup
