// config.json → typed model. Every error names the JSON pointer of the value at fault.
//
// Rules, following runtime-spec v1.3 (config.md, config-linux.md):
// - unknown keys are ignored (the spec says runtimes MUST ignore unknown properties);
// - JSON null counts as absent, so a null optional field is unset and a null required field
//   is "required field missing";
// - integers must be JSON integers (no fractions, no exponents) within the range of the C++ type;
// - only the structure is checked here: value checks (absolute paths, known rlimit names,
//   duplicate namespaces...) belong to the validator.

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ocirt/spec/config.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::spec {
namespace {

using nlohmann::json;

/// A JSON pointer (RFC 6901) being built while descending; the root renders as "/".
class Ptr {
public:
    Ptr() = default;
    Ptr operator/(std::string_view key) const {
        Ptr p;
        p.s_.reserve(s_.size() + key.size() + 1);
        p.s_ = s_;
        p.s_ += '/';
        for (const char c : key) {
            if (c == '~')
                p.s_ += "~0";
            else if (c == '/')
                p.s_ += "~1";
            else
                p.s_ += c;
        }
        return p;
    }
    Ptr operator/(size_t index) const { return *this / std::to_string(index); }
    std::string str() const { return s_.empty() ? std::string("/") : s_; }

private:
    std::string s_;
};

/// How a JSON value is named in "got ..." messages: the type, or the number itself.
std::string describe(const json& v) {
    if (v.is_number()) return v.dump();
    return v.type_name();
}

[[noreturn]] void type_error(const Ptr& p, std::string_view expected, const json& v) {
    fail("{}: expected {}, got {}", p.str(), expected, describe(v));
}

[[noreturn]] void missing(const Ptr& p) { fail("{}: required field missing", p.str()); }

template <typename T>
std::string int_name() {
    return fmt::format("{} {}-bit integer", std::is_signed_v<T> ? "a signed" : "an unsigned",
                       sizeof(T) * 8);
}

/// A JSON integer converted to T, range-checked.
template <typename T>
T to_int(const json& v, const Ptr& p) {
    static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>);
    if (v.is_number_unsigned()) {
        const auto u = v.get<uint64_t>();
        if (u > static_cast<uint64_t>(std::numeric_limits<T>::max()))
            fail("{}: expected {}, got {} (out of range)", p.str(), int_name<T>(), u);
        return static_cast<T>(u);
    }
    if (v.is_number_integer()) {
        const auto s = v.get<int64_t>();
        if constexpr (std::is_unsigned_v<T>) {
            if (s < 0) fail("{}: expected {}, got {} (out of range)", p.str(), int_name<T>(), s);
            if (static_cast<uint64_t>(s) > static_cast<uint64_t>(std::numeric_limits<T>::max()))
                fail("{}: expected {}, got {} (out of range)", p.str(), int_name<T>(), s);
        } else {
            if (s < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
                s > static_cast<int64_t>(std::numeric_limits<T>::max()))
                fail("{}: expected {}, got {} (out of range)", p.str(), int_name<T>(), s);
        }
        return static_cast<T>(s);
    }
    type_error(p, int_name<T>(), v);
}

std::string to_string(const json& v, const Ptr& p) {
    if (!v.is_string()) type_error(p, "a string", v);
    return v.get<std::string>();
}

bool to_bool(const json& v, const Ptr& p) {
    if (!v.is_boolean()) type_error(p, "a boolean", v);
    return v.get<bool>();
}

std::vector<std::string> to_strings(const json& v, const Ptr& p) {
    if (!v.is_array()) type_error(p, "an array of strings", v);
    std::vector<std::string> out;
    out.reserve(v.size());
    for (size_t i = 0; i < v.size(); ++i) out.push_back(to_string(v[i], p / i));
    return out;
}

std::map<std::string, std::string> to_string_map(const json& v, const Ptr& p) {
    if (!v.is_object()) type_error(p, "an object of strings", v);
    std::map<std::string, std::string> out;
    for (const auto& [key, value] : v.items()) out.emplace(key, to_string(value, p / key));
    return out;
}

/// Read access to one JSON object with its pointer; null members count as absent.
class Obj {
public:
    Obj(const json& v, Ptr p) : v_(v), p_(std::move(p)) {
        if (!v_.is_object()) type_error(p_, "an object", v_);
    }

    const Ptr& ptr() const { return p_; }
    Ptr at(std::string_view key) const { return p_ / key; }

    /// The member, or nullptr if absent or null.
    const json* find(std::string_view key) const {
        const auto it = v_.find(key);
        if (it == v_.end() || it->is_null()) return nullptr;
        return &*it;
    }
    const json& need(std::string_view key) const {
        const json* m = find(key);
        if (m == nullptr) missing(at(key));
        return *m;
    }

    std::string req_string(std::string_view key) const { return to_string(need(key), at(key)); }
    std::optional<std::string> opt_string(std::string_view key) const {
        const json* m = find(key);
        if (m == nullptr) return std::nullopt;
        return to_string(*m, at(key));
    }
    template <typename T>
    T req_int(std::string_view key) const {
        return to_int<T>(need(key), at(key));
    }
    template <typename T>
    std::optional<T> opt_int(std::string_view key) const {
        const json* m = find(key);
        if (m == nullptr) return std::nullopt;
        return to_int<T>(*m, at(key));
    }
    bool req_bool(std::string_view key) const { return to_bool(need(key), at(key)); }
    std::optional<bool> opt_bool(std::string_view key) const {
        const json* m = find(key);
        if (m == nullptr) return std::nullopt;
        return to_bool(*m, at(key));
    }
    bool flag(std::string_view key) const { return opt_bool(key).value_or(false); }
    std::vector<std::string> strings(std::string_view key) const {
        const json* m = find(key);
        if (m == nullptr) return {};
        return to_strings(*m, at(key));
    }
    std::optional<std::vector<std::string>> opt_strings(std::string_view key) const {
        const json* m = find(key);
        if (m == nullptr) return std::nullopt;
        return to_strings(*m, at(key));
    }
    std::map<std::string, std::string> string_map(std::string_view key) const {
        const json* m = find(key);
        if (m == nullptr) return {};
        return to_string_map(*m, at(key));
    }

    /// A nested object built by `fn(Obj)`, or nullopt if absent.
    template <typename Fn>
    auto opt_object(std::string_view key, Fn&& fn) const -> std::optional<decltype(fn(std::declval<const Obj&>()))> {
        const json* m = find(key);
        if (m == nullptr) return std::nullopt;
        return fn(Obj(*m, at(key)));
    }
    /// An array of objects, each built by `fn(Obj)`; absent means empty.
    template <typename Fn>
    auto list(std::string_view key, Fn&& fn) const -> std::vector<decltype(fn(std::declval<const Obj&>()))> {
        std::vector<decltype(fn(std::declval<const Obj&>()))> out;
        const json* m = find(key);
        if (m == nullptr) return out;
        const Ptr p = at(key);
        if (!m->is_array()) type_error(p, "an array", *m);
        out.reserve(m->size());
        for (size_t i = 0; i < m->size(); ++i) out.push_back(fn(Obj((*m)[i], p / i)));
        return out;
    }
    /// An object whose values are objects, each built by `fn(Obj)`; absent means empty.
    template <typename Fn>
    auto dict(std::string_view key, Fn&& fn) const
        -> std::map<std::string, decltype(fn(std::declval<const Obj&>()))> {
        std::map<std::string, decltype(fn(std::declval<const Obj&>()))> out;
        const json* m = find(key);
        if (m == nullptr) return out;
        const Ptr p = at(key);
        if (!m->is_object()) type_error(p, "an object", *m);
        for (const auto& [name, value] : m->items()) out.emplace(name, fn(Obj(value, p / name)));
        return out;
    }

private:
    const json& v_;
    Ptr p_;
};

IdMapping parse_id_mapping(const Obj& o) {
    IdMapping m;
    m.container_id = o.req_int<uint32_t>("containerID");
    m.host_id = o.req_int<uint32_t>("hostID");
    m.size = o.req_int<uint32_t>("size");
    return m;
}

Root parse_root(const Obj& o) {
    Root r;
    r.path = o.req_string("path");
    r.readonly = o.flag("readonly");
    return r;
}

Mount parse_mount(const Obj& o) {
    Mount m;
    m.destination = o.req_string("destination");
    m.source = o.opt_string("source");
    m.type = o.opt_string("type");
    m.options = o.strings("options");
    m.uid_mappings = o.list("uidMappings", parse_id_mapping);
    m.gid_mappings = o.list("gidMappings", parse_id_mapping);
    return m;
}

ConsoleSize parse_console_size(const Obj& o) {
    ConsoleSize c;
    c.height = o.req_int<uint32_t>("height");
    c.width = o.req_int<uint32_t>("width");
    return c;
}

Rlimit parse_rlimit(const Obj& o) {
    Rlimit r;
    r.type = o.req_string("type");
    r.soft = o.req_int<uint64_t>("soft");
    r.hard = o.req_int<uint64_t>("hard");
    return r;
}

Capabilities parse_capabilities(const Obj& o) {
    Capabilities c;
    c.effective = o.opt_strings("effective");
    c.bounding = o.opt_strings("bounding");
    c.inheritable = o.opt_strings("inheritable");
    c.permitted = o.opt_strings("permitted");
    c.ambient = o.opt_strings("ambient");
    return c;
}

User parse_user(const Obj& o) {
    User u;
    u.uid = o.req_int<uint32_t>("uid");
    u.gid = o.req_int<uint32_t>("gid");
    u.umask = o.opt_int<uint32_t>("umask");
    if (const json* g = o.find("additionalGids")) {
        const Ptr p = o.at("additionalGids");
        if (!g->is_array()) type_error(p, "an array of integers", *g);
        for (size_t i = 0; i < g->size(); ++i) u.additional_gids.push_back(to_int<uint32_t>((*g)[i], p / i));
    }
    u.username = o.opt_string("username");
    return u;
}

Scheduler parse_scheduler(const Obj& o) {
    Scheduler s;
    s.policy = o.req_string("policy");
    s.nice = o.opt_int<int32_t>("nice");
    s.priority = o.opt_int<int32_t>("priority");
    s.flags = o.strings("flags");
    s.runtime = o.opt_int<uint64_t>("runtime");
    s.deadline = o.opt_int<uint64_t>("deadline");
    s.period = o.opt_int<uint64_t>("period");
    return s;
}

IoPriority parse_io_priority(const Obj& o) {
    IoPriority io;
    io.io_class = o.req_string("class");
    io.priority = o.opt_int<int32_t>("priority").value_or(0);
    return io;
}

ExecCpuAffinity parse_exec_cpu_affinity(const Obj& o) {
    ExecCpuAffinity a;
    a.initial = o.opt_string("initial");
    a.final_ = o.opt_string("final");
    return a;
}

Process parse_process(const Obj& o) {
    Process p;
    p.terminal = o.flag("terminal");
    p.console_size = o.opt_object("consoleSize", parse_console_size);
    p.cwd = o.req_string("cwd");
    p.env = o.strings("env");
    p.args = o.strings("args");
    p.command_line = o.opt_string("commandLine");
    p.rlimits = o.list("rlimits", parse_rlimit);
    p.apparmor_profile = o.opt_string("apparmorProfile");
    p.capabilities = o.opt_object("capabilities", parse_capabilities);
    p.no_new_privileges = o.flag("noNewPrivileges");
    p.oom_score_adj = o.opt_int<int32_t>("oomScoreAdj");
    p.scheduler = o.opt_object("scheduler", parse_scheduler);
    p.selinux_label = o.opt_string("selinuxLabel");
    p.io_priority = o.opt_object("ioPriority", parse_io_priority);
    p.exec_cpu_affinity = o.opt_object("execCPUAffinity", parse_exec_cpu_affinity);
    if (auto user = o.opt_object("user", parse_user)) p.user = std::move(*user);
    return p;
}

Hook parse_hook(const Obj& o) {
    Hook h;
    h.path = o.req_string("path");
    h.args = o.strings("args");
    h.env = o.opt_strings("env");
    h.timeout = o.opt_int<int32_t>("timeout");
    return h;
}

Hooks parse_hooks(const Obj& o) {
    Hooks h;
    h.prestart = o.list("prestart", parse_hook);
    h.create_runtime = o.list("createRuntime", parse_hook);
    h.create_container = o.list("createContainer", parse_hook);
    h.start_container = o.list("startContainer", parse_hook);
    h.poststart = o.list("poststart", parse_hook);
    h.poststop = o.list("poststop", parse_hook);
    return h;
}

Namespace parse_namespace(const Obj& o) {
    Namespace ns;
    const std::string type = o.req_string("type");
    const auto t = parse_namespace_type(type);
    if (!t) fail("{}: unknown namespace type \"{}\"", o.at("type").str(), type);
    ns.type = *t;
    ns.path = o.opt_string("path");
    return ns;
}

TimeOffset parse_time_offset(const Obj& o) {
    TimeOffset t;
    t.secs = o.opt_int<int64_t>("secs").value_or(0);
    t.nanosecs = o.opt_int<uint32_t>("nanosecs").value_or(0);
    return t;
}

Device parse_device(const Obj& o) {
    Device d;
    d.type = o.req_string("type");
    d.path = o.req_string("path");
    d.major = o.opt_int<int64_t>("major");
    d.minor = o.opt_int<int64_t>("minor");
    d.file_mode = o.opt_int<uint32_t>("fileMode");
    d.uid = o.opt_int<uint32_t>("uid");
    d.gid = o.opt_int<uint32_t>("gid");
    return d;
}

NetDevice parse_net_device(const Obj& o) {
    NetDevice d;
    d.name = o.opt_string("name");
    return d;
}

DeviceCgroupRule parse_device_rule(const Obj& o) {
    DeviceCgroupRule r;
    r.allow = o.req_bool("allow");
    r.type = o.opt_string("type");
    r.major = o.opt_int<int64_t>("major");
    r.minor = o.opt_int<int64_t>("minor");
    r.access = o.opt_string("access");
    return r;
}

MemoryResources parse_memory(const Obj& o) {
    MemoryResources m;
    m.limit = o.opt_int<int64_t>("limit");
    m.reservation = o.opt_int<int64_t>("reservation");
    m.swap = o.opt_int<int64_t>("swap");
    m.kernel = o.opt_int<int64_t>("kernel");
    m.kernel_tcp = o.opt_int<int64_t>("kernelTCP");
    m.swappiness = o.opt_int<uint64_t>("swappiness");
    m.disable_oom_killer = o.opt_bool("disableOOMKiller");
    m.use_hierarchy = o.opt_bool("useHierarchy");
    m.check_before_update = o.opt_bool("checkBeforeUpdate");
    return m;
}

CpuResources parse_cpu(const Obj& o) {
    CpuResources c;
    c.shares = o.opt_int<uint64_t>("shares");
    c.quota = o.opt_int<int64_t>("quota");
    c.burst = o.opt_int<uint64_t>("burst");
    c.period = o.opt_int<uint64_t>("period");
    c.realtime_runtime = o.opt_int<int64_t>("realtimeRuntime");
    c.realtime_period = o.opt_int<uint64_t>("realtimePeriod");
    c.cpus = o.opt_string("cpus");
    c.mems = o.opt_string("mems");
    c.idle = o.opt_int<int64_t>("idle");
    return c;
}

WeightDevice parse_weight_device(const Obj& o) {
    WeightDevice w;
    w.major = o.req_int<int64_t>("major");
    w.minor = o.req_int<int64_t>("minor");
    w.weight = o.opt_int<uint16_t>("weight");
    w.leaf_weight = o.opt_int<uint16_t>("leafWeight");
    return w;
}

ThrottleDevice parse_throttle_device(const Obj& o) {
    ThrottleDevice t;
    t.major = o.req_int<int64_t>("major");
    t.minor = o.req_int<int64_t>("minor");
    t.rate = o.req_int<uint64_t>("rate");
    return t;
}

BlockIoResources parse_block_io(const Obj& o) {
    BlockIoResources b;
    b.weight = o.opt_int<uint16_t>("weight");
    b.leaf_weight = o.opt_int<uint16_t>("leafWeight");
    b.weight_device = o.list("weightDevice", parse_weight_device);
    b.throttle_read_bps_device = o.list("throttleReadBpsDevice", parse_throttle_device);
    b.throttle_write_bps_device = o.list("throttleWriteBpsDevice", parse_throttle_device);
    b.throttle_read_iops_device = o.list("throttleReadIOPSDevice", parse_throttle_device);
    b.throttle_write_iops_device = o.list("throttleWriteIOPSDevice", parse_throttle_device);
    return b;
}

HugepageLimit parse_hugepage_limit(const Obj& o) {
    HugepageLimit h;
    h.page_size = o.req_string("pageSize");
    h.limit = o.req_int<uint64_t>("limit");
    return h;
}

NetworkPriority parse_network_priority(const Obj& o) {
    NetworkPriority n;
    n.name = o.req_string("name");
    n.priority = o.req_int<uint32_t>("priority");
    return n;
}

NetworkResources parse_network(const Obj& o) {
    NetworkResources n;
    n.class_id = o.opt_int<uint32_t>("classID");
    n.priorities = o.list("priorities", parse_network_priority);
    return n;
}

RdmaLimit parse_rdma(const Obj& o) {
    RdmaLimit r;
    r.hca_handles = o.opt_int<uint32_t>("hcaHandles");
    r.hca_objects = o.opt_int<uint32_t>("hcaObjects");
    return r;
}

Resources parse_resources(const Obj& o) {
    Resources r;
    r.devices = o.list("devices", parse_device_rule);
    r.memory = o.opt_object("memory", parse_memory);
    r.cpu = o.opt_object("cpu", parse_cpu);
    r.block_io = o.opt_object("blockIO", parse_block_io);
    r.hugepage_limits = o.list("hugepageLimits", parse_hugepage_limit);
    r.network = o.opt_object("network", parse_network);
    // Older specs make pids.limit required; newer ones let it be absent (no limit). An empty
    // "pids" object is kept apart from a missing one through has_pids.
    if (const json* pids = o.find("pids")) {
        const Obj po(*pids, o.at("pids"));
        r.has_pids = true;
        r.pids_limit = po.opt_int<int64_t>("limit");
    }
    r.rdma = o.dict("rdma", parse_rdma);
    r.unified = o.string_map("unified");
    return r;
}

IntelRdt parse_intel_rdt(const Obj& o) {
    IntelRdt r;
    r.clos_id = o.opt_string("closID");
    r.l3_cache_schema = o.opt_string("l3CacheSchema");
    r.mem_bw_schema = o.opt_string("memBwSchema");
    r.schemata = o.strings("schemata");
    r.enable_monitoring = o.opt_bool("enableMonitoring");
    return r;
}

SeccompArg parse_seccomp_arg(const Obj& o) {
    SeccompArg a;
    a.index = o.req_int<uint32_t>("index");
    a.value = o.req_int<uint64_t>("value");
    a.value_two = o.opt_int<uint64_t>("valueTwo");
    a.op = o.req_string("op");
    return a;
}

SeccompSyscall parse_seccomp_syscall(const Obj& o) {
    SeccompSyscall s;
    s.names = to_strings(o.need("names"), o.at("names"));
    s.action = o.req_string("action");
    s.errno_ret = o.opt_int<uint32_t>("errnoRet");
    s.args = o.list("args", parse_seccomp_arg);
    return s;
}

Seccomp parse_seccomp(const Obj& o) {
    Seccomp s;
    s.default_action = o.req_string("defaultAction");
    s.default_errno_ret = o.opt_int<uint32_t>("defaultErrnoRet");
    s.architectures = o.strings("architectures");
    s.flags = o.strings("flags");
    s.listener_path = o.opt_string("listenerPath");
    s.listener_metadata = o.opt_string("listenerMetadata");
    s.syscalls = o.list("syscalls", parse_seccomp_syscall);
    return s;
}

Personality parse_personality(const Obj& o) {
    Personality p;
    p.domain = o.req_string("domain");
    p.flags = o.strings("flags");
    return p;
}

MemoryPolicy parse_memory_policy(const Obj& o) {
    MemoryPolicy m;
    m.mode = o.req_string("mode");
    m.nodes = o.opt_string("nodes");
    m.flags = o.strings("flags");
    return m;
}

Linux parse_linux(const Obj& o) {
    Linux l;
    l.namespaces = o.list("namespaces", parse_namespace);
    l.uid_mappings = o.list("uidMappings", parse_id_mapping);
    l.gid_mappings = o.list("gidMappings", parse_id_mapping);
    l.time_offsets = o.dict("timeOffsets", parse_time_offset);
    l.devices = o.list("devices", parse_device);
    l.net_devices = o.dict("netDevices", parse_net_device);
    l.cgroups_path = o.opt_string("cgroupsPath");
    l.resources = o.opt_object("resources", parse_resources);
    l.intel_rdt = o.opt_object("intelRdt", parse_intel_rdt);
    l.sysctl = o.string_map("sysctl");
    l.seccomp = o.opt_object("seccomp", parse_seccomp);
    l.rootfs_propagation = o.opt_string("rootfsPropagation");
    l.masked_paths = o.strings("maskedPaths");
    l.readonly_paths = o.strings("readonlyPaths");
    l.mount_label = o.opt_string("mountLabel");
    l.personality = o.opt_object("personality", parse_personality);
    l.memory_policy = o.opt_object("memoryPolicy", parse_memory_policy);
    return l;
}

Config parse_config(const Obj& o) {
    Config c;
    c.oci_version = o.req_string("ociVersion");
    c.root = o.opt_object("root", parse_root);
    c.mounts = o.list("mounts", parse_mount);
    c.process = o.opt_object("process", parse_process);
    c.hostname = o.opt_string("hostname");
    c.domainname = o.opt_string("domainname");
    if (auto hooks = o.opt_object("hooks", parse_hooks)) c.hooks = std::move(*hooks);
    c.annotations = o.string_map("annotations");
    c.linux_ = o.opt_object("linux", parse_linux);
    return c;
}

}  // namespace

Config config_from_json(const nlohmann::json& j) {
    try {
        return parse_config(Obj(j, Ptr()));
    } catch (const nlohmann::json::exception& e) {
        // Not expected (every access is type-checked first), but no library exception may
        // leave the spec layer.
        fail("config.json: {}", e.what());
    }
}

Resources resources_from_json(const nlohmann::json& j) {
    try {
        return parse_resources(Obj(j, Ptr()));
    } catch (const nlohmann::json::exception& e) {
        fail("resources: {}", e.what());
    }
}

}  // namespace ocirt::spec
