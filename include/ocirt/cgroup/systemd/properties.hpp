#pragma once
/// linux.resources → systemd unit properties (systemd.resource-control(5)), as runc's
/// genV2ResourcesProperties: what systemd has a property for goes into the unit, so that
/// `systemctl daemon-reload` or a systemd restart, which re-apply a unit's properties to its
/// cgroup, keep the container's limits. Pure: unit-tested without systemd.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "ocirt/cgroup/device_rules.hpp"
#include "ocirt/spec/config.hpp"

namespace ocirt::cgroup::systemd {

/// A property's D-Bus value: b, t, s, as (Wants), au (PIDs), ay (a CPU or NUMA node bitmask),
/// a(ss) (DeviceAllow).
using PropertyValue = std::variant<bool, uint64_t, std::string, std::vector<std::string>, std::vector<uint32_t>,
                                   std::vector<uint8_t>, std::vector<std::pair<std::string, std::string>>>;

/// One unit property (name, value) of StartTransientUnit or SetUnitProperties.
struct Property {
    std::string name;
    PropertyValue value;
    bool operator==(const Property&) const = default;
};

/// systemd's "infinity" for the uint64 limits (UINT64_MAX).
inline constexpr uint64_t kInfinity = UINT64_MAX;

/// A cpuset list ("0-2,7") as systemd's AllowedCPUs/AllowedMemoryNodes bitmask: byte i, bit j is
/// CPU 8i+j. Throws naming `field` for a malformed list.
std::vector<uint8_t> cpuset_bitmask(const std::string& list, const std::string& field);

/// CPUQuotaPerSecUSec of quota/period, as runc's addCpuQuota: quota·10⁶/period rounded up to 10 ms
/// (systemd keeps the quota as a percentage); infinity for a quota of -1 or 0 with a period.
uint64_t cpu_quota_per_sec_usec(int64_t quota, uint64_t period);

/// Driver names by major number, as /proc/devices lists them ("136" → "pts"): systemd's DeviceAllow
/// names a whole major as "char-<driver>" / "block-<driver>".
struct DeviceMajors {
    std::map<int64_t, std::string> character;
    std::map<int64_t, std::string> block;
};

/// Parses /proc/devices' text.
DeviceMajors parse_proc_devices(const std::string& text);

/// DevicePolicy and DeviceAllow for a rule list (the last matching rule decides, no match denies):
/// "strict" with a DeviceAllow reset and an entry per allow rule when every rule after the first
/// allow is an allow systemd can express ("/dev/char/M:m", "char-*", "char-pts"...); otherwise
/// "auto" with no entries (systemd enforces nothing, and ocirt's eBPF program, which is installed
/// in both cases, enforces the whole list, as runc's does).
std::vector<Property> device_properties(const std::vector<DeviceRule>& rules, const DeviceMajors& majors);

/// The unit properties for `r` (MemoryMax, MemoryLow, MemorySwapMax, TasksMax, CPUWeight,
/// CPUQuotaPerSecUSec, CPUQuotaPeriodUSec, AllowedCPUs, AllowedMemoryNodes, IOWeight, and the
/// unified keys systemd has a property for, as runc's unifiedResToSystemdProps); the rest is
/// written to the cgroup's files only. Devices are device_properties' business.
std::vector<Property> resource_properties(const spec::Resources& r);

}  // namespace ocirt::cgroup::systemd
