// Semantic checks of config.json: the rules between fields that the schema cannot state.

#include "ocirt/spec/validate/semantic.hpp"

#include <algorithm>
#include <initializer_list>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "ocirt/spec/device_mode.hpp"
#include "ocirt/spec/validate/regex.hpp"

namespace ocirt::spec::validate {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxIdMappings = 340;  // kernel limit per uid_map/gid_map (since 4.15)
constexpr std::uint64_t kIdSpace = 1ull << 32;
constexpr std::size_t kIfNameMax = 15;       // IFNAMSIZ - 1

PathElem K(std::string_view key) { return PathElem::member(key); }
PathElem I(std::size_t index) { return PathElem::element(index); }

InstancePath join(const InstancePath& base, std::initializer_list<PathElem> more) {
    InstancePath p = base;
    p.insert(p.end(), more);
    return p;
}

const json* get(const json* obj, std::string_view key) {
    if (obj == nullptr || !obj->is_object()) return nullptr;
    auto it = obj->find(key);
    return it == obj->end() ? nullptr : &*it;
}

const std::string* str(const json* v) { return v && v->is_string() ? &v->get_ref<const std::string&>() : nullptr; }

std::optional<std::uint64_t> u64(const json* v) {
    if (v == nullptr) return std::nullopt;
    if (v->is_number_unsigned()) return v->get<std::uint64_t>();
    if (v->is_number_integer() && v->get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(v->get<std::int64_t>());
    return std::nullopt;
}

std::optional<std::int64_t> i64(const json* v) {
    if (v == nullptr || !v->is_number_integer()) return std::nullopt;
    if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return v->get<std::int64_t>();
}

bool has_string(const json* array, std::string_view s) {
    if (array == nullptr || !array->is_array()) return false;
    return std::any_of(array->begin(), array->end(), [&](const json& v) { return v.is_string() && v.get_ref<const std::string&>() == s; });
}

// Which namespace a sysctl lives in: "ipc", "network", "uts", "user", "pid", or "" if the
// kernel does not namespace it (setting it would change the host).
std::string sysctl_namespace(std::string key) {
    std::replace(key.begin(), key.end(), '/', '.');
    static const char* const kIpc[] = {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                                       "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"};
    for (const char* k : kIpc)
        if (key == k) return "ipc";
    if (key.starts_with("fs.mqueue.")) return "ipc";
    if (key.starts_with("net.")) return "network";
    if (key == "kernel.hostname" || key == "kernel.domainname") return "uts";
    if (key.starts_with("user.")) return "user";
    if (key == "kernel.ns_last_pid") return "pid";
    return "";
}

// The kernel's dev_valid_name(): what a network interface may be called.
std::string check_ifname(const std::string& name, bool allow_template) {
    if (name.empty()) return "is empty";
    if (name.size() > kIfNameMax) return fmt::format("is longer than {} bytes", kIfNameMax);
    if (name == "." || name == "..") return "cannot be \".\" or \"..\"";
    for (char c : name) {
        if (c == '/' || c == ':' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f')
            return "must not contain '/', ':' or white space";
    }
    auto percent = name.find('%');
    if (percent != std::string::npos && (!allow_template || name.compare(percent, 2, "%d") != 0 || name.find('%', percent + 1) != std::string::npos))
        return "may contain '%' only as a single \"%d\" template";
    return "";
}

struct IdMapping {
    std::uint64_t container = 0, host = 0, size = 0;
    std::size_t index = 0;
};

class Checker {
public:
    Checker(const json& config, const std::vector<std::string>& known_caps) : cfg_(config), known_caps_(known_caps) {}

    std::vector<Finding> run() {
        linux_ = get(&cfg_, "linux");
        process_ = get(&cfg_, "process");
        scan_namespaces();
        check_version();
        check_root();
        check_process();
        check_mounts();
        check_hostnames();
        if (linux_ && linux_->is_object()) {
            check_namespaces();
            check_id_mappings();
            check_time_offsets();
            check_sysctl();
            check_cgroups_path();
            check_net_devices();
            check_devices();
            check_rootfs_propagation();
            check_resources();
            check_seccomp();
            check_memory_policy();
            check_personality();
        }
        return std::move(out_);
    }

private:
    void error(InstancePath path, std::string message, bool at_key = false) {
        out_.push_back(Finding{std::move(path), std::move(message), false, at_key});
    }
    void warning(InstancePath path, std::string message, bool at_key = false) {
        out_.push_back(Finding{std::move(path), std::move(message), true, at_key});
    }

    struct Namespace {
        bool present = false;
        bool joined = false;
        std::size_t index = 0;
    };

    void scan_namespaces() {
        const json* list = get(linux_, "namespaces");
        if (!list || !list->is_array()) return;
        for (std::size_t i = 0; i < list->size(); ++i) {
            const std::string* type = str(get(&(*list)[i], "type"));
            if (!type || namespaces_.count(*type)) continue;
            Namespace ns;
            ns.present = true;
            ns.joined = str(get(&(*list)[i], "path")) != nullptr;
            ns.index = i;
            namespaces_[*type] = ns;
        }
    }

    bool has_ns(const std::string& type) const {
        auto it = namespaces_.find(type);
        return it != namespaces_.end() && it->second.present;
    }
    bool creates_ns(const std::string& type) const {
        auto it = namespaces_.find(type);
        return it != namespaces_.end() && it->second.present && !it->second.joined;
    }
    bool joins_ns(const std::string& type) const {
        auto it = namespaces_.find(type);
        return it != namespaces_.end() && it->second.present && it->second.joined;
    }

    // ---- top level -----------------------------------------------------------------------

    void check_version() {
        const std::string* v = str(get(&cfg_, "ociVersion"));
        if (!v) return;
        auto dot = v->find('.');
        std::string major = v->substr(0, dot);
        if (major != "1") {
            if (!major.empty() && std::all_of(major.begin(), major.end(), [](char c) { return c >= '0' && c <= '9'; }))
                error({K("ociVersion")}, fmt::format("ociVersion {} is not compatible with runtime-spec 1.3.0 (major version must be 1)", *v));
            return;
        }
        if (dot == std::string::npos) return;
        std::size_t end = dot + 1;
        while (end < v->size() && (*v)[end] >= '0' && (*v)[end] <= '9') ++end;
        std::string minor = v->substr(dot + 1, end - dot - 1);
        if (!minor.empty() && minor.size() < 6 && std::stoi(minor) > 3)
            warning({K("ociVersion")}, fmt::format("ociVersion {} is newer than runtime-spec 1.3.0; fields ocirt does not know are ignored", *v));
    }

    void check_root() {
        const json* root = get(&cfg_, "root");
        const std::string* path = str(get(root, "path"));
        if (path && path->empty())
            error({K("root"), K("path")}, "root.path is empty: it must name the root filesystem directory (conventionally \"rootfs\")");
    }

    void check_hostnames() {
        for (const char* field : {"hostname", "domainname"}) {
            const std::string* name = str(get(&cfg_, field));
            if (name && !name->empty() && !has_ns("uts"))
                error({K(field)}, fmt::format("setting {} needs a uts namespace, but linux.namespaces has none", field));
        }
    }

    // ---- process -------------------------------------------------------------------------

    void check_process() {
        if (!process_) {
            warning({}, "no process: the container can be created but not started");
            return;
        }
        if (!process_->is_object()) return;
        const json* args = get(process_, "args");
        if (!args)
            error({K("process")}, "process.args is missing: it needs at least the program to run");
        else if (args->is_array() && args->empty())
            error({K("process"), K("args")}, "process.args is empty: it needs at least the program to run");
        else if (args->is_array() && (*args)[0].is_string() && (*args)[0].get_ref<const std::string&>().empty())
            error({K("process"), K("args"), I(0)}, "the program to run (args[0]) is empty");

        check_rlimits();
        check_capabilities();
        check_scheduler();
        if (const json* affinity = get(process_, "execCPUAffinity"))
            for (const char* field : {"initial", "final"})
                check_list_field(get(affinity, field), {K("process"), K("execCPUAffinity"), K(field)});
    }

    void check_rlimits() {
        const json* rlimits = get(process_, "rlimits");
        if (!rlimits || !rlimits->is_array()) return;
        std::map<std::string, std::size_t> seen;
        for (std::size_t i = 0; i < rlimits->size(); ++i) {
            const json& r = (*rlimits)[i];
            InstancePath at{K("process"), K("rlimits"), I(i)};
            if (const std::string* type = str(get(&r, "type"))) {
                auto [it, fresh] = seen.emplace(*type, i);
                if (!fresh) error(join(at, {K("type")}), fmt::format("duplicate rlimit {} (first at index {})", *type, it->second));
            }
            auto soft = u64(get(&r, "soft")), hard = u64(get(&r, "hard"));
            if (soft && hard && *soft > *hard)
                error(join(at, {K("soft")}), fmt::format("soft limit {} is above the hard limit {}", *soft, *hard));
        }
    }

    // The strings of an array, for membership tests in O(log n).
    static std::set<std::string_view> string_set(const json* array) {
        std::set<std::string_view> out;
        if (array == nullptr || !array->is_array()) return out;
        for (const json& v : *array)
            if (v.is_string()) out.insert(v.get_ref<const std::string&>());
        return out;
    }

    void check_capabilities() {
        const json* caps = get(process_, "capabilities");
        if (!caps || !caps->is_object()) return;
        static const char* const kSets[] = {"bounding", "effective", "inheritable", "permitted", "ambient"};
        const std::set<std::string_view> known(known_caps_.begin(), known_caps_.end());
        for (const char* set : kSets) {
            const json* list = get(caps, set);
            if (!list || !list->is_array()) continue;
            std::map<std::string_view, std::size_t> seen;
            for (std::size_t i = 0; i < list->size(); ++i) {
                const std::string* name = str(&(*list)[i]);
                if (!name || !name->starts_with("CAP_")) continue;
                InstancePath at{K("process"), K("capabilities"), K(set), I(i)};
                if (auto [it, fresh] = seen.emplace(*name, i); !fresh)
                    warning(at, fmt::format("capability {} is already listed at index {}; it counts once", *name, it->second));
                else if (!known.contains(*name))
                    warning(at, fmt::format("unknown capability \"{}\": the runtime will ignore it", *name));
            }
        }
        const std::set<std::string_view> permitted = string_set(get(caps, "permitted"));
        const std::set<std::string_view> inheritable = string_set(get(caps, "inheritable"));
        const bool has_permitted = get(caps, "permitted") && get(caps, "permitted")->is_array();
        if (const json* ambient = get(caps, "ambient"); ambient && ambient->is_array()) {
            for (std::size_t i = 0; i < ambient->size(); ++i) {
                const std::string* name = str(&(*ambient)[i]);
                if (!name) continue;
                bool in_p = permitted.contains(*name), in_i = inheritable.contains(*name);
                if (!in_p || !in_i)
                    error({K("process"), K("capabilities"), K("ambient"), I(i)},
                          fmt::format("ambient capability {} must also be in {}: the kernel refuses to raise it otherwise", *name,
                                      !in_p && !in_i ? "permitted and inheritable" : (!in_p ? "permitted" : "inheritable")));
            }
        }
        if (const json* effective = get(caps, "effective"); effective && effective->is_array() && has_permitted) {
            for (std::size_t i = 0; i < effective->size(); ++i) {
                const std::string* name = str(&(*effective)[i]);
                if (name && !permitted.contains(*name))
                    error({K("process"), K("capabilities"), K("effective"), I(i)},
                          fmt::format("effective capability {} is not in permitted: capset(2) would fail", *name));
            }
        }
    }

    void check_scheduler() {
        const json* sched = get(process_, "scheduler");
        const std::string* policy = str(get(sched, "policy"));
        if (!policy) return;
        InstancePath at{K("process"), K("scheduler")};
        auto priority = i64(get(sched, "priority"));
        bool realtime = *policy == "SCHED_FIFO" || *policy == "SCHED_RR";
        if (priority && realtime && (*priority < 1 || *priority > 99))
            error(join(at, {K("priority")}), fmt::format("priority {} is outside 1..99, the range of {}", *priority, *policy));
        if (priority && !realtime && *priority != 0)
            error(join(at, {K("priority")}), fmt::format("priority must be 0 for {}; only SCHED_FIFO and SCHED_RR use it", *policy));
        if (*policy == "SCHED_DEADLINE") {
            auto runtime = u64(get(sched, "runtime")), deadline = u64(get(sched, "deadline")), period = u64(get(sched, "period"));
            if (runtime && deadline && *deadline != 0 && *runtime > *deadline)
                error(join(at, {K("runtime")}), "SCHED_DEADLINE needs runtime ≤ deadline");
            if (deadline && period && *period != 0 && *deadline > *period)
                error(join(at, {K("deadline")}), "SCHED_DEADLINE needs deadline ≤ period");
        }
    }

    // ---- mounts --------------------------------------------------------------------------

    void check_mounts() {
        const json* mounts = get(&cfg_, "mounts");
        if (!mounts || !mounts->is_array()) return;
        for (std::size_t i = 0; i < mounts->size(); ++i) {
            const json& m = (*mounts)[i];
            if (!m.is_object()) continue;
            InstancePath at{K("mounts"), I(i)};
            if (const std::string* dest = str(get(&m, "destination")); dest && !dest->empty()) {
                if ((*dest)[0] != '/')
                    warning(join(at, {K("destination")}),
                            fmt::format("relative mount destination \"{}\" is deprecated: it is taken relative to \"/\"", *dest));
                if (*dest == ".." || dest->starts_with("../") || dest->find("/../") != std::string::npos || dest->ends_with("/.."))
                    warning(join(at, {K("destination")}), "mount destination contains \"..\": it still resolves inside the container's root");
            }
            const json* options = get(&m, "options");
            bool bind = has_string(options, "bind") || has_string(options, "rbind");
            const std::string* source = str(get(&m, "source"));
            if (bind && (!source || source->empty())) error(at, "a bind mount needs a source");

            const json* uids = get(&m, "uidMappings");
            const json* gids = get(&m, "gidMappings");
            if ((uids != nullptr) != (gids != nullptr))
                error(join(at, {K(uids ? "uidMappings" : "gidMappings")}), "uidMappings and gidMappings of a mount must be given together");
            bool idmap = has_string(options, "idmap") || has_string(options, "ridmap");
            if (idmap && !uids && !gids && !has_ns("user"))
                error(join(at, {K("options")}), "an idmap mount without uidMappings/gidMappings needs a user namespace to take the mapping from");
            if ((uids || gids) && !idmap)
                warning(join(at, {K("options")}), "a mount with id mappings should have the \"idmap\" or \"ridmap\" option");
            if (uids) check_mapping_list(uids, join(at, {K("uidMappings")}));
            if (gids) check_mapping_list(gids, join(at, {K("gidMappings")}));
        }
    }

    // ---- namespaces and ids --------------------------------------------------------------

    void check_namespaces() {
        const json* list = get(linux_, "namespaces");
        if (!list || !list->is_array()) return;
        static const std::map<std::string, std::vector<std::string>> kProcNames = {
            {"pid", {"pid", "pid_for_children"}}, {"network", {"net"}}, {"mount", {"mnt"}},   {"ipc", {"ipc"}},
            {"uts", {"uts"}},                     {"user", {"user"}},   {"cgroup", {"cgroup"}}, {"time", {"time", "time_for_children"}}};
        std::map<std::string, std::size_t> seen;
        for (std::size_t i = 0; i < list->size(); ++i) {
            const json& ns = (*list)[i];
            const std::string* type = str(get(&ns, "type"));
            if (!type) continue;
            InstancePath at{K("linux"), K("namespaces"), I(i)};
            auto [it, fresh] = seen.emplace(*type, i);
            if (!fresh) error(join(at, {K("type")}), fmt::format("duplicate namespace type \"{}\" (first at index {})", *type, it->second));
            const std::string* path = str(get(&ns, "path"));
            auto names = kProcNames.find(*type);
            if (!path || names == kProcNames.end()) continue;
            // /proc/<pid>/ns/<name> names its type: catch a path of the wrong type before the kernel does.
            static const auto kProcNs = Regex::compile("^/proc/(self|thread-self|[0-9]+)(/task/[0-9]+)?/ns/[a-z_]+$");
            if (kProcNs && kProcNs->search(*path)) {
                std::string file = path->substr(path->rfind('/') + 1);
                if (std::find(names->second.begin(), names->second.end(), file) == names->second.end())
                    error(join(at, {K("path")}), fmt::format("{} is a \"{}\" namespace file, but the type is \"{}\"", *path, file, *type));
            }
        }
    }

    std::vector<IdMapping> read_mappings(const json* list) {
        std::vector<IdMapping> out;
        if (!list || !list->is_array()) return out;
        for (std::size_t i = 0; i < list->size(); ++i) {
            const json& m = (*list)[i];
            auto c = u64(get(&m, "containerID")), h = u64(get(&m, "hostID")), s = u64(get(&m, "size"));
            if (c && h && s) out.push_back(IdMapping{*c, *h, *s, i});
        }
        return out;
    }

    void check_mapping_list(const json* list, const InstancePath& at) {
        if (!list || !list->is_array()) return;
        if (list->size() > kMaxIdMappings)
            error(at, fmt::format("{} mappings: the kernel accepts at most {}", list->size(), kMaxIdMappings));
        auto maps = read_mappings(list);
        for (const auto& m : maps) {
            InstancePath here = join(at, {I(m.index)});
            if (m.size == 0) error(join(here, {K("size")}), "a mapping of size 0 maps nothing; the kernel rejects it");
            if (m.container + m.size > kIdSpace) error(join(here, {K("size")}), "containerID + size goes past 4294967295");
            if (m.host + m.size > kIdSpace) error(join(here, {K("size")}), "hostID + size goes past 4294967295");
        }
        auto overlaps = [&](auto first_of, const char* what) {
            auto sorted = maps;
            std::sort(sorted.begin(), sorted.end(), [&](const IdMapping& a, const IdMapping& b) { return first_of(a) < first_of(b); });
            for (std::size_t k = 1; k < sorted.size(); ++k) {
                const auto& prev = sorted[k - 1];
                const auto& cur = sorted[k];
                if (prev.size && cur.size && first_of(cur) < first_of(prev) + prev.size) {
                    const auto& later = prev.index > cur.index ? prev : cur;
                    const auto& earlier = prev.index > cur.index ? cur : prev;
                    error(join(at, {I(later.index)}), fmt::format("{} ranges overlap with mapping {}; the kernel rejects overlapping mappings", what, earlier.index));
                }
            }
        };
        overlaps([](const IdMapping& m) { return m.container; }, "container id");
        overlaps([](const IdMapping& m) { return m.host; }, "host id");
    }

    // The container-side ranges of a mapping list, sorted by start, with the largest end of
    // each prefix: "is this id mapped" is then one binary search, even for a hostile list.
    struct MappedRanges {
        std::vector<std::pair<std::uint64_t, std::uint64_t>> start_and_max_end;

        explicit MappedRanges(std::vector<IdMapping> maps) {
            std::sort(maps.begin(), maps.end(), [](const IdMapping& a, const IdMapping& b) { return a.container < b.container; });
            std::uint64_t max_end = 0;
            for (const auto& m : maps) {
                max_end = std::max(max_end, m.container + m.size);
                start_and_max_end.emplace_back(m.container, max_end);
            }
        }
        bool empty() const { return start_and_max_end.empty(); }
        bool maps(std::uint64_t id) const {
            auto it = std::upper_bound(start_and_max_end.begin(), start_and_max_end.end(), id,
                                       [](std::uint64_t v, const auto& r) { return v < r.first; });
            return it != start_and_max_end.begin() && std::prev(it)->second > id;
        }
    };

    void check_id_mappings() {
        const json* uids = get(linux_, "uidMappings");
        const json* gids = get(linux_, "gidMappings");
        bool any = (uids && uids->is_array() && !uids->empty()) || (gids && gids->is_array() && !gids->empty());
        if (uids) check_mapping_list(uids, {K("linux"), K("uidMappings")});
        if (gids) check_mapping_list(gids, {K("linux"), K("gidMappings")});
        InstancePath mapping_at{K("linux"), K(uids ? "uidMappings" : "gidMappings")};
        if (any && !has_ns("user")) {
            error(mapping_at, "uid/gid mappings need a user namespace, but linux.namespaces has none");
            return;
        }
        if (any && joins_ns("user")) {
            error(mapping_at, "uid/gid mappings cannot be written to a user namespace that is joined by path");
            return;
        }
        if (!creates_ns("user")) return;
        InstancePath ns_at{K("linux"), K("namespaces"), I(namespaces_["user"].index)};
        if (!uids || !uids->is_array() || uids->empty())
            error(ns_at, "a new user namespace needs linux.uidMappings: without them no uid inside is valid");
        if (!gids || !gids->is_array() || gids->empty())
            error(ns_at, "a new user namespace needs linux.gidMappings: without them no gid inside is valid");
        // The process must run as ids that exist inside the namespace.
        const json* user = get(process_, "user");
        const MappedRanges uid_maps(read_mappings(uids)), gid_maps(read_mappings(gids));
        if (auto uid = u64(get(user, "uid")); uid && !uid_maps.empty() && !uid_maps.maps(*uid))
            error({K("process"), K("user"), K("uid")}, fmt::format("uid {} is not mapped by linux.uidMappings", *uid));
        if (auto gid = u64(get(user, "gid")); gid && !gid_maps.empty() && !gid_maps.maps(*gid))
            error({K("process"), K("user"), K("gid")}, fmt::format("gid {} is not mapped by linux.gidMappings", *gid));
        if (const json* extra = get(user, "additionalGids"); extra && extra->is_array() && !gid_maps.empty()) {
            for (std::size_t i = 0; i < extra->size(); ++i)
                if (auto gid = u64(&(*extra)[i]); gid && !gid_maps.maps(*gid))
                    error({K("process"), K("user"), K("additionalGids"), I(i)}, fmt::format("gid {} is not mapped by linux.gidMappings", *gid));
        }
    }

    void check_time_offsets() {
        const json* offsets = get(linux_, "timeOffsets");
        if (!offsets) return;
        if (!has_ns("time"))
            error({K("linux"), K("timeOffsets")}, "timeOffsets need a time namespace, but linux.namespaces has none");
        else if (joins_ns("time"))
            error({K("linux"), K("timeOffsets")}, "timeOffsets can only be set on a new time namespace, not one joined by path");
    }

    void check_sysctl() {
        const json* sysctl = get(linux_, "sysctl");
        if (!sysctl || !sysctl->is_object()) return;
        for (const auto& [key, value] : sysctl->items()) {
            std::string ns = sysctl_namespace(key);
            InstancePath at{K("linux"), K("sysctl"), K(key)};
            if (ns.empty())
                error(at, fmt::format("sysctl \"{}\" is not namespaced: setting it would change the host", key), true);
            else if (!has_ns(ns))
                error(at, fmt::format("sysctl \"{}\" needs {} {} namespace, but linux.namespaces has none", key, ns == "ipc" ? "an" : "a", ns), true);
        }
    }

    void check_cgroups_path() {
        const std::string* path = str(get(linux_, "cgroupsPath"));
        if (!path || path->empty()) return;
        InstancePath at{K("linux"), K("cgroupsPath")};
        if (path->find('\0') != std::string::npos) return;  // find_nul_bytes reports it
        if (path->find(':') != std::string::npos) {
            // systemd form: "slice:prefix:name"
            std::vector<std::string> parts;
            std::size_t start = 0;
            while (true) {
                auto colon = path->find(':', start);
                parts.push_back(path->substr(start, colon == std::string::npos ? std::string::npos : colon - start));
                if (colon == std::string::npos) break;
                start = colon + 1;
            }
            if (parts.size() != 3)
                error(at, "cgroupsPath with ':' must have the systemd form \"slice:prefix:name\"");
            else if (!parts[0].empty() && (!parts[0].ends_with(".slice") || parts[0].find('/') != std::string::npos))
                error(at, fmt::format("the slice \"{}\" of a systemd cgroupsPath must end in \".slice\" and contain no '/'", parts[0]));
            else if (parts[2].empty())
                error(at, "the name part of a systemd cgroupsPath (\"slice:prefix:name\") is empty");
            return;
        }
        std::size_t start = (*path)[0] == '/' ? 1 : 0;
        while (start <= path->size()) {
            auto slash = path->find('/', start);
            std::string part = path->substr(start, slash == std::string::npos ? std::string::npos : slash - start);
            if (part == "..") {
                error(at, "cgroupsPath must not contain \"..\": it would leave the cgroup hierarchy it names");
                return;
            }
            if (part == "." || (part.empty() && slash != std::string::npos)) {
                error(at, "cgroupsPath has an empty or \".\" component");
                return;
            }
            if (slash == std::string::npos) break;
            start = slash + 1;
        }
    }

    void check_net_devices() {
        const json* devices = get(linux_, "netDevices");
        if (!devices || !devices->is_object() || devices->empty()) return;
        if (!has_ns("network"))
            error({K("linux"), K("netDevices")}, "moving network devices into the container needs a network namespace, but linux.namespaces has none");
        std::map<std::string, std::string> targets;
        for (const auto& [host_name, device] : devices->items()) {
            InstancePath at{K("linux"), K("netDevices"), K(host_name)};
            if (auto problem = check_ifname(host_name, false); !problem.empty())
                error(at, fmt::format("network device name \"{}\" {}", host_name, problem), true);
            const std::string* name = str(get(&device, "name"));
            std::string target = name && !name->empty() ? *name : host_name;
            if (name) {
                if (auto problem = check_ifname(*name, true); !problem.empty())
                    error(join(at, {K("name")}), fmt::format("network device name \"{}\" {}", *name, problem));
            }
            if (target.find('%') == std::string::npos) {
                auto [it, fresh] = targets.emplace(target, host_name);
                if (!fresh) error(at, fmt::format("\"{}\" and \"{}\" would both be named \"{}\" in the container", it->second, host_name, target), true);
            }
        }
    }

    void check_devices() {
        const json* devices = get(linux_, "devices");
        if (!devices || !devices->is_array()) return;
        std::map<std::string, std::size_t> paths;
        std::map<std::tuple<std::string, std::int64_t, std::int64_t>, std::size_t> numbers;
        for (std::size_t i = 0; i < devices->size(); ++i) {
            const json& d = (*devices)[i];
            InstancePath at{K("linux"), K("devices"), I(i)};
            const std::string* type = str(get(&d, "type"));
            auto major = i64(get(&d, "major")), minor = i64(get(&d, "minor"));
            if (type && *type != "p" && (!get(&d, "major") || !get(&d, "minor")))
                error(at, fmt::format("a device of type \"{}\" needs major and minor numbers", *type));
            if (const std::string* path = str(get(&d, "path"))) {
                auto [it, fresh] = paths.emplace(*path, i);
                if (!fresh) error(join(at, {K("path")}), fmt::format("device path {} is already used by device {}", *path, it->second));
            }
            if (auto mode = u64(get(&d, "fileMode")); mode && type && *mode <= 0xffffffffu)
                if (auto problem = device_file_mode_problem(static_cast<std::uint32_t>(*mode), *type))
                    error(join(at, {K("fileMode")}), *problem);
            if (type && *type != "p" && major && minor) {
                auto [it, fresh] = numbers.emplace(std::make_tuple(*type, *major, *minor), i);
                if (!fresh)
                    warning(at, fmt::format("device {}:{} of type \"{}\" is also device {}; the spec says not to repeat them", *major, *minor, *type, it->second));
            }
        }
    }

    /// The recursive spellings ("rprivate"...) are what Docker and crun's users write and runc
    /// accepts; the spec only names "private", "shared", "slave" and "unbindable".
    void check_rootfs_propagation() {
        const std::string* p = str(get(linux_, "rootfsPropagation"));
        if (!p || p->size() < 2 || (*p)[0] != 'r') return;
        warning({K("linux"), K("rootfsPropagation")},
                fmt::format("runtime-spec spells it \"{}\"; ocirt, like runc, accepts \"{}\" (\"/\" is changed recursively either way)",
                            p->substr(1), *p));
    }

    void check_list_field(const json* v, InstancePath at) {
        const std::string* list = str(v);
        if (!list) return;
        if (auto problem = check_cpu_list(*list); !problem.empty()) error(std::move(at), problem);
    }

    void check_resources() {
        const json* res = get(linux_, "resources");
        if (!res || !res->is_object()) return;
        InstancePath at{K("linux"), K("resources")};
        if (const json* cpu = get(res, "cpu")) {
            check_list_field(get(cpu, "cpus"), join(at, {K("cpu"), K("cpus")}));
            check_list_field(get(cpu, "mems"), join(at, {K("cpu"), K("mems")}));
            auto quota = i64(get(cpu, "quota"));
            auto burst = u64(get(cpu, "burst"));
            if (quota && burst && *quota > 0 && *burst > static_cast<std::uint64_t>(*quota))
                error(join(at, {K("cpu"), K("burst")}), fmt::format("burst {} is larger than quota {}", *burst, *quota));
        }
        if (const json* memory = get(res, "memory")) {
            auto limit = i64(get(memory, "limit")), swap = i64(get(memory, "swap"));
            if (limit && swap && *limit > 0 && *swap > 0 && *swap < *limit)
                error(join(at, {K("memory"), K("swap")}),
                      fmt::format("swap is the memory+swap limit: {} is below the memory limit {}", *swap, *limit));
        }
        if (const json* huge = get(res, "hugepageLimits"); huge && huge->is_array()) {
            std::map<std::string, std::size_t> seen;
            for (std::size_t i = 0; i < huge->size(); ++i) {
                const std::string* size = str(get(&(*huge)[i], "pageSize"));
                if (!size) continue;
                auto [it, fresh] = seen.emplace(*size, i);
                if (!fresh)
                    error(join(at, {K("hugepageLimits"), I(i), K("pageSize")}), fmt::format("page size {} is already limited by entry {}", *size, it->second));
            }
        }
        if (const json* unified = get(res, "unified"); unified && unified->is_object()) {
            for (const auto& [key, value] : unified->items()) {
                InstancePath here = join(at, {K("unified"), K(key)});
                if (key.find('/') != std::string::npos || key == "." || key == "..")
                    error(here, fmt::format("unified key \"{}\" must name a file of the container's cgroup, without '/'", key), true);
                else if (key.find('.') == std::string::npos)
                    error(here, fmt::format("unified key \"{}\" is not a cgroup file name of the form controller.file", key), true);
            }
        }
    }

    void check_seccomp() {
        const json* sc = get(linux_, "seccomp");
        if (!sc || !sc->is_object()) return;
        InstancePath at{K("linux"), K("seccomp")};
        auto takes_errno = [](const std::string& action) { return action == "SCMP_ACT_ERRNO" || action == "SCMP_ACT_TRACE"; };
        const std::string* def = str(get(sc, "defaultAction"));
        bool has_listener = str(get(sc, "listenerPath")) != nullptr;
        bool notify = false;
        if (def && *def == "SCMP_ACT_NOTIFY") {
            error(join(at, {K("defaultAction")}), "SCMP_ACT_NOTIFY cannot be the default action: the agent would be asked about every system call");
            notify = true;
        }
        if (get(sc, "defaultErrnoRet") && def && !takes_errno(*def))
            error(join(at, {K("defaultErrnoRet")}), fmt::format("defaultErrnoRet needs defaultAction SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not {}", *def));
        if (get(sc, "listenerMetadata") && !has_listener)
            error(join(at, {K("listenerMetadata")}), "listenerMetadata must not be set without listenerPath");
        const json* syscalls = get(sc, "syscalls");
        if (syscalls && syscalls->is_array()) {
            for (std::size_t i = 0; i < syscalls->size(); ++i) {
                const json& rule = (*syscalls)[i];
                const std::string* action = str(get(&rule, "action"));
                if (!action) continue;
                InstancePath here = join(at, {K("syscalls"), I(i)});
                if (*action == "SCMP_ACT_NOTIFY") notify = true;
                if (get(&rule, "errnoRet") && !takes_errno(*action))
                    error(join(here, {K("errnoRet")}), fmt::format("errnoRet needs action SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not {}", *action));
                bool conditional = get(&rule, "args") && get(&rule, "args")->is_array() && !get(&rule, "args")->empty();
                if (def && *action == *def && !conditional && !get(&rule, "errnoRet"))
                    warning(join(here, {K("action")}), "this rule repeats the default action and has no effect");
            }
        }
        if (notify && !has_listener) error(at, "SCMP_ACT_NOTIFY is used but listenerPath is not set");
    }

    void check_memory_policy() {
        const json* policy = get(linux_, "memoryPolicy");
        const std::string* mode = str(get(policy, "mode"));
        if (!mode) return;
        InstancePath at{K("linux"), K("memoryPolicy")};
        const std::string* nodes = str(get(policy, "nodes"));
        bool has_nodes = nodes && !nodes->empty();
        if ((*mode == "MPOL_DEFAULT" || *mode == "MPOL_LOCAL") && has_nodes)
            error(join(at, {K("nodes")}), fmt::format("{} takes no nodes", *mode));
        if ((*mode == "MPOL_BIND" || *mode == "MPOL_INTERLEAVE" || *mode == "MPOL_WEIGHTED_INTERLEAVE" || *mode == "MPOL_PREFERRED_MANY") && !has_nodes)
            error(at, fmt::format("{} needs at least one node in \"nodes\"", *mode));
        if (nodes) check_list_field(get(policy, "nodes"), join(at, {K("nodes")}));
        const json* flags = get(policy, "flags");
        if (has_string(flags, "MPOL_F_STATIC_NODES") && has_string(flags, "MPOL_F_RELATIVE_NODES"))
            error(join(at, {K("flags")}), "MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES cannot be combined");
    }

    void check_personality() {
        const json* flags = get(get(linux_, "personality"), "flags");
        if (flags && flags->is_array() && !flags->empty())
            warning({K("linux"), K("personality"), K("flags")}, "no personality flags are defined yet; they are ignored");
    }

    const json& cfg_;
    const std::vector<std::string>& known_caps_;
    const json* linux_ = nullptr;
    const json* process_ = nullptr;
    std::map<std::string, Namespace> namespaces_;
    std::vector<Finding> out_;
};

}  // namespace

std::string check_cpu_list(const std::string& list) {
    // Parses a decimal CPU number; nullopt if it is not one (the schema reports the syntax).
    auto number = [](const std::string& digits) -> std::optional<unsigned long> {
        if (digits.empty() || digits.size() > 9) return std::nullopt;
        unsigned long v = 0;
        for (char c : digits) {
            if (c < '0' || c > '9') return std::nullopt;
            v = v * 10 + static_cast<unsigned long>(c - '0');
        }
        return v;
    };
    std::size_t start = 0;
    while (start < list.size()) {
        auto comma = list.find(',', start);
        std::string part = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        auto dash = part.find('-');
        if (dash != std::string::npos) {
            auto lo = number(part.substr(0, dash)), hi = number(part.substr(dash + 1));
            if (lo && hi && *lo > *hi) return fmt::format("range \"{}\" runs backwards", part);
        }
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return "";
}

std::vector<Finding> check_config_semantics(const json& config, const std::vector<std::string>& known_capabilities) {
    if (!config.is_object()) return {};
    return Checker(config, known_capabilities).run();
}

}  // namespace ocirt::spec::validate
