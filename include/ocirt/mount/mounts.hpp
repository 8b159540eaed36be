#pragma once
/// The container's filesystem: mounts of config.json applied in order inside the rootfs, default
/// devices, pivot_root, read-only root. Runs in the init stage, inside the new mount namespace.

#include <string>
#include <vector>

#include "ocirt/mount/idmapped_mounts.hpp"
#include "ocirt/spec/config.hpp"
#include "ocirt/sys/fd.hpp"

namespace ocirt::mount {

/// One cgroup v1 hierarchy of the host, for a "cgroup" mount on a legacy or hybrid host.
struct CgroupV1Hierarchy {
    std::string name;        ///< its directory below the mount ("memory", "cpu,cpuacct", "systemd")
    std::string subsystems;  ///< the options of a fresh mount of it ("memory", "name=systemd")
    std::string dir;         ///< the container's directory in it, on the host (bound without a cgroup namespace)
};

/// What the rootfs set-up needs to know besides the config.
struct RootfsContext {
    std::string rootfs;       ///< absolute path of the rootfs (in a mount namespace joined by path: there)
    std::string bundle;       ///< absolute bundle path (relative bind sources resolve against it)
    bool in_user_namespace = false;
    bool new_network_namespace = false;
    IdmappedTrees idmapped;   ///< prepared before the user namespace (idmapped_mounts.hpp)
    /// False when the container shares the runtime's mount namespace or joins one by path:
    /// then nothing is mounted and the process is only chrooted into `rootfs`.
    bool own_mount_namespace = true;
    /// The container's cgroup directory in the runtime's hierarchy (for a container without one,
    /// the runtime's own, which it stays in; "" if none): bound read-only on a "cgroup" mount
    /// when cgroup2 cannot be mounted there.
    std::string cgroup_dir;
    /// A legacy or hybrid host's v1 hierarchies: a "cgroup" mount is then a tmpfs holding each
    /// (runc's mountCgroupV1), not cgroup2. Empty on a unified host.
    std::vector<CgroupV1Hierarchy> cgroup_v1;
    /// The container joins a cgroup namespace by path: its root is not the container's cgroup,
    /// so v1 hierarchies are mounted afresh (rooted at that namespace's root). Otherwise each is
    /// the container's directory bound: a cgroup namespace the container makes is rooted there,
    /// and a bind shows what a fresh mount would, without the kernel's walk of the hierarchy.
    bool cgroup_namespace_joined = false;
};

/// Phase 1, before the createRuntime hooks: propagation of "/", the rootfs bind mount, every
/// config mount, the default devices and /dev symlinks. Nothing without an own mount namespace.
void prepare_rootfs(const spec::Config& config, const RootfsContext& ctx);

/// Phase 2, after the createContainer hooks: pivot_root (or MS_MOVE + chroot with no_pivot; only
/// chroot without an own mount namespace), process.cwd created if missing, then root.readonly.
void enter_rootfs(const spec::Config& config, const RootfsContext& ctx, bool no_pivot);

/// Phase 3, once masked and read-only paths are in place (they are clones of mounts, and an
/// unbindable mount cannot be cloned): "/" and everything below it as rootfsPropagation says.
void apply_rootfs_propagation(const spec::Config& config);

/// exec into a container without a mount namespace of its own: chroot into the container
/// process's root, open (O_PATH) at `rootfd` from /proc/<pid>/root.
void enter_container_root(int rootfd);

/// Binds the pty slave (an open fd) onto <rootfs>/dev/console; before pivot_root, while the
/// host's /proc can still name the fd. Nothing without an own mount namespace.
void bind_console(const RootfsContext& ctx, int slave_fd);

/// Checks, before anything is mounted, that every mount can be applied (options, types).
void check_mounts(const spec::Config& config);

/// Checks a config whose container gets no mount namespace of its own (none listed, or one
/// joined by path): ocirt mounts nothing in a namespace it shares with the host or another
/// container, so mounts, masked and read-only paths, devices, root.readonly and
/// rootfsPropagation are errors naming the field.
void check_without_own_mount_namespace(const spec::Config& config, bool joined);

}  // namespace ocirt::mount
