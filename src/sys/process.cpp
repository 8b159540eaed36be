#include "ocirt/sys/process.hpp"

#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "ocirt/sys/files.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::sys {
namespace {

ExitStatus decode(int status) {
    ExitStatus s;
    if (WIFEXITED(status)) {
        s.exited = true;
        s.code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        s.signal = WTERMSIG(status);
    }
    return s;
}

std::vector<char*> to_argv(const std::vector<std::string>& v) {
    std::vector<char*> out;
    out.reserve(v.size() + 1);
    for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

// /proc/PID/stat after the "(comm)" field, which may itself hold spaces and parens: " S 1 ...".
std::optional<std::string> stat_after_comm(pid_t pid) {
    std::string text;
    try {
        auto read = try_read_single_record(fmt::format("/proc/{}/stat", pid));
        if (!read) return std::nullopt;
        text = std::move(*read);
    } catch (const Error& e) {
        if (e.code() == ESRCH) return std::nullopt;
        throw;
    }
    const auto close = text.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    return text.substr(close + 1);
}

// The fields of /proc/PID/stat after the "(comm)" field.
std::optional<std::vector<std::string>> stat_fields(pid_t pid) {
    const auto text = stat_after_comm(pid);
    if (!text) return std::nullopt;
    std::vector<std::string> fields;
    for (auto& f : util::split(util::trim(*text), ' '))
        if (!f.empty()) fields.push_back(f);
    return fields;  // fields[0] is field 3 (state)
}

}  // namespace

pid_t fork_process() {
    const pid_t p = ::fork();
    if (p < 0) throw_errno("fork");
    return p;
}

pid_t fork_as_sibling() {
    // The raw clone skips glibc's fork bookkeeping (atfork handlers, the thread's cached TID).
    // That is safe here: ocirt is single-threaded, holds no locks across this call, and glibc
    // asks the kernel for the TID when a thread signals itself.
    const long p = ::syscall(SYS_clone, CLONE_PARENT | SIGCHLD, nullptr, nullptr, nullptr, 0L);
    if (p < 0) throw_errno("clone (CLONE_PARENT)");
    return static_cast<pid_t>(p);
}

ExitStatus wait_process(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) throw_errno("wait for process {}", pid);
    }
    return decode(status);
}

std::optional<std::pair<pid_t, ExitStatus>> reap_any() {
    int status = 0;
    const pid_t p = ::waitpid(-1, &status, WNOHANG);
    if (p <= 0) return std::nullopt;
    return std::make_pair(p, decode(status));
}

Fd pidfd_open(pid_t pid) {
    const long fd = ::syscall(SYS_pidfd_open, pid, 0);
    if (fd < 0) {
        if (errno == ESRCH) return Fd();
        throw_errno("pidfd_open {}", pid);
    }
    return Fd(static_cast<int>(fd));
}

bool send_signal(pid_t pid, int sig) {
    if (::kill(pid, sig) == 0) return true;
    if (errno == ESRCH) return false;
    throw_errno("send signal {} to process {}", sig, pid);
}

bool pidfd_signal(int pidfd, int sig) {
    if (::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0) == 0) return true;
    if (errno == ESRCH) return false;
    throw_errno("send signal {}", sig);
}

bool process_alive(pid_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

std::optional<uint64_t> process_start_time(pid_t pid) {
    auto f = stat_fields(pid);
    if (!f || f->size() < 20) return std::nullopt;
    return util::parse_uint((*f)[19]);  // field 22
}

std::optional<pid_t> process_parent(pid_t pid) {
    auto f = stat_fields(pid);
    if (!f || f->size() < 2) return std::nullopt;
    if (auto p = util::parse_int((*f)[1])) return static_cast<pid_t>(*p);
    return std::nullopt;
}

std::optional<char> process_state(pid_t pid) {
    auto f = stat_fields(pid);
    if (!f || f->empty() || (*f)[0].empty()) return std::nullopt;
    return (*f)[0][0];
}

std::optional<ProcessStat> process_stat(pid_t pid) {
    // Called once per container by `list`: the two fields are picked out of the line without
    // splitting it into strings.
    const auto text = stat_after_comm(pid);
    if (!text) return std::nullopt;
    // After "pid (comm)": field 3 (state) ... field 22 (start time), separated by one space.
    std::string_view rest = *text;
    std::optional<char> state;
    for (int field = 3; field <= 22; ++field) {
        const size_t begin = rest.find_first_not_of(' ');
        if (begin == std::string_view::npos) return std::nullopt;
        rest.remove_prefix(begin);
        const size_t end = std::min(rest.find_first_of(" \n"), rest.size());
        if (field == 3) state = rest[0];
        if (field == 22) {
            const auto started = util::parse_uint(rest.substr(0, end));
            if (!started) return std::nullopt;
            return ProcessStat{*state, *started};
        }
        rest.remove_prefix(end);
    }
    return std::nullopt;
}

void exec_fd(int fd, const std::vector<std::string>& argv, const std::vector<std::string>& env) {
    auto a = to_argv(argv);
    auto e = to_argv(env);
    ::syscall(SYS_execveat, fd, "", a.data(), e.data(), AT_EMPTY_PATH);
    throw_errno("exec");
}

PreparedExec::PreparedExec(std::string path, std::vector<std::string> argv, std::vector<std::string> env)
    : path_(std::move(path)), argv_(std::move(argv)), env_(std::move(env)) {
    argv_ptrs_ = to_argv(argv_);
    env_ptrs_ = to_argv(env_);
}

int PreparedExec::run() const noexcept {
    ::execve(path_.c_str(), argv_ptrs_.data(), env_ptrs_.data());
    return errno;
}

void become_subreaper() {
    if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) throw_errno("set child subreaper");
}

void set_parent_death_signal(int sig) {
    if (::prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) < 0) throw_errno("set parent death signal");
}

void set_process_name(const std::string& name) { ::prctl(PR_SET_NAME, name.c_str(), 0, 0, 0); }

namespace {
/// The kernel's sigset (64 bits on every architecture ocirt builds for). glibc's sigset_t
/// calls refuse or silently drop signals 32 and 33 (its internal SIGCANCEL and SIGSETXID):
/// forwarding every signal needs the raw syscalls.
uint64_t kernel_sigset(const std::vector<int>& signals) {
    uint64_t mask = 0;
    for (int s : signals)
        if (s >= 1 && s <= 64) mask |= uint64_t{1} << (s - 1);
    return mask;
}
}  // namespace

void block_signals(const std::vector<int>& signals) {
    const uint64_t mask = kernel_sigset(signals);
    if (::syscall(SYS_rt_sigprocmask, SIG_BLOCK, &mask, nullptr, sizeof mask) < 0) throw_errno("block signals");
}

Fd block_signals_to_fd(const std::vector<int>& signals) {
    block_signals(signals);
    const uint64_t mask = kernel_sigset(signals);
    const int fd = static_cast<int>(::syscall(SYS_signalfd4, -1, &mask, sizeof mask, SFD_CLOEXEC | SFD_NONBLOCK));
    if (fd < 0) throw_errno("signalfd");
    return Fd(fd);
}

int read_signal(int sigfd) {
    signalfd_siginfo info{};
    const ssize_t n = ::read(sigfd, &info, sizeof info);
    if (n != static_cast<ssize_t>(sizeof info)) return 0;
    return static_cast<int>(info.ssi_signo);
}

namespace {

/// signal(7): the signals whose default action is Term or Core (the real-time ones too).
constexpr int kTerminatingSignals[] = {SIGHUP,  SIGINT,  SIGQUIT,   SIGILL,  SIGTRAP, SIGABRT, SIGBUS,    SIGFPE,
                                       SIGUSR1, SIGSEGV, SIGUSR2,   SIGPIPE, SIGALRM, SIGTERM, SIGSTKFLT, SIGXCPU,
                                       SIGXFSZ, SIGVTALRM, SIGPROF, SIGIO,   SIGPWR,  SIGSYS};

/// Dies of `sig` as if no handler were installed. The init process of a PID namespace ignores a
/// signal it raises on itself with the default action, so it then exits with 128 + sig.
void die_of_signal(int sig) {
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    ::sigaction(sig, &dfl, nullptr);
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, sig);
    ::sigprocmask(SIG_UNBLOCK, &only, nullptr);
    ::kill(::getpid(), sig);
    ::_exit(128 + sig);
}

}  // namespace

void exit_on_terminating_signals() {
    struct sigaction sa {};
    sa.sa_handler = die_of_signal;
    sigfillset(&sa.sa_mask);
    sigset_t handled;
    sigemptyset(&handled);
    const auto handle = [&](int sig) {
        if (::sigaction(sig, &sa, nullptr) < 0) throw_errno("handle signal {}", sig);
        sigaddset(&handled, sig);
    };
    for (int sig : kTerminatingSignals) handle(sig);
    for (int sig = SIGRTMIN; sig <= SIGRTMAX; ++sig) handle(sig);
    if (::sigprocmask(SIG_UNBLOCK, &handled, nullptr) < 0) throw_errno("unblock signals");
}

void reset_signals() {
    struct sigaction sa {};
    sa.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; ++s) ::sigaction(s, &sa, nullptr);  // fails harmlessly for KILL/STOP
    sigset_t none;
    sigemptyset(&none);
    if (::sigprocmask(SIG_SETMASK, &none, nullptr) < 0) throw_errno("reset signal mask");
}

std::vector<int> poll_readable(const std::vector<int>& fds, int timeout_ms) {
    std::vector<pollfd> p;
    for (int fd : fds) p.push_back(pollfd{fd, POLLIN, 0});
    while (true) {
        const int r = ::poll(p.data(), p.size(), timeout_ms);
        if (r < 0) {
            if (errno == EINTR) continue;
            throw_errno("poll");
        }
        std::vector<int> ready;
        for (const auto& e : p)
            if (e.revents != 0) ready.push_back(e.fd);
        return ready;
    }
}

void exit_now(int status) { ::_exit(status); }

pid_t self_pid() { return ::getpid(); }

std::vector<std::string> own_environment() {
    std::vector<std::string> out;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) out.emplace_back(*e);
    return out;
}

std::optional<int> parse_signal(const std::string& s) {
    if (auto n = util::parse_int(s)) {
        if (*n > 0 && *n < NSIG) return static_cast<int>(*n);
        return std::nullopt;
    }
    std::string name;
    for (char c : s) name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (util::starts_with(name, "SIG")) name = name.substr(3);
    for (int sig = 1; sig < NSIG; ++sig) {
        const char* abbrev = ::sigabbrev_np(sig);
        if (abbrev != nullptr && name == abbrev) return sig;
    }
    if (util::starts_with(name, "RTMIN+")) {
        if (auto off = util::parse_int(name.substr(6)); off && SIGRTMIN + *off <= SIGRTMAX) return SIGRTMIN + static_cast<int>(*off);
    }
    if (name == "RTMIN") return SIGRTMIN;
    if (name == "RTMAX") return SIGRTMAX;
    return std::nullopt;
}

}  // namespace ocirt::sys

namespace ocirt::sys {
namespace {

/// The child's side of spawn_exec_fd*: async-signal-safe calls only. It dies with its parent
/// (SIGKILL) until it clears that itself; a parent already gone before the prctl is seen by
/// getppid.
[[noreturn]] void exec_child(pid_t parent, int exec_fd, int keep_fd, char* const* argv, char* const* envp) {
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || ::getppid() != parent) ::_exit(127);
    if (::fcntl(keep_fd, F_SETFD, 0) < 0) ::_exit(127);
    ::syscall(SYS_execveat, exec_fd, "", argv, envp, AT_EMPTY_PATH);
    ::_exit(127);
}

}  // namespace

pid_t spawn_exec_fd(int exec_fd, const std::vector<std::string>& argv, const std::vector<std::string>& env,
                    int keep_fd) {
    auto a = to_argv(argv);
    auto e = to_argv(env);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) throw_errno("fork");
    if (pid == 0) exec_child(parent, exec_fd, keep_fd, a.data(), e.data());
    return pid;
}

std::optional<pid_t> spawn_exec_fd_into_cgroup(int exec_fd, const std::vector<std::string>& argv,
                                               const std::vector<std::string>& env, int keep_fd, int cgroup_fd) {
    auto a = to_argv(argv);
    auto e = to_argv(env);
    const pid_t parent = ::getpid();
    clone_args args{};
    args.flags = CLONE_INTO_CGROUP;
    args.exit_signal = SIGCHLD;
    args.cgroup = static_cast<uint64_t>(cgroup_fd);
    // A raw clone3 without CLONE_VM is a fork that skips glibc's atfork handlers: fine for a
    // child that only makes raw system calls before execveat (exec_child).
    const long pid = ::syscall(SYS_clone3, &args, sizeof args);
    if (pid < 0) return std::nullopt;
    if (pid == 0) exec_child(parent, exec_fd, keep_fd, a.data(), e.data());
    return static_cast<pid_t>(pid);
}
}  // namespace ocirt::sys

namespace ocirt::sys {
uid_t real_uid() { return ::getuid(); }
uid_t effective_uid() { return ::geteuid(); }
gid_t effective_gid() { return ::getegid(); }

bool wait_pidfd_exit(int pidfd, int timeout_ms) { return !poll_readable({pidfd}, timeout_ms).empty(); }
}  // namespace ocirt::sys
