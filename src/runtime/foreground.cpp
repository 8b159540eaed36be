#include "ocirt/runtime/foreground.hpp"

#include <signal.h>

#include <memory>
#include <optional>

#include "ocirt/terminal/console.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::runtime {

std::vector<int> foreground_signals() {
    return {SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGCHLD, SIGCONT, SIGWINCH};
}

sys::ExitStatus wait_foreground(pid_t pid, int sigfd, sys::Fd console_master) {
    std::unique_ptr<terminal::TerminalProxy> proxy;
    if (console_master) proxy = std::make_unique<terminal::TerminalProxy>(console_master.get());
    bool master_open = proxy != nullptr;
    std::optional<sys::ExitStatus> status;
    while (!status) {
        std::vector<int> fds{sigfd};
        if (master_open)
            for (int fd : proxy->poll_fds()) fds.push_back(fd);
        for (int fd : sys::poll_readable(fds, -1)) {
            if (fd != sigfd) {
                if (master_open && !proxy->on_readable(fd)) master_open = false;
                continue;
            }
            while (const int sig = sys::read_signal(sigfd)) {
                if (sig == SIGCHLD) {
                    while (auto reaped = sys::reap_any())
                        if (reaped->first == pid) status = reaped->second;
                } else if (sig == SIGWINCH) {
                    if (proxy) proxy->sync_window_size();
                } else {
                    sys::send_signal(pid, sig);
                }
            }
        }
    }
    // Whatever the program wrote just before it exited is still in the pty: copy it out.
    while (master_open) {
        const auto ready = sys::poll_readable(proxy->poll_fds(), 0);
        if (ready.empty()) break;
        for (int fd : ready)
            if (!proxy->on_readable(fd)) master_open = false;
    }
    return *status;
}

}  // namespace ocirt::runtime
