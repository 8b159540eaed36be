#include "ocirt/cgroup/freezer.hpp"

#include <chrono>
#include <thread>

#include "ocirt/util/error.hpp"

namespace ocirt::cgroup {
namespace {

constexpr auto kFreezeTimeout = std::chrono::seconds(10);

void set_frozen(const CgroupDir& cg, bool frozen) {
    if (!cg.has("cgroup.freeze")) fail("{} has no cgroup.freeze (the kernel is older than 5.2)", cg.path());
    cg.write("cgroup.freeze", frozen ? "1" : "0", "cgroup.freeze");
    // The kernel freezes tasks asynchronously; cgroup.events reports when all of them are.
    const auto deadline = std::chrono::steady_clock::now() + kFreezeTimeout;
    auto pause = std::chrono::microseconds(100);
    while (true) {
        const auto events = cg.read_keyed("cgroup.events");
        const auto it = events.find("frozen");
        if (it != events.end() && (it->second == 1) == frozen) return;
        if (std::chrono::steady_clock::now() > deadline)
            fail("{}: cgroup.events did not report frozen {} within {} s", cg.path(), frozen ? 1 : 0, kFreezeTimeout.count());
        std::this_thread::sleep_for(pause);
        if (pause < std::chrono::milliseconds(10)) pause *= 2;
    }
}

}  // namespace

void freeze(const CgroupDir& cg) { set_frozen(cg, true); }

void thaw(const CgroupDir& cg) { set_frozen(cg, false); }

bool is_frozen(const CgroupDir& cg) { return cg.try_read_value("cgroup.freeze").value_or("0") == "1"; }

}  // namespace ocirt::cgroup
