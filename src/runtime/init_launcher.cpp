#include "ocirt/runtime/init_launcher.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <optional>

#include "ocirt/sys/files.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/sys/sealed_exe.hpp"
#include "ocirt/sys/unix_socket.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::runtime {

void seal_inherited_fds(int extra) {
    for (int fd = 3; fd < 3 + extra; ++fd) {
        try {
            sys::set_cloexec(fd, false);
        } catch (const Error& e) {
            throw Error(e.code(), fmt::format("preserved fd {} is not open", fd));
        }
    }
    sys::cloexec_from(3 + extra);
}

int listen_fds_count() {
    const char* fds = std::getenv("LISTEN_FDS");
    if (fds == nullptr) return 0;
    if (const char* pid = std::getenv("LISTEN_PID")) {
        auto p = util::parse_int(pid);
        if (!p || *p != sys::self_pid()) return 0;
    }
    auto n = util::parse_int(fds);
    return n && *n > 0 && *n < 4096 ? static_cast<int>(*n) : 0;
}

LaunchedInit launch_init(const InitBootstrap& boot_in, const std::vector<int>& fds_in, const std::string& state_root,
                         int cgroup_dir_fd, const std::function<void(pid_t)>& before_bootstrap) {
    InitBootstrap boot = boot_in;
    std::vector<int> fds = fds_in;
    // The state root is the overlay's spare lower layer: it exists, and is ocirt's own.
    sys::SealedExe sealed = sys::sealed_self_exe(state_root);
    log::debug("init stage binary: {}", sealed.method == sys::SealMethod::overlay ? "read-only overlayfs" : "sealed memfd copy");
    sys::Fd exe = std::move(sealed.fd);
    auto [ours, theirs] = sys::seqpacket_pair();
    // Move the init stage's end above the fds the container keeps, close-on-exec until the
    // child clears it, so that it can never take the place of a preserved fd.
    sys::Fd child_end = sys::dup_above(theirs.get(), 3 + boot.extra_fds);
    const int child_fd = child_end.get();
    theirs.reset();
    const std::vector<std::string> argv{"ocirt", "init", std::to_string(child_fd)};
    std::optional<pid_t> spawned;
    if (cgroup_dir_fd >= 0) spawned = sys::spawn_exec_fd_into_cgroup(exe.get(), argv, {}, child_fd, cgroup_dir_fd);
    if (spawned) {
        // Born in its cgroup2 cgroup: that join fd (the last of the join_cgroups ones, which
        // only the trace fd may follow) is not needed; v1 hierarchies are still joined.
        const size_t end = fds.size() - (boot.trace ? 1 : 0);
        if (boot.join_cgroups > 0 && end > 0) {
            fds.erase(fds.begin() + static_cast<std::ptrdiff_t>(end - 1));
            --boot.join_cgroups;
        }
        log::debug("init stage cloned into its cgroup");
    } else {
        spawned = sys::spawn_exec_fd(exe.get(), argv, {}, child_fd);
    }
    const pid_t pid = *spawned;
    child_end.reset();
    LaunchedInit init{pid, SyncChannel(std::move(ours))};
    if (before_bootstrap) {
        try {
            before_bootstrap(pid);
        } catch (...) {
            sys::send_signal(pid, SIGKILL);
            sys::wait_process(pid);
            throw;
        }
    }
    sys::Fd doc = sys::memfd_with_data("ocirt-bootstrap", bootstrap_to_json(boot));
    std::vector<int> all{doc.get()};
    all.insert(all.end(), fds.begin(), fds.end());
    init.channel.send(Msg::bootstrap, {}, all);
    return init;
}

}  // namespace ocirt::runtime
