#include "ocirt/cgroup/systemd/unit_name.hpp"

#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::cgroup::systemd {
namespace {
constexpr std::string_view kSliceSuffix = ".slice";
constexpr const char* kDefaultSlice = "system.slice";
constexpr const char* kDefaultPrefix = "ocirt";

bool ends_with_slice(const std::string& s) {
    return s.size() >= kSliceSuffix.size() && s.compare(s.size() - kSliceSuffix.size(), kSliceSuffix.size(), kSliceSuffix) == 0;
}
}  // namespace

std::string expand_slice(const std::string& slice) {
    if (slice.size() <= kSliceSuffix.size() || !ends_with_slice(slice) || slice.find('/') != std::string::npos)
        fail("invalid slice name \"{}\" (a slice is \"<name>.slice\", without '/')", slice);
    const std::string stem = slice.substr(0, slice.size() - kSliceSuffix.size());
    if (stem == "-") return "/";
    std::string path;
    std::string prefix;
    for (const auto& part : util::split(stem, '-')) {
        if (part.empty()) fail("invalid slice name \"{}\" (an empty component between dashes)", slice);
        path += "/" + prefix + part + std::string(kSliceSuffix);
        prefix += part + "-";
    }
    return path;
}

std::string unit_name(const std::string& prefix, const std::string& name) {
    if (ends_with_slice(name)) return name;
    return prefix.empty() ? name + ".scope" : prefix + "-" + name + ".scope";
}

UnitPlan plan_unit(const std::optional<std::string>& cgroups_path, const std::string& id, const std::string& default_slice) {
    std::string slice = default_slice.empty() ? std::string(kDefaultSlice) : default_slice;
    std::string prefix = kDefaultPrefix;
    std::string name = id;
    if (cgroups_path && !cgroups_path->empty()) {
        const auto parts = util::split(*cgroups_path, ':');
        if (parts.size() != 3)
            fail("/linux/cgroupsPath: expected \"slice:prefix:name\" with --systemd-cgroup, got \"{}\"", *cgroups_path);
        if (!parts[0].empty()) slice = parts[0];
        prefix = parts[1];
        name = parts[2];
        if (name.empty()) fail("/linux/cgroupsPath: the name of \"{}\" (slice:prefix:name) is empty", *cgroups_path);
    }
    UnitPlan p;
    p.slice = slice;
    p.unit = unit_name(prefix, name);
    p.is_slice = ends_with_slice(p.unit);
    with_context("/linux/cgroupsPath", [&] {
        // systemd nests a slice by its own name, whatever slice it wants; a scope goes in its slice.
        const std::string parent = expand_slice(slice);
        p.path = p.is_slice ? expand_slice(p.unit) : (parent == "/" ? "" : parent) + "/" + p.unit;
    });
    return p;
}

}  // namespace ocirt::cgroup::systemd
