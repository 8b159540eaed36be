#include "ocirt/runtime/foreground.hpp"

#include <signal.h>

#include <memory>
#include <optional>

#include "ocirt/sys/process.hpp"
#include "ocirt/terminal/console.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::runtime {

std::vector<int> foreground_signals() {
    // Every signal that can be caught, the real-time ones and TSTP/TTIN/TTOU included (so the
    // foreground ocirt is never stopped or killed by one: it forwards them). runc forwards all
    // but CHLD, WINCH and URG (which the Go runtime keeps for itself); URG is forwarded here.
    std::vector<int> all;
    for (int sig = 1; sig <= 64; ++sig)
        if (sig != SIGKILL && sig != SIGSTOP) all.push_back(sig);
    return all;
}

sys::ExitStatus wait_foreground(pid_t pid, int sigfd, sys::Fd console_master) {
    // Hooks run since the signalfd was made restore the mask through glibc, which drops
    // signals 32 and 33 from it: block them all again before waiting.
    sys::block_signals(foreground_signals());
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
