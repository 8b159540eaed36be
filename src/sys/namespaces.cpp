#include "ocirt/sys/namespaces.hpp"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ocirt/sys/files.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::sys {

void unshare_namespaces(int clone_flags, const std::string& what) {
    if (::unshare(clone_flags) < 0) throw_errno("unshare {}", what);
}

void join_namespace(int fd, int clone_flag, const std::string& what) {
    if (::setns(fd, clone_flag) < 0) throw_errno("join {}", what);
}

Fd open_namespace(const std::string& path, int clone_flag) {
    Fd fd = open_at(AT_FDCWD, path, O_RDONLY);
    const int type = ::ioctl(fd.get(), NS_GET_NSTYPE);
    if (type < 0) throw_errno("{} is not a namespace file", path);
    if (type != clone_flag) fail("{} is a namespace of another kind", path);
    return fd;
}

std::string namespace_identity(const std::string& ns_link) {
    try {
        return read_link(ns_link);
    } catch (const Error&) {
        return {};
    }
}

}  // namespace ocirt::sys
