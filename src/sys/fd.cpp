#include "ocirt/sys/fd.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>

#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::sys {

void Fd::reset(int fd) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
}

Fd dup_cloexec(int fd) {
    const int r = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (r < 0) throw_errno("dup fd {}", fd);
    return Fd(r);
}

Fd dup_above(int fd, int min_fd) {
    const int r = ::fcntl(fd, F_DUPFD_CLOEXEC, min_fd);
    if (r < 0) throw_errno("dup fd {} above {}", fd, min_fd);
    return Fd(r);
}

void dup_to(int fd, int target) {
    if (fd == target) {
        set_cloexec(fd, false);
        return;
    }
    if (::dup3(fd, target, 0) < 0) throw_errno("dup fd {} to {}", fd, target);
}

void set_cloexec(int fd, bool on) {
    int flags = ::fcntl(fd, F_GETFD);
    if (flags < 0) throw_errno("get flags of fd {}", fd);
    flags = on ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC);
    if (::fcntl(fd, F_SETFD, flags) < 0) throw_errno("set flags of fd {}", fd);
}

std::vector<int> open_fds() {
    std::vector<int> fds;
    DIR* d = ::opendir("/proc/self/fd");
    if (d == nullptr) throw_errno("open /proc/self/fd");
    const int own = ::dirfd(d);
    while (dirent* e = ::readdir(d)) {
        if (auto n = util::parse_int(e->d_name); n && *n != own) fds.push_back(static_cast<int>(*n));
    }
    ::closedir(d);
    return fds;
}

void cloexec_from(int first) {
    if (::syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
    for (int fd : open_fds())
        if (fd >= first) set_cloexec(fd, true);
}

}  // namespace ocirt::sys
