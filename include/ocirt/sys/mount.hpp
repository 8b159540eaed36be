#pragma once
/// Mounts: mount(2) and friends, pivot_root, chroot, chdir.

#include <string>

namespace ocirt::sys {

/// mount(source, target, type, flags, data). `what` names the mount in errors.
void mount_fs(const std::string& source, const std::string& target, const std::string& type, unsigned long flags,
              const std::string& data, const std::string& what);
/// umount2(target, flags); EINVAL/ENOENT (not mounted) is not an error.
void unmount(const std::string& target, int flags);
/// pivot_root(new_root, put_old).
void pivot_root(const std::string& new_root, const std::string& put_old);
/// chroot(path).
void change_root(const std::string& path);
/// chdir(path).
void change_dir(const std::string& path);
/// False if the working directory lies outside this process's root (getcwd ENOENT).
bool cwd_reachable();
/// fchdir(fd).
void change_dir_fd(int fd);

}  // namespace ocirt::sys
