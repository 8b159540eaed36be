#include "ocirt/sys/tool_process.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>

#include "ocirt/sys/fd.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::sys {
namespace {

enum Step : int { kCgroup = 1, kUnshare, kSlave, kBind, kFds, kExec };

const char* step_name(int step) {
    switch (step) {
        case kCgroup: return "join the cgroup";
        case kUnshare: return "create a mount namespace";
        case kSlave: return "make / rslave";
        case kBind: return "bind-mount the root";
        case kFds: return "place the inherited fds";
        default: return "execute";
    }
}

struct Report {
    int step;
    int err;
};

[[noreturn]] void child_fail(int fd, int step) {
    const Report r{step, errno};
    const ssize_t ignored = ::write(fd, &r, sizeof r);
    (void)ignored;
    ::_exit(127);
}

/// Between fork and execve: async-signal-safe calls only.
[[noreturn]] void child(const ToolLaunch& l, const std::vector<std::pair<int, int>>& fds, char* const* argv,
                        char* const* envp, int report, int first_free) {
    for (const int procs : l.cgroup_procs_fds)
        if (::write(procs, "0", 1) != 1) child_fail(report, kCgroup);
    if (!l.bind_source.empty()) {
        if (::unshare(CLONE_NEWNS) < 0) child_fail(report, kUnshare);
        // Slave, so that nothing mounted for the tool propagates back to the host.
        if (::mount(nullptr, "/", nullptr, MS_SLAVE | MS_REC, nullptr) < 0) child_fail(report, kSlave);
        if (::mount(l.bind_source.c_str(), l.bind_target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0)
            child_fail(report, kBind);
    }
    for (const auto& [from, to] : fds)
        if (::dup2(from, to) < 0) child_fail(report, kFds);
    // Everything else stays here: close-on-exec from the first number no target uses.
    if (::syscall(SYS_close_range, first_free, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */) < 0) child_fail(report, kFds);
    struct sigaction dfl{};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig)
        if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(l.path.c_str(), argv, envp);
    child_fail(report, kExec);
}

std::vector<char*> c_strings(const std::vector<std::string>& v) {
    std::vector<char*> out;
    for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

}  // namespace

ExitStatus run_tool(const ToolLaunch& l) {
    int first_free = 3;
    for (const auto& f : l.fds) first_free = std::max(first_free, f.second + 1);
    // Sources are moved above every target first, so that placing one cannot clobber another.
    std::vector<Fd> held;
    std::vector<std::pair<int, int>> fds;
    for (const auto& [from, to] : l.fds) {
        held.push_back(dup_above(from, first_free + 64));
        fds.emplace_back(held.back().get(), to);
    }
    auto [report_r, report_w] = make_pipe();
    Fd report_high = dup_above(report_w.get(), first_free + 64);
    report_w.reset();
    // The strings must outlive the fork: keep them in a named vector, not a temporary.
    const std::vector<std::string> args = l.argv.empty() ? std::vector<std::string>{l.path} : l.argv;
    const auto argv = c_strings(args);
    const auto envp = c_strings(l.env);
    sigset_t all, saved;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, &saved);
    const pid_t pid = ::fork();
    if (pid == 0) child(l, fds, argv.data(), envp.data(), report_high.get(), first_free);
    const int fork_errno = errno;
    sigprocmask(SIG_SETMASK, &saved, nullptr);
    if (pid < 0) throw_error_code(fork_errno, "fork for {}", l.path);
    report_high.reset();
    held.clear();
    Report r{};
    size_t got = 0;
    while (got < sizeof r) {
        const size_t n = read_some(report_r.get(), reinterpret_cast<char*>(&r) + got, sizeof r - got);
        if (n == 0) break;
        got += n;
    }
    const ExitStatus st = wait_process(pid);
    if (got == sizeof r) throw_error_code(r.err, "{}: {}", l.path, step_name(r.step));
    return st;
}

}  // namespace ocirt::sys
