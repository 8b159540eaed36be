#pragma once
/// The systemd driver's names: cgroupsPath "slice:prefix:name" → the unit systemd makes for the
/// container and where its cgroup is. Pure (no systemd, no filesystem), as runc's ExpandSlice
/// and getUnitName.

#include <optional>
#include <string>

namespace ocirt::cgroup::systemd {

/// A container's unit, from its cgroupsPath.
struct UnitPlan {
    std::string slice;      ///< the parent slice ("system.slice"); for a slice unit, the one it wants
    std::string unit;       ///< "libpod-<id>.scope", or the name itself when it ends in ".slice"
    std::string path;       ///< the unit's cgroup in the hierarchy: "/machine.slice/libpod-<id>.scope"
    bool is_slice = false;  ///< the unit is a slice (the container lives in it; no PIDs, no Delegate)
};

/// The cgroup path of a slice as systemd nests it: "a-b-c.slice" → "/a.slice/a-b.slice/a-b-c.slice",
/// "-.slice" → "/". Throws naming the slice for a name without ".slice", with '/', or with an
/// empty dash-separated component ("a--b.slice", "-a.slice").
std::string expand_slice(const std::string& slice);

/// The unit name of prefix and name: "<prefix>-<name>.scope" ("<name>.scope" without a prefix),
/// or `name` itself when it ends in ".slice".
std::string unit_name(const std::string& prefix, const std::string& name);

/// The unit of container `id` for cgroupsPath (`nullopt`: "system.slice:ocirt:<id>", as runc's
/// "system.slice:runc:<id>"). An empty slice is system.slice. Throws naming /linux/cgroupsPath
/// when the path is not "slice:prefix:name" or the slice is invalid. `default_slice` replaces
/// system.slice (rootless: "user.slice" of the user's systemd, as runc).
UnitPlan plan_unit(const std::optional<std::string>& cgroups_path, const std::string& id,
                   const std::string& default_slice = {});

}  // namespace ocirt::cgroup::systemd
