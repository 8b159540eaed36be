#include "ocirt/runtime/init_process.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "ocirt/process/process_extras.hpp"
#include "ocirt/runtime/sync.hpp"
#include "ocirt/seccomp/filter.hpp"
#include "ocirt/security/process_attrs.hpp"
#include "ocirt/sys/fd.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/sys/identity.hpp"
#include "ocirt/sys/mount.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/sys/terminal.hpp"
#include "ocirt/sys/trace.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/passwd.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::runtime {
namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::optional<std::string> env_value(const std::vector<std::string>& env, const std::string& key) {
    for (const auto& e : env)
        if (util::starts_with(e, key + "=")) return e.substr(key.size() + 1);
    return std::nullopt;
}

template <typename C>
bool contains(const C& c, int v) {
    return std::find(c.begin(), c.end(), v) != c.end();
}

/// Go's text for an errno ("no such file or directory"): strerror with a lower-case first letter.
std::string errno_words(int err) {
    std::string s = std::strerror(err);
    if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
    return s;
}

}  // namespace

DumpableWindow::DumpableWindow() { sys::set_dumpable(true); }
DumpableWindow::~DumpableWindow() {
    try {
        sys::set_dumpable(false);
    } catch (...) {
        // prctl(PR_SET_DUMPABLE, 0) cannot fail for a valid argument.
    }
}

sys::Fd open_container_terminal(SyncChannel& ch, int rootfd, const spec::Process& p) {
    sys::Fd master = sys::open_in_root(rootfd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY);
    if (!master) fail("process.terminal: no devpts mounted on /dev/pts in the container");
    const auto st = sys::stat_fd(master.get());
    if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 5 || minor(st.st_rdev) != 2)
        fail("process.terminal: /dev/pts/ptmx in the container is not the ptmx device");
    if (p.console_size && (p.console_size->height > 0xffff || p.console_size->width > 0xffff))
        fail("/process/consoleSize: height and width must be at most 65535");
    sys::unlock_pty(master.get());
    sys::Fd slave = sys::open_pty_slave(master.get());
    if (p.console_size)
        sys::set_window_size(slave.get(), sys::WindowSize{static_cast<unsigned short>(p.console_size->height),
                                                          static_cast<unsigned short>(p.console_size->width)});
    ch.send(Msg::console_master, {}, {master.get()});
    return slave;
}

void attach_terminal(int slave) {
    sys::set_controlling_terminal(slave);
    for (int fd = 0; fd < 3; ++fd) sys::dup_to(slave, fd);
}

ContainerProcess become_container_process(const spec::Process& p, bool filter_needs_admin) {
    ContainerProcess cp;
    security::apply_rlimits(p.rlimits);
    {
        DumpableWindow open_proc;
        security::apply_oom_score_adj(p.oom_score_adj);
    }
    // Try cwd while still privileged: it may lie below a directory only root can search.
    bool cwd_done = false;
    try {
        sys::change_dir(p.cwd);
        cwd_done = true;
    } catch (const Error& e) {
        if (e.code() != EACCES) throw Error(e.code(), fmt::format("process.cwd {}: {}", p.cwd, e.message()));
    }
    // Before capabilities go: a real-time class or policy needs CAP_SYS_NICE / CAP_SYS_ADMIN.
    if (p.io_priority) process::apply_io_priority(*p.io_priority);
    if (p.scheduler) process::apply_scheduler(*p.scheduler);

    const security::IdentityPlan plan = security::plan_identity(p, security::UnknownCapability::warn);
    cp.warnings = plan.caps.warnings;
    // Without no_new_privs, installing the filter needs CAP_SYS_ADMIN. Keep it in the permitted
    // set across the identity switch, raise it just for the install and drop it right after
    // (docs/security.md), so that everything else still happens before the filter.
    std::vector<int> keep;
    const auto& caps = plan.caps;
    if (filter_needs_admin && !contains(caps.effective, CAP_SYS_ADMIN) && contains(caps.held, CAP_SYS_ADMIN)) {
        keep.push_back(CAP_SYS_ADMIN);
        std::vector<int> eff = caps.effective, prm = caps.permitted;
        eff.push_back(CAP_SYS_ADMIN);
        prm.push_back(CAP_SYS_ADMIN);
        cp.raise_admin = std::make_unique<security::PreparedCapset>(eff, prm, caps.inheritable);
        cp.drop_admin = std::make_unique<security::PreparedCapset>(caps.effective, caps.permitted, caps.inheritable);
    }
    security::finalize_identity(plan, keep);
    if (!cwd_done) with_context("process.cwd " + p.cwd, [&] { sys::change_dir(p.cwd); });
    // A magic link (/proc/self/fd/N of an fd leaked from the runtime) can lead outside the
    // root; getcwd then finds no path from "/" (runc CVE-2024-21626).
    if (!sys::cwd_reachable()) fail("/process/cwd {}: resolves outside the container's root", p.cwd);
    security::apply_umask(p.user.umask);
    if (p.exec_cpu_affinity) process::apply_final_cpu_affinity(*p.exec_cpu_affinity);

    std::vector<std::string> env = p.env;
    if (!env_value(env, "HOME")) {
        std::string home = "/";
        try {
            if (auto h = util::home_of_uid(sys::read_file("/etc/passwd", 4u << 20), p.user.uid)) home = *h;
        } catch (const Error&) {
            // No readable /etc/passwd in the container: "/" as runc does.
        }
        env.push_back("HOME=" + home);
    }
    // Looked up as the container's user, as runc does after its identity switch.
    std::string program = resolve_executable(p, env);
    cp.exec = std::make_unique<sys::PreparedExec>(std::move(program), p.args, std::move(env));
    return cp;
}

std::string resolve_executable(const spec::Process& p, const std::vector<std::string>& env) {
    if (p.args.empty()) fail("process.args: must not be empty");
    const std::string& name = p.args[0];
    // runc's words (Go's exec.LookPath), which engines match to choose exit status 126 or 127.
    if (name.find('/') != std::string::npos) {
        std::optional<struct stat> st;
        try {
            st = sys::stat_path(name);
        } catch (const Error& e) {
            fail("exec: \"{}\": stat {}: {}", name, name, errno_words(e.code()));
        }
        if (!st) fail("exec: \"{}\": stat {}: {}", name, name, errno_words(ENOENT));
        // A directory too, as runc says it.
        if (!S_ISREG(st->st_mode) || !sys::is_executable(name)) fail("exec: \"{}\": {}", name, errno_words(EACCES));
        return name;
    }
    const std::string path = env_value(env, "PATH").value_or(kDefaultPath);
    for (const auto& dir : util::split(path, ':')) {
        const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
        if (sys::is_executable(candidate)) return candidate;
    }
    fail("exec: \"{}\": executable file not found in $PATH", name);
}

void exec_program(ContainerProcess& cp, int extra_fds, const std::optional<seccomp::Filter>& filter) {
    sys::trace::Span prep_span("exec_prep");
    sys::cloexec_from(3 + extra_fds);
    sys::reset_signals();
    prep_span.end();
    // The last record: nothing is written once the filter is loaded (docs/trace.md).
    sys::trace::stop();
    if (filter) {
        if (cp.raise_admin) cp.raise_admin->apply();
        seccomp::apply_filter(*filter);
    }
    // Under the filter from here: the capset that drops CAP_SYS_ADMIN again and execve, nothing
    // else (docs/security.md, "After the seccomp filter").
    if (cp.drop_admin) cp.drop_admin->apply();
    const int err = cp.exec->run();
    fail("exec {}: {}", cp.exec->path(), errno_words(err));
}

}  // namespace ocirt::runtime
