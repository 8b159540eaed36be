#include "ocirt/runtime/init_stage.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include "ocirt/cgroup/manager.hpp"
#include "ocirt/hooks/hooks.hpp"
#include "ocirt/mount/masked_paths.hpp"
#include "ocirt/mount/mounts.hpp"
#include "ocirt/ns/idmap.hpp"
#include "ocirt/ns/namespaces.hpp"
#include "ocirt/ns/net_devices.hpp"
#include "ocirt/ns/sysctl.hpp"
#include "ocirt/process/process_extras.hpp"
#include "ocirt/runtime/bootstrap.hpp"
#include "ocirt/runtime/init_process.hpp"
#include "ocirt/runtime/seccomp_stage.hpp"
#include "ocirt/security/lsm.hpp"
#include "ocirt/runtime/sync.hpp"
#include "ocirt/spec/config.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/sys/identity.hpp"
#include "ocirt/sys/keyring.hpp"
#include "ocirt/sys/namespaces.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/sys/terminal.hpp"
#include "ocirt/sys/trace.hpp"
#include "ocirt/sys/unix_socket.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::runtime {
namespace {

using spec::NamespaceType;

/// Becomes root of a user namespace just entered (its uid/gid 0 must be mapped).
void become_namespace_root() {
    sys::set_res_gid(0, 0, 0);
    sys::set_res_uid(0, 0, 0);
}

/// Forks if the pid or time namespace must apply to the container process (they only apply to
/// children). The original process reports the child's PID and exits; the child goes on once
/// that report is sent, so the parent always learns the PID before anything else. With
/// `as_sibling` the child is ocirt's own child (run --no-subreaper waits for it without being
/// a subreaper).
void fork_into_namespaces(SyncChannel& ch, bool needs_fork, bool as_sibling) {
    if (!needs_fork) {
        ch.send(Msg::init_pid, std::to_string(sys::self_pid()));
        return;
    }
    auto [go_read, go_write] = sys::make_pipe();
    const pid_t child = as_sibling ? sys::fork_as_sibling() : sys::fork_process();
    if (child == 0) {
        go_write.reset();
        char b;
        sys::read_some(go_read.get(), &b, 1);  // EOF: the PID is on its way
        return;
    }
    ch.send(Msg::init_pid, std::to_string(child));
    sys::exit_now(0);
}

/// The state for hooks that run in the container's namespaces: the PID as seen there (runtime.md).
std::string state_seen_inside(const nlohmann::json& host_state_text) {
    auto state = nlohmann::json::parse(host_state_text.get<std::string>());
    state["pid"] = sys::self_pid();
    return state.dump();
}

/// Joins the container's cgroup when the parent passed its cgroup.procs (the last fds: one per
/// hierarchy on a cgroup v1 host). This comes before any setns or unshare: a new cgroup
/// namespace then has this cgroup as its root, and every process the stage forks starts inside it.
void join_container_cgroup(const InitBootstrap& boot, std::vector<sys::Fd>& fds) {
    if (boot.join_cgroups <= 0) return;
    if (fds.size() < static_cast<size_t>(boot.join_cgroups) + 1) fail("bootstrap: the cgroup fds are missing");
    std::vector<sys::Fd> procs;
    for (int i = 0; i < boot.join_cgroups; ++i) {
        procs.push_back(std::move(fds.back()));
        fds.pop_back();
    }
    for (const auto& p : procs) cgroup::join(p.get());
}

/// The new time namespace's CLOCK_MONOTONIC offset, which the trace takes back out.
int64_t monotonic_offset_us(const std::map<std::string, spec::TimeOffset>& offsets) {
    const auto it = offsets.find("monotonic");
    if (it == offsets.end()) return 0;
    return it->second.secs * 1000000 + static_cast<int64_t>(it->second.nanosecs / 1000);
}

[[noreturn]] void run_create(SyncChannel& ch, const InitBootstrap& boot, std::vector<sys::Fd>& fds) {
    sys::trace::Span config_span("init_config");
    const spec::Config cfg = spec::config_from_json(nlohmann::json::parse(boot.config_json));
    const spec::Process& proc = *cfg.process;
    const spec::Linux empty_linux;
    const spec::Linux& lnx = cfg.linux_ ? *cfg.linux_ : empty_linux;
    const ns::NamespacePlan plan = ns::plan_namespaces(lnx.namespaces);
    config_span.end();

    sys::Fd start_listener = std::move(fds.at(1));
    std::vector<sys::Fd> ns_fds;
    for (size_t i = 2; i < fds.size(); ++i) ns_fds.push_back(std::move(fds[i]));
    if (proc.exec_cpu_affinity) process::apply_initial_cpu_affinity(*proc.exec_cpu_affinity);
    // Id-mapping a mount needs privilege over the source filesystem's (the host's) user
    // namespace: clone and map the sources before entering the container's.
    mount::IdmappedTrees idmapped = mount::prepare_idmapped_trees(cfg, boot.bundle);

    sys::trace::Span ns_span("namespaces");
    ns::join_all(plan, ns_fds);
    ns_fds.clear();
    if (plan.creates(NamespaceType::user)) {
        sys::unshare_namespaces(CLONE_NEWUSER, "user namespace");
        // A non-dumpable process's /proc files belong to root: an unprivileged parent (rootless)
        // could not open uid_map, gid_map and setgroups to write them (runc's nsexec does the same).
        DumpableWindow open_proc;
        ch.send(Msg::idmap_request);
        ch.expect(Msg::idmap_done);
    }
    if (plan.has(NamespaceType::user)) become_namespace_root();
    const int others = plan.new_flags & ~CLONE_NEWUSER;
    if (others != 0) sys::unshare_namespaces(others, "namespaces");
    if (plan.creates(NamespaceType::network)) ns::bring_up_loopback();
    if (plan.creates(NamespaceType::time)) {
        DumpableWindow open_proc;
        ns::write_time_offsets(lnx.time_offsets);
    }
    ns_span.end();
    sys::trace::Span fork_span("fork");  // ended by the child (the original process exits)
    fork_into_namespaces(ch, plan.needs_fork(), boot.fork_as_sibling);
    if (plan.creates(NamespaceType::time)) sys::trace::set_clock_offset_us(monotonic_offset_us(lnx.time_offsets));
    fork_span.end();

    // From here on this is the container's process.
    sys::new_session();
    // In a user namespace made here or one the runtime already runs in (rootless podman's),
    // device nodes are bound from the host, not made (runc: inUserNs).
    const bool in_user_ns = plan.has(NamespaceType::user) || ns::running_in_user_namespace();
    mount::RootfsContext ctx{boot.rootfs, boot.bundle, in_user_ns, plan.creates(NamespaceType::network),
                             std::move(idmapped)};
    ctx.own_mount_namespace = plan.creates(NamespaceType::mount);
    ctx.cgroup_dir = boot.cgroup_dir;
    ctx.cgroup_v1 = boot.cgroup_v1;
    ctx.cgroup_namespace_joined = plan.has(NamespaceType::cgroup) && !plan.creates(NamespaceType::cgroup);
    {
        sys::trace::Span rootfs_span("rootfs");
        mount::prepare_rootfs(cfg, ctx);
    }

    sys::Fd slave;
    if (proc.terminal) {
        sys::trace::Span console_span("console");
        sys::Fd rootfd = sys::open_at(AT_FDCWD, boot.rootfs, O_PATH | O_DIRECTORY);
        slave = open_container_terminal(ch, rootfd.get(), proc);
        mount::bind_console(ctx, slave.get());
    }

    sys::trace::Span wait_span("wait_parent_hooks");  // the parent's prestart and createRuntime
    ch.send(Msg::mounts_ready);
    const auto states = nlohmann::json::parse(ch.expect(Msg::hooks_done).payload);
    wait_span.end();
    {
        sys::trace::Span hooks_span("hooks_create_container");
        hooks::run_hooks(cfg.hooks.create_container, state_seen_inside(states.at("createContainer")), "createContainer");
    }

    sys::trace::Span pivot_span("pivot");
    mount::enter_rootfs(cfg, ctx, boot.no_pivot);
    pivot_span.end();
    if (cfg.hostname) sys::set_hostname(*cfg.hostname);
    if (cfg.domainname) sys::set_domainname(*cfg.domainname);
    // runc's order: sysctls while /proc/sys is still writable, then read-only and masked paths.
    sys::trace::Span sysctl_span("sysctl");
    ns::apply_sysctls(lnx.sysctl);
    sysctl_span.end();
    sys::trace::Span readonly_span("readonly_paths");
    mount::apply_readonly_paths(lnx.readonly_paths);
    readonly_span.end();
    sys::trace::Span masked_span("masked_paths");
    mount::apply_masked_paths(lnx.masked_paths);
    masked_span.end();
    mount::apply_rootfs_propagation(cfg);
    ctx.idmapped.clear();
    sys::trace::Span keyring_span("keyring");
    if (!boot.no_new_keyring) sys::join_session_keyring("_ses." + boot.id);
    keyring_span.end();
    if (slave) attach_terminal(slave.get());
    slave.reset();

    sys::trace::Span process_span("process_setup");
    if (lnx.personality) process::apply_personality(*lnx.personality);
    if (lnx.memory_policy) process::apply_memory_policy(*lnx.memory_policy);
    security::apply_exec_labels(proc);
    // Everything up to the program lookup happens before the filter (docs/security.md).
    ContainerProcess cp = become_container_process(proc, filter_needs_admin(boot, proc.no_new_privileges));
    for (const auto& w : cp.warnings) ch.send(Msg::warning, w);
    process_span.end();
    // From `ready` on, `kill` can reach this process while it waits for `start`: TERM and every
    // other signal whose default action ends a process must end it, as they end runc's waiting
    // init. As PID 1 of a new PID namespace it would ignore them without a handler.
    sys::exit_on_terminating_signals();
    // The parent has recorded this process by now (delete can reach it): it no longer dies with
    // the parent (launch_init set that), so a detached container outlives `create`/`exec -d`.
    sys::set_parent_death_signal(0);
    install_listener_filter(boot, cp, ch);
    ch.send(Msg::ready);

    // Wait for `ocirt start`. Its connection is close-on-exec here: when execve succeeds, start
    // sees end-of-file; anything that fails before is sent to it as text.
    sys::trace::Span start_span("wait_start");
    sys::Fd conn = sys::accept_unix(start_listener.get());
    start_listener.reset();
    std::vector<sys::Fd> none;
    if (sys::recv_with_fds(conn.get(), 64, none) != "start") fail("start: unexpected message");
    start_span.end();
    try {
        sys::trace::Span hooks_span("hooks_start_container");
        hooks::run_hooks(cfg.hooks.start_container, state_seen_inside(states.at("startContainer")), "startContainer");
        hooks_span.end();
        exec_program(cp, boot.extra_fds, filter_for_exec(boot));
    } catch (const Error& e) {
        try {
            sys::send_with_fds(conn.get(), e.what(), {});
        } catch (const Error&) {
            // start is gone: nobody to tell.
        }
        throw;
    }
}

[[noreturn]] void run_exec(SyncChannel& ch, const InitBootstrap& boot, std::vector<sys::Fd>& fds) {
    const spec::Config cfg = spec::config_from_json(nlohmann::json::parse(boot.config_json));
    const spec::Process& proc = *cfg.process;
    std::vector<spec::Namespace> nss;
    for (size_t i = 0; i < boot.join_types.size(); ++i) {
        auto t = spec::parse_namespace_type(boot.join_types[i]);
        if (!t) fail("bootstrap: unknown namespace type {}", boot.join_types[i]);
        nss.push_back(spec::Namespace{*t, "(container)"});
    }
    const ns::NamespacePlan plan = ns::plan_namespaces(nss);
    if (proc.exec_cpu_affinity) process::apply_initial_cpu_affinity(*proc.exec_cpu_affinity);
    sys::Fd container_root;
    if (boot.enter_root) {
        if (fds.size() < 2) fail("bootstrap: the container root fd is missing");
        container_root = std::move(fds.back());
        fds.pop_back();
    }
    std::vector<sys::Fd> ns_fds;
    for (size_t i = 1; i < fds.size(); ++i) ns_fds.push_back(std::move(fds[i]));
    sys::trace::Span ns_span("namespaces");
    ns::join_all(plan, ns_fds);
    ns_fds.clear();
    if (container_root) mount::enter_container_root(container_root.get());
    container_root.reset();
    if (plan.has(NamespaceType::user)) become_namespace_root();
    ns_span.end();
    sys::trace::Span fork_span("fork");
    fork_into_namespaces(ch, plan.needs_fork(), boot.fork_as_sibling);
    fork_span.end();

    sys::new_session();
    if (proc.terminal) {
        sys::trace::Span console_span("console");
        sys::Fd rootfd = sys::open_at(AT_FDCWD, "/", O_PATH | O_DIRECTORY);
        sys::Fd slave = open_container_terminal(ch, rootfd.get(), proc);
        attach_terminal(slave.get());
    }
    sys::trace::Span process_span("process_setup");
    security::apply_exec_labels(proc);
    ContainerProcess cp = become_container_process(proc, filter_needs_admin(boot, proc.no_new_privileges));
    for (const auto& w : cp.warnings) ch.send(Msg::warning, w);
    process_span.end();
    // The parent has recorded this process by now (delete can reach it): it no longer dies with
    // the parent (launch_init set that), so a detached container outlives `create`/`exec -d`.
    sys::set_parent_death_signal(0);
    install_listener_filter(boot, cp, ch);
    ch.send(Msg::ready);
    // The parent waits for the sync socket to close on execve, or for the error below.
    exec_program(cp, boot.extra_fds, filter_for_exec(boot));
}

}  // namespace

void init_main(int sync_fd) noexcept {
    SyncChannel ch{sys::Fd(sync_fd)};
    try {
        sys::set_cloexec(sync_fd, true);
        // Not ptrace-able nor /proc-inspectable by the container until execve (CVE-2016-9962).
        sys::set_dumpable(false);
        sys::set_umask(0);
        Message boot_msg = ch.expect(Msg::bootstrap);
        if (boot_msg.fds.empty()) fail("bootstrap: no document");
        const InitBootstrap boot =
            bootstrap_from_json(sys::read_fd(boot_msg.fds[kBootstrapDocFd].get(), 64u << 20));
        take_trace(boot, boot_msg.fds);  // before the cgroup fds: it is the last one
        sys::trace::Span cgroup_span("cgroup_join");
        join_container_cgroup(boot, boot_msg.fds);
        cgroup_span.end();
        if (boot.mode == InitMode::create) run_create(ch, boot, boot_msg.fds);
        run_exec(ch, boot, boot_msg.fds);
    } catch (const Error& e) {
        ch.send_error(e.code(), e.without_strerror());
    } catch (const std::exception& e) {
        ch.send_error(0, e.what());
    } catch (...) {
        ch.send_error(0, "unknown error in the init stage");
    }
    sys::exit_now(1);
}

}  // namespace ocirt::runtime
