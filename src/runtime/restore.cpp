#include <sched.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include "ocirt/cgroup/manager.hpp"
#include "ocirt/checkpoint/criu.hpp"
#include "ocirt/checkpoint/externals.hpp"
#include "ocirt/hooks/hooks.hpp"
#include "ocirt/runtime/checkpoint.hpp"
#include "ocirt/runtime/create_internal.hpp"
#include "ocirt/runtime/foreground.hpp"
#include "ocirt/runtime/rootless.hpp"
#include "ocirt/runtime/state_dir.hpp"
#include "ocirt/spec/config_file.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/sys/namespaces.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"
#include "ocirt/util/strings.hpp"
#include "ocirt/util/time.hpp"

namespace ocirt::runtime {
namespace {

/// The first fd number handed to CRIU beside stdio (a joined network namespace).
constexpr int kFirstExtraFd = 3;

/// A stopped container of the same ID (the one that was checkpointed) makes way, as a
/// delete would; anything else with that ID is an error.
void clear_stopped(const GlobalOptions& g, const std::string& id) {
    if (!container_exists(g.root, id)) return;
    ContainerDir old = ContainerDir::open(g.root, id);
    const auto rec = old.load();
    if (compute_status(old, rec) != spec::Status::stopped) fail("container \"{}\" already exists", id);
    destroy_container(old, rec);
}

/// Kills what a failed restore started, removes its cgroup and state dir.
void abort_restore(ContainerDir& dir, const ContainerRecord& rec, const std::optional<cgroup::ContainerCgroup>& cg) noexcept {
    try {
        if (rec.pid > 0) {
            sys::Fd pidfd = sys::pidfd_open(rec.pid);
            if (pidfd) {
                sys::pidfd_signal(pidfd.get(), SIGKILL);
                sys::wait_pidfd_exit(pidfd.get(), 5000);
                sys::reap_any();
            }
        }
        if (cg) cgroup::remove_cgroup(*cg);
    } catch (const Error& e) {
        log::warn("cleaning up after a failed restore: {}", e.what());
    }
    try {
        dir.destroy();
    } catch (const Error& e) {
        log::warn("removing {}: {}", dir.path(), e.what());
    }
}

pid_t restore_steps(const GlobalOptions& g, const RestoreOptions& options) {
    validate_id(options.id);
    checkpoint::check_options(options.criu);
    if (!options.console_socket.empty()) fail("--console-socket: restoring a container with a terminal is not supported");
    if (!sys::exists(options.criu.image_path + "/inventory.img"))
        fail("--image-path {}: not a CRIU image (no inventory.img)", options.criu.image_path);
    RestoreOptions o = options;
    o.criu.image_path = sys::real_path(o.criu.image_path);
    if (!o.criu.work_path.empty())
        o.criu.work_path = with_context("--work-path " + o.criu.work_path, [&] {
            sys::make_dirs(o.criu.work_path, 0700);
            return sys::real_path(o.criu.work_path);
        });
    const std::string bundle = with_context("bundle", [&] { return sys::real_path(o.bundle); });
    const std::string config_path = bundle + "/config.json";
    spec::Config cfg = with_context(config_path, [&] {
        return spec::config_from_json(spec::parse_config_text(spec::read_config_text(config_path), config_path));
    });
    if (!cfg.process || !cfg.root) fail("{}: /process and /root are required", config_path);
    if (cfg.process->terminal) fail("/process/terminal: restoring a container with a terminal is not supported");
    const std::string root = cfg.root->path[0] == '/' ? cfg.root->path : bundle + "/" + cfg.root->path;
    const std::string rootfs = with_context("/root/path", [&] { return sys::real_path(root); });
    const auto stdio = checkpoint::load_descriptors(o.criu.image_path);
    clear_stopped(g, o.id);

    ContainerDir dir = ContainerDir::create(g.root, o.id);
    ContainerRecord rec;
    rec.id = o.id;
    rec.bundle = bundle;
    rec.rootfs = rootfs;
    rec.created = util::now_rfc3339();
    rec.annotations = cfg.annotations;
    std::optional<cgroup::ContainerCgroup> cg;
    try {
        sys::replace_file(dir.config_path(), spec::config_to_json(cfg).dump(), 0600);
        std::vector<sys::Fd> procs;
        if (!g.no_cgroup) cg = cgroup::plan_cgroup(cfg, o.id, g.systemd_cgroup);
        if (cg) {
            cgroup::setup_cgroup(*cg, cfg);
            set_cgroup_record(rec, cgroup::record_of(*cg));
            procs = cgroup::open_for_join(*cg);
        }
        const std::string criu_root = dir.path() + "/criu-root";
        sys::make_dir(criu_root, 0755, true);

        checkpoint::RestorePlan plan;
        plan.root = criu_root;
        plan.pid_file = dir.path() + "/criu.pid";
        if (cg) plan.cgroup_root = cg->path;
        plan.mounts = checkpoint::restore_mounts(cfg, bundle);
        plan.inherit_fds = checkpoint::inherit_stdio(stdio);
        sys::ToolLaunch launch;
        // CRIU starts inside the new cgroup (runc applies its cgroup to CRIU the same way), and
        // in a mount namespace of its own where the rootfs is bound at criu-root.
        for (const auto& fd : procs) launch.cgroup_procs_fds.push_back(fd.get());
        launch.bind_source = rootfs;
        launch.bind_target = criu_root;
        int next_fd = kFirstExtraFd;
        sys::Fd netns;
        if (const std::string net = checkpoint::joined_network_namespace(cfg); !net.empty()) {
            netns = with_context("/linux/namespaces network " + net, [&] { return sys::open_namespace(net, CLONE_NEWNET); });
            plan.inherit_fds.emplace_back(next_fd, checkpoint::kExternalNetNs);
            launch.fds.emplace_back(netns.get(), next_fd++);
        }
        if (o.criu.status_fd >= 0) launch.fds.emplace_back(o.criu.status_fd, o.criu.status_fd);
        const std::string work = o.criu.work_path.empty() ? o.criu.image_path : o.criu.work_path;
        log::debug("restore {}: criu restore from {}", o.id, o.criu.image_path);
        checkpoint::run_criu(checkpoint::restore_args(o.criu, plan), work + "/" + checkpoint::kRestoreLog,
                             std::move(launch));
        const auto pid = util::parse_int(util::trim(sys::read_file(plan.pid_file, 64)));
        sys::remove_file(plan.pid_file);
        sys::remove_empty_dir(criu_root);
        if (!pid || *pid <= 0) fail("criu restore: bad pid file {}", plan.pid_file);
        rec.pid = static_cast<pid_t>(*pid);
        rec.start_time = sys::process_start_time(rec.pid).value_or(0);
        // CRIU restores the process already running: the hooks that run around the creation
        // of its namespaces run now, with its PID (runc runs them from CRIU's setup-namespaces).
        const std::string creating = hook_state(rec, spec::Status::creating);
        hooks::run_hooks(cfg.hooks.prestart, creating, "prestart");
        hooks::run_hooks(cfg.hooks.create_runtime, creating, "createRuntime");
        dir.save(rec);
        hooks::run_hooks(cfg.hooks.poststart, hook_state(rec, spec::Status::running), "poststart");
        write_pid_file(o.pid_file, rec.pid);
        return rec.pid;
    } catch (const Error&) {
        abort_restore(dir, rec, cg);
        throw;
    }
}

}  // namespace

int restore_container(const GlobalOptions& g, const RestoreOptions& o) {
    refuse_rootless_criu("restore " + o.id);
    return with_context("restore " + o.id, [&]() -> int {
        if (o.detach) {
            restore_steps(g, o);
            return 0;
        }
        // As `run`: the restored process is our child (CRIU's --restore-sibling); signals are
        // forwarded to it, and its exit status is ours.
        if (!o.no_subreaper) sys::become_subreaper();
        sys::Fd sigfd = sys::block_signals_to_fd(foreground_signals());
        const pid_t pid = restore_steps(g, o);
        const sys::ExitStatus st = wait_foreground(pid, sigfd.get(), sys::Fd());
        try {
            delete_container(g, o.id, true);
        } catch (const Error& e) {
            log::warn("{}", e.what());
        }
        return st.shell_status();
    });
}

}  // namespace ocirt::runtime
