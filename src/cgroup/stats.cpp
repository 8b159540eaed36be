#include "ocirt/cgroup/stats.hpp"

#include <cstdlib>

#include "ocirt/cgroup/processes.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::cgroup {
namespace {

std::optional<uint64_t> read_number(const CgroupDir& cg, const std::string& name) {
    const auto text = cg.try_read(name);
    return text ? util::parse_uint(util::trim(*text)) : std::nullopt;
}

uint64_t read_limit(const CgroupDir& cg, const std::string& name) {
    const auto text = cg.try_read(name);
    return text ? parse_limit(*text) : kUnlimited;
}

/// hugetlb.<size>.current names the sizes the kernel offers.
void read_hugetlb(const CgroupDir& cg, Stats& s) {
    for (const auto& name : sys::list_dir(cg.path())) {
        const std::string prefix = "hugetlb.", suffix = ".current";
        if (!util::starts_with(name, prefix) || name.size() <= prefix.size() + suffix.size() ||
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0 || name.find(".rsvd.") != std::string::npos)
            continue;
        const std::string size = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
        HugetlbStat h;
        h.usage = read_number(cg, name).value_or(0);
        h.limit = read_limit(cg, prefix + size + ".max");
        const auto events = cg.read_keyed(prefix + size + ".events");
        if (auto it = events.find("max"); it != events.end()) h.failcnt = it->second;
        s.hugetlb[size] = h;
    }
}

/// A *.pressure file; nullopt without it, or where PSI is off (reading fails EOPNOTSUPP).
std::optional<Pressure> read_pressure(const CgroupDir& cg, const std::string& name) {
    try {
        const auto text = cg.try_read(name);
        return text ? parse_pressure(*text) : std::nullopt;
    } catch (const Error&) {
        return std::nullopt;
    }
}

}  // namespace

std::optional<Pressure> parse_pressure(const std::string& text) {
    Pressure p;
    bool some = false;
    for (const auto& line : util::split(text, '\n')) {
        const auto fields = util::split(line, ' ');
        if (fields.empty() || (fields[0] != "some" && fields[0] != "full")) continue;
        PressureLine& out = fields[0] == "some" ? p.some : p.full;
        some = some || fields[0] == "some";
        for (size_t i = 1; i < fields.size(); ++i) {
            const auto eq = fields[i].find('=');
            if (eq == std::string::npos) continue;
            const std::string key = fields[i].substr(0, eq), value = fields[i].substr(eq + 1);
            if (key == "total") {
                out.total = util::parse_uint(value).value_or(0);
                continue;
            }
            const double v = std::strtod(value.c_str(), nullptr);
            if (key == "avg10") out.avg10 = v;
            if (key == "avg60") out.avg60 = v;
            if (key == "avg300") out.avg300 = v;
        }
    }
    if (!some) return std::nullopt;
    return p;
}

uint64_t parse_limit(const std::string& text) {
    const std::string t = util::trim(text);
    if (t == "max") return kUnlimited;
    return util::parse_uint(t).value_or(kUnlimited);
}

std::vector<IoStatEntry> parse_io_stat(const std::string& text) {
    std::vector<IoStatEntry> out;
    for (const auto& line : util::split(text, '\n')) {
        const auto fields = util::split(util::trim(line), ' ');
        if (fields.empty() || fields[0].empty()) continue;
        const auto mm = util::split(fields[0], ':');
        if (mm.size() != 2) continue;
        const auto major = util::parse_uint(mm[0]), minor = util::parse_uint(mm[1]);
        if (!major || !minor) continue;
        IoStatEntry e;
        e.major = static_cast<uint32_t>(*major);
        e.minor = static_cast<uint32_t>(*minor);
        for (size_t i = 1; i < fields.size(); ++i) {
            const auto eq = fields[i].find('=');
            if (eq == std::string::npos) continue;
            if (auto v = util::parse_uint(fields[i].substr(eq + 1))) e.values[fields[i].substr(0, eq)] = *v;
        }
        out.push_back(std::move(e));
    }
    return out;
}

Stats read_stats(const CgroupDir& cg) {
    Stats s;
    s.cpu = cg.read_keyed("cpu.stat");
    s.memory_current = read_number(cg, "memory.current");
    s.memory_max = read_limit(cg, "memory.max");
    s.memory_peak = read_number(cg, "memory.peak");
    s.swap_current = read_number(cg, "memory.swap.current");
    s.swap_max = read_limit(cg, "memory.swap.max");
    s.memory_stat = cg.read_keyed("memory.stat");
    s.memory_events = cg.read_keyed("memory.events");
    s.pids_current = read_number(cg, "pids.current");
    s.pids_max = read_limit(cg, "pids.max");
    s.processes = processes(cg).size();
    if (auto io = cg.try_read("io.stat")) s.io = parse_io_stat(*io);
    read_hugetlb(cg, s);
    s.cpus_effective = cg.try_read("cpuset.cpus.effective").value_or("");
    s.mems_effective = cg.try_read("cpuset.mems.effective").value_or("");
    s.cpu_pressure = read_pressure(cg, "cpu.pressure");
    s.memory_pressure = read_pressure(cg, "memory.pressure");
    s.io_pressure = read_pressure(cg, "io.pressure");
    return s;
}

}  // namespace ocirt::cgroup
