#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "ocirt/cgroup/manager.hpp"
#include "ocirt/cgroup/oom_events.hpp"
#include "ocirt/cgroup/stats.hpp"
#include "ocirt/runtime/container.hpp"
#include "ocirt/runtime/state_dir.hpp"
#include "ocirt/runtime/stats_json.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::runtime {
namespace {

using nlohmann::json;

cgroup::ContainerCgroup live_cgroup(const ContainerDir& dir, const std::optional<ContainerRecord>& rec) {
    if (compute_status(dir, rec) == spec::Status::stopped) fail("container not running");
    if (!rec || rec->cgroup_path.empty()) fail("the container has no cgroup");
    return locate_cgroup(*rec);
}

std::string stats_event(const std::string& id, const cgroup::ContainerCgroup& cg) {
    return json{{"type", "stats"}, {"id", id}, {"data", json::parse(runc_stats_json(cgroup::read_stats(cg)))}}.dump();
}

/// The OOM count (memory.events, or memory.oom_control on cgroup v1).
uint64_t oom_count(const cgroup::ContainerCgroup& cg) { return cgroup::oom_kills(cg); }

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
        // cgroup v1: runc's eventfd on memory.oom_control; v2: memory.events' count, polled.
        std::optional<cgroup::OomEvents> oom_events = cgroup::OomEvents::open(cg);
        uint64_t ooms = oom_events ? 0 : oom_count(cg);
        const auto oom_happened = [&] {
            if (oom_events) return oom_events->notified();
            const uint64_t now = oom_count(cg);
            const bool more = now > ooms;
            ooms = now;
            return more;
        };
        constexpr auto kPoll = std::chrono::milliseconds(50);
        auto next_stats = std::chrono::steady_clock::now();
        while (compute_status(dir, rec) != spec::Status::stopped) {
            if (oom_happened()) emit(json{{"type", "oom"}, {"id", id}}.dump());
            if (std::chrono::steady_clock::now() >= next_stats) {
                emit(stats_event(id, cg));
                next_stats += std::chrono::milliseconds(interval_ms);
            }
            if (oom_events)
                sys::poll_readable({oom_events->fd()}, static_cast<int>(kPoll.count()));
            else
                std::this_thread::sleep_for(kPoll);
        }
        // An OOM kill of the container's last process is seen only after it stopped.
        try {
            if (oom_happened()) emit(json{{"type", "oom"}, {"id", id}}.dump());
        } catch (const Error&) {
            // the cgroup is gone with the container
        }
    });
}

}  // namespace ocirt::runtime
