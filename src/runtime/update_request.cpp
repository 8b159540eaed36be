#include "ocirt/runtime/update_request.hpp"

#include <cctype>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::runtime {
namespace {

/// A byte count as runc's flags take it: a number with an optional k/m/g/t suffix (powers of
/// 1024, "b" or "ib" after it allowed), or -1.
int64_t parse_size(const std::string& flag, const std::string& text) {
    if (text == "-1") return -1;
    size_t i = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    const auto number = util::parse_int(text.substr(0, i));
    std::string unit = text.substr(i);
    for (auto& ch : unit) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (unit.size() > 1 && unit.back() == 'b') unit.pop_back();
    if (unit.size() > 1 && unit.back() == 'i') unit.pop_back();
    int shift = -1;
    if (unit.empty() || unit == "b") shift = 0;
    if (unit == "k") shift = 10;
    if (unit == "m") shift = 20;
    if (unit == "g") shift = 30;
    if (unit == "t") shift = 40;
    if (!number || shift < 0 || *number > (INT64_MAX >> shift)) fail("--{}: invalid size \"{}\"", flag, text);
    return *number << shift;
}

int64_t int_value(const std::string& flag, const std::string& text) {
    const auto v = util::parse_int(text);
    if (!v) fail("--{}: invalid number \"{}\"", flag, text);
    return *v;
}

uint64_t uint_value(const std::string& flag, const std::string& text) {
    const auto v = util::parse_uint(text);
    if (!v) fail("--{}: invalid number \"{}\"", flag, text);
    return *v;
}

/// Obsolete since cgroup v2 (runc 1.2 accepts them and warns).
bool ignored_flag(const std::string& flag) { return flag == "kernel-memory" || flag == "kernel-memory-tcp"; }

spec::Resources from_flags(const std::map<std::string, std::string>& flags) {
    spec::Resources r;
    auto mem = [&]() -> spec::MemoryResources& { return r.memory ? *r.memory : r.memory.emplace(); };
    auto cpu = [&]() -> spec::CpuResources& { return r.cpu ? *r.cpu : r.cpu.emplace(); };
    for (const auto& [flag, value] : flags) {
        if (ignored_flag(flag)) log::warn("Setting --{} is ignored and will be removed", flag);
        else if (flag == "memory") mem().limit = parse_size(flag, value);
        else if (flag == "memory-reservation") mem().reservation = parse_size(flag, value);
        else if (flag == "memory-swap") mem().swap = parse_size(flag, value);
        else if (flag == "cpu-period") cpu().period = uint_value(flag, value);
        else if (flag == "cpu-quota") cpu().quota = int_value(flag, value);
        else if (flag == "cpu-burst") cpu().burst = uint_value(flag, value);
        else if (flag == "cpu-idle") cpu().idle = int_value(flag, value);
        else if (flag == "cpu-share" || flag == "cpu-shares") cpu().shares = uint_value(flag, value);
        else if (flag == "cpu-rt-period") cpu().realtime_period = uint_value(flag, value);
        else if (flag == "cpu-rt-runtime") cpu().realtime_runtime = int_value(flag, value);
        else if (flag == "cpuset-cpus") cpu().cpus = value;
        else if (flag == "cpuset-mems") cpu().mems = value;
        else if (flag == "pids-limit") {
            r.pids_limit = int_value(flag, value);
            r.has_pids = true;
        } else if (flag == "blkio-weight") {
            const uint64_t w = uint_value(flag, value);
            if (w > UINT16_MAX) fail("--blkio-weight: {} is out of range", w);
            (r.block_io ? *r.block_io : r.block_io.emplace()).weight = static_cast<uint16_t>(w);
        } else {
            fail("--{}: not an update flag", flag);
        }
    }
    return r;
}

}  // namespace

const std::vector<std::string>& update_resource_flags() {
    static const std::vector<std::string> flags{
        "blkio-weight", "cpu-period",  "cpu-quota",   "cpu-burst",   "cpu-idle",      "cpu-share",
        "cpu-shares",   "cpu-rt-period", "cpu-rt-runtime", "cpuset-cpus", "cpuset-mems", "memory",
        "memory-reservation", "memory-swap", "pids-limit", "kernel-memory", "kernel-memory-tcp",
    };
    return flags;
}

spec::Resources requested_resources(const UpdateOptions& o, const std::optional<std::string>& resources_json) {
    spec::Resources r;
    if (resources_json) {
        const auto j = nlohmann::json::parse(*resources_json, nullptr, false);
        if (j.is_discarded()) fail("--resources: not valid JSON");
        r = with_context("--resources", [&] { return spec::resources_from_json(j); });
        // runc reads either the document or the flags, never both.
        for (const auto& [flag, value] : o.flags) log::warn("--{} is ignored: --resources was given", flag);
    } else {
        r = from_flags(o.flags);
    }
    // runc: an unlimited memory with no swap value asked for means swap unlimited too (as on
    // cgroup v1), rather than keeping a swap limit that no longer has a memory limit under it.
    if (r.memory && r.memory->limit == -1 && !r.memory->swap) r.memory->swap = -1;
    return r;
}

}  // namespace ocirt::runtime
