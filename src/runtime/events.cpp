#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "ocirt/cgroup/manager.hpp"
#include "ocirt/cgroup/stats.hpp"
#include "ocirt/runtime/container.hpp"
#include "ocirt/runtime/state_dir.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::runtime {
namespace {

using nlohmann::json;

uint64_t value_or_zero(const std::map<std::string, uint64_t>& m, const std::string& key) {
    const auto it = m.find(key);
    return it == m.end() ? 0 : it->second;
}

json cpu_json(const cgroup::Stats& s) {
    return {
        {"usage",
         {{"total", value_or_zero(s.cpu, "usage_usec") * 1000},
          {"kernel", value_or_zero(s.cpu, "system_usec") * 1000},
          {"user", value_or_zero(s.cpu, "user_usec") * 1000}}},
        {"throttling",
         {{"periods", value_or_zero(s.cpu, "nr_periods")},
          {"throttledPeriods", value_or_zero(s.cpu, "nr_throttled")},
          {"throttledTime", value_or_zero(s.cpu, "throttled_usec") * 1000}}},
    };
}

json memory_json(const cgroup::Stats& s) {
    const uint64_t usage = s.memory_current.value_or(0);
    json mem = {
        {"cache", value_or_zero(s.memory_stat, "file")},
        {"usage",
         {{"usage", usage}, {"limit", s.memory_max}, {"max", s.memory_peak.value_or(0)},
          {"failcnt", value_or_zero(s.memory_events, "max")}}},
        {"raw", s.memory_stat},
    };
    if (s.swap_current) {
        // As runc on cgroup v2: "swap" is memory+swap, the cgroup v1 meaning clients expect.
        const bool unlimited = s.swap_max == cgroup::kUnlimited || s.memory_max == cgroup::kUnlimited;
        mem["swap"] = {{"usage", usage + *s.swap_current},
                       {"limit", unlimited ? cgroup::kUnlimited : s.swap_max + s.memory_max},
                       {"failcnt", 0}};
        mem["swapOnlyUsage"] = {{"usage", *s.swap_current}, {"limit", s.swap_max}, {"failcnt", 0}};
    }
    return mem;
}

json blkio_json(const cgroup::Stats& s) {
    json bytes = json::array(), ios = json::array();
    for (const auto& e : s.io) {
        auto entry = [&](const char* op, const char* key) {
            return json{{"major", e.major}, {"minor", e.minor}, {"op", op}, {"value", value_or_zero(e.values, key)}};
        };
        bytes.push_back(entry("Read", "rbytes"));
        bytes.push_back(entry("Write", "wbytes"));
        ios.push_back(entry("Read", "rios"));
        ios.push_back(entry("Write", "wios"));
    }
    return {{"ioServiceBytesRecursive", bytes}, {"ioServicedRecursive", ios}};
}

json stats_json(const cgroup::Stats& s) {
    json hugetlb = json::object();
    for (const auto& [size, h] : s.hugetlb) hugetlb[size] = {{"usage", h.usage}, {"max", h.max}, {"failcnt", h.failcnt}};
    return {
        {"cpu", cpu_json(s)},
        {"memory", memory_json(s)},
        {"pids", {{"current", s.pids_current.value_or(0)}, {"limit", s.pids_max == cgroup::kUnlimited ? 0 : s.pids_max}}},
        {"blkio", blkio_json(s)},
        {"hugetlb", hugetlb},
        {"cpuset", {{"cpus", s.cpus_effective}, {"mems", s.mems_effective}}},
    };
}

cgroup::ContainerCgroup live_cgroup(const ContainerDir& dir, const std::optional<ContainerRecord>& rec) {
    if (compute_status(dir, rec) == spec::Status::stopped) fail("container not running");
    if (!rec || rec->cgroup_path.empty()) fail("the container has no cgroup");
    return cgroup::locate(rec->cgroup_path, rec->cgroup_created);
}

std::string stats_event(const std::string& id, const cgroup::ContainerCgroup& cg) {
    return json{{"type", "stats"}, {"id", id}, {"data", stats_json(cgroup::read_stats(cg.files()))}}.dump();
}

/// The OOM count of memory.events ("oom_kill", or "oom" where the kernel lacks it).
uint64_t oom_count(const cgroup::ContainerCgroup& cg) {
    const auto events = cg.files().read_keyed("memory.events");
    return events.count("oom_kill") ? events.at("oom_kill") : value_or_zero(events, "oom");
}

}  // namespace

std::string container_stats_event(const GlobalOptions& g, const std::string& id) {
    return with_context("events " + id, [&] {
        ContainerDir dir = ContainerDir::open_for_reading(g.root, id);
        return stats_event(id, live_cgroup(dir, dir.load()));
    });
}

void watch_container_events(const GlobalOptions& g, const std::string& id, int interval_ms,
                            const std::function<void(const std::string&)>& emit) {
    with_context("events " + id, [&] {
        ContainerDir dir = ContainerDir::open_for_reading(g.root, id);
        const auto rec = dir.load();
        const cgroup::ContainerCgroup cg = live_cgroup(dir, rec);
        uint64_t ooms = oom_count(cg);
        constexpr auto kPoll = std::chrono::milliseconds(50);
        auto next_stats = std::chrono::steady_clock::now();
        while (compute_status(dir, rec) != spec::Status::stopped) {
            if (const uint64_t now = oom_count(cg); now > ooms) {
                ooms = now;
                emit(json{{"type", "oom"}, {"id", id}}.dump());
            }
            if (std::chrono::steady_clock::now() >= next_stats) {
                emit(stats_event(id, cg));
                next_stats += std::chrono::milliseconds(interval_ms);
            }
            std::this_thread::sleep_for(kPoll);
        }
        // An OOM kill of the container's last process is seen only after it stopped.
        try {
            if (oom_count(cg) > ooms) emit(json{{"type", "oom"}, {"id", id}}.dump());
        } catch (const Error&) {
            // the cgroup is gone with the container
        }
    });
}

}  // namespace ocirt::runtime
