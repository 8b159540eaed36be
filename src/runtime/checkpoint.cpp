#include "ocirt/runtime/checkpoint.hpp"

#include <sys/stat.h>

#include <algorithm>

#include "ocirt/cgroup/manager.hpp"
#include "ocirt/checkpoint/criu.hpp"
#include "ocirt/checkpoint/externals.hpp"
#include "ocirt/runtime/create_internal.hpp"
#include "ocirt/runtime/rootless.hpp"
#include "ocirt/runtime/state_dir.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::runtime {
namespace {

/// The cgroup CRIU freezes the tree through (--freeze-cgroup): the cgroup2 directory, or on a
/// legacy v1 host the freezer hierarchy's.
std::string freezer_dir(const cgroup::ContainerCgroup& cg) {
    if (!cg.dir().empty()) return cg.dir();
    for (const auto& [key, dir] : cg.v1_dirs)
        for (const auto& name : util::split(key, ','))
            if (name == "freezer") return dir;
    return {};
}

constexpr int kStopWaitMs = 10000;

/// The image and work directories made (0700) if missing, and named absolutely: CRIU changes
/// into the work directory before it opens the images.
checkpoint::CriuOptions make_image_dirs(checkpoint::CriuOptions c) {
    c.image_path = with_context("--image-path " + c.image_path, [&] {
        sys::make_dirs(c.image_path, 0700);
        return sys::real_path(c.image_path);
    });
    if (!c.work_path.empty())
        c.work_path = with_context("--work-path " + c.work_path, [&] {
            sys::make_dirs(c.work_path, 0700);
            return sys::real_path(c.work_path);
        });
    return c;
}

void checkpoint_steps(const GlobalOptions& g, const CheckpointOptions& options) {
    checkpoint::check_options(options.criu);
    CheckpointOptions o = options;
    ContainerDir dir = ContainerDir::open(g.root, o.id);
    const auto rec = dir.load();
    const spec::Status st = compute_status(dir, rec);
    if (st != spec::Status::running && st != spec::Status::paused)
        fail("container is not running (status {})", spec::status_name(st));
    const spec::Config cfg = saved_config(dir);
    if (cfg.process && cfg.process->terminal)
        fail("/process/terminal: checkpointing a container with a terminal is not supported");
    sys::Fd pidfd = sys::pidfd_open(rec->pid);
    if (!pidfd || sys::process_start_time(rec->pid) != rec->start_time) fail("container is not running");

    o.criu = make_image_dirs(o.criu);
    checkpoint::DumpPlan plan;
    plan.pid = rec->pid;
    plan.root = rec->rootfs;
    if (!rec->cgroup_path.empty()) plan.freeze_cgroup = freezer_dir(locate_cgroup(*rec));
    plan.mounts = checkpoint::dump_mounts(cfg, rec->pid);
    const auto stdio = checkpoint::stdio_descriptors(rec->pid);
    for (const auto& d : stdio)  // one declaration per file, however many fds share it
        if (!d.external_key.empty() && std::find(plan.files.begin(), plan.files.end(), d.external_key) == plan.files.end())
            plan.files.push_back(d.external_key);
    const std::string net = checkpoint::dump_network_namespace(cfg, rec->pid);
    if (!net.empty()) plan.files.push_back(net);
    checkpoint::save_descriptors(o.criu.image_path, stdio);

    sys::ToolLaunch launch;
    if (o.criu.status_fd >= 0) launch.fds.emplace_back(o.criu.status_fd, o.criu.status_fd);
    const std::string work = o.criu.work_path.empty() ? o.criu.image_path : o.criu.work_path;
    log::debug("checkpoint {}: criu dump of pid {} into {}", o.id, rec->pid, o.criu.image_path);
    checkpoint::run_criu(checkpoint::dump_args(o.criu, plan), work + "/" + checkpoint::kDumpLog, std::move(launch));
    if (o.criu.leave_running || o.criu.pre_dump) return;
    // CRIU killed the tree after the dump; the container reads as stopped once it is gone.
    if (!sys::wait_pidfd_exit(pidfd.get(), kStopWaitMs)) fail("container process {} still runs after the dump", rec->pid);
}

}  // namespace

void checkpoint_container(const GlobalOptions& g, const CheckpointOptions& o) {
    refuse_rootless_criu("checkpoint " + o.id);
    with_context("checkpoint " + o.id, [&] { checkpoint_steps(g, o); });
}

}  // namespace ocirt::runtime
