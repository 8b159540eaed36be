#include "ocirt/cgroup/hierarchy.hpp"

#include <set>
#include <vector>

#include "ocirt/sys/files.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::cgroup {
namespace {

/// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size()) {
            const std::string oct = s.substr(i + 1, 3);
            if (oct.find_first_not_of("01234567") == std::string::npos) {
                out += static_cast<char>(std::stoi(oct, nullptr, 8));
                i += 3;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

/// The fields of one mountinfo line: [4] is the mount point; after "-": type, source, options.
struct MountLine {
    std::string mount_point;
    std::string root;
    std::string type;
    std::string super_options;
};

std::vector<MountLine> parse_mountinfo(const std::string& mountinfo) {
    std::vector<MountLine> out;
    for (const auto& line : util::split(mountinfo, '\n')) {
        const auto fields = util::split(line, ' ');
        size_t dash = 0;
        while (dash < fields.size() && fields[dash] != "-") ++dash;
        if (dash < 5 || dash + 1 >= fields.size()) continue;
        out.push_back({unescape(fields[4]), unescape(fields[3]), fields[dash + 1],
                       dash + 3 < fields.size() ? fields[dash + 3] : ""});
    }
    return out;
}

/// The controllers a v1 mount's super options name ("rw,cpu,cpuacct" → cpu, cpuacct); named
/// hierarchies ("name=systemd") and the mount options around them are not controllers.
std::vector<std::string> v1_controllers(const std::string& super_options) {
    static const std::set<std::string> kNotControllers{"rw", "ro", "xattr", "noprefix", "clone_children",
                                                       "cpuset_v2_mode", "favordynmods", "none"};
    std::vector<std::string> out;
    for (const auto& o : util::split(super_options, ','))
        if (!o.empty() && !kNotControllers.count(o) && o.find('=') == std::string::npos) out.push_back(o);
    return out;
}

/// The "name=..." option of a v1 mount; "" for none.
std::string v1_name(const std::string& super_options) {
    for (const auto& o : util::split(super_options, ','))
        if (util::starts_with(o, "name=")) return o;
    return "";
}

}  // namespace

CgroupHost find_cgroup_host(const std::string& mountinfo) {
    CgroupHost host;
    host.v2 = find_cgroup2_mount(mountinfo);
    const auto mounts = parse_mountinfo(mountinfo);
    std::string on_sys_fs_cgroup;  // the type of the last mount there, which hides earlier ones
    for (const auto& m : mounts)
        if (m.mount_point == "/sys/fs/cgroup") on_sys_fs_cgroup = m.type;
    if (on_sys_fs_cgroup != "cgroup2") {
        for (const auto& m : mounts)
            if (m.type == "cgroup") {
                const auto controllers = v1_controllers(m.super_options);
                for (const auto& c : controllers) host.v1.emplace(c, m.mount_point);
                // The kernel names a hierarchy by its controllers in mount order, the name last.
                std::vector<std::string> parts = controllers;
                const std::string name = v1_name(m.super_options);
                if (!name.empty()) parts.push_back(name);
                if (parts.empty()) continue;
                V1Hierarchy h{util::join(parts, ","), controllers, Cgroup2Mount{m.mount_point, m.root}};
                bool seen = false;
                for (const auto& o : host.v1_hierarchies) seen = seen || o.key == h.key;
                if (!seen) host.v1_hierarchies.push_back(std::move(h));
            }
    }
    if (host.v2)
        host.kind = host.v1.empty() ? HostKind::unified : HostKind::hybrid;
    else
        host.kind = host.v1.empty() ? HostKind::none : HostKind::legacy;
    return host;
}

CgroupHost discover_host() { return find_cgroup_host(sys::read_file("/proc/self/mountinfo")); }

const char* host_kind_name(HostKind kind) {
    switch (kind) {
        case HostKind::unified: return "unified";
        case HostKind::hybrid: return "hybrid";
        case HostKind::legacy: return "legacy";
        case HostKind::none: return "none";
    }
    return "none";
}

std::optional<Cgroup2Mount> find_cgroup2_mount(const std::string& mountinfo) {
    std::vector<Cgroup2Mount> found;
    for (const auto& m : parse_mountinfo(mountinfo))
        if (m.type == "cgroup2") found.push_back(Cgroup2Mount{m.mount_point, m.root});
    // The last mount on a point hides earlier ones; look from the end.
    for (auto it = found.rbegin(); it != found.rend(); ++it)
        if (it->mount_point == "/sys/fs/cgroup") return *it;
    for (const auto& m : found)
        if (m.root == "/") return m;
    if (!found.empty()) return found.front();
    return std::nullopt;
}

std::optional<std::string> unified_entry(const std::string& proc_cgroup) {
    for (const auto& line : util::split(proc_cgroup, '\n'))
        if (util::starts_with(line, "0::")) return line.substr(3);
    return std::nullopt;
}

std::map<std::string, std::string> v1_entries(const std::string& proc_cgroup) {
    std::map<std::string, std::string> out;
    for (const auto& line : util::split(proc_cgroup, '\n')) {
        const auto colon1 = line.find(':');
        const auto colon2 = colon1 == std::string::npos ? colon1 : line.find(':', colon1 + 1);
        if (colon2 == std::string::npos || colon2 == colon1 + 1) continue;  // "0::" is v2
        out.emplace(line.substr(colon1 + 1, colon2 - colon1 - 1), line.substr(colon2 + 1));
    }
    return out;
}

std::string own_cgroup() { return clean_path(unified_entry(sys::read_file("/proc/self/cgroup")).value_or("/")); }

std::string own_cgroup_dir() {
    const CgroupHost host = discover_host();
    if (host.kind != HostKind::unified || !host.v2) return {};
    try {
        return directory_of(*host.v2, own_cgroup());
    } catch (const Error&) {
        return {};
    }
}

std::string clean_path(const std::string& path) {
    std::vector<std::string> parts;
    for (const auto& p : util::split(path, '/')) {
        if (p.empty() || p == ".") continue;
        if (p == "..") {
            if (!parts.empty()) parts.pop_back();
            continue;
        }
        parts.push_back(p);
    }
    return "/" + util::join(parts, "/");
}

std::string resolve_cgroup_path(const std::optional<std::string>& cgroups_path, const std::string& id,
                                const std::string& own) {
    if (!cgroups_path || cgroups_path->empty()) return "/ocirt/" + id;
    if ((*cgroups_path)[0] == '/') return clean_path(*cgroups_path);
    std::string parent = clean_path(own);
    const auto slash = parent.rfind('/');
    parent = slash == 0 ? "/" : parent.substr(0, slash);
    // Cleaning the relative part on its own keeps ".." from climbing out of the parent.
    return clean_path(parent + clean_path(*cgroups_path));
}

std::string directory_of(const Cgroup2Mount& m, const std::string& path) {
    const std::string root = clean_path(m.root);
    if (root == "/") return m.mount_point + (path == "/" ? "" : path);
    if (path == root) return m.mount_point;
    if (!util::starts_with(path, root + "/"))
        fail("cgroup {} is outside the cgroup2 mount at {} (which shows {})", path, m.mount_point, root);
    return m.mount_point + path.substr(root.size());
}

std::vector<std::string> levels_below(const std::string& top, const std::string& dir) {
    std::vector<std::string> out;
    std::string cur = top;
    for (const auto& part : util::split(dir.substr(top.size()), '/')) {
        if (part.empty()) continue;
        cur += "/" + part;
        out.push_back(cur);
    }
    return out;
}

}  // namespace ocirt::cgroup
