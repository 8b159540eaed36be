// Typed model → config.json, the inverse of config_parse.cpp. Unset optionals, empty lists
// and empty maps are left out, as are booleans that are false, except where the spec
// requires the field (ociVersion, root.path, process.cwd/args/user, ...).

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ocirt/spec/config.hpp"

namespace ocirt::spec {
namespace {

using nlohmann::json;

template <typename T>
void put(json& o, const char* key, const std::optional<T>& v) {
    if (v) o[key] = *v;
}

void put(json& o, const char* key, const std::vector<std::string>& v) {
    if (!v.empty()) o[key] = v;
}

void put(json& o, const char* key, const std::map<std::string, std::string>& v) {
    if (!v.empty()) o[key] = v;
}

void put_flag(json& o, const char* key, bool v) {
    if (v) o[key] = true;
}

/// Writes a list of T through `fn`, if it is not empty.
template <typename T, typename Fn>
void put_list(json& o, const char* key, const std::vector<T>& items, Fn&& fn) {
    if (items.empty()) return;
    json a = json::array();
    for (const auto& item : items) a.push_back(fn(item));
    o[key] = std::move(a);
}

/// Writes a map of T through `fn`, if it is not empty.
template <typename T, typename Fn>
void put_map(json& o, const char* key, const std::map<std::string, T>& items, Fn&& fn) {
    if (items.empty()) return;
    json m = json::object();
    for (const auto& [name, item] : items) m[name] = fn(item);
    o[key] = std::move(m);
}

json id_mapping_json(const IdMapping& m) {
    return json{{"containerID", m.container_id}, {"hostID", m.host_id}, {"size", m.size}};
}

json mount_json(const Mount& m) {
    json o = json::object();
    o["destination"] = m.destination;
    put(o, "source", m.source);
    put(o, "type", m.type);
    put(o, "options", m.options);
    put_list(o, "uidMappings", m.uid_mappings, id_mapping_json);
    put_list(o, "gidMappings", m.gid_mappings, id_mapping_json);
    return o;
}

json rlimit_json(const Rlimit& r) { return json{{"type", r.type}, {"soft", r.soft}, {"hard", r.hard}}; }

json capabilities_json(const Capabilities& c) {
    json o = json::object();
    // An empty set is kept: "no capabilities" differs from "not given".
    put(o, "effective", c.effective);
    put(o, "bounding", c.bounding);
    put(o, "inheritable", c.inheritable);
    put(o, "permitted", c.permitted);
    put(o, "ambient", c.ambient);
    return o;
}

json user_json(const User& u) {
    json o = json::object();
    o["uid"] = u.uid;
    o["gid"] = u.gid;
    put(o, "umask", u.umask);
    if (!u.additional_gids.empty()) o["additionalGids"] = u.additional_gids;
    put(o, "username", u.username);
    return o;
}

json scheduler_json(const Scheduler& s) {
    json o = json::object();
    o["policy"] = s.policy;
    put(o, "nice", s.nice);
    put(o, "priority", s.priority);
    put(o, "flags", s.flags);
    put(o, "runtime", s.runtime);
    put(o, "deadline", s.deadline);
    put(o, "period", s.period);
    return o;
}

json process_json(const Process& p) {
    json o = json::object();
    put_flag(o, "terminal", p.terminal);
    if (p.console_size) o["consoleSize"] = json{{"height", p.console_size->height}, {"width", p.console_size->width}};
    o["user"] = user_json(p.user);
    o["args"] = p.args;
    put(o, "commandLine", p.command_line);
    put(o, "env", p.env);
    o["cwd"] = p.cwd;
    if (p.capabilities) o["capabilities"] = capabilities_json(*p.capabilities);
    put_list(o, "rlimits", p.rlimits, rlimit_json);
    put_flag(o, "noNewPrivileges", p.no_new_privileges);
    put(o, "apparmorProfile", p.apparmor_profile);
    put(o, "oomScoreAdj", p.oom_score_adj);
    if (p.scheduler) o["scheduler"] = scheduler_json(*p.scheduler);
    put(o, "selinuxLabel", p.selinux_label);
    if (p.io_priority) o["ioPriority"] = json{{"class", p.io_priority->io_class}, {"priority", p.io_priority->priority}};
    if (p.exec_cpu_affinity) {
        json a = json::object();
        put(a, "initial", p.exec_cpu_affinity->initial);
        put(a, "final", p.exec_cpu_affinity->final_);
        o["execCPUAffinity"] = std::move(a);
    }
    return o;
}

json hook_json(const Hook& h) {
    json o = json::object();
    o["path"] = h.path;
    put(o, "args", h.args);
    put(o, "env", h.env);
    put(o, "timeout", h.timeout);
    return o;
}

json hooks_json(const Hooks& h) {
    json o = json::object();
    put_list(o, "prestart", h.prestart, hook_json);
    put_list(o, "createRuntime", h.create_runtime, hook_json);
    put_list(o, "createContainer", h.create_container, hook_json);
    put_list(o, "startContainer", h.start_container, hook_json);
    put_list(o, "poststart", h.poststart, hook_json);
    put_list(o, "poststop", h.poststop, hook_json);
    return o;
}

json namespace_json(const Namespace& ns) {
    json o = json::object();
    o["type"] = namespace_type_name(ns.type);
    put(o, "path", ns.path);
    return o;
}

json time_offset_json(const TimeOffset& t) { return json{{"secs", t.secs}, {"nanosecs", t.nanosecs}}; }

json device_json(const Device& d) {
    json o = json::object();
    o["type"] = d.type;
    o["path"] = d.path;
    put(o, "major", d.major);
    put(o, "minor", d.minor);
    put(o, "fileMode", d.file_mode);
    put(o, "uid", d.uid);
    put(o, "gid", d.gid);
    return o;
}

json net_device_json(const NetDevice& d) {
    json o = json::object();
    put(o, "name", d.name);
    return o;
}

json device_rule_json(const DeviceCgroupRule& r) {
    json o = json::object();
    o["allow"] = r.allow;
    put(o, "type", r.type);
    put(o, "major", r.major);
    put(o, "minor", r.minor);
    put(o, "access", r.access);
    return o;
}

json memory_json(const MemoryResources& m) {
    json o = json::object();
    put(o, "limit", m.limit);
    put(o, "reservation", m.reservation);
    put(o, "swap", m.swap);
    put(o, "kernel", m.kernel);
    put(o, "kernelTCP", m.kernel_tcp);
    put(o, "swappiness", m.swappiness);
    put(o, "disableOOMKiller", m.disable_oom_killer);
    put(o, "useHierarchy", m.use_hierarchy);
    put(o, "checkBeforeUpdate", m.check_before_update);
    return o;
}

json cpu_json(const CpuResources& c) {
    json o = json::object();
    put(o, "shares", c.shares);
    put(o, "quota", c.quota);
    put(o, "burst", c.burst);
    put(o, "period", c.period);
    put(o, "realtimeRuntime", c.realtime_runtime);
    put(o, "realtimePeriod", c.realtime_period);
    put(o, "cpus", c.cpus);
    put(o, "mems", c.mems);
    put(o, "idle", c.idle);
    return o;
}

json weight_device_json(const WeightDevice& w) {
    json o = json::object();
    o["major"] = w.major;
    o["minor"] = w.minor;
    put(o, "weight", w.weight);
    put(o, "leafWeight", w.leaf_weight);
    return o;
}

json throttle_device_json(const ThrottleDevice& t) {
    return json{{"major", t.major}, {"minor", t.minor}, {"rate", t.rate}};
}

json block_io_json(const BlockIoResources& b) {
    json o = json::object();
    put(o, "weight", b.weight);
    put(o, "leafWeight", b.leaf_weight);
    put_list(o, "weightDevice", b.weight_device, weight_device_json);
    put_list(o, "throttleReadBpsDevice", b.throttle_read_bps_device, throttle_device_json);
    put_list(o, "throttleWriteBpsDevice", b.throttle_write_bps_device, throttle_device_json);
    put_list(o, "throttleReadIOPSDevice", b.throttle_read_iops_device, throttle_device_json);
    put_list(o, "throttleWriteIOPSDevice", b.throttle_write_iops_device, throttle_device_json);
    return o;
}

json network_json(const NetworkResources& n) {
    json o = json::object();
    put(o, "classID", n.class_id);
    put_list(o, "priorities", n.priorities, [](const NetworkPriority& p) {
        return json{{"name", p.name}, {"priority", p.priority}};
    });
    return o;
}

json rdma_json(const RdmaLimit& r) {
    json o = json::object();
    put(o, "hcaHandles", r.hca_handles);
    put(o, "hcaObjects", r.hca_objects);
    return o;
}

json resources_json(const Resources& r) {
    json o = json::object();
    put_list(o, "devices", r.devices, device_rule_json);
    if (r.memory) o["memory"] = memory_json(*r.memory);
    if (r.cpu) o["cpu"] = cpu_json(*r.cpu);
    if (r.block_io) o["blockIO"] = block_io_json(*r.block_io);
    put_list(o, "hugepageLimits", r.hugepage_limits, [](const HugepageLimit& h) {
        return json{{"pageSize", h.page_size}, {"limit", h.limit}};
    });
    if (r.network) o["network"] = network_json(*r.network);
    if (r.has_pids || r.pids_limit) {
        json pids = json::object();
        put(pids, "limit", r.pids_limit);
        o["pids"] = std::move(pids);
    }
    put_map(o, "rdma", r.rdma, rdma_json);
    put(o, "unified", r.unified);
    return o;
}

json intel_rdt_json(const IntelRdt& r) {
    json o = json::object();
    put(o, "closID", r.clos_id);
    put(o, "l3CacheSchema", r.l3_cache_schema);
    put(o, "memBwSchema", r.mem_bw_schema);
    put(o, "schemata", r.schemata);
    put(o, "enableMonitoring", r.enable_monitoring);
    return o;
}

json seccomp_arg_json(const SeccompArg& a) {
    json o = json::object();
    o["index"] = a.index;
    o["value"] = a.value;
    put(o, "valueTwo", a.value_two);
    o["op"] = a.op;
    return o;
}

json seccomp_syscall_json(const SeccompSyscall& s) {
    json o = json::object();
    o["names"] = s.names;
    o["action"] = s.action;
    put(o, "errnoRet", s.errno_ret);
    put_list(o, "args", s.args, seccomp_arg_json);
    return o;
}

json seccomp_json(const Seccomp& s) {
    json o = json::object();
    o["defaultAction"] = s.default_action;
    put(o, "defaultErrnoRet", s.default_errno_ret);
    put(o, "architectures", s.architectures);
    put(o, "flags", s.flags);
    put(o, "listenerPath", s.listener_path);
    put(o, "listenerMetadata", s.listener_metadata);
    put_list(o, "syscalls", s.syscalls, seccomp_syscall_json);
    return o;
}

json linux_json(const Linux& l) {
    json o = json::object();
    put_list(o, "namespaces", l.namespaces, namespace_json);
    put_list(o, "uidMappings", l.uid_mappings, id_mapping_json);
    put_list(o, "gidMappings", l.gid_mappings, id_mapping_json);
    put_map(o, "timeOffsets", l.time_offsets, time_offset_json);
    put_list(o, "devices", l.devices, device_json);
    put_map(o, "netDevices", l.net_devices, net_device_json);
    put(o, "cgroupsPath", l.cgroups_path);
    if (l.resources) o["resources"] = resources_json(*l.resources);
    if (l.intel_rdt) o["intelRdt"] = intel_rdt_json(*l.intel_rdt);
    put(o, "sysctl", l.sysctl);
    if (l.seccomp) o["seccomp"] = seccomp_json(*l.seccomp);
    put(o, "rootfsPropagation", l.rootfs_propagation);
    put(o, "maskedPaths", l.masked_paths);
    put(o, "readonlyPaths", l.readonly_paths);
    put(o, "mountLabel", l.mount_label);
    if (l.personality) {
        json p = json::object();
        p["domain"] = l.personality->domain;
        put(p, "flags", l.personality->flags);
        o["personality"] = std::move(p);
    }
    if (l.memory_policy) {
        json m = json::object();
        m["mode"] = l.memory_policy->mode;
        put(m, "nodes", l.memory_policy->nodes);
        put(m, "flags", l.memory_policy->flags);
        o["memoryPolicy"] = std::move(m);
    }
    return o;
}

}  // namespace

nlohmann::json config_to_json(const Config& c) {
    json o = json::object();
    o["ociVersion"] = c.oci_version;
    if (c.root) {
        json r = json::object();
        r["path"] = c.root->path;
        put_flag(r, "readonly", c.root->readonly);
        o["root"] = std::move(r);
    }
    put_list(o, "mounts", c.mounts, mount_json);
    if (c.process) o["process"] = process_json(*c.process);
    put(o, "hostname", c.hostname);
    put(o, "domainname", c.domainname);
    json hooks = hooks_json(c.hooks);
    if (!hooks.empty()) o["hooks"] = std::move(hooks);
    put(o, "annotations", c.annotations);
    if (c.linux_) o["linux"] = linux_json(*c.linux_);
    return o;
}

}  // namespace ocirt::spec
