#pragma once
/// The container front end: every lifecycle operation the CLI offers, on a state root.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ocirt/spec/config.hpp"
#include "ocirt/spec/state.hpp"

namespace ocirt::runtime {

/// runc's --rootless: whether to treat cgroup permission errors as a rootless caller would.
enum class Rootless { auto_detect, yes, no };

/// Options every command shares.
struct GlobalOptions {
    std::string root = "/run/ocirt";
    bool systemd_cgroup = false;  ///< --systemd-cgroup, or crun's --cgroup-manager=systemd
    bool no_cgroup = false;       ///< crun's --cgroup-manager=disabled: containers get no cgroup
    Rootless rootless = Rootless::auto_detect;
};

/// `create` (and the create half of `run`).
struct CreateOptions {
    std::string id;
    std::string bundle = ".";
    std::string pid_file;
    std::string console_socket;
    int preserve_fds = 0;
    bool no_pivot = false;
    bool no_new_keyring = false;
    std::string config_file;   ///< --config (crun): this file instead of <bundle>/config.json
    std::string pidfd_socket;  ///< --pidfd-socket: receives a pidfd of the container process
    bool no_subreaper = false; ///< run --no-subreaper: the container process is forked as ocirt's child
};

/// `run`.
struct RunOptions {
    CreateOptions create;
    bool detach = false;
    bool keep = false;
};

/// `exec`.
struct ExecOptions {
    std::string id;
    std::string process_file;            ///< --process: a process.json
    std::vector<std::string> args;       ///< the command, when no --process
    bool tty = false;
    std::string console_socket;
    bool detach = false;
    std::string pid_file;
    std::vector<std::string> env;        ///< --env KEY=VALUE, added to the container's env
    std::optional<std::string> cwd;
    std::optional<std::string> user;     ///< "uid[:gid]"
    std::vector<uint32_t> additional_gids;
    std::vector<std::string> caps;       ///< --cap: added to every set but ambient
    bool no_new_privs = false;
    int preserve_fds = 0;
    std::optional<std::string> process_label;  ///< --process-label: process.selinuxLabel
    std::optional<std::string> apparmor;       ///< --apparmor: process.apparmorProfile
    std::vector<std::string> cgroups;          ///< --cgroup [CONTROLLER:]PATH: a sub-cgroup to join
    bool ignore_paused = false;                ///< --ignore-paused: exec into a paused container
    std::string pidfd_socket;                  ///< --pidfd-socket: receives a pidfd of the new process
};

/// `update`.
struct UpdateOptions {
    std::string id;
    std::optional<std::string> resources_file;  ///< --resources: a LinuxResources JSON file, "-" for stdin
    std::map<std::string, std::string> flags;   ///< runc's flags by name ("memory", "cpu-quota" ...)
    std::optional<std::string> l3_cache_schema;  ///< --l3-cache-schema: linux.intelRdt.l3CacheSchema
    std::optional<std::string> mem_bw_schema;    ///< --mem-bw-schema: linux.intelRdt.memBwSchema
};

/// Creates a container and leaves it waiting for `start`.
void create_container(const GlobalOptions& g, const CreateOptions& o);
/// Starts a created container: its program runs.
void start_container(const GlobalOptions& g, const std::string& id);
/// Runs a container: create + start; in the foreground it waits and returns the exit status.
int run_container(const GlobalOptions& g, const RunOptions& o);
/// The state document of a container.
spec::State container_state(const GlobalOptions& g, const std::string& id);
/// The state of every container under the root, sorted by ID.
std::vector<spec::State> list_containers(const GlobalOptions& g);
/// Sends a signal to the container's process (all its processes with `all`).
void kill_container(const GlobalOptions& g, const std::string& id, int signal, bool all);
/// Deletes a container; `force` kills it first if it is running.
void delete_container(const GlobalOptions& g, const std::string& id, bool force);
/// Runs another process in a container; in the foreground returns its exit status.
int exec_in_container(const GlobalOptions& g, const ExecOptions& o);
/// The PIDs of a container's processes, as seen on the host (from its cgroup when it has one).
std::vector<int> container_pids(const GlobalOptions& g, const std::string& id);
/// Freezes every process of a running container (cgroup.freeze); its status becomes paused.
void pause_container(const GlobalOptions& g, const std::string& id);
/// Thaws a paused container.
void resume_container(const GlobalOptions& g, const std::string& id);
/// Changes the resources of a created, running or paused container live, and records them.
void update_container(const GlobalOptions& g, const UpdateOptions& o);
/// One `events --stats` record: {"type":"stats","id":...,"data":{cpu, memory, pids, blkio, hugetlb}}.
std::string container_stats_event(const GlobalOptions& g, const std::string& id);
/// `events`: a stats record every `interval_ms` and {"type":"oom"} when memory.events counts a
/// new OOM kill, each handed to `emit` as one JSON line, until the container stops.
void watch_container_events(const GlobalOptions& g, const std::string& id, int interval_ms,
                            const std::function<void(const std::string&)>& emit);
/// `ps`: runs ps(1) with `ps_args` (default -ef) and keeps the header and the container's lines.
std::string container_ps_table(const GlobalOptions& g, const std::string& id, const std::vector<std::string>& ps_args);

}  // namespace ocirt::runtime
