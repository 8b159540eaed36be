#include "ocirt/cgroup/v1/stats.hpp"

#include <unistd.h>

#include "ocirt/cgroup/processes.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::cgroup::v1 {
namespace {

/// A v1 limit file: the kernel shows "unlimited" as a huge page-aligned number.
uint64_t limit_of(const std::optional<std::string>& text) {
    if (!text) return kUnlimited;
    const auto v = util::parse_uint(*text);
    if (!v || *v >= 0x7FFFFFFFFFFFF000ULL) return kUnlimited;  // PAGE_COUNTER_MAX in bytes
    return *v;
}

std::optional<uint64_t> number_of(const std::optional<std::string>& text) {
    if (!text) return std::nullopt;
    return util::parse_uint(*text);
}

void read_cpu(const Dirs& dirs, Stats& s) {
    if (auto d = controller_dir(dirs, "cpuacct")) {
        if (auto ns = number_of(d->try_read("cpuacct.usage"))) s.cpu["usage_usec"] = *ns / 1000;
        // cpuacct.stat counts USER_HZ ticks.
        const uint64_t hz = static_cast<uint64_t>(sysconf(_SC_CLK_TCK));
        const auto st = d->read_keyed("cpuacct.stat");
        if (auto it = st.find("user"); it != st.end() && hz) s.cpu["user_usec"] = it->second * 1000000 / hz;
        if (auto it = st.find("system"); it != st.end() && hz) s.cpu["system_usec"] = it->second * 1000000 / hz;
    }
    if (auto d = controller_dir(dirs, "cpu")) {
        const auto st = d->read_keyed("cpu.stat");
        for (const char* k : {"nr_periods", "nr_throttled"})
            if (auto it = st.find(k); it != st.end()) s.cpu[k] = it->second;
        if (auto it = st.find("throttled_time"); it != st.end()) s.cpu["throttled_usec"] = it->second / 1000;
    }
}

void read_memory(const CgroupDir& d, Stats& s) {
    s.memory_current = number_of(d.try_read("memory.usage_in_bytes"));
    if (!s.memory_current) return;
    s.memory_max = limit_of(d.try_read("memory.limit_in_bytes"));
    s.memory_peak = number_of(d.try_read("memory.max_usage_in_bytes"));
    s.memory_stat = d.read_keyed("memory.stat");
    // v1 has no memory.events: failcnt is how often the limit was hit, oom_control counts kills.
    if (auto f = number_of(d.try_read("memory.failcnt"))) s.memory_events["max"] = *f;
    const auto oom = d.read_keyed("memory.oom_control");
    if (auto it = oom.find("oom_kill"); it != oom.end()) s.memory_events["oom_kill"] = it->second;
    if (auto sw = number_of(d.try_read("memory.memsw.usage_in_bytes")); sw && *sw >= *s.memory_current) {
        // cgroup::Stats keeps v2's meaning (swap alone); v1 counts memory+swap.
        s.swap_current = *sw - *s.memory_current;
        const uint64_t memsw_max = limit_of(d.try_read("memory.memsw.limit_in_bytes"));
        s.swap_max = memsw_max == kUnlimited || s.memory_max == kUnlimited || memsw_max < s.memory_max
                         ? kUnlimited
                         : memsw_max - s.memory_max;
    }
    // runc's "cache" is v1's memory.stat "cache"; stats_json reads v2's "file".
    if (auto it = s.memory_stat.find("cache"); it != s.memory_stat.end()) s.memory_stat.emplace("file", it->second);
}

void read_hugetlb(const CgroupDir& d, Stats& s) {
    const std::string prefix = "hugetlb.";
    const std::string suffix = ".limit_in_bytes";
    for (const auto& name : sys::list_dir(d.path())) {
        if (!util::starts_with(name, prefix) || name.size() <= prefix.size() + suffix.size() ||
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0 || name.find(".rsvd.") != std::string::npos)
            continue;
        const std::string size = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
        HugetlbStat h;
        h.usage = number_of(d.try_read(prefix + size + ".usage_in_bytes")).value_or(0);
        h.limit = limit_of(d.try_read(name));
        h.failcnt = number_of(d.try_read(prefix + size + ".failcnt")).value_or(0);
        s.hugetlb[size] = h;
    }
}

}  // namespace

void parse_blkio_stat(const std::string& text, const char* read_key, const char* write_key, std::vector<IoStatEntry>& out) {
    for (const auto& line : util::split(text, '\n')) {
        const auto parts = util::split(util::trim(line), ' ');
        if (parts.size() != 3) continue;  // "Total N"
        const auto nums = util::split(parts[0], ':');
        const auto value = util::parse_uint(parts[2]);
        if (nums.size() != 2 || !value) continue;
        const char* key = parts[1] == "Read" ? read_key : parts[1] == "Write" ? write_key : nullptr;
        if (!key) continue;
        const auto major = util::parse_uint(nums[0]), minor = util::parse_uint(nums[1]);
        if (!major || !minor) continue;
        IoStatEntry* e = nullptr;
        for (auto& o : out)
            if (o.major == *major && o.minor == *minor) e = &o;
        if (!e) {
            out.push_back(IoStatEntry{static_cast<uint32_t>(*major), static_cast<uint32_t>(*minor), {}});
            e = &out.back();
        }
        e->values[key] += *value;
    }
}

Stats read_stats(const Dirs& dirs) {
    Stats s;
    read_cpu(dirs, s);
    if (auto d = controller_dir(dirs, "memory")) read_memory(*d, s);
    if (auto d = controller_dir(dirs, "pids")) {
        s.pids_current = number_of(d->try_read("pids.current"));
        s.pids_max = limit_of(d->try_read("pids.max"));
    }
    if (!dirs.empty()) s.processes = processes(CgroupDir(dirs.begin()->second)).size();
    if (auto d = controller_dir(dirs, "blkio")) {
        parse_blkio_stat(d->try_read("blkio.throttle.io_service_bytes_recursive").value_or(""), "rbytes", "wbytes", s.io);
        parse_blkio_stat(d->try_read("blkio.throttle.io_serviced_recursive").value_or(""), "rios", "wios", s.io);
    }
    if (auto d = controller_dir(dirs, "hugetlb")) read_hugetlb(*d, s);
    if (auto d = controller_dir(dirs, "cpuset")) {
        s.cpus_effective = d->try_read("cpuset.effective_cpus").value_or(d->try_read("cpuset.cpus").value_or(""));
        s.mems_effective = d->try_read("cpuset.effective_mems").value_or(d->try_read("cpuset.mems").value_or(""));
    }
    return s;
}

}  // namespace ocirt::cgroup::v1
