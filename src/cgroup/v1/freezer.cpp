#include "ocirt/cgroup/v1/freezer.hpp"

#include <chrono>
#include <thread>

#include "ocirt/util/error.hpp"

namespace ocirt::cgroup::v1 {

void freeze(const CgroupDir& cg) {
    // runc's loop: a v1 freeze can stay FREEZING while processes keep appearing (fork, a
    // parallel exec). Write FROZEN again and again, now and then thawing for a moment or
    // sleeping before the read; the numbers are runc's, chosen empirically there.
    for (int i = 0; i < 1000; ++i) {
        if (i % 50 == 49) {
            cg.write("freezer.state", "THAWED", "freezer.state");
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        cg.write("freezer.state", "FROZEN", "freezer.state");
        if (i % 25 == 24) std::this_thread::sleep_for(std::chrono::microseconds(10));
        const std::string state = cg.read("freezer.state");
        if (state == "FROZEN") return;
        if (state != "FREEZING") fail("{}: unexpected freezer.state {} after writing FROZEN", cg.path(), state);
    }
    // Stuck in FREEZING: leaving it so is worse than failing.
    cg.write("freezer.state", "THAWED", "freezer.state");
    fail("{}: unable to freeze (freezer.state stayed FREEZING)", cg.path());
}

void thaw(const CgroupDir& cg) { cg.write("freezer.state", "THAWED", "freezer.state"); }

bool is_frozen(const CgroupDir& cg) {
    // freezer.state reports FROZEN for a cgroup whose parent is frozen too; self_freezing is this
    // cgroup's own request.
    if (const auto self = cg.try_read_value("freezer.self_freezing")) return *self == "1";
    const std::string state = cg.try_read("freezer.state").value_or("THAWED");
    return state == "FROZEN" || state == "FREEZING";
}

}  // namespace ocirt::cgroup::v1
