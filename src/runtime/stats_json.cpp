#include "ocirt/runtime/stats_json.hpp"

#include <utility>

#include <nlohmann/json.hpp>

#include "ocirt/process/process_extras.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::runtime {
namespace {

using nlohmann::json;

uint64_t value_or_zero(const std::map<std::string, uint64_t>& m, const std::string& key) {
    const auto it = m.find(key);
    return it == m.end() ? 0 : it->second;
}

/// Go's `omitempty` for numbers: the key only when the value is not zero.
void put_nonzero(json& j, const char* key, uint64_t v) {
    if (v != 0) j[key] = v;
}

/// runc's PSIStats: "some" and "full", each left out when all zero (Go's omitzero).
void put_pressure(json& j, const std::optional<cgroup::Pressure>& p) {
    if (!p) return;
    json psi = json::object();
    for (const auto& [key, line] : {std::pair{"some", p->some}, std::pair{"full", p->full}}) {
        if (line.avg10 == 0 && line.avg60 == 0 && line.avg300 == 0 && line.total == 0) continue;
        psi[key] = {{"avg10", line.avg10}, {"avg60", line.avg60}, {"avg300", line.avg300}, {"total", line.total}};
    }
    j["psi"] = psi;
}

json cpu_json(const cgroup::Stats& s) {
    json usage = {{"kernel", value_or_zero(s.cpu, "system_usec") * 1000},
                  {"user", value_or_zero(s.cpu, "user_usec") * 1000}};
    put_nonzero(usage, "total", value_or_zero(s.cpu, "usage_usec") * 1000);
    json throttling = json::object();
    put_nonzero(throttling, "periods", value_or_zero(s.cpu, "nr_periods"));
    put_nonzero(throttling, "throttledPeriods", value_or_zero(s.cpu, "nr_throttled"));
    put_nonzero(throttling, "throttledTime", value_or_zero(s.cpu, "throttled_usec") * 1000);
    json cpu = {{"usage", usage}, {"throttling", throttling}};
    put_pressure(cpu, s.cpu_pressure);
    return cpu;
}

/// runc's MemoryEntry: limit and failcnt always, usage and max when not zero.
json memory_entry(uint64_t limit, uint64_t usage, uint64_t max, uint64_t failcnt) {
    json e = {{"limit", limit}, {"failcnt", failcnt}};
    put_nonzero(e, "usage", usage);
    put_nonzero(e, "max", max);
    return e;
}

json memory_json(const cgroup::Stats& s) {
    json mem = {{"kernel", memory_entry(0, 0, 0, 0)}, {"kernelTCP", memory_entry(0, 0, 0, 0)}};
    put_pressure(mem, s.memory_pressure);
    if (!s.memory_current) {
        // No memory controller: runc reports its zero values.
        mem["usage"] = memory_entry(0, 0, 0, 0);
        mem["swap"] = memory_entry(0, 0, 0, 0);
        return mem;
    }
    const uint64_t usage = *s.memory_current;
    put_nonzero(mem, "cache", value_or_zero(s.memory_stat, "file"));
    mem["usage"] = memory_entry(s.memory_max, usage, s.memory_peak.value_or(0), value_or_zero(s.memory_events, "max"));
    // As runc on cgroup v2: "swap" is memory+swap, the cgroup v1 meaning clients expect (its
    // limit stays unlimited when swap is); without swap accounting, swap counts as 0 with limit 0.
    const uint64_t swap_limit = s.swap_current ? s.swap_max : 0;
    mem["swap"] = memory_entry(swap_limit == cgroup::kUnlimited ? swap_limit : swap_limit + s.memory_max,
                               usage + s.swap_current.value_or(0), 0, 0);
    if (!s.memory_stat.empty()) mem["raw"] = s.memory_stat;
    return mem;
}

json blkio_json(const cgroup::Stats& s) {
    json bytes = json::array(), ios = json::array();
    for (const auto& e : s.io) {
        auto entry = [&](const char* op, const char* key) {
            json j = {{"op", op}};
            put_nonzero(j, "major", e.major);
            put_nonzero(j, "minor", e.minor);
            put_nonzero(j, "value", value_or_zero(e.values, key));
            return j;
        };
        bytes.push_back(entry("Read", "rbytes"));
        bytes.push_back(entry("Write", "wbytes"));
        ios.push_back(entry("Read", "rios"));
        ios.push_back(entry("Write", "wios"));
    }
    json blkio = json::object();
    if (!bytes.empty()) blkio["ioServiceBytesRecursive"] = bytes;
    if (!ios.empty()) blkio["ioServicedRecursive"] = ios;
    put_pressure(blkio, s.io_pressure);
    return blkio;
}

json cpuset_json(const cgroup::Stats& s) {
    json cpuset = {{"cpu_exclusive", 0},      {"mem_hardwall", 0},       {"mem_exclusive", 0},
                   {"memory_migrate", 0},     {"memory_spread_page", 0}, {"memory_spread_slab", 0},
                   {"memory_pressure", 0},    {"sched_load_balance", 0}, {"sched_relax_domain_level", 0}};
    // runc's []uint16 lists; a list the kernel wrote but that does not parse is left out.
    auto put_list = [&](const char* key, const std::string& text) {
        if (text.empty()) return;
        try {
            cpuset[key] = process::parse_cpu_list(text, key);
        } catch (const Error&) {
        }
    };
    put_list("cpus", s.cpus_effective);
    put_list("mems", s.mems_effective);
    return cpuset;
}

}  // namespace

std::string runc_stats_json(const cgroup::Stats& s) {
    json hugetlb = json::object();
    for (const auto& [size, h] : s.hugetlb) {
        // runc's "max" is the peak usage, which cgroup v2 does not record: left out, as runc does.
        json entry = {{"failcnt", h.failcnt}};
        put_nonzero(entry, "usage", h.usage);
        hugetlb[size] = entry;
    }
    json pids = json::object();
    // Without the pids controller runc counts cgroup.procs.
    put_nonzero(pids, "current", s.pids_current.value_or(s.processes));
    put_nonzero(pids, "limit", s.pids_max == cgroup::kUnlimited ? 0 : s.pids_max);
    return json{
        {"cpu", cpu_json(s)},
        {"cpuset", cpuset_json(s)},
        {"memory", memory_json(s)},
        {"pids", pids},
        {"blkio", blkio_json(s)},
        {"hugetlb", hugetlb},
        {"intel_rdt", json::object()},
        {"network_interfaces", nullptr},
    }.dump();
}

}  // namespace ocirt::runtime
