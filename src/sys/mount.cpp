#include "ocirt/sys/mount.hpp"

#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ocirt/util/error.hpp"

namespace ocirt::sys {

void mount_fs(const std::string& source, const std::string& target, const std::string& type, unsigned long flags,
              const std::string& data, const std::string& what) {
    if (::mount(source.empty() ? nullptr : source.c_str(), target.c_str(), type.empty() ? nullptr : type.c_str(),
                flags, data.empty() ? nullptr : data.c_str()) < 0)
        throw_errno("mount {}", what);
}

void unmount(const std::string& target, int flags) {
    if (::umount2(target.c_str(), flags) < 0 && errno != EINVAL && errno != ENOENT) throw_errno("unmount {}", target);
}

void pivot_root(const std::string& new_root, const std::string& put_old) {
    if (::syscall(SYS_pivot_root, new_root.c_str(), put_old.c_str()) < 0) throw_errno("pivot_root");
}

void change_root(const std::string& path) {
    if (::chroot(path.c_str()) < 0) throw_errno("chroot {}", path);
}

void change_dir(const std::string& path) {
    if (::chdir(path.c_str()) < 0) throw_errno("chdir {}", path);
}

bool cwd_reachable() {
    char buf[4096];
    if (::getcwd(buf, sizeof buf) != nullptr) return buf[0] == '/';
    if (errno == ENOENT) return false;  // the kernel's "(unreachable)": outside our root
    throw_errno("getcwd");
}

void change_dir_fd(int fd) {
    if (::fchdir(fd) < 0) throw_errno("chdir");
}

}  // namespace ocirt::sys
