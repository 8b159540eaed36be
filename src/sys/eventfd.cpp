#include "ocirt/sys/eventfd.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>

#include "ocirt/util/error.hpp"

namespace ocirt::sys {

Fd event_fd() {
    const int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (fd < 0) throw_errno("eventfd");
    return Fd(fd);
}

uint64_t take_event_count(int fd) {
    uint64_t count = 0;
    for (;;) {
        const ssize_t n = ::read(fd, &count, sizeof count);
        if (n == static_cast<ssize_t>(sizeof count)) return count;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return 0;
        if (n < 0) throw_errno("read eventfd");
        fail("read eventfd: short read of {} bytes", n);
    }
}

}  // namespace ocirt::sys
