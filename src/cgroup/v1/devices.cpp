#include "ocirt/cgroup/v1/devices.hpp"

#include <fmt/format.h>

#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::cgroup::v1 {
namespace {

using Key = std::tuple<char, int64_t, int64_t>;

std::string number(int64_t n) { return n == kAnyNumber ? "*" : std::to_string(n); }

std::string access_text(uint32_t a) {
    std::string s;
    if (a & kAccessRead) s += 'r';
    if (a & kAccessWrite) s += 'w';
    if (a & kAccessMknod) s += 'm';
    return s;
}

std::string line_of(const Key& k, uint32_t access) {
    return fmt::format("{} {}:{} {}", std::get<0>(k), number(std::get<1>(k)), number(std::get<2>(k)), access_text(access));
}

bool covers(int64_t wide, int64_t n) { return wide == kAnyNumber || wide == n; }

/// runc's rmRule: removing access an exception does not name exactly would be ignored by the
/// kernel when a wider (wildcard) exception grants it; say so instead of pretending.
void remove_exception(DeviceState& s, const Key& k, uint32_t access) {
    for (const auto& [ek, ea] : s.exceptions) {
        if (ek == k) continue;
        const bool wider = (std::get<0>(ek) == 'a' || std::get<0>(ek) == std::get<0>(k)) &&
                           covers(std::get<1>(ek), std::get<1>(k)) && covers(std::get<2>(ek), std::get<2>(k));
        if (wider && (ea & access))
            fail("/linux/resources/devices: cannot remove \"{}\": the wider rule \"{}\" would keep granting it (cgroup v1)",
                 line_of(k, access), line_of(ek, ea));
    }
    auto it = s.exceptions.find(k);
    if (it == s.exceptions.end()) return;
    it->second &= ~access;
    if (it->second == 0) s.exceptions.erase(it);
}

}  // namespace

DeviceState emulate(const std::vector<DeviceRule>& rules) {
    DeviceState s;  // a new cgroup's default: "a *:* rwm"
    for (const auto& r : rules) {
        if (r.type == 'a') {
            // The kernel takes "a" as every device whatever numbers and access follow.
            s.default_allow = r.allow;
            s.exceptions.clear();
            continue;
        }
        const Key k{r.type, r.major, r.minor};
        // An allow rule is an exception in a default-deny list and lifts one in a default-allow
        // list; a deny rule the other way round.
        if (r.allow != s.default_allow)
            s.exceptions[k] |= r.access;
        else
            remove_exception(s, k, r.access);
    }
    return s;
}

DeviceState parse_devices_list(const std::string& text) {
    DeviceState s;
    s.default_allow = false;
    for (const auto& raw : util::split(text, '\n')) {
        const std::string line = util::trim(raw);
        if (line.empty()) continue;
        const auto parts = util::split(line, ' ');
        const auto nums = parts.size() == 3 ? util::split(parts[1], ':') : std::vector<std::string>{};
        if (parts[0].size() != 1 || nums.size() != 2) fail("devices.list: cannot parse \"{}\"", line);
        auto num = [&](const std::string& n) -> int64_t {
            if (n == "*") return kAnyNumber;
            const auto v = util::parse_int(n);
            if (!v) fail("devices.list: cannot parse \"{}\"", line);
            return *v;
        };
        if (parts[0] == "a") {
            // The kernel lists "a *:* rwm" only for a default-allow cgroup without exceptions.
            s.default_allow = true;
            s.exceptions.clear();
            return s;
        }
        s.exceptions[Key{parts[0][0], num(nums[0]), num(nums[1])}] |= parse_device_access(parts[2], "devices.list");
    }
    return s;
}

std::vector<DeviceWrite> transition(const DeviceState& from, const DeviceState& to) {
    std::vector<DeviceWrite> out;
    std::map<Key, uint32_t> old = from.exceptions;
    // Changing the default needs the disruptive "a" rule, which also drops every exception.
    if (from.default_allow != to.default_allow) {
        out.push_back({to.default_allow, "a *:* rwm"});
        old.clear();
    }
    // An exception write goes to the file opposite the default: devices.allow in a default-deny list.
    for (const auto& [k, a] : old) {
        const auto it = to.exceptions.find(k);
        if (it == to.exceptions.end() || it->second != a) out.push_back({to.default_allow, line_of(k, a)});
    }
    for (const auto& [k, a] : to.exceptions) {
        const auto it = old.find(k);
        if (it == old.end() || it->second != a) out.push_back({!to.default_allow, line_of(k, a)});
    }
    return out;
}

void apply_devices(const CgroupDir& cg, const std::vector<DeviceRule>& rules) {
    const DeviceState target = emulate(rules);
    const DeviceState current = parse_devices_list(cg.read("devices.list"));
    for (const auto& w : transition(current, target))
        cg.write(w.allow ? "devices.allow" : "devices.deny", w.line, "/linux/resources/devices");
    // As runc: a default-deny list must come out exactly as asked.
    if (!target.default_allow && parse_devices_list(cg.read("devices.list")) != target)
        fail("/linux/resources/devices: the devices cgroup {} does not match the requested rules after the update", cg.path());
}

}  // namespace ocirt::cgroup::v1
