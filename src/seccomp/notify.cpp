#include "ocirt/seccomp/notify.hpp"

#include "ocirt/sys/unix_socket.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::seccomp {

void send_listener(const std::string& listener_path, const std::string& process_state_json, int listener_fd) {
    with_context("/linux/seccomp/listenerPath " + listener_path, [&] {
        sys::Fd sock = sys::connect_unix(listener_path);
        sys::send_with_fds(sock.get(), process_state_json, {listener_fd});
    });
}

}  // namespace ocirt::seccomp
