#include "ocirt/runtime/state_dir.hpp"

#include <fcntl.h>

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

/// True if the container's cgroup is frozen; a cgroup that cannot be found is not.
bool cgroup_frozen(const ContainerRecord& r) {
    try {
        return cgroup::is_frozen(locate_cgroup(r));
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

ContainerDir ContainerDir::create(const std::string& root, const std::string& id) {
    validate_id(id);
    sys::make_dirs(root, 0700);
    const std::string path = root + "/" + id;
    try {
        sys::make_dir(path, 0711, false);
    } catch (const Error& e) {
        if (e.code() == EEXIST) fail("container already exists");
        throw;
    }
    return ContainerDir(path, id, lock_dir(path));
}

ContainerDir ContainerDir::open(const std::string& root, const std::string& id) {
    ContainerDir d = open_for_reading(root, id);
    d.lock_ = lock_dir(d.path_);
    return d;
}

ContainerDir ContainerDir::open_for_reading(const std::string& root, const std::string& id) {
    validate_id(id);
    const std::string path = root + "/" + id;
    if (!is_container_dir(path)) fail("container does not exist");
    return ContainerDir(path, id, sys::Fd());
}

std::optional<ContainerRecord> ContainerDir::load() const {
    const std::string file = path_ + "/state.json";
    if (!sys::exists(file)) return std::nullopt;
    // The record holds the config's annotations, so it is as large as a config may be.
    const std::string text = sys::read_file(file, 2 * spec::kMaxConfigBytes);
    return with_context(file, [&] { return record_from_json(text); });
}

void ContainerDir::save(const ContainerRecord& r) const { sys::write_file_atomic(path_ + "/state.json", record_to_json(r), 0600); }

std::string ContainerDir::start_socket_address() const {
    if (!lock_) fail("state dir of {} is not locked", id_);
    return sys::proc_fd_path(lock_.get()) + "/exec.sock";
}

void ContainerDir::destroy() { sys::remove_tree(path_); }

std::vector<std::string> list_ids(const std::string& root) {
    if (!sys::stat_path(root)) return {};
    std::vector<std::string> ids;
    for (auto& name : sys::list_dir(root))
        if (is_container_dir(root + "/" + name)) ids.push_back(name);
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

spec::Status compute_status(const ContainerDir& dir, const std::optional<ContainerRecord>& r) {
    if (!r) return spec::Status::creating;
    if (r->pid <= 0) return spec::Status::stopped;
    const auto started = sys::process_start_time(r->pid);
    if (!started || *started != r->start_time) return spec::Status::stopped;  // gone, or the PID was reused
    const auto state = sys::process_state(r->pid);
    if (!state || *state == 'Z' || *state == 'X') return spec::Status::stopped;
    if (!r->cgroup_path.empty() && cgroup_frozen(*r)) return spec::Status::paused;
    if (sys::exists(dir.start_socket_path())) return spec::Status::created;
    return spec::Status::running;
}

spec::State record_state(const ContainerRecord& r, spec::Status status) {
    spec::State s;
    s.id = r.id;
    s.status = status;
    s.pid = status == spec::Status::stopped ? 0 : r.pid;
    s.bundle = r.bundle;
    s.rootfs = r.rootfs;
    s.created = r.created;
    s.owner = r.owner;
    s.annotations = r.annotations;
    return s;
}

spec::State make_state(const ContainerDir& dir, const std::optional<ContainerRecord>& r) {
    const spec::Status status = compute_status(dir, r);
    if (r) return record_state(*r, status);
    spec::State s;
    s.id = dir.id();
    s.status = status;
    return s;
}

cgroup::ContainerCgroup locate_cgroup(const ContainerRecord& r) {
    return cgroup::locate(cgroup::CgroupRecord{r.cgroup_path, r.cgroup_created, r.cgroup_driver, r.cgroup_dirs,
                                                  r.cgroup_systemd_unit});
}

void set_cgroup_record(ContainerRecord& r, const cgroup::CgroupRecord& c) {
    r.cgroup_path = c.path;
    r.cgroup_created = c.created;
    r.cgroup_driver = c.driver;
    r.cgroup_dirs = c.v1_dirs;
    r.cgroup_systemd_unit = c.systemd_unit;
}

}  // namespace ocirt::runtime
