#include "ocirt/runtime/state_dir.hpp"

#include <fcntl.h>

#include <cerrno>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ocirt/cgroup/freezer.hpp"
#include "ocirt/cgroup/manager.hpp"
#include "ocirt/runtime/state_record.hpp"
#include "ocirt/spec/config_file.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::runtime {
namespace {

constexpr size_t kMaxIdLength = 255;

sys::Fd lock_dir(const std::string& path) {
    sys::Fd fd = sys::open_at(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    sys::lock_exclusive(fd.get());
    return fd;
}

/// A container's directory holds config.json from the first step of create on, and state.json
/// once it is created; anything else under the root (a directory another tool made there) is
/// not a container.
bool is_container_dir(const std::string& path) {
    const auto st = sys::stat_path(path, false);
    if (!st || !S_ISDIR(st->st_mode)) return false;
    return sys::exists(path + "/state.json") || sys::exists(path + "/config.json");
}

cgroup::CgroupRecord record_of(const ContainerRecord& r) {
    return {r.cgroup_path, r.cgroup_created, r.cgroup_driver, r.cgroup_dirs, r.cgroup_systemd_unit,
            r.cgroup_systemd_user};
}

/// True if the container's cgroup is frozen; a cgroup that cannot be found is not.
bool cgroup_frozen(const ContainerRecord& r, const cgroup::CgroupHost* host) {
    try {
        if (host) return cgroup::is_frozen(record_of(r), *host);
        return cgroup::is_frozen(locate_cgroup(r, host));
    } catch (const Error&) {
        return false;
    }
}

}  // namespace

void validate_id(const std::string& id) {
    if (id.empty()) fail("invalid container ID: it is empty");
    if (id.size() > kMaxIdLength) fail("invalid container ID: longer than {} bytes", kMaxIdLength);
    if (id == "." || id == "..") fail("invalid container ID \"{}\"", id);
    for (char c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                        c == '+' || c == '-' || c == '.';
        if (!ok) fail("invalid container ID \"{}\": only letters, digits and _ + - . are allowed", id);
    }
}

namespace {

/// True if `fd` (a locked directory) is still the directory at `path`.
bool same_dir(int fd, const std::string& path) {
    const auto at_path = sys::stat_path(path, false);
    if (!at_path) return false;
    const struct stat held = sys::stat_fd(fd);
    return at_path->st_dev == held.st_dev && at_path->st_ino == held.st_ino;
}

/// The names in a directory nothing has been recorded in yet (one just made, or one a killed
/// create made): none, or only the temporary files of an atomic write that did not reach its
/// rename. nullopt if it holds anything else (config.json, state.json: a container's).
std::optional<std::vector<std::string>> before_first_record(const std::string& path) {
    auto names = sys::list_dir(path);
    for (const auto& name : names)
        if (name.find(".tmp-") == std::string::npos) return std::nullopt;
    return names;
}

}  // namespace

std::optional<pid_t> live_pid(pid_t pid, uint64_t start_time) {
    if (pid <= 0) return std::nullopt;
    const auto st = sys::process_stat(pid);
    if (!st || st->start_time != start_time || st->state == 'Z' || st->state == 'X') return std::nullopt;
    return pid;
}

ContainerDir ContainerDir::create(const std::string& root, const std::string& id) {
    validate_id(id);
    sys::make_dirs(root, 0700);
    const std::string path = root + "/" + id;
    for (int attempt = 0;; ++attempt) {
        // Made here or not, what decides is what the directory holds once locked (below).
        sys::make_dir(path, 0711, true);
        // The lock is taken before anything is written in the directory: a `delete` that gets
        // there first finds no record (not a container) and leaves it alone; one that comes
        // later waits for this create to finish or fail.
        sys::Fd lock;
        try {
            lock = lock_dir(path);
        } catch (const Error& e) {
            if (e.code() == ENOENT && attempt < 5) continue;  // removed meanwhile: make it again
            throw;
        }
        if (!same_dir(lock.get(), path)) {
            if (attempt < 5) continue;
            fail("container already exists");
        }
        ContainerDir made_here(path, id, std::move(lock));
        made_here.created_here_ = true;
        // Nothing recorded in it yet: this create's to fill. Asked also of a directory made
        // here: another create can lock it between this one's mkdir and lock, find it empty and
        // fill it first.
        if (const auto leftovers = before_first_record(path)) {
            for (const auto& name : *leftovers) sys::remove_file(path + "/" + name);
            return made_here;
        }
        // This process holds the lock: a missing record is an interrupted create's.
        ContainerDir existing(path, id, std::move(made_here.lock_));
        std::optional<ContainerRecord> rec;
        try {
            rec = existing.load();
        } catch (const Error& e) {
            if (sys::exists(path + "/state.json")) fail("container already exists; {}", e.message());
        }
        if (is_container_dir(path) && compute_status(existing, rec) == spec::Status::creating)
            fail("container exists in state creating; delete --force it");
        fail("container already exists");
    }
}

ContainerDir ContainerDir::open(const std::string& root, const std::string& id) {
    for (int attempt = 0;; ++attempt) {
        ContainerDir d = open_for_reading(root, id);
        d.lock_ = lock_dir(d.path_);
        // While this waited for the lock, a delete may have removed the directory (and a create
        // made a new one at the same path): the lock must be on what the path names now.
        if (same_dir(d.lock_.get(), d.path_) && is_container_dir(d.path_)) return d;
        if (attempt >= 5) fail("container does not exist");
    }
}

ContainerDir ContainerDir::open_for_reading(const std::string& root, const std::string& id) {
    validate_id(id);
    const std::string path = root + "/" + id;
    if (!is_container_dir(path)) fail("container does not exist");
    return ContainerDir(path, id, sys::Fd());
}

ContainerDir ContainerDir::listed(const std::string& root, const std::string& id) { return ContainerDir(root + "/" + id, id, sys::Fd()); }

bool ContainerDir::create_in_progress() const {
    if (lock_) return created_here_;  // this object holds the lock: only its own create can run
    const sys::Fd fd = sys::try_open_at(AT_FDCWD, path_, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (!fd) fail("container does not exist");  // deleted meanwhile
    return sys::is_locked_by_another(fd.get());
}

std::optional<ContainerRecord> ContainerDir::load() const {
    const std::string file = path_ + "/state.json";
    // The record holds the config's annotations, so it is as large as a config may be.
    std::string text;
    try {
        text = sys::read_file(file, 2 * spec::kMaxConfigBytes);
    } catch (const Error& e) {
        if (e.code() != ENOENT) throw;
        // Not written yet while a create holds the lock; without one, the create was killed
        // before its first record, or the record was lost with the page cache (power loss).
        if (create_in_progress()) return std::nullopt;
        fail("{}: missing (the create was interrupted, or the file lost in a crash){}", file, kUnreadableRecordHint);
    }
    // State saves are not fsync'd (as runc's and crun's): after a power loss the file may be
    // empty or cut short (docs/security.md, "Crash consistency").
    if (text.empty()) fail("{}: empty (lost in a crash before it reached the disk){}", file, kUnreadableRecordHint);
    try {
        return record_from_json(text);
    } catch (const Error& e) {
        fail("{}: {} (torn by a crash?){}", file, e.message(), kUnreadableRecordHint);
    }
}

void ContainerDir::save(const ContainerRecord& r) const { sys::replace_file(path_ + "/state.json", record_to_json(r), 0600); }

std::string ContainerDir::start_socket_address() const {
    if (!lock_) fail("state dir of {} is not locked", id_);
    return sys::proc_fd_path(lock_.get()) + "/exec.sock";
}

void ContainerDir::destroy() { sys::remove_tree(path_); }

bool remove_abandoned(const std::string& root, const std::string& id) {
    validate_id(id);
    const std::string path = root + "/" + id;
    const auto st = sys::stat_path(path, false);
    if (!st || !S_ISDIR(st->st_mode)) return false;
    sys::Fd lock = lock_dir(path);
    if (!same_dir(lock.get(), path) || !before_first_record(path)) return false;
    sys::remove_tree(path);
    return true;
}

std::vector<std::string> list_ids(const std::string& root) {
    // The directories from the entries' types (no stat each), then one stat of state.json; only
    // a container without one (being created) costs a second, of config.json.
    std::vector<std::string> ids;
    for (auto& name : sys::list_subdirs(root)) {
        const std::string path = root + "/" + name;
        if (sys::exists(path + "/state.json") || sys::exists(path + "/config.json")) ids.push_back(std::move(name));
    }
    return ids;
}

bool container_exists(const std::string& root, const std::string& id) {
    validate_id(id);
    return is_container_dir(root + "/" + id);
}

std::string cache_root(const std::string& root) {
    std::string base = root;
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    return (base == "/" ? std::string("/ocirt") : base) + ".cache";
}

spec::Status compute_status(const ContainerDir& dir, const std::optional<ContainerRecord>& r,
                            const cgroup::CgroupHost* host) {
    if (!r || r->creating) return spec::Status::creating;
    if (r->pid <= 0) return spec::Status::stopped;
    const auto st = sys::process_stat(r->pid);  // one read: start time and state
    if (!st || st->start_time != r->start_time) return spec::Status::stopped;  // gone, or the PID was reused
    if (st->state == 'Z' || st->state == 'X') return spec::Status::stopped;
    if (!r->cgroup_path.empty() && cgroup_frozen(*r, host)) return spec::Status::paused;
    if (sys::exists(dir.start_socket_path())) return spec::Status::created;
    return spec::Status::running;
}

spec::State record_state(const ContainerRecord& r, spec::Status status) {
    spec::State s;
    s.id = r.id;
    s.status = status;
    s.pid = status == spec::Status::stopped ? 0 : r.pid;
    // An interrupted create shows the process it recorded while that is alive (never a reused PID).
    if (status == spec::Status::creating) s.pid = live_pid(r.pid, r.start_time).value_or(live_pid(r.init_pid, r.init_start_time).value_or(0));
    s.bundle = r.bundle;
    s.rootfs = r.rootfs;
    s.created = r.created;
    s.owner = r.owner;
    s.annotations = r.annotations;
    return s;
}

spec::State make_state(const ContainerDir& dir, const std::optional<ContainerRecord>& r,
                       const cgroup::CgroupHost* host) {
    const spec::Status status = compute_status(dir, r, host);
    if (r) return record_state(*r, status);
    spec::State s;
    s.id = dir.id();
    s.status = status;
    return s;
}

cgroup::ContainerCgroup locate_cgroup(const ContainerRecord& r, const cgroup::CgroupHost* host) {
    const cgroup::CgroupRecord rec = record_of(r);
    return host ? cgroup::locate(rec, *host) : cgroup::locate(rec);
}

void set_cgroup_record(ContainerRecord& r, const cgroup::CgroupRecord& c) {
    r.cgroup_path = c.path;
    r.cgroup_created = c.created;
    r.cgroup_driver = c.driver;
    r.cgroup_dirs = c.v1_dirs;
    r.cgroup_systemd_unit = c.systemd_unit;
    r.cgroup_systemd_user = c.systemd_user;
}

}  // namespace ocirt::runtime
