#pragma once
/// The state directory: <root>/<id>/ holds state.json (written atomically), config.json (the
/// config the container was created from), exec.sock (while created: the waiting init stage
/// listens there for `start`) and is flock()ed by every command that changes the container.
/// The root holds containers only; caches live beside it (cache_root).

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ocirt/cgroup/manager.hpp"
#include "ocirt/spec/state.hpp"
#include "ocirt/sys/fd.hpp"

namespace ocirt::runtime {

/// Checks a container ID: non-empty, at most 255 bytes, runc's characters [A-Za-z0-9_+.-],
/// and not "." or "..". Throws naming the ID.
void validate_id(const std::string& id);

/// How the error of an unreadable state.json ends (ContainerDir::load).
inline constexpr std::string_view kUnreadableRecordHint = "; delete --force removes the container";

/// What ocirt remembers about a container between commands.
struct ContainerRecord {
    std::string id;
    std::string bundle;
    std::string rootfs;
    std::string created;
    std::string owner;
    std::map<std::string, std::string> annotations;
    pid_t pid = 0;                 ///< the container process on the host, 0 while creating
    uint64_t start_time = 0;       ///< its start time, to tell it from a reused PID
    std::string cgroup_path;       ///< the container's cgroup path ("/ocirt/c1"); empty: none
    std::vector<std::string> cgroup_created;  ///< cgroup dirs create made, shallowest first
    std::string cgroup_driver;     ///< "v1" (a directory per hierarchy), "" or "v2"
    std::map<std::string, std::string> cgroup_dirs;  ///< v1: hierarchy key → directory ("" → cgroup2)
    std::string cgroup_systemd_unit;          ///< the systemd driver's unit (--systemd-cgroup); empty: cgroupfs
    bool cgroup_systemd_user = false;         ///< the unit is the user's systemd's (rootless), reached on the user bus
    // Progress of create, recorded before each step that makes something outside the state dir
    // (docs/security.md, "Crash consistency"), so that `delete --force` can undo any prefix.
    bool creating = false;         ///< create has not finished (or was killed): OCI status `creating`
    pid_t init_pid = 0;            ///< the init stage's first process, while creating
    uint64_t init_start_time = 0;  ///< its start time
    bool host_resources = false;   ///< netDevices / netns pin / intelRdt may have been set up
    bool hooks_started = false;    ///< prestart hooks may have run: poststop runs on delete
};

/// The container's cgroup as the record names it (it must have one); `host`, the host's
/// hierarchies when the caller has found them already (else they are read from mountinfo).
cgroup::ContainerCgroup locate_cgroup(const ContainerRecord& r, const cgroup::CgroupHost* host = nullptr);
/// Records a cgroup in `r`.
void set_cgroup_record(ContainerRecord& r, const cgroup::CgroupRecord& c);

/// One container's directory, locked for the lifetime of this object.
class ContainerDir {
public:
    /// Creates <root>/<id> exclusively, locked before anything is written in it (an existing one
    /// is "container already exists", or "container exists in state creating; delete --force it"
    /// for a create that was interrupted). A directory left empty by a create killed between
    /// its mkdir and its first record is taken over.
    static ContainerDir create(const std::string& root, const std::string& id);
    /// Opens and locks an existing <root>/<id> ("container <id> does not exist"); the lock is
    /// checked to be on the directory still at that path (a concurrent delete may have removed
    /// it, and a create made a new one, while this waited for the lock).
    static ContainerDir open(const std::string& root, const std::string& id);
    /// Opens <root>/<id> without the lock, for read-only commands (state.json is replaced
    /// atomically, so a reader never sees half a file); hooks may call `state` during create.
    static ContainerDir open_for_reading(const std::string& root, const std::string& id);
    /// <root>/<id>, unlocked and not checked: `list` reads each subdirectory of the root with
    /// load() and asks whether it is a container only when that finds no record.
    static ContainerDir listed(const std::string& root, const std::string& id);

    /// The directory path.
    const std::string& path() const { return path_; }
    /// The container ID.
    const std::string& id() const { return id_; }
    /// <dir>/exec.sock.
    std::string start_socket_path() const { return path_ + "/exec.sock"; }
    /// exec.sock named through /proc/self/fd/<dir fd>, short enough for sun_path whatever the
    /// length of --root and the ID (needs the lock, which holds the dir fd).
    std::string start_socket_address() const;
    /// <dir>/config.json.
    std::string config_path() const { return path_ + "/config.json"; }
    /// Reads state.json; nullopt while a create holds the directory's lock and has not written
    /// it yet. A state.json that is missing with no create running (the create was killed, or
    /// the file lost in a power loss), empty or not a whole record throws one line naming the
    /// file and ending with kUnreadableRecordHint.
    std::optional<ContainerRecord> load() const;
    /// Writes state.json atomically.
    void save(const ContainerRecord& r) const;
    /// Removes the directory and everything in it.
    void destroy();

private:
    /// True if a create that has not written its first record yet holds the directory's lock:
    /// another process, or this object when create() made it.
    bool create_in_progress() const;
    ContainerDir(std::string path, std::string id, sys::Fd lock) : path_(std::move(path)), id_(std::move(id)), lock_(std::move(lock)) {}
    std::string path_;
    std::string id_;
    sys::Fd lock_;
    bool created_here_ = false;  ///< made by create(): a missing record is not written yet
};

/// The IDs of the containers under a state root (unsorted): directories that hold state.json or
/// config.json; anything else there is not a container. An absent root has none.
std::vector<std::string> list_ids(const std::string& root);
/// Removes <root>/<id> if a create was killed between making it and writing its first record
/// (empty, or temporary files only; checked under the lock). True if it did.
bool remove_abandoned(const std::string& root, const std::string& id);
/// True if <root>/<id> is a container's directory (as list_ids counts them). Validates the ID.
bool container_exists(const std::string& root, const std::string& id);
/// Where ocirt keeps caches for a state root: the sibling `<root>.cache` (/run/ocirt.cache), which
/// no container ID can name and which runc's `list` of a shared root does not read.
std::string cache_root(const std::string& root);

/// `pid` if that process is alive (not a zombie) and started at `start_time`: never a reused PID.
std::optional<pid_t> live_pid(pid_t pid, uint64_t start_time);

/// The live status of a recorded container (created/running/stopped), robust to PID reuse.
/// `host` as for locate_cgroup (`list` reads mountinfo once, not once per container).
spec::Status compute_status(const ContainerDir& dir, const std::optional<ContainerRecord>& r,
                            const cgroup::CgroupHost* host = nullptr);

/// The state document of a record with a given status (pid 0 once stopped, as runc reports).
spec::State record_state(const ContainerRecord& r, spec::Status status);

/// The OCI state document of a container.
spec::State make_state(const ContainerDir& dir, const std::optional<ContainerRecord>& r,
                       const cgroup::CgroupHost* host = nullptr);

}  // namespace ocirt::runtime
