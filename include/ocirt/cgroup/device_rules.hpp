#pragma once
/// The device allow/deny list a container's cgroup enforces: linux.resources.devices, then an
/// allow rule for each linux.devices entry, then runc's default allow list (in that order, as
/// runc builds it; the last matching rule decides, nothing matching means deny).

#include <cstdint>
#include <string>
#include <vector>

#include "ocirt/spec/config.hpp"

namespace ocirt::cgroup {

/// Access bits, as the kernel's BPF_DEVCG_ACC_* values.
inline constexpr uint32_t kAccessMknod = 1;
inline constexpr uint32_t kAccessRead = 2;
inline constexpr uint32_t kAccessWrite = 4;
inline constexpr uint32_t kAccessAll = kAccessMknod | kAccessRead | kAccessWrite;
/// A wildcard major or minor.
inline constexpr int64_t kAnyNumber = -1;

/// One rule of the list.
struct DeviceRule {
    bool allow = false;
    char type = 'a';             ///< 'a' (all), 'c' (char), 'b' (block)
    int64_t major = kAnyNumber;
    int64_t minor = kAnyNumber;
    uint32_t access = kAccessAll;
};

/// Parses an access string ("rwm", any subset, in any order); throws naming `field`.
uint32_t parse_device_access(const std::string& access, const std::string& field);
/// linux.resources.devices as rules; throws naming the entry at fault.
std::vector<DeviceRule> rules_from_spec(const std::vector<spec::DeviceCgroupRule>& rules);
/// runc's default allow list: mknod of any char/block device; null, zero, full, random,
/// urandom, tty, ptmx, the pty slaves (136:*) and tun (10:200) read/write/mknod.
std::vector<DeviceRule> default_allowed_devices();
/// The whole list for a config: resources.devices + linux.devices + the defaults.
std::vector<DeviceRule> effective_device_rules(const spec::Config& c);

}  // namespace ocirt::cgroup
