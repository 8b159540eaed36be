#pragma once
/// The fd-based mount API (open_tree, move_mount, fsopen/fsmount, mount_setattr): mounts made
/// and attached by file descriptor, so that no path string (and no /proc/self/fd link of a
/// possibly fake /proc) is resolved between checking a target and mounting on it.

#include <cstdint>
#include <string>

#include "ocirt/sys/fd.hpp"

namespace ocirt::sys {

/// MOUNT_ATTR_* bits to set and to clear, and the propagation to apply, for mount_setattr.
struct MountAttributes {
    uint64_t set = 0;
    uint64_t clear = 0;
    int userns_fd = -1;  ///< with MOUNT_ATTR_IDMAP in `set`: the user namespace giving the mapping
    bool empty() const { return set == 0 && clear == 0; }
};

/// open_tree(dirfd, path, OPEN_TREE_CLONE [| AT_RECURSIVE]): a detached copy of the mount (tree)
/// at path. `path` empty means dirfd itself (AT_EMPTY_PATH).
Fd clone_mount_tree(int dirfd, const std::string& path, bool recursive, const std::string& what);
/// move_mount(from_fd, "", to_fd, "", F_EMPTY_PATH | T_EMPTY_PATH): attaches the detached
/// mount `from_fd` on top of the file or directory `to_fd`.
void attach_mount(int from_fd, int to_fd, const std::string& what);
/// fsopen(type) + fsconfig(key=value...) + FSCONFIG_CMD_CREATE + fsmount(attr): a new, detached
/// filesystem instance. `options` is a comma-separated list as in mount(8) data.
Fd new_detached_fs(const std::string& type, const std::string& options, uint64_t mount_attr, const std::string& what);
/// mount_setattr(fd, "", AT_EMPTY_PATH [| AT_RECURSIVE], attr).
void set_mount_attributes(int fd, bool recursive, const MountAttributes& attr, const std::string& what);

}  // namespace ocirt::sys
