#include "ocirt/sys/seccomp.hpp"

#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "ocirt/util/error.hpp"

namespace ocirt::sys {

Fd install_seccomp_filter(const std::string& program, unsigned flags) {
    if (program.empty() || program.size() % sizeof(sock_filter) != 0)
        fail("seccomp filter: {} bytes is not a whole BPF program", program.size());
    const size_t count = program.size() / sizeof(sock_filter);
    if (count > BPF_MAXINSNS) fail("seccomp filter: {} instructions, the kernel takes at most {}", count, BPF_MAXINSNS);
    // The kernel copies the program; sock_fprog only borrows it, hence the const_cast.
    sock_fprog prog{};
    prog.len = static_cast<unsigned short>(count);
    prog.filter = reinterpret_cast<sock_filter*>(const_cast<char*>(program.data()));
    const long r = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
    if (r < 0) throw_errno("seccomp(SECCOMP_SET_MODE_FILTER, flags {:#x})", flags);
    if ((flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) == 0) return Fd();
    Fd listener(static_cast<int>(r));
    set_cloexec(listener.get(), true);
    return listener;
}

bool seccomp_filter_flag_known(unsigned flag) {
    // No program: a kernel that knows every flag given fails on the NULL pointer (EFAULT).
    const long r = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, nullptr);
    return r < 0 && errno == EFAULT;
}

bool seccomp_action_available(uint32_t action) {
    return ::syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}

}  // namespace ocirt::sys
