#include "ocirt/runtime/pidfd_socket.hpp"

#include "ocirt/sys/process.hpp"
#include "ocirt/sys/unix_socket.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::runtime {

sys::Fd connect_pidfd_socket(const std::string& path) {
    if (path.empty()) return {};
    return with_context("--pidfd-socket " + path, [&] { return sys::connect_unix(path); });
}

void send_pidfd(sys::Fd& socket, pid_t pid, PidfdKind kind) {
    if (!socket) return;
    with_context("--pidfd-socket", [&] {
        sys::Fd pidfd = sys::pidfd_open(pid);
        if (!pidfd) fail("process {} exited before its pidfd could be sent", pid);
        sys::send_with_fds(socket.get(), kind == PidfdKind::standard ? "standard" : "setns", {pidfd.get()});
    });
    socket.reset();
}

}  // namespace ocirt::runtime
