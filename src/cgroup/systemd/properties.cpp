#include "ocirt/cgroup/systemd/properties.hpp"

#include "ocirt/cgroup/v2/resources.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::cgroup::systemd {
namespace {

constexpr uint64_t kDefaultPeriod = 100000;
constexpr uint64_t kUsecPerSec = 1000000;
constexpr uint64_t kQuotaStep = 10000;  // systemd keeps CPUQuota as a percentage: 10 ms a second

std::vector<std::string> split_words(const std::string& text) {
    std::vector<std::string> out;
    for (const auto& w : util::split(util::trim(text), ' '))
        if (!w.empty()) out.push_back(util::trim(w));
    return out;
}

uint64_t parse_number(const std::string& text, const std::string& field) {
    const auto v = util::parse_uint(util::trim(text));
    if (!v) fail("{}: expected a number, got \"{}\"", field, text);
    return *v;
}

/// "max" or a number, as the memory and pids files take.
uint64_t parse_limit(const std::string& text, const std::string& field) {
    const std::string t = util::trim(text);
    return t == "max" ? kInfinity : parse_number(t, field);
}

uint64_t limit_value(int64_t v) { return v < 0 ? kInfinity : static_cast<uint64_t>(v); }

void add_cpu_quota(std::vector<Property>& out, int64_t quota, uint64_t period) {
    if (quota == 0 && period == 0) return;
    out.push_back({"CPUQuotaPerSecUSec", cpu_quota_per_sec_usec(quota, period)});
    if (period != 0) out.push_back({"CPUQuotaPeriodUSec", period});
}

void add_unified(std::vector<Property>& out, const std::map<std::string, std::string>& unified) {
    static const std::map<std::string, std::string> kMemory = {{"memory.high", "MemoryHigh"},
                                                               {"memory.low", "MemoryLow"},
                                                               {"memory.min", "MemoryMin"},
                                                               {"memory.max", "MemoryMax"},
                                                               {"memory.swap.max", "MemorySwapMax"}};
    for (const auto& [key, value] : unified) {
        const std::string field = "/linux/resources/unified/" + key;
        if (const auto m = kMemory.find(key); m != kMemory.end()) {
            out.push_back({m->second, parse_limit(value, field)});
        } else if (key == "pids.max") {
            out.push_back({"TasksMax", parse_limit(value, field)});
        } else if (key == "cpu.weight") {
            out.push_back({"CPUWeight", parse_number(value, field)});
        } else if (key == "cpu.max") {
            const auto words = split_words(value);
            if (words.empty() || words.size() > 2) fail("{}: expected \"quota [period]\", got \"{}\"", field, value);
            const int64_t quota = words[0] == "max" ? 0 : static_cast<int64_t>(parse_number(words[0], field));
            const uint64_t period = words.size() == 2 ? parse_number(words[1], field) : kDefaultPeriod;
            add_cpu_quota(out, quota, period);
        } else if (key == "cpuset.cpus" || key == "cpuset.mems") {
            out.push_back({key == "cpuset.cpus" ? "AllowedCPUs" : "AllowedMemoryNodes", cpuset_bitmask(value, field)});
        } else if (key == "io.weight") {
            // "default N" is the form systemd's IOWeight takes; per-device lines stay in the file.
            const auto words = split_words(value);
            if (words.size() == 1) out.push_back({"IOWeight", parse_number(words[0], field)});
            if (words.size() == 2 && words[0] == "default") out.push_back({"IOWeight", parse_number(words[1], field)});
        }
    }
}

std::string access_text(uint32_t access) {
    std::string s;
    if (access & kAccessRead) s += 'r';
    if (access & kAccessWrite) s += 'w';
    if (access & kAccessMknod) s += 'm';
    return s;
}

/// The DeviceAllow specifier of an allow rule; empty when systemd has none for it.
std::string device_specifier(const DeviceRule& r, const DeviceMajors& majors) {
    const std::string kind = r.type == 'c' ? "char" : "block";
    if (r.major == kAnyNumber) return r.minor == kAnyNumber ? kind + "-*" : "";
    if (r.minor == kAnyNumber) {
        const auto& names = r.type == 'c' ? majors.character : majors.block;
        const auto it = names.find(r.major);
        return it == names.end() ? "" : kind + "-" + it->second;
    }
    return fmt::format("/dev/{}/{}:{}", kind, r.major, r.minor);
}

}  // namespace

std::vector<uint8_t> cpuset_bitmask(const std::string& list, const std::string& field) {
    std::vector<uint8_t> bits;
    for (const auto& raw : util::split(util::trim(list), ',')) {
        const std::string item = util::trim(raw);
        if (item.empty()) continue;
        const auto dash = item.find('-');
        const uint64_t first = parse_number(item.substr(0, dash), field);
        const uint64_t last = dash == std::string::npos ? first : parse_number(item.substr(dash + 1), field);
        if (last < first || last >= 8192) fail("{}: invalid range \"{}\"", field, item);
        if (bits.size() <= last / 8) bits.resize(last / 8 + 1, 0);
        for (uint64_t i = first; i <= last; ++i) bits[i / 8] = static_cast<uint8_t>(bits[i / 8] | (1u << (i % 8)));
    }
    return bits;
}

uint64_t cpu_quota_per_sec_usec(int64_t quota, uint64_t period) {
    if (quota <= 0) return kInfinity;
    if (period == 0) period = kDefaultPeriod;
    uint64_t v = static_cast<uint64_t>(quota) * kUsecPerSec / period;
    if (v % kQuotaStep != 0) v = (v / kQuotaStep + 1) * kQuotaStep;
    return v;
}

DeviceMajors parse_proc_devices(const std::string& text) {
    DeviceMajors out;
    std::map<int64_t, std::string>* section = nullptr;
    for (const auto& line : util::split(text, '\n')) {
        if (line.rfind("Character devices:", 0) == 0) {
            section = &out.character;
        } else if (line.rfind("Block devices:", 0) == 0) {
            section = &out.block;
        } else if (section) {
            const auto words = split_words(line);
            if (words.size() != 2) continue;
            if (const auto major = util::parse_uint(words[0])) section->emplace(static_cast<int64_t>(*major), words[1]);
        }
    }
    return out;
}

std::vector<Property> device_properties(const std::vector<DeviceRule>& rules, const DeviceMajors& majors) {
    std::vector<std::pair<std::string, std::string>> allow;
    bool seen_allow = false;
    bool expressible = true;
    for (const auto& r : rules) {
        if (!r.allow) {
            // A deny before any allow denies what is denied anyway; after one, systemd's list
            // (allows only) cannot say it.
            if (seen_allow) expressible = false;
            continue;
        }
        seen_allow = true;
        const std::string spec = r.type == 'a' ? "" : device_specifier(r, majors);
        if (spec.empty() || access_text(r.access).empty()) {
            expressible = false;
            continue;
        }
        allow.emplace_back(spec, access_text(r.access));
    }
    if (!expressible) return {{"DevicePolicy", std::string("auto")}, {"DeviceAllow", decltype(allow){}}};
    return {{"DevicePolicy", std::string("strict")}, {"DeviceAllow", decltype(allow){}}, {"DeviceAllow", allow}};
}

std::vector<Property> resource_properties(const spec::Resources& r) {
    std::vector<Property> out;
    if (r.memory) {
        const auto& m = *r.memory;
        const int64_t limit = m.limit.value_or(0);
        if (limit != 0) out.push_back({"MemoryMax", limit_value(limit)});
        if (m.reservation.value_or(0) != 0) out.push_back({"MemoryLow", limit_value(*m.reservation)});
        if (m.swap) {
            const int64_t swap = v2::swap_max_value(*m.swap, limit);
            if (swap != 0) out.push_back({"MemorySwapMax", limit_value(swap)});
        }
    }
    if (r.cpu) {
        const auto& c = *r.cpu;
        if (const uint64_t w = v2::cpu_shares_to_weight(c.shares.value_or(0)); w != 0) out.push_back({"CPUWeight", w});
        add_cpu_quota(out, c.quota.value_or(0), c.period.value_or(0));
        if (c.cpus && !c.cpus->empty()) out.push_back({"AllowedCPUs", cpuset_bitmask(*c.cpus, "/linux/resources/cpu/cpus")});
        if (c.mems && !c.mems->empty())
            out.push_back({"AllowedMemoryNodes", cpuset_bitmask(*c.mems, "/linux/resources/cpu/mems")});
    }
    // As ocirt's pids.max: a limit of 0 or below is none ("infinity").
    if (r.pids_limit) out.push_back({"TasksMax", *r.pids_limit > 0 ? static_cast<uint64_t>(*r.pids_limit) : kInfinity});
    if (r.block_io && r.block_io->weight.value_or(0) != 0)
        out.push_back({"IOWeight", v2::blkio_weight_to_io_weight(*r.block_io->weight)});
    add_unified(out, r.unified);
    return out;
}

}  // namespace ocirt::cgroup::systemd
