#include <fcntl.h>
#include <signal.h>

#include <algorithm>

#include "ocirt/cgroup/hierarchy.hpp"
#include "ocirt/cgroup/manager.hpp"
#include "ocirt/cgroup/processes.hpp"
#include "ocirt/hooks/hooks.hpp"
#include "ocirt/runtime/container.hpp"
#include "ocirt/runtime/create_internal.hpp"
#include "ocirt/runtime/host_resources.hpp"
#include "ocirt/runtime/process_list.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/sys/trace.hpp"
#include "ocirt/sys/unix_socket.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"

namespace ocirt::runtime {
namespace {

constexpr int kKillWaitMs = 10000;

ContainerRecord require_record(const ContainerDir& dir, const std::optional<ContainerRecord>& r) {
    if (!r) fail("container \"{}\" is still being created", dir.id());
    return *r;
}

/// SIGKILLs the container's process and waits (bounded) until it is gone.
void kill_and_wait(const ContainerRecord& r) {
    sys::Fd pidfd = sys::pidfd_open(r.pid);
    if (!pidfd) return;
    // The pidfd pins the process: check it is still ours (not a reused PID) before signalling.
    if (sys::process_start_time(r.pid) != r.start_time) return;
    // The init of its own PID namespace takes the namespace's other processes with it; only a
    // container sharing a PID namespace needs them found (a scan of every process on the host).
    if (!owns_pid_namespace(r.pid))
        for (pid_t p : processes_of(r.pid))
            if (p != r.pid) sys::send_signal(p, SIGKILL);
    // A paused container on cgroup v1 acts on SIGKILL only once thawed: the cgroup's signal_all
    // freezes, kills and thaws (runc's signalAllProcesses).
    if (!r.cgroup_path.empty()) {
        try {
            cgroup::signal_all(locate_cgroup(r), SIGKILL);
        } catch (const Error& e) {
            log::debug("kill the container's cgroup: {}", e.what());
        }
    }
    sys::pidfd_signal(pidfd.get(), SIGKILL);
    if (!sys::wait_pidfd_exit(pidfd.get(), kKillWaitMs)) fail("container process {} did not die after SIGKILL", r.pid);
}

/// SIGKILLs the processes an interrupted create recorded (the init stage's first process and
/// the container process), each only if it is still the process recorded, and waits for them.
void kill_recorded(const ContainerRecord& r) {
    for (const auto& [pid, started] : {std::pair{r.pid, r.start_time}, std::pair{r.init_pid, r.init_start_time}}) {
        if (pid <= 0) continue;
        sys::Fd pidfd = sys::pidfd_open(pid);
        if (!pidfd || sys::process_start_time(pid) != started) continue;
        sys::pidfd_signal(pidfd.get(), SIGKILL);
        if (!sys::wait_pidfd_exit(pidfd.get(), kKillWaitMs)) fail("process {} did not die after SIGKILL", pid);
    }
}

}  // namespace

void destroy_container(ContainerDir& dir, const std::optional<ContainerRecord>& r) {
    // The cgroup goes first (killing what is left in it): a failure keeps the state dir, so the
    // delete can be retried, instead of leaking a cgroup nobody remembers.
    if (r && !r->cgroup_path.empty()) cgroup::remove_cgroup(locate_cgroup(*r));
    std::optional<spec::Config> cfg;
    try {
        cfg = saved_config(dir);
    } catch (const Error& e) {
        log::warn("delete {}: reading the saved config: {}", dir.id(), e.what());
    }
    if (cfg && (!r || r->host_resources)) release_host_resources(dir, *cfg);
    if (r && cfg && r->hooks_started) hooks::run_hooks_warn_only(cfg->hooks.poststop, hook_state(*r, spec::Status::stopped), "poststop");
    dir.destroy();
}

void start_container(const GlobalOptions& g, const std::string& id) {
    with_context("start " + id, [&] {
        ContainerDir dir = ContainerDir::open(g.root, id);
        const auto rec = dir.load();
        const spec::Status st = compute_status(dir, rec);
        if (st == spec::Status::stopped) fail("cannot start a container that has stopped");
        if (st == spec::Status::running) fail("cannot start an already running container");
        if (st != spec::Status::created) fail("cannot start a container in state {}", spec::status_name(st));
        const ContainerRecord r = require_record(dir, rec);
        sys::Fd conn = sys::connect_seqpacket(dir.start_socket_address());
        if (!conn) fail("the container process is not waiting to start");
        // From "start" to the execve: the init stage's startContainer hooks, its last records,
        // then the seccomp load and execve, which it does not trace (docs/trace.md).
        sys::trace::Span exec_span("exec_wait");
        sys::send_with_fds(conn.get(), "start", {});
        log::debug("start {}: waiting for the program to be exec'd", id);
        // The init stage runs the startContainer hooks, then execve()s: its end of the
        // connection is close-on-exec, so end-of-file means the program is running.
        std::vector<sys::Fd> none;
        const std::string reply = sys::recv_with_fds(conn.get(), 64 * 1024, none);
        exec_span.end();
        sys::remove_file(dir.start_socket_path());
        if (!reply.empty()) fail("{}", reply);
        // runtime.md 1.3, lifecycle step 9: a failing poststart hook is an error; the runtime
        // stops the container and continues at step 12 — destroys it (cgroup, state) and runs
        // the poststop hooks (step 13). Nothing is left for a delete to find.
        const spec::Config cfg = saved_config(dir);
        sys::trace::Span poststart_span("hooks_poststart");
        try {
            hooks::run_hooks(cfg.hooks.poststart, hook_state(r, spec::Status::running), "poststart");
        } catch (const Error&) {
            kill_and_wait(r);
            try {
                destroy_container(dir, rec);
            } catch (const Error& e) {
                log::warn("start {}: removing the container after its poststart hook failed: {}", id, e.what());
            }
            throw;
        }
    });
}

spec::State container_state(const GlobalOptions& g, const std::string& id) {
    return with_context("state " + id, [&] {
        ContainerDir dir = ContainerDir::open_for_reading(g.root, id);
        return make_state(dir, dir.load());
    });
}

std::vector<spec::State> list_containers(const GlobalOptions& g) {
    // The root's subdirectories from their entry types, then per container one read of
    // state.json: whether a directory is a container at all is only asked of one whose record
    // cannot be read (about 12 system calls per container: the record, /proc/PID/stat, the
    // freezer state, exec.sock).
    std::vector<std::string> ids = sys::list_subdirs(g.root);
    std::sort(ids.begin(), ids.end());
    std::vector<spec::State> out;
    if (ids.empty()) return out;
    // The hierarchies are the same for every container: found once, not per container (reading
    // and parsing mountinfo was a third of list's system calls).
    const cgroup::CgroupHost host = cgroup::discover_host();
    for (const auto& id : ids) {
        const ContainerDir dir = ContainerDir::listed(g.root, id);
        try {
            const auto rec = dir.load();
            // No record while a create holds the lock: a container from its config.json on.
            if (!rec && !sys::exists(dir.config_path())) continue;
            out.push_back(make_state(dir, rec, &host));
        } catch (const Error& e) {
            // Not a container (no state.json, no config.json), or deleted since the directory
            // was read: passed over. One whose record is unreadable (torn by a crash): named.
            if (sys::exists(dir.path() + "/state.json") || sys::exists(dir.config_path()))
                log::warn("list: skipping {}: {}", id, e.what());
        }
    }
    return out;
}

void kill_container(const GlobalOptions& g, const std::string& id, int signal, bool all) {
    with_context("kill " + id, [&] {
        ContainerDir dir = ContainerDir::open(g.root, id);
        const auto rec = dir.load();
        const spec::Status st = compute_status(dir, rec);
        if (st == spec::Status::stopped) fail("container not running");
        const ContainerRecord r = require_record(dir, rec);
        sys::Fd pidfd = sys::pidfd_open(r.pid);
        if (!pidfd || sys::process_start_time(r.pid) != r.start_time) fail("container not running");
        if (all && !r.cgroup_path.empty()) {
            // Every process in the container's cgroup: cgroup.kill for SIGKILL (nothing can fork
            // away from it), otherwise each listed process.
            // (cgroup v1: frozen meanwhile, as runc does).
            cgroup::signal_all(locate_cgroup(r), signal);  // the init process is listed too
            return;
        }
        if (all) {
            for (pid_t p : processes_of(r.pid))
                if (p != r.pid) sys::send_signal(p, signal);
        }
        sys::pidfd_signal(pidfd.get(), signal);
    });
}

void delete_container(const GlobalOptions& g, const std::string& id, bool force) {
    with_context("delete " + id, [&] {
        // runc: --force on a missing container succeeds. A directory under the root that is not
        // a container's is not ocirt's to remove.
        // A directory a create left empty when it was killed (before its first record) goes.
        if (force && !container_exists(g.root, id)) {
            remove_abandoned(g.root, id);
            return;
        }
        ContainerDir dir = ContainerDir::open(g.root, id);
        std::optional<ContainerRecord> rec;
        try {
            rec = dir.load();
        } catch (const Error& e) {
            // A record lost or torn in a crash (state saves are not fsync'd, as runc's are not):
            // nothing it named can be found, and --force removes what the directory holds.
            if (!force) throw;
            std::string why = e.message();
            if (why.ends_with(kUnreadableRecordHint)) why.resize(why.size() - kUnreadableRecordHint.size());
            if (sys::exists(dir.path() + "/state.json"))
                log::warn("delete {}: {}; removing its directory", id, why);
            else
                log::debug("delete {}: {}; removing its directory", id, why);  // a killed create's
            sys::trace::Span destroy_span("destroy");
            destroy_container(dir, std::nullopt);
            return;
        }
        const spec::Status st = compute_status(dir, rec);
        switch (st) {
            case spec::Status::stopped:
                break;
            case spec::Status::created: {
                sys::trace::Span kill_span("kill");
                kill_and_wait(*rec);  // a created container never ran its program: delete kills it
                break;
            }
            case spec::Status::creating:
                // A create in progress holds the lock: this one is interrupted. Undo what it
                // recorded (docs/security.md, "Crash consistency").
                if (!force) fail("container is still being created; use --force");
                if (rec) kill_recorded(*rec);
                break;
            default: {
                if (!force) fail("cannot delete container {} that is not stopped: {}", id, spec::status_name(st));
                sys::trace::Span kill_span("kill");
                kill_and_wait(*rec);
                break;
            }
        }
        sys::trace::Span destroy_span("destroy");  // cgroup, host resources, poststop hooks, state dir
        destroy_container(dir, rec);
    });
}

std::vector<int> container_pids(const GlobalOptions& g, const std::string& id) {
    ContainerDir dir = ContainerDir::open_for_reading(g.root, id);
    const auto rec = dir.load();
    if (!rec) return {};
    if (!rec->cgroup_path.empty()) {
        const auto cg = locate_cgroup(*rec);
        const auto pids = cgroup::processes(cg);
        return std::vector<int>(pids.begin(), pids.end());
    }
    if (compute_status(dir, rec) == spec::Status::stopped) return {};
    return processes_of(rec->pid);
}

}  // namespace ocirt::runtime
