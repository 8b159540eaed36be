#include "ocirt/cgroup/manager.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <thread>

#include <algorithm>

#include "ocirt/cgroup/controllers.hpp"
#include "ocirt/cgroup/device_filter.hpp"
#include "ocirt/cgroup/freezer.hpp"
#include "ocirt/cgroup/hierarchy.hpp"
#include "ocirt/cgroup/processes.hpp"
#include "ocirt/cgroup/v1/freezer.hpp"
#include "ocirt/cgroup/v1/manager.hpp"
#include "ocirt/cgroup/v1/stats.hpp"
#include "ocirt/cgroup/systemd/driver.hpp"
#include "ocirt/cgroup/v2/resources.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::cgroup {
namespace {

constexpr auto kDrainTimeout = std::chrono::seconds(10);

const spec::Resources& resources_of(const spec::Config& c) {
    static const spec::Resources kNone;
    return c.linux_ && c.linux_->resources ? *c.linux_->resources : kNone;
}

/// The hierarchy path of a directory under the mount.
std::string hierarchy_path(const Cgroup2Mount& m, const std::string& dir) {
    const std::string root = clean_path(m.root);
    return clean_path((root == "/" ? "" : root) + "/" + dir.substr(m.mount_point.size()));
}

/// mkdir of each missing directory from the mount down to the cgroup, recorded as it goes. A
/// concurrent remove of a shared parent (another container's delete) can make a mkdir fail with
/// ENOENT: start over.
void make_cgroup_dirs(ContainerCgroup& cg) {
    const std::string dir = cg.dir();
    for (int attempt = 0;; ++attempt) {
        try {
            for (const auto& level : levels_below(cg.mount.mount_point, dir))
                if (sys::make_dir(level, 0755, true)) cg.created.push_back(hierarchy_path(cg.mount, level));
            return;
        } catch (const Error& e) {
            if (e.code() != ENOENT || attempt >= 5) throw;
        }
    }
}

}  // namespace

const char* driver_name(Driver d) { return d == Driver::v1 ? "v1" : "v2"; }

std::string ContainerCgroup::dir() const { return unified ? directory_of(mount, path) : std::string(); }

/// The driver a host gets: v1 where any v1 controller hierarchy is mounted (legacy, hybrid).
static Driver driver_for(const CgroupHost& host) {
    return host.kind == HostKind::legacy || host.kind == HostKind::hybrid ? Driver::v1 : Driver::v2;
}

std::optional<ContainerCgroup> plan_cgroup(const spec::Config& c, const std::string& id, bool systemd,
                                           bool systemd_user) {
    const std::optional<std::string> wanted = c.linux_ ? c.linux_->cgroups_path : std::nullopt;
    const CgroupHost host = discover_host();
    if (systemd && driver_for(host) == Driver::v1)
        fail("--systemd-cgroup: the systemd cgroup driver needs a unified (cgroup v2) host; this host is {}",
             host_kind_name(host.kind));
    if (systemd) return systemd::plan(c, id, systemd_user);
    if (host.kind == HostKind::none) {
        const bool asks = wanted || (c.linux_ && c.linux_->resources);
        if (!asks) return std::nullopt;
        fail("{}: this host has no cgroup hierarchy (no cgroup or cgroup2 mount in /proc/self/mountinfo)",
             wanted ? "/linux/cgroupsPath" : "/linux/resources");
    }
    ContainerCgroup cg;
    cg.driver = driver_for(host);
    cg.host = host;
    cg.unified = host.v2.has_value();
    if (cg.unified) cg.mount = *host.v2;
    // The cgroup2 path (and the v1 one for an absolute or absent cgroupsPath); v1::plan works out
    // a relative one per hierarchy.
    const std::string own = cg.unified ? own_cgroup() : "/";
    cg.path = resolve_cgroup_path(wanted, id, own);
    if (cg.path == "/") fail("/linux/cgroupsPath: the root cgroup cannot be a container's cgroup");
    with_context("/linux/cgroupsPath", [&] { cg.dir(); });  // the mount must show the path
    if (cg.driver == Driver::v1) v1::plan(cg, wanted);
    return cg;
}

void setup_cgroup(ContainerCgroup& cg, const spec::Config& c) {
    if (cg.driver == Driver::v1) return v1::setup(cg, c);
    if (!cg.systemd_unit.empty()) return systemd::setup(cg, c);
    const spec::Resources& r = resources_of(c);
    const auto needs = needed_controllers(r);
    const CgroupDir top(cg.mount.mount_point);
    require_available(needs, parse_controller_list(top.read("cgroup.controllers")), cg.mount.mount_point);
    const CgroupDir files = cg.files();
    if (sys::exists(cg.dir()) && populated(files)) fail("/linux/cgroupsPath: cgroup {} already has processes", cg.path);
    make_cgroup_dirs(cg);
    cg.claimed = true;
    enable_controllers(cg.mount.mount_point, cg.dir(), needs);
    v2::apply_resources(files, r, v2::ApplyMode::create);
    if (cg.device_filter) install_device_filter(cg.dir(), effective_device_rules(c));
}

void hand_over(ContainerCgroup& cg, pid_t init_pid) {
    if (!cg.systemd_unit.empty()) systemd::hand_over(cg, init_pid);
}

bool moved_by_manager(const ContainerCgroup& cg) {
    // systemd attaches processes to scopes and services, never to a slice: a slice's cgroup is
    // joined through its cgroup.procs as with cgroupfs (which needs the caller inside the
    // user's subtree).
    return cg.systemd_user && !cg.systemd_unit.empty() && !cg.systemd_unit.ends_with(".slice");
}

void attach_by_manager(const ContainerCgroup& cg, pid_t pid) {
    if (moved_by_manager(cg)) with_context("/linux/cgroupsPath", [&] { systemd::attach_process(cg, pid); });
}

namespace {

/// A v1 directory's `tasks`, else its cgroup.procs. "0" written to `tasks` moves the writing
/// thread only, which the kernel does without taking cgroup_threadgroup_rwsem for writing
/// (cgroup_procs_write_start: no pid, no thread group). Through cgroup.procs every join waits
/// for that lock, and the first writer after a quiet spell for an RCU grace period: 5.7 ms
/// median here, up to 19. The stages that join are single-threaded, so the thread is the
/// process. A delegation that left `tasks` to root (systemd's and runc's tests hand over
/// both) falls back to cgroup.procs.
sys::Fd open_v1_join(const std::string& dir) {
    try {
        return sys::open_at(AT_FDCWD, dir + "/tasks", O_WRONLY);
    } catch (const Error&) {
        return sys::open_at(AT_FDCWD, dir + "/cgroup.procs", O_WRONLY);
    }
}

}  // namespace

std::vector<sys::Fd> open_for_join(const ContainerCgroup& cg) {
    std::vector<sys::Fd> out;
    if (cg.driver == Driver::v1) {
        for (const auto& [key, dir] : cg.v1_dirs) out.push_back(open_v1_join(dir));
    }
    // The cgroup2 directory (v2 driver; v1 driver on a hybrid host: `unified`, which dir()
    // needs too) last: launch_init drops it when the init stage is cloned into it.
    if (cg.unified) out.push_back(sys::open_at(AT_FDCWD, cg.dir() + "/cgroup.procs", O_WRONLY));
    return out;
}

std::optional<sys::Fd> open_for_clone(const ContainerCgroup& cg) {
    if (!cg.systemd_unit.empty() || !cg.unified) return std::nullopt;
    return sys::open_at(AT_FDCWD, cg.dir(), O_RDONLY | O_DIRECTORY);
}

void join(int procs_fd) { with_context("join the container's cgroup", [&] { sys::write_all(procs_fd, "0"); }); }

CgroupRecord record_of(const ContainerCgroup& cg) {
    CgroupRecord r{cg.path, cg.created, cg.driver == Driver::v1 ? "v1" : "", cg.v1_dirs, cg.systemd_unit, cg.systemd_user};
    if (cg.driver == Driver::v1 && cg.unified) r.v1_dirs[""] = cg.dir();
    return r;
}

std::optional<CgroupRecord> planned_record(const ContainerCgroup& cg) {
    if (!cg.systemd_unit.empty()) return std::nullopt;
    CgroupRecord r = record_of(cg);
    r.created.clear();
    if (cg.driver == Driver::v1) {
        r.created = v1::dirs_to_make(cg);
    } else {
        // v2: hierarchy paths, shallowest first, as setup records them.
        std::string prefix;
        for (const auto& part : util::split(cg.path, '/')) {
            if (part.empty()) continue;
            prefix += "/" + part;
            if (!sys::exists(directory_of(cg.mount, prefix))) r.created.push_back(prefix);
        }
    }
    if (r.created.empty()) return std::nullopt;
    return r;
}

ContainerCgroup locate(const CgroupRecord& rec) { return locate(rec, discover_host()); }

ContainerCgroup locate(const CgroupRecord& rec, const CgroupHost& host) {
    ContainerCgroup cg;
    cg.path = rec.path;
    cg.host = host;
    cg.created = rec.created;
    cg.claimed = true;
    cg.systemd_unit = rec.systemd_unit;
    cg.systemd_user = rec.systemd_user;
    if (rec.driver == "v1") {
        // The recorded directories, as create made them (mounts may have moved since).
        cg.driver = Driver::v1;
        cg.v1_dirs = rec.v1_dirs;
        const auto u = cg.v1_dirs.find("");
        cg.unified = u != cg.v1_dirs.end();
        if (cg.unified) {
            cg.mount = Cgroup2Mount{u->second, rec.path};  // its directory is the mount of its own path
            cg.v1_dirs.erase(u);
        }
        return cg;
    }
    if (!rec.driver.empty() && rec.driver != "v2") fail("cgroup {}: unknown cgroup driver \"{}\" in the state record", rec.path, rec.driver);
    if (!host.v2) fail("cgroup {}: no cgroup2 mount in this mount namespace", rec.path);
    cg.mount = *host.v2;
    return cg;
}

ContainerCgroup sub_cgroup(const ContainerCgroup& cg, const std::string& relative) {
    // Cleaned lexically as runc does: ".." may not climb out of the container's cgroup.
    const std::string path = clean_path(cg.path + "/" + relative);
    const std::string base = cg.path == "/" ? "" : cg.path;
    if (relative.empty() || path.size() <= base.size() + 1 || path.compare(0, base.size() + 1, base + "/") != 0)
        fail("{} is not a sub-cgroup of {}", relative, cg.path);
    ContainerCgroup sub = cg;
    sub.path = path;
    sub.created.clear();
    sub.claimed = false;
    sub.systemd_subcgroup = path.substr(base.size());
    if (cg.driver == Driver::v1) {
        // Joined in each hierarchy where it exists (runc: a plain path applies to every controller).
        const std::string rel = path.substr(base.size());
        sub.v1_dirs.clear();
        for (const auto& [key, dir] : cg.v1_dirs)
            if (sys::exists(dir + rel + "/cgroup.procs")) sub.v1_dirs[key] = dir + rel;
        if (cg.unified) {
            sub.mount = Cgroup2Mount{cg.dir() + rel, path};
            sub.unified = sys::exists(sub.dir() + "/cgroup.procs");
        }
        if (sub.v1_dirs.empty() && !sub.unified) fail("cgroup {} does not exist in any hierarchy", path);
        return sub;
    }
    if (!sys::exists(sub.dir() + "/cgroup.procs")) fail("cgroup {} does not exist", path);
    return sub;
}

void remove_child_cgroups(const std::string& dir) {
    for (const auto& name : sys::list_subdirs(dir)) {
        const std::string child = dir + "/" + name;
        remove_child_cgroups(child);
        sys::remove_empty_dir(child);
    }
}

namespace {
void remove_cgroup_dirs(const ContainerCgroup& cg) {
    const CgroupDir files = cg.files();
    if (!cg.claimed) return;
    const auto deadline = std::chrono::steady_clock::now() + kDrainTimeout;
    // rmdir fails with EBUSY while a process (even a dying one) is in the cgroup or below it;
    // kill (cgroup.kill reaches the whole subtree) and retry until the kernel has let go of the
    // last one. A create killed before it made the cgroup may still have made parents.
    // Under the systemd driver, systemd removes a scope's cgroup itself once its last process
    // is gone, so the directory may vanish at any step here: that is success, not an error.
    while (sys::exists(cg.dir())) {
        try {
            if (populated(files) && !kill_all(files)) signal_all(files, SIGKILL);
            remove_child_cgroups(cg.dir());
        } catch (const Error& e) {
            if (e.code() == ENOENT && !sys::exists(cg.dir())) break;
            throw;
        }
        const int err = sys::remove_empty_dir(cg.dir());
        if (err == 0 || err == ENOENT) break;
        if (err != EBUSY || std::chrono::steady_clock::now() > deadline)
            throw_error_code(err, "remove cgroup {}", cg.dir());
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    // The parents ocirt made, deepest first, while nobody else uses them.
    for (auto it = cg.created.rbegin(); it != cg.created.rend(); ++it) {
        if (*it == cg.path) continue;
        const int err = sys::remove_empty_dir(directory_of(cg.mount, *it));
        if (err == ENOENT) continue;  // recorded before a killed create made it
        if (err != 0) {
            if (err != EBUSY && err != ENOTEMPTY) log::debug("remove cgroup {}: {}", *it, std::strerror(err));
            break;
        }
    }
}
}  // namespace

void remove_cgroup(const ContainerCgroup& cg) {
    if (cg.driver == Driver::v1) return v1::remove(cg);
    if (cg.systemd_unit.empty()) return remove_cgroup_dirs(cg);
    systemd::end_placeholder(cg);
    // Processes killed and the cgroup removed first, then the unit stopped: stopping a scope
    // with processes in it would SIGTERM them and wait out systemd's stop timeout.
    remove_cgroup_dirs(cg);
    if (cg.claimed) systemd::stop(cg);
}

void update_cgroup(const ContainerCgroup& cg, const spec::Resources& r, const spec::Config& config) {
    if (cg.driver == Driver::v1) return v1::update(cg, r, config);
    if (!cg.systemd_unit.empty()) systemd::set_properties(cg, r, config);
    const CgroupDir files = cg.files();
    // A limit of a kind create did not set needs its controller enabled in the ancestors now.
    const auto needs = needed_controllers(r);
    const std::string top = systemd::require_controllers(cg, needs);
    enable_controllers(top, cg.dir(), needs);
    v2::apply_resources(files, r, v2::ApplyMode::update);
    if (!r.devices.empty() && cg.device_filter && !cg.systemd_user) {
        spec::Config with_new = config;
        if (!with_new.linux_) with_new.linux_ = spec::Linux{};
        if (!with_new.linux_->resources) with_new.linux_->resources = spec::Resources{};
        with_new.linux_->resources->devices = r.devices;
        install_device_filter(cg.dir(), effective_device_rules(with_new));
    }
}

void freeze(const ContainerCgroup& cg) {
    if (cg.driver == Driver::v1) return v1::freeze(v1::freezer_dir(cg));
    freeze(cg.files());
}

void thaw(const ContainerCgroup& cg) {
    if (cg.driver == Driver::v1) return v1::thaw(v1::freezer_dir(cg));
    thaw(cg.files());
}

bool is_frozen(const ContainerCgroup& cg) {
    if (cg.driver == Driver::v1) {
        const auto d = v1::controller_dir(cg.v1_dirs, "freezer");
        return d && v1::is_frozen(*d);
    }
    return is_frozen(cg.files());
}

bool is_frozen(const CgroupRecord& rec, const CgroupHost& host) {
    if (rec.driver != "v1") return is_frozen(locate(rec, host));
    const auto d = v1::controller_dir(rec.v1_dirs, "freezer");
    return d && v1::is_frozen(*d);
}

std::vector<pid_t> processes(const ContainerCgroup& cg) {
    if (cg.driver == Driver::v2) return processes(cg.files());
    std::vector<pid_t> out;
    for (const auto& d : v1::all_dirs(cg)) {
        const auto p = processes(CgroupDir(d));
        out.insert(out.end(), p.begin(), p.end());
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

void signal_all(const ContainerCgroup& cg, int sig) {
    if (cg.driver == Driver::v2) {
        if (sig == SIGKILL && kill_all(cg.files())) return;
        return signal_all(cg.files(), sig);
    }
    // runc's signalAllProcesses: frozen, no process can fork a child the walk would miss; a v1
    // frozen process only acts on the signal once thawed.
    const auto freezer = v1::controller_dir(cg.v1_dirs, "freezer");
    const bool was_frozen = freezer && v1::is_frozen(*freezer);
    if (freezer && !was_frozen) {
        try {
            v1::freeze(*freezer);
        } catch (const Error& e) {
            log::debug("signal the cgroup's processes: {}; signalling without freezing", e.what());
        }
    }
    for (pid_t p : processes(cg)) sys::send_signal(p, sig);
    if (freezer && (!was_frozen || sig == SIGKILL)) v1::thaw(*freezer);
}

Stats read_stats(const ContainerCgroup& cg) {
    if (cg.driver == Driver::v2) return read_stats(cg.files());
    Stats s = v1::read_stats(cg.v1_dirs);
    if (cg.unified && s.hugetlb.empty()) s.hugetlb = read_stats(cg.files()).hugetlb;  // hybrid: hugetlb may be v2's
    return s;
}

uint64_t oom_kills(const ContainerCgroup& cg) {
    if (cg.driver == Driver::v1) {
        const auto d = v1::controller_dir(cg.v1_dirs, "memory");
        if (!d) return 0;
        const auto oom = d->read_keyed("memory.oom_control");
        const auto it = oom.find("oom_kill");
        return it == oom.end() ? 0 : it->second;
    }
    const auto events = cg.files().read_keyed("memory.events");
    if (const auto it = events.find("oom_kill"); it != events.end()) return it->second;
    const auto it = events.find("oom");
    return it == events.end() ? 0 : it->second;
}

}  // namespace ocirt::cgroup
