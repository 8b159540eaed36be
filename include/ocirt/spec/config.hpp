#pragma once
/// The typed model of an OCI runtime-spec v1.3 config.json for Linux: every field of config.md
/// and config-linux.md. Member names are the JSON keys in snake_case. Optional JSON fields are
/// std::optional (or empty containers where absence and emptiness mean the same thing).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace ocirt::spec {

struct Root {
    std::string path;
    bool readonly = false;
};

struct IdMapping {
    uint32_t container_id = 0;
    uint32_t host_id = 0;
    uint32_t size = 0;
};

struct Mount {
    std::string destination;
    std::optional<std::string> source;
    std::optional<std::string> type;
    std::vector<std::string> options;
    std::vector<IdMapping> uid_mappings;
    std::vector<IdMapping> gid_mappings;
};

struct ConsoleSize {
    uint32_t height = 0;
    uint32_t width = 0;
};

struct Rlimit {
    std::string type;  // "RLIMIT_NOFILE"
    uint64_t soft = 0;
    uint64_t hard = 0;
};

struct Capabilities {
    std::optional<std::vector<std::string>> effective;
    std::optional<std::vector<std::string>> bounding;
    std::optional<std::vector<std::string>> inheritable;
    std::optional<std::vector<std::string>> permitted;
    std::optional<std::vector<std::string>> ambient;
};

struct User {
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::optional<uint32_t> umask;
    std::vector<uint32_t> additional_gids;
    std::optional<std::string> username;  // Windows only
};

struct Scheduler {
    std::string policy;
    std::optional<int32_t> nice;
    std::optional<int32_t> priority;
    std::vector<std::string> flags;
    std::optional<uint64_t> runtime;
    std::optional<uint64_t> deadline;
    std::optional<uint64_t> period;
};

struct IoPriority {
    std::string io_class;  // JSON "class"
    int32_t priority = 0;
};

struct ExecCpuAffinity {
    std::optional<std::string> initial;
    std::optional<std::string> final_;  // JSON "final"
};

struct Process {
    bool terminal = false;
    std::optional<ConsoleSize> console_size;
    std::string cwd;
    std::vector<std::string> env;
    std::vector<std::string> args;
    std::optional<std::string> command_line;  // Windows only
    std::vector<Rlimit> rlimits;
    std::optional<std::string> apparmor_profile;
    std::optional<Capabilities> capabilities;
    bool no_new_privileges = false;
    std::optional<int32_t> oom_score_adj;
    std::optional<Scheduler> scheduler;
    std::optional<std::string> selinux_label;
    std::optional<IoPriority> io_priority;
    std::optional<ExecCpuAffinity> exec_cpu_affinity;
    User user;
};

struct Hook {
    std::string path;
    std::vector<std::string> args;
    std::optional<std::vector<std::string>> env;  // absent: the runtime's own environment (runc)
    std::optional<int32_t> timeout;  // seconds
};

struct Hooks {
    std::vector<Hook> prestart;
    std::vector<Hook> create_runtime;
    std::vector<Hook> create_container;
    std::vector<Hook> start_container;
    std::vector<Hook> poststart;
    std::vector<Hook> poststop;
};

/// The namespace kinds of config-linux.md, in the order ocirt enters them.
enum class NamespaceType { user, pid, network, ipc, uts, mount, cgroup, time };

struct Namespace {
    NamespaceType type = NamespaceType::mount;
    std::optional<std::string> path;
};

struct TimeOffset {
    int64_t secs = 0;
    uint32_t nanosecs = 0;
};

struct Device {
    std::string type;  // c, b, u, p
    std::string path;
    std::optional<int64_t> major;
    std::optional<int64_t> minor;
    std::optional<uint32_t> file_mode;
    std::optional<uint32_t> uid;
    std::optional<uint32_t> gid;
};

struct DeviceCgroupRule {
    bool allow = false;
    std::optional<std::string> type;
    std::optional<int64_t> major;
    std::optional<int64_t> minor;
    std::optional<std::string> access;
};

struct MemoryResources {
    std::optional<int64_t> limit;
    std::optional<int64_t> reservation;
    std::optional<int64_t> swap;
    std::optional<int64_t> kernel;
    std::optional<int64_t> kernel_tcp;
    std::optional<uint64_t> swappiness;
    std::optional<bool> disable_oom_killer;
    std::optional<bool> use_hierarchy;
    std::optional<bool> check_before_update;
};

struct CpuResources {
    std::optional<uint64_t> shares;
    std::optional<int64_t> quota;
    std::optional<uint64_t> burst;
    std::optional<uint64_t> period;
    std::optional<int64_t> realtime_runtime;
    std::optional<uint64_t> realtime_period;
    std::optional<std::string> cpus;
    std::optional<std::string> mems;
    std::optional<int64_t> idle;
};

struct WeightDevice {
    int64_t major = 0;
    int64_t minor = 0;
    std::optional<uint16_t> weight;
    std::optional<uint16_t> leaf_weight;
};

struct ThrottleDevice {
    int64_t major = 0;
    int64_t minor = 0;
    uint64_t rate = 0;
};

struct BlockIoResources {
    std::optional<uint16_t> weight;
    std::optional<uint16_t> leaf_weight;
    std::vector<WeightDevice> weight_device;
    std::vector<ThrottleDevice> throttle_read_bps_device;
    std::vector<ThrottleDevice> throttle_write_bps_device;
    std::vector<ThrottleDevice> throttle_read_iops_device;
    std::vector<ThrottleDevice> throttle_write_iops_device;
};

struct HugepageLimit {
    std::string page_size;
    uint64_t limit = 0;
};

struct NetworkPriority {
    std::string name;
    uint32_t priority = 0;
};

struct NetworkResources {
    std::optional<uint32_t> class_id;
    std::vector<NetworkPriority> priorities;
};

struct RdmaLimit {
    std::optional<uint32_t> hca_handles;
    std::optional<uint32_t> hca_objects;
};

struct Resources {
    std::vector<DeviceCgroupRule> devices;
    std::optional<MemoryResources> memory;
    std::optional<CpuResources> cpu;
    std::optional<BlockIoResources> block_io;
    std::vector<HugepageLimit> hugepage_limits;
    std::optional<NetworkResources> network;
    std::optional<int64_t> pids_limit;  // JSON pids.limit
    bool has_pids = false;
    std::map<std::string, RdmaLimit> rdma;
    std::map<std::string, std::string> unified;
};

struct IntelRdt {
    std::optional<std::string> clos_id;
    std::optional<std::string> l3_cache_schema;
    std::optional<std::string> mem_bw_schema;
    std::vector<std::string> schemata;
    std::optional<bool> enable_monitoring;
};

struct SeccompArg {
    uint32_t index = 0;
    uint64_t value = 0;
    std::optional<uint64_t> value_two;
    std::string op;
};

struct SeccompSyscall {
    std::vector<std::string> names;
    std::string action;
    std::optional<uint32_t> errno_ret;
    std::vector<SeccompArg> args;
};

struct Seccomp {
    std::string default_action;
    std::optional<uint32_t> default_errno_ret;
    std::vector<std::string> architectures;
    std::vector<std::string> flags;
    std::optional<std::string> listener_path;
    std::optional<std::string> listener_metadata;
    std::vector<SeccompSyscall> syscalls;
};

struct Personality {
    std::string domain;
    std::vector<std::string> flags;
};

struct MemoryPolicy {
    std::string mode;
    std::optional<std::string> nodes;
    std::vector<std::string> flags;
};

struct NetDevice {
    std::optional<std::string> name;
};

struct Linux {
    std::vector<Namespace> namespaces;
    std::vector<IdMapping> uid_mappings;
    std::vector<IdMapping> gid_mappings;
    std::map<std::string, TimeOffset> time_offsets;  // "monotonic", "boottime"
    std::vector<Device> devices;
    std::map<std::string, NetDevice> net_devices;
    std::optional<std::string> cgroups_path;
    std::optional<Resources> resources;
    std::optional<IntelRdt> intel_rdt;
    std::map<std::string, std::string> sysctl;
    std::optional<Seccomp> seccomp;
    std::optional<std::string> rootfs_propagation;
    std::vector<std::string> masked_paths;
    std::vector<std::string> readonly_paths;
    std::optional<std::string> mount_label;
    std::optional<Personality> personality;
    std::optional<MemoryPolicy> memory_policy;
};

/// A whole config.json.
struct Config {
    std::string oci_version;
    std::optional<Root> root;
    std::vector<Mount> mounts;
    std::optional<Process> process;
    std::optional<std::string> hostname;
    std::optional<std::string> domainname;
    Hooks hooks;
    std::map<std::string, std::string> annotations;
    std::optional<Linux> linux_;  // JSON "linux"
};

/// The JSON name of a namespace type ("network").
const char* namespace_type_name(NamespaceType t);
/// Parses a JSON namespace name; nullopt if unknown.
std::optional<NamespaceType> parse_namespace_type(const std::string& name);
/// Every namespace type name runtime-spec defines (and ocirt creates and joins).
std::vector<std::string> namespace_type_names();

/// Builds the model from parsed JSON. Throws ocirt::Error naming the JSON path at fault
/// ("/process/user/uid: expected an unsigned integer").
Config config_from_json(const nlohmann::json& j);
/// Builds linux.resources alone (what `update --resources` reads); errors name paths inside it.
Resources resources_from_json(const nlohmann::json& j);
/// Serialises the model back to JSON (fields left unset are omitted).
nlohmann::json config_to_json(const Config& c);

/// Reads and parses `path` (size-limited), returns the raw JSON. Throws on I/O or syntax errors.
nlohmann::json read_config_json(const std::string& path);

}  // namespace ocirt::spec
