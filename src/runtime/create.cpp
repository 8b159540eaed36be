#include <fcntl.h>
#include <signal.h>

#include <optional>

#include <nlohmann/json.hpp>

#include "ocirt/cgroup/manager.hpp"
#include "ocirt/cgroup/mount_view.hpp"
#include "ocirt/cgroup/rootless.hpp"
#include "ocirt/hooks/hooks.hpp"
#include "ocirt/mount/masked_paths.hpp"
#include "ocirt/mount/mounts.hpp"
#include "ocirt/ns/idmap.hpp"
#include "ocirt/ns/namespaces.hpp"
#include "ocirt/ns/net_devices.hpp"
#include "ocirt/ns/sysctl.hpp"
#include "ocirt/process/process_extras.hpp"
#include "ocirt/resctrl/intel_rdt.hpp"
#include "ocirt/runtime/container.hpp"
#include "ocirt/runtime/create_internal.hpp"
#include "ocirt/runtime/host_resources.hpp"
#include "ocirt/runtime/init_launcher.hpp"
#include "ocirt/runtime/pidfd_socket.hpp"
#include "ocirt/runtime/rootless.hpp"
#include "ocirt/runtime/seccomp_stage.hpp"
#include "ocirt/security/capabilities.hpp"
#include "ocirt/security/lsm.hpp"
#include "ocirt/security/process_attrs.hpp"
#include "ocirt/spec/config_file.hpp"
#include "ocirt/spec/support.hpp"
#include "ocirt/spec/validate/validate.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/sys/trace.hpp"
#include "ocirt/sys/unix_socket.hpp"
#include "ocirt/terminal/console.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"
#include "ocirt/util/passwd.hpp"
#include "ocirt/util/strings.hpp"
#include "ocirt/util/time.hpp"

namespace ocirt::runtime {
namespace {

using spec::NamespaceType;

/// Everything create knows before it touches the system.
struct Prepared {
    spec::Config config;
    std::string bundle;
    std::string rootfs;
    ns::NamespacePlan plan;
    int extra_fds = 0;
};

void check_config(const spec::Config& c, const ns::NamespacePlan& plan) {
    if (!c.process) fail("/process: required to create a container");
    if (c.process->args.empty()) fail("/process/args: must name the program to run");
    if (c.process->cwd.empty() || c.process->cwd[0] != '/') fail("/process/cwd: must be an absolute path");
    if (!c.root) fail("/root: required on Linux");
    spec::check_applicable(c);
    mount::check_mounts(c);
    // runtime-spec: unknown capability names are logged and skipped, not fatal (runc does so).
    if (c.process->capabilities) security::check_capabilities(*c.process->capabilities, security::UnknownCapability::warn);
    security::check_rlimits(c.process->rlimits);
    security::check_lsm_labels(c);
    hooks::check_hooks(c.hooks);
    if (!plan.creates(NamespaceType::mount)) mount::check_without_own_mount_namespace(c, plan.has(NamespaceType::mount));
    // A joined uts namespace counts, as with runc: its hostname is then set.
    if (c.hostname && !c.hostname->empty() && !plan.has(NamespaceType::uts))
        fail("/hostname: setting the hostname needs a uts namespace");
    if (c.domainname && !c.domainname->empty() && !plan.has(NamespaceType::uts))
        fail("/domainname: setting the domainname needs a uts namespace");
    const spec::Linux empty;
    const spec::Linux& l = c.linux_ ? *c.linux_ : empty;
    const bool maps = !l.uid_mappings.empty() || !l.gid_mappings.empty();
    if (maps && !plan.creates(NamespaceType::user))
        fail("/linux/uidMappings: id mappings need a new user namespace");
    if (plan.creates(NamespaceType::user) && (l.uid_mappings.empty() || l.gid_mappings.empty()))
        fail("/linux/uidMappings: a new user namespace needs uidMappings and gidMappings");
    if (!l.time_offsets.empty() && !plan.creates(NamespaceType::time))
        fail("/linux/timeOffsets: time offsets need a new time namespace");
    mount::check_protected_paths(l.masked_paths, l.readonly_paths);
    ns::check_sysctls(l.sysctl, plan);
    ns::check_net_devices(l.net_devices, plan);
    if (l.intel_rdt) resctrl::check_intel_rdt(*l.intel_rdt);
    process::check_process_extras(c);
}

/// The bundled schema and semantic checks, before anything touches the system: every problem
/// at once, each with its line:column, as `ocirt validate` prints them. Returns the document
/// that was validated, for the model (one read, one parse).
nlohmann::json validated_config(const std::string& path) {
    nlohmann::json document;
    const auto report = spec::validate::validate_config_text(spec::read_config_text(path), path, document);
    if (report.valid()) return document;
    std::string text = spec::validate::format_text(report);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    // One problem stays on the one error line clients read; several follow it, one a line.
    if (text.find('\n') == std::string::npos) fail("{}", text);
    if (report.not_shown == 0) fail("{} problems in the config:\n{}", report.error_count(), text);
    const std::size_t shown = report.diagnostics.size() - 1;  // the last line is the summary
    fail("{} problems in the config (the first {} follow):\n{}", shown + report.not_shown, shown, text);
}

Prepared prepare(const CreateOptions& o) {
    Prepared p;
    p.bundle = with_context("bundle", [&] { return sys::real_path(o.bundle); });
    // crun's --config: relative to the caller's directory, not the bundle; root.path stays
    // relative to the bundle.
    const std::string config_path = o.config_file.empty()
                                        ? p.bundle + "/config.json"
                                        : with_context("--config", [&] { return sys::real_path(o.config_file); });
    sys::trace::Span parse("parse");  // read, JSON, the bundled schema, the model
    const nlohmann::json document = validated_config(config_path);
    p.config = with_context(config_path, [&] { return spec::config_from_json(document); });
    parse.end();
    sys::trace::Span validate("validate");
    const spec::Linux empty;
    p.plan = ns::plan_namespaces(p.config.linux_ ? p.config.linux_->namespaces : empty.namespaces);
    check_config(p.config, p.plan);
    log::debug("create {}: bundle {}, config parsed and checked", o.id, p.bundle);
    const std::string root = p.config.root->path;
    const std::string absolute = root[0] == '/' ? root : p.bundle + "/" + root;
    if (p.plan.has(NamespaceType::mount) && !p.plan.creates(NamespaceType::mount)) {
        // In a mount namespace joined by path, root.path names a directory there (as with
        // runc); the init stage resolves it after joining.
        p.rootfs = absolute;
    } else {
        p.rootfs = with_context("/root/path", [&] { return sys::real_path(absolute); });
        auto st = sys::stat_path(p.rootfs);
        if (!st || !S_ISDIR(st->st_mode)) fail("/root/path: {} is not a directory", p.rootfs);
    }

    const int listen = listen_fds_count();
    p.extra_fds = listen + o.preserve_fds;
    if (listen > 0) {
        p.config.process->env.push_back("LISTEN_FDS=" + std::to_string(listen));
        p.config.process->env.push_back("LISTEN_PID=1");
    }
    return p;
}

std::string owner_name() {
    try {
        return util::name_of_uid(sys::read_file("/etc/passwd", 4u << 20), sys::real_uid()).value_or("");
    } catch (const Error&) {
        return "";
    }
}

/// --cgroup-manager=disabled (crun): the caller chose to run without a cgroup, so limits
/// in the config are not applied; say so rather than drop them silently.
void warn_cgroup_disabled(const spec::Config& c) {
    if (!c.linux_) return;
    if (c.linux_->resources) log::warn("--cgroup-manager=disabled: /linux/resources is not applied (no cgroup)");
    if (c.linux_->cgroups_path) log::warn("--cgroup-manager=disabled: /linux/cgroupsPath is not used (no cgroup)");
}

/// What a "cgroup" mount of the config holds on a legacy or hybrid host (empty elsewhere, and
/// without such a mount: then nothing reads the mount table for it).
std::vector<mount::CgroupV1Hierarchy> cgroup_mount_hierarchies(const spec::Config& c, const cgroup::ContainerCgroup* cg) {
    std::vector<mount::CgroupV1Hierarchy> out;
    bool wanted = false;
    for (const auto& m : c.mounts) wanted = wanted || (m.type && *m.type == "cgroup");
    if (!wanted) return out;
    const cgroup::CgroupHost host = cg && cg->host.kind != cgroup::HostKind::none ? cg->host : cgroup::discover_host();
    for (const auto& v : cgroup::v1_mount_views(host, cg)) out.push_back({v.name, v.subsystems, v.dir});
    return out;
}

/// Kills what a failed create started and removes its state dir.
void abort_create(ContainerDir& dir, pid_t first, bool first_reaped, pid_t container, bool hooks_started,
                  const ContainerRecord& rec, const spec::Config& cfg,
                  const std::optional<cgroup::ContainerCgroup>& cg) noexcept {
    release_host_resources(dir, cfg);
    try {
        sys::Fd pidfd = container > 0 ? sys::pidfd_open(container) : sys::Fd();
        if (container > 0) sys::send_signal(container, SIGKILL);
        if (first > 0 && !first_reaped) {
            sys::send_signal(first, SIGKILL);
            sys::wait_process(first);
        }
        if (pidfd) {
            sys::wait_pidfd_exit(pidfd.get(), 5000);
            sys::reap_any();  // our child when we are its subreaper (run); otherwise init reaps it
        }
        if (hooks_started) hooks::run_hooks_warn_only(cfg.hooks.poststop, hook_state(rec, spec::Status::stopped), "poststop");
    } catch (const Error& e) {
        log::warn("cleaning up after a failed create: {}", e.what());
    }
    try {
        if (cg) cgroup::remove_cgroup(*cg);
    } catch (const Error& e) {
        log::warn("removing the cgroup of a failed create: {}", e.what());
    }
    try {
        dir.destroy();
    } catch (const Error& e) {
        log::warn("removing {}: {}", dir.path(), e.what());
    }
}

}  // namespace

std::string hook_state(const ContainerRecord& r, spec::Status status) {
    return spec::state_to_json(record_state(r, status)).dump();
}

void write_pid_file(const std::string& path, pid_t pid) {
    if (path.empty()) return;
    with_context("--pid-file", [&] { sys::replace_file(path, std::to_string(pid), 0644); });
}

spec::Config saved_config(const ContainerDir& dir) { return spec::config_from_json(spec::read_config_json(dir.config_path())); }

namespace {
CreatedContainer create_steps(const GlobalOptions& g, const CreateOptions& o, bool foreground) {
    validate_id(o.id);
    Prepared p = prepare(o);
    sys::trace::Span seccomp_span("seccomp_compile");  // compiled, or read from the cache
    const auto filter = prepare_seccomp(p.config, g.root);
    seccomp_span.end();
    const bool terminal = p.config.process->terminal;
    if (terminal && o.console_socket.empty() && !foreground)
        fail("/process/terminal: a detached container with a terminal needs --console-socket");
    if (!terminal && !o.console_socket.empty())
        fail("--console-socket: given, but /process/terminal is false");
    sys::trace::keep_above(3 + p.extra_fds);
    seal_inherited_fds(p.extra_fds);
    std::vector<sys::Fd> ns_fds = ns::open_joins(p.plan);
    sys::Fd pidfd_socket = connect_pidfd_socket(o.pidfd_socket);

    const bool rootless = is_rootless(g.rootless);
    if (sys::effective_uid() != 0) secure_state_root(g.root);
    sys::trace::Span state_span("state_dir");
    ContainerDir dir = ContainerDir::create(g.root, o.id);
    ContainerRecord rec;
    rec.id = o.id;
    rec.bundle = p.bundle;
    rec.rootfs = p.rootfs;
    rec.created = util::now_rfc3339();
    rec.owner = owner_name();
    rec.annotations = p.config.annotations;
    rec.creating = true;

    pid_t first = 0;
    bool first_reaped = false;
    std::optional<cgroup::ContainerCgroup> cg;
    try {
        // The record comes first and is updated (atomically) before each step that makes
        // something outside this directory: a create killed anywhere leaves what `delete
        // --force` needs to undo it (docs/security.md, "Crash consistency").
        const std::string config_text = spec::config_to_json(p.config).dump();
        sys::replace_file(dir.config_path(), config_text, 0600);
        dir.save(rec);
        // The init stage waits on this socket for `start` (see start_container).
        sys::Fd start_listener = sys::listen_seqpacket(dir.start_socket_address());
        state_span.end();
        sys::trace::Span cgroup_span("cgroup");

        // The cgroup exists, with its limits and device filter, before the init stage runs: the
        // stage joins it first thing (through this cgroup.procs fd), so nothing runs unlimited.
        log::debug("create {}: state dir ready; setting up the cgroup", o.id);
        if (g.no_cgroup)
            warn_cgroup_disabled(p.config);
        else if (rootless)
            cg = cgroup::plan_rootless(p.config, o.id, g.systemd_cgroup, is_rootless(Rootless::auto_detect));
        else
            cg = cgroup::plan_cgroup(p.config, o.id, g.systemd_cgroup);
        std::vector<sys::Fd> cgroup_procs;
        std::optional<sys::Fd> cgroup_dir;  // clone3(CLONE_INTO_CGROUP) target on a pure v2 host
        if (cg) {
            // A cgroup that exists already is recorded once create has claimed it (it may hold
            // someone else's processes until then); one create makes is recorded first.
            if (const auto planned = cgroup::planned_record(*cg)) {
                set_cgroup_record(rec, *planned);
                dir.save(rec);
            }
            cgroup::setup_cgroup(*cg, p.config);
            set_cgroup_record(rec, cgroup::record_of(*cg));
            dir.save(rec);
            cgroup_procs = cgroup::open_for_join(*cg);
            cgroup_dir = cgroup::open_for_clone(*cg);
            log::debug("create {}: cgroup {} ready", o.id, cg->dir());
        }
        cgroup_span.end();

        InitBootstrap boot;
        boot.mode = InitMode::create;
        boot.config_json = config_text;
        boot.id = o.id;
        boot.bundle = p.bundle;
        boot.rootfs = p.rootfs;
        boot.no_pivot = o.no_pivot;
        boot.no_new_keyring = o.no_new_keyring;
        boot.extra_fds = p.extra_fds;
        // Without a cgroup of its own (rootless, nothing delegated) the container stays in ours:
        // that is what a cgroup2 mount that cannot be made binds instead (runc binds the hierarchy).
        // Only a rootless caller needs that fallback: root's creates skip the mountinfo read.
        boot.cgroup_dir = cg ? cg->dir() : rootless ? cgroup::own_cgroup_dir() : std::string();
        boot.cgroup_v1 = cgroup_mount_hierarchies(p.config, cg ? &*cg : nullptr);
        boot.fork_as_sibling = o.no_subreaper;
        put_filter(boot, filter);
        std::vector<int> fds{start_listener.get()};
        for (const auto& f : ns_fds) fds.push_back(f.get());
        for (const auto& f : cgroup_procs) fds.push_back(f.get());
        boot.join_cgroups = static_cast<int>(cgroup_procs.size());
        pass_trace(boot, fds);
        // From the launch to `ready`: the init stage's records fall inside this span.
        sys::trace::Span spawn_span("spawn");
        sys::trace::Span launch_span("launch");  // the sealed binary (overlay or copy), clone + execveat, bootstrap sent
        // The init stage dies with this process until it is recorded (PR_SET_PDEATHSIG, set
        // in the child before it execs), and after that through the sync socket's EOF.
        LaunchedInit init = launch_init(boot, fds, g.root, cgroup_dir ? cgroup_dir->get() : -1, [&](pid_t pid) {
            if (cg) cgroup::attach_by_manager(*cg, pid);
        });
        launch_span.end();
        cgroup_procs.clear();
        cgroup_dir.reset();
        first = init.pid;
        rec.init_pid = first;
        rec.init_start_time = sys::process_start_time(first).value_or(0);
        dir.save(rec);
        if (cg) cgroup::hand_over(*cg, first);
        log::debug("create {}: init stage started as pid {}", o.id, first);
        start_listener.reset();
        ns_fds.clear();

        const spec::Linux empty;
        const spec::Linux& l = p.config.linux_ ? *p.config.linux_ : empty;
        if (p.plan.creates(NamespaceType::user)) {
            init.channel.expect(Msg::idmap_request);
            sys::trace::Span idmap_span("idmap");
            ns::write_id_maps(first, l.uid_mappings, l.gid_mappings);
            init.channel.send(Msg::idmap_done);
        }
        const Message pid_msg = init.channel.expect(Msg::init_pid);
        const auto pid = util::parse_int(pid_msg.payload);
        if (!pid || *pid <= 0) fail("sync: bad init_pid \"{}\"", pid_msg.payload);
        rec.pid = static_cast<pid_t>(*pid);
        CreatedContainer out;
        out.pidfd = sys::pidfd_open(rec.pid);
        if (rec.pid != first) {
            sys::wait_process(first);  // the first init process exits after its fork
            first_reaped = true;
        }
        if (!out.pidfd) fail("the container process exited during create");
        rec.start_time = sys::process_start_time(rec.pid).value_or(0);
        rec.host_resources = true;
        dir.save(rec);
        log::debug("create {}: container process is pid {}", o.id, rec.pid);
        {
            sys::trace::Span host_span("host_resources");
            acquire_host_resources(dir, p.config, rec.pid);
        }

        Message m = init.channel.receive();
        if (m.type == Msg::console_master) {
            if (m.fds.empty()) fail("sync: console_master without an fd");
            if (!o.console_socket.empty())
                with_context("--console-socket " + o.console_socket,
                             [&] { terminal::send_console_master(o.console_socket, m.fds[0].get()); });
            else {
                out.console_master = std::move(m.fds[0]);
                // `run` in the foreground: the caller's window size now, before `start` lets
                // the process run (the proxy that follows resizes tracks SIGWINCH only later).
                terminal::copy_window_size(0, 1, out.console_master.get());
            }
            m = init.channel.receive();
        }
        if (m.type != Msg::mounts_ready) fail("sync: expected mounts_ready, got {}", msg_name(m.type));

        rec.hooks_started = true;
        dir.save(rec);
        log::debug("create {}: rootfs mounted; running prestart and createRuntime hooks", o.id);
        const std::string creating = hook_state(rec, spec::Status::creating);
        sys::trace::Span hooks_span("hooks_prestart_create_runtime");
        hooks::run_hooks(p.config.hooks.prestart, creating, "prestart");
        hooks::run_hooks(p.config.hooks.create_runtime, creating, "createRuntime");
        hooks_span.end();
        nlohmann::json states = {{"createContainer", creating}, {"startContainer", hook_state(rec, spec::Status::created)}};
        init.channel.send(Msg::hooks_done, states.dump());
        Message last = init.channel.receive();
        if (hand_over_listener(last, p.config, rec.pid, creating)) last = init.channel.receive();
        if (last.type != Msg::ready) fail("sync: expected ready, got {}", msg_name(last.type));
        spawn_span.end();

        log::debug("create {}: container is ready", o.id);
        send_pidfd(pidfd_socket, rec.pid, PidfdKind::standard);
        sys::trace::Span record_span("record");  // the state record says created, --pid-file
        rec.creating = false;
        rec.init_pid = 0;
        rec.init_start_time = 0;
        dir.save(rec);
        write_pid_file(o.pid_file, rec.pid);
        out.pid = rec.pid;
        return out;
    } catch (const Error&) {
        abort_create(dir, first, first_reaped, rec.pid, rec.hooks_started, rec, p.config, cg);
        throw;
    }
}
}  // namespace

void create_container(const GlobalOptions& g, const CreateOptions& o) { create_internal(g, o, false); }

CreatedContainer create_internal(const GlobalOptions& g, const CreateOptions& o, bool foreground) {
    return with_context("create " + o.id, [&] { return create_steps(g, o, foreground); });
}

}  // namespace ocirt::runtime
