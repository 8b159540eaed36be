#include "ocirt/sys/mount_api.hpp"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"

#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif

namespace ocirt::sys {
namespace {

// glibc 2.36 has no wrappers for these; the kernel ABI is stable.
struct MountAttrAbi {
    uint64_t attr_set;
    uint64_t attr_clr;
    uint64_t propagation;
    uint64_t userns_fd;
};

}  // namespace

Fd clone_mount_tree(int dirfd, const std::string& path, bool recursive, const std::string& what) {
    unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0u);
    if (path.empty()) flags |= AT_EMPTY_PATH;
    const long fd = ::syscall(SYS_open_tree, dirfd, path.c_str(), flags);
    if (fd < 0) throw_errno("{}: open_tree", what);
    return Fd(static_cast<int>(fd));
}

void attach_mount(int from_fd, int to_fd, const std::string& what) {
    if (::syscall(SYS_move_mount, from_fd, "", to_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        throw_errno("{}: move_mount", what);
}

Fd new_detached_fs(const std::string& type, const std::string& options, uint64_t mount_attr, const std::string& what) {
    const long fs = ::syscall(SYS_fsopen, type.c_str(), FSOPEN_CLOEXEC);
    if (fs < 0) throw_errno("{}: fsopen {}", what, type);
    Fd fsfd(static_cast<int>(fs));
    for (const auto& opt : util::split(options, ',')) {
        if (opt.empty()) continue;
        const auto eq = opt.find('=');
        const long r = eq == std::string::npos
                           ? ::syscall(SYS_fsconfig, fsfd.get(), FSCONFIG_SET_FLAG, opt.c_str(), nullptr, 0)
                           : ::syscall(SYS_fsconfig, fsfd.get(), FSCONFIG_SET_STRING, opt.substr(0, eq).c_str(),
                                       opt.substr(eq + 1).c_str(), 0);
        if (r < 0) throw_errno("{}: option {}", what, opt);
    }
    if (::syscall(SYS_fsconfig, fsfd.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) < 0)
        throw_errno("{}: create {}", what, type);
    const long m = ::syscall(SYS_fsmount, fsfd.get(), FSMOUNT_CLOEXEC, mount_attr);
    if (m < 0) throw_errno("{}: fsmount {}", what, type);
    return Fd(static_cast<int>(m));
}

void set_mount_attributes(int fd, bool recursive, const MountAttributes& attr, const std::string& what) {
    MountAttrAbi abi{attr.set, attr.clear, 0, 0};
    if (attr.set & MOUNT_ATTR_IDMAP) abi.userns_fd = static_cast<uint64_t>(attr.userns_fd);
    const unsigned flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0u);
    if (::syscall(SYS_mount_setattr, fd, "", flags, &abi, sizeof abi) < 0) throw_errno("{}: mount_setattr", what);
}

}  // namespace ocirt::sys
