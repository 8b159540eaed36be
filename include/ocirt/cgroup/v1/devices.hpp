#pragma once
/// The v1 devices controller, driven as runc's devices emulator does: the rule list is played
/// on a model of the kernel's list (default allow or deny, plus exceptions), and the cgroup is
/// moved from what devices.list shows to that model with the fewest writes to devices.allow and
/// devices.deny (no "deny all" moment for a live container when the default does not change).

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "ocirt/cgroup/cgroup_dir.hpp"
#include "ocirt/cgroup/device_rules.hpp"

namespace ocirt::cgroup::v1 {

/// The kernel's model of one devices cgroup.
struct DeviceState {
    bool default_allow = true;
    /// (type, major, minor) → access bits of each exception.
    std::map<std::tuple<char, int64_t, int64_t>, uint32_t> exceptions;
    bool operator==(const DeviceState&) const = default;
};

/// One write: `allow` → devices.allow, else devices.deny; `line` as "c 1:3 rwm".
struct DeviceWrite {
    bool allow = false;
    std::string line;
    bool operator==(const DeviceWrite&) const = default;
};

/// The state after playing `rules` in order on a cgroup that starts as "a *:* rwm" (as runc's
/// buildEmulator). Throws where the kernel would silently ignore a deny (a partial wildcard).
DeviceState emulate(const std::vector<DeviceRule>& rules);
/// The state devices.list shows ("a *:* rwm" alone is default allow).
DeviceState parse_devices_list(const std::string& text);
/// The writes that take a cgroup from `from` to `to` (runc's Transition).
std::vector<DeviceWrite> transition(const DeviceState& from, const DeviceState& to);
/// Moves the cgroup's list to `rules`, then checks devices.list agrees (a default-deny target).
void apply_devices(const CgroupDir& cg, const std::vector<DeviceRule>& rules);

}  // namespace ocirt::cgroup::v1
