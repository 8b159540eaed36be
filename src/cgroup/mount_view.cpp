#include "ocirt/cgroup/mount_view.hpp"

#include "ocirt/sys/files.hpp"

namespace ocirt::cgroup {

std::vector<V1MountView> v1_mount_views(const CgroupHost& host, const ContainerCgroup* cg) {
    std::vector<V1MountView> out;
    if (host.kind != HostKind::legacy && host.kind != HostKind::hybrid) return out;
    const bool own_dirs = cg && cg->driver == Driver::v1;
    const auto own = own_dirs ? std::map<std::string, std::string>{} : v1_entries(sys::read_file("/proc/self/cgroup"));
    for (const auto& h : host.v1_hierarchies) {
        std::string dir;
        if (own_dirs) {
            const auto it = cg->v1_dirs.find(h.key);
            if (it == cg->v1_dirs.end()) continue;
            dir = it->second;
        } else {
            const auto it = own.find(h.key);
            if (it == own.end()) continue;  // not a hierarchy this process is in (mounted elsewhere only)
            dir = directory_of(h.mount, clean_path(it->second));
        }
        const std::string& point = h.mount.mount_point;
        out.push_back({point.substr(point.rfind('/') + 1), h.key, dir});
    }
    return out;
}

}  // namespace ocirt::cgroup
