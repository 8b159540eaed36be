#include "ocirt/cgroup/v1/resources.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::cgroup::v1 {

std::optional<CgroupDir> controller_dir(const Dirs& dirs, const std::string& controller) {
    for (const auto& [key, dir] : dirs)
        for (const auto& c : util::split(key, ','))
            if (c == controller) return CgroupDir(dir);
    return std::nullopt;
}

CgroupDir require_controller(const Dirs& dirs, const std::string& controller, const std::string& field) {
    auto d = controller_dir(dirs, controller);
    if (!d) fail("{}: no cgroup v1 {} hierarchy is mounted on this host", field, controller);
    return *d;
}

}  // namespace ocirt::cgroup::v1
