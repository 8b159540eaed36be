#pragma once
/// Device nodes in the container's /dev: runc's default set and its symlinks.

namespace ocirt::mount {

/// Creates /dev/{null,zero,full,random,urandom,tty} (mknod, or bind mounts of the host nodes in a
/// user namespace where mknod is not allowed) and the /dev/fd, stdin, stdout, stderr, ptmx and
/// core symlinks, inside the rootfs open at `rootfd`.
void create_default_devices(int rootfd, bool in_user_namespace);

}  // namespace ocirt::mount
