#pragma once
/// The container's filesystem: mounts of config.json applied in order inside the rootfs, default
/// devices, pivot_root, read-only root. Runs in the init stage, inside the new mount namespace.

#include <string>
#include <vector>

#include "ocirt/mount/idmapped_mounts.hpp"
#include "ocirt/spec/config.hpp"
#include "ocirt/sys/fd.hpp"

namespace ocirt::mount {

/// What the rootfs set-up needs to know besides the config.
struct RootfsContext {
    std::string rootfs;       ///< absolute host path of the rootfs
    std::string bundle;       ///< absolute bundle path (relative bind sources resolve against it)
    bool in_user_namespace = false;
    bool new_network_namespace = false;
    IdmappedTrees idmapped;   ///< prepared before the user namespace (idmapped_mounts.hpp)
};

/// Phase 1, before the createRuntime hooks: propagation of "/", the rootfs bind mount, every
/// config mount, the default devices and /dev symlinks.
void prepare_rootfs(const spec::Config& config, const RootfsContext& ctx);

/// Phase 2, after the createContainer hooks: pivot_root (or MS_MOVE + chroot with no_pivot),
/// then rootfsPropagation and root.readonly.
void enter_rootfs(const spec::Config& config, const RootfsContext& ctx, bool no_pivot);

/// Binds the pty slave (an open fd) onto <rootfs>/dev/console; before pivot_root, while the
/// host's /proc can still name the fd.
void bind_console(const RootfsContext& ctx, int slave_fd);

/// Checks, before anything is mounted, that every mount can be applied (options, types).
void check_mounts(const spec::Config& config);

}  // namespace ocirt::mount
