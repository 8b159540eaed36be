#include <fcntl.h>
#include <signal.h>

#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "ocirt/cgroup/manager.hpp"
#include "ocirt/ns/namespaces.hpp"
#include "ocirt/runtime/container.hpp"
#include "ocirt/runtime/create_internal.hpp"
#include "ocirt/runtime/foreground.hpp"
#include "ocirt/runtime/init_launcher.hpp"
#include "ocirt/runtime/pidfd_socket.hpp"
#include "ocirt/runtime/seccomp_stage.hpp"
#include "ocirt/security/capabilities.hpp"
#include "ocirt/security/lsm.hpp"
#include "ocirt/security/process_attrs.hpp"
#include "ocirt/spec/support.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/sys/namespaces.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/sys/trace.hpp"
#include "ocirt/terminal/console.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::runtime {
namespace {

using spec::NamespaceType;

void set_env(std::vector<std::string>& env, const std::string& kv) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) fail("--env {}: expected KEY=VALUE", kv);
    const std::string key = kv.substr(0, eq + 1);
    for (auto& e : env)
        if (util::starts_with(e, key)) {
            e = kv;
            return;
        }
    env.push_back(kv);
}

void add_cap(std::optional<std::vector<std::string>>& set, const std::string& cap) {
    if (!set) set.emplace();
    for (const auto& c : *set)
        if (c == cap) return;
    set->push_back(cap);
}

/// The process to run: --process FILE as it is, or the container's process with the flags applied.
spec::Process exec_process(const ContainerDir& dir, const ExecOptions& o) {
    spec::Process p;
    if (!o.process_file.empty()) {
        nlohmann::json doc = {{"ociVersion", spec::kOciVersion}};
        doc["process"] = spec::read_config_json(o.process_file);
        p = *with_context("--process " + o.process_file, [&] { return spec::config_from_json(doc); }).process;
    } else {
        const spec::Config cfg = saved_config(dir);
        p = *cfg.process;
        p.args = o.args;
        p.terminal = o.tty;
        p.console_size.reset();
    }
    if (!o.process_file.empty() && !o.args.empty()) fail("exec: give either --process or a command, not both");
    if (p.args.empty()) fail("exec: no command given");
    if (o.tty) p.terminal = true;
    for (const auto& kv : o.env) set_env(p.env, kv);
    if (o.cwd) p.cwd = *o.cwd;
    if (o.user) {
        const auto parts = util::split(*o.user, ':');
        auto uid = util::parse_uint(parts[0]);
        auto gid = parts.size() == 2 ? util::parse_uint(parts[1]) : std::optional<uint64_t>(0);
        if (parts.size() > 2 || !uid || !gid || *uid > UINT32_MAX || *gid > UINT32_MAX)
            fail("--user {}: expected UID[:GID] as numbers", *o.user);
        p.user.uid = static_cast<uint32_t>(*uid);
        p.user.gid = static_cast<uint32_t>(*gid);
    }
    for (uint32_t g : o.additional_gids) p.user.additional_gids.push_back(g);
    if (!o.caps.empty()) {
        if (!p.capabilities) p.capabilities.emplace();
        // Not inheritable nor ambient: exec --cap must not hand capabilities on (CVE-2022-29162).
        for (const auto& c : o.caps) {
            add_cap(p.capabilities->bounding, c);
            add_cap(p.capabilities->effective, c);
            add_cap(p.capabilities->permitted, c);
        }
    }
    if (o.no_new_privs) p.no_new_privileges = true;
    if (o.apparmor && !o.apparmor->empty()) p.apparmor_profile = *o.apparmor;
    if (o.process_label && !o.process_label->empty()) p.selinux_label = *o.process_label;
    if (p.cwd.empty() || p.cwd[0] != '/') fail("process.cwd: must be an absolute path");
    return p;
}

/// runc's --cgroup: one PATH (cgroup v2), or CONTROLLER[,CONTROLLER...]:PATH entries (cgroup
/// v1). Returns the sub-cgroup to join below the container's; "" when none was given. This
/// cgroup v2 hierarchy has no per-controller paths, so a controller prefix is refused (runc
/// says "unknown controller").
std::string sub_cgroup_path(const std::vector<std::string>& args) {
    if (args.empty()) return "";
    std::map<std::string, std::string> paths;
    for (const auto& a : args) {
        const auto colon = a.find(':');
        if (colon == std::string::npos) {
            if (args.size() != 1) fail("--cgroup {}: missing <controller>: prefix (several --cgroup given)", a);
            paths[""] = a;
            continue;
        }
        for (const auto& ctrl : util::split(a.substr(0, colon), ',')) {
            if (ctrl.empty()) fail("--cgroup {}: empty <controller> prefix", a);
            if (!paths.emplace(ctrl, a.substr(colon + 1)).second)
                fail("--cgroup: controller {} given more than once", ctrl);
        }
    }
    if (!paths.count(""))
        fail("--cgroup {}: cgroup v2 has one hierarchy for every controller; give the sub-cgroup without "
             "a <controller>: prefix", args.front());
    return paths.at("");
}

}  // namespace

int exec_in_container(const GlobalOptions& g, const ExecOptions& o) {
    return with_context("exec " + o.id, [&]() -> int {
        ContainerDir dir = ContainerDir::open_for_reading(g.root, o.id);
        const auto rec = dir.load();
        const spec::Status st = compute_status(dir, rec);
        // A process exec'd into a paused container joins its frozen cgroup and stays frozen
        // (exec waits) until `resume`.
        if (st == spec::Status::paused && !o.ignore_paused)
            fail("cannot exec in a paused container (use --ignore-paused to override)");
        if (st != spec::Status::running && st != spec::Status::created && st != spec::Status::paused)
            fail("cannot exec in a {} container", spec::status_name(st));
        const std::string sub_cgroup = sub_cgroup_path(o.cgroups);
        if (!sub_cgroup.empty() && rec->cgroup_path.empty()) fail("--cgroup: the container has no cgroup");
        spec::Config exec_cfg;
        exec_cfg.oci_version = spec::kOciVersion;
        exec_cfg.process = exec_process(dir, o);
        spec::check_applicable(exec_cfg);
        if (exec_cfg.process->capabilities)
            security::check_capabilities(*exec_cfg.process->capabilities, security::UnknownCapability::warn);
        security::check_rlimits(exec_cfg.process->rlimits);
        security::check_process_labels(*exec_cfg.process);
        // runc exec applies the container's seccomp filter to the new process too.
        const spec::Config container_cfg = saved_config(dir);
        sys::trace::Span seccomp_span("seccomp_compile");
        const auto filter = prepare_seccomp(container_cfg, g.root);
        seccomp_span.end();
        const bool terminal = exec_cfg.process->terminal;
        if (terminal && o.console_socket.empty() && o.detach) fail("--tty with --detach needs --console-socket");
        if (!terminal && !o.console_socket.empty()) fail("--console-socket: given, but no terminal was asked for");

        // Join every namespace of the container that differs from ours, user first.
        InitBootstrap boot;
        boot.mode = InitMode::exec;
        boot.config_json = spec::config_to_json(exec_cfg).dump();
        boot.id = o.id;
        boot.extra_fds = o.preserve_fds;
        put_filter(boot, filter);
        std::vector<sys::Fd> ns_fds;
        for (auto t : {NamespaceType::user, NamespaceType::mount, NamespaceType::pid, NamespaceType::network,
                       NamespaceType::ipc, NamespaceType::uts, NamespaceType::cgroup, NamespaceType::time}) {
            const std::string theirs = ns::proc_ns_path(rec->pid, t);
            const std::string id_theirs = sys::namespace_identity(theirs);
            if (id_theirs.empty() || id_theirs == sys::namespace_identity(ns::proc_ns_path(sys::self_pid(), t))) continue;
            ns_fds.push_back(sys::open_namespace(theirs, ns::clone_flag(t)));
            boot.join_types.emplace_back(spec::namespace_type_name(t));
        }
        // Without a mount namespace of its own the container is only chrooted: a namespace join
        // cannot put the new process there, so it enters the container process's root.
        const spec::Linux no_linux;
        const auto& container_ns = container_cfg.linux_ ? container_cfg.linux_->namespaces : no_linux.namespaces;
        sys::Fd container_root;
        if (!ns::plan_namespaces(container_ns).creates(NamespaceType::mount)) {
            container_root = sys::open_at(AT_FDCWD, fmt::format("/proc/{}/root", rec->pid), O_PATH | O_DIRECTORY);
            boot.enter_root = true;
        }
        // The PID must still be the container's: the namespace fds now pin what we will join.
        if (sys::process_start_time(rec->pid) != rec->start_time) fail("container process exited");

        sys::Fd pidfd_socket = connect_pidfd_socket(o.pidfd_socket);
        sys::trace::keep_above(3 + o.preserve_fds);
        seal_inherited_fds(o.preserve_fds);
        sys::Fd sigfd;
        if (!o.detach) {
            sys::become_subreaper();
            sigfd = sys::block_signals_to_fd(foreground_signals());
        }
        std::vector<int> fds;
        for (const auto& f : ns_fds) fds.push_back(f.get());
        if (container_root) fds.push_back(container_root.get());
        // The new process joins the container's cgroup too, so its limits and `ps` cover it.
        std::vector<sys::Fd> cgroup_procs;
        std::optional<cgroup::ContainerCgroup> joined;
        if (!rec->cgroup_path.empty()) {
            auto& cg = joined.emplace(locate_cgroup(*rec));
            if (!sub_cgroup.empty()) cg = with_context("--cgroup " + sub_cgroup, [&] { return cgroup::sub_cgroup(cg, sub_cgroup); });
            cgroup_procs = cgroup::open_for_join(cg);
            for (const auto& f : cgroup_procs) fds.push_back(f.get());
            boot.join_cgroups = static_cast<int>(cgroup_procs.size());
        }
        pass_trace(boot, fds);
        sys::trace::Span spawn_span("spawn");  // to `ready`: the init stage's records fall inside
        sys::trace::Span launch_span("launch");
        LaunchedInit init = launch_init(boot, fds, g.root, -1, [&](pid_t pid) {
            if (joined) cgroup::attach_by_manager(*joined, pid);
        });
        launch_span.end();
        cgroup_procs.clear();
        ns_fds.clear();
        container_root.reset();
        pid_t pid = 0;
        sys::Fd master;
        try {
            const auto p = util::parse_int(init.channel.expect(Msg::init_pid).payload);
            if (!p || *p <= 0) fail("sync: bad init_pid");
            pid = static_cast<pid_t>(*p);
            if (pid != init.pid) sys::wait_process(init.pid);
            Message m = init.channel.receive();
            if (m.type == Msg::console_master) {
                if (m.fds.empty()) fail("sync: console_master without an fd");
                if (!o.console_socket.empty())
                    terminal::send_console_master(o.console_socket, m.fds[0].get());
                else {
                    master = std::move(m.fds[0]);
                    terminal::copy_window_size(0, 1, master.get());  // as soon as the terminal exists
                }
                m = init.channel.receive();
            }
            if (hand_over_listener(m, container_cfg, pid, hook_state(*rec, st))) m = init.channel.receive();
            if (m.type != Msg::ready) fail("sync: expected ready, got {}", msg_name(m.type));
            spawn_span.end();
            send_pidfd(pidfd_socket, pid, PidfdKind::setns);
            // The socket closes on a successful execve; a failed one sends its error.
            sys::trace::Span exec_span("exec_wait");
            init.channel.expect_closed();
            exec_span.end();
            write_pid_file(o.pid_file, pid);
        } catch (...) {
            if (pid > 0) sys::send_signal(pid, SIGKILL);
            sys::send_signal(init.pid, SIGKILL);
            try {
                sys::wait_process(init.pid);
            } catch (const Error&) {
                // Already reaped above.
            }
            throw;
        }
        if (o.detach) return 0;
        sys::trace::Span wait_span("wait");
        return wait_foreground(pid, sigfd.get(), std::move(master)).shell_status();
    });
}

}  // namespace ocirt::runtime
