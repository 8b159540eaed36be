#include "ocirt/cgroup/device_rules.hpp"

#include "ocirt/util/error.hpp"

namespace ocirt::cgroup {
namespace {

DeviceRule allow_rwm(char type, int64_t major, int64_t minor) { return DeviceRule{true, type, major, minor, kAccessAll}; }

}  // namespace

uint32_t parse_device_access(const std::string& access, const std::string& field) {
    uint32_t bits = 0;
    for (char ch : access) {
        switch (ch) {
            case 'r': bits |= kAccessRead; break;
            case 'w': bits |= kAccessWrite; break;
            case 'm': bits |= kAccessMknod; break;
            default: fail("{}/access: \"{}\" is not a combination of r, w and m", field, access);
        }
    }
    return bits;
}

std::vector<DeviceRule> rules_from_spec(const std::vector<spec::DeviceCgroupRule>& rules) {
    std::vector<DeviceRule> out;
    for (size_t i = 0; i < rules.size(); ++i) {
        const auto& r = rules[i];
        const std::string field = "/linux/resources/devices/" + std::to_string(i);
        DeviceRule d;
        d.allow = r.allow;
        const std::string type = r.type.value_or("a");
        if (type != "a" && type != "c" && type != "b") fail("{}/type: \"{}\" is not a, c or b", field, type);
        d.type = type[0];
        d.major = r.major.value_or(kAnyNumber);
        d.minor = r.minor.value_or(kAnyNumber);
        if (d.major < kAnyNumber || d.major > UINT32_MAX) fail("{}/major: out of range", field);
        if (d.minor < kAnyNumber || d.minor > UINT32_MAX) fail("{}/minor: out of range", field);
        d.access = r.access ? parse_device_access(*r.access, field) : kAccessAll;
        if (d.access == 0) continue;  // an empty access string grants or denies nothing
        out.push_back(d);
    }
    return out;
}

std::vector<DeviceRule> default_allowed_devices() {
    return {
        DeviceRule{true, 'c', kAnyNumber, kAnyNumber, kAccessMknod},
        DeviceRule{true, 'b', kAnyNumber, kAnyNumber, kAccessMknod},
        allow_rwm('c', 1, 3),    // null
        allow_rwm('c', 1, 8),    // random
        allow_rwm('c', 1, 7),    // full
        allow_rwm('c', 5, 0),    // tty
        allow_rwm('c', 1, 5),    // zero
        allow_rwm('c', 1, 9),    // urandom
        allow_rwm('c', 136, kAnyNumber),  // pty slaves, /dev/console
        allow_rwm('c', 5, 2),    // ptmx
        allow_rwm('c', 10, 200), // tun
    };
}

std::vector<DeviceRule> effective_device_rules(const spec::Config& c) {
    std::vector<DeviceRule> out;
    if (!c.linux_) return default_allowed_devices();
    if (c.linux_->resources) out = rules_from_spec(c.linux_->resources->devices);
    for (const auto& d : c.linux_->devices) {
        if (d.type == "p" || !d.major || !d.minor) continue;  // fifos have no device number
        out.push_back(allow_rwm(d.type == "b" ? 'b' : 'c', *d.major, *d.minor));
    }
    for (const auto& d : default_allowed_devices()) out.push_back(d);
    return out;
}

}  // namespace ocirt::cgroup
