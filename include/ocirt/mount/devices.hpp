#pragma once
/// Device nodes in the container: linux.devices, runc's default set and the /dev symlinks.

#include <vector>

#include "ocirt/spec/config.hpp"

namespace ocirt::mount {

/// Checks linux.devices before anything is touched: known type, numbers present unless a
/// FIFO, an absolute path with no ".." (it must name a place inside the rootfs); throws naming
/// /linux/devices/N.
void check_devices(const std::vector<spec::Device>& devices);

/// Creates linux.devices and then /dev/{null,zero,full,random,urandom,tty} (those the config
/// does not list itself) inside the rootfs open at `rootfd`: mknod, or in a user namespace,
/// where mknod is refused, bind mounts of the host's node at the same path. A file already at
/// a path must be the requested device. With `dev_from_host` (/dev is a bind of a host
/// directory) nothing is created there: the nodes must already be right.
void create_devices(int rootfd, const std::vector<spec::Device>& devices, bool in_user_namespace, bool dev_from_host);

/// The /dev/fd, stdin, stdout, stderr, ptmx and core symlinks.
void create_dev_symlinks(int rootfd);

}  // namespace ocirt::mount
