#include "ocirt/cgroup/processes.hpp"

#include <signal.h>

#include <algorithm>

#include "ocirt/sys/files.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::cgroup {
namespace {

void collect(const std::string& dir, std::vector<pid_t>& out) {
    const CgroupDir cg(dir);
    const auto procs = cg.try_read("cgroup.procs");
    if (!procs) return;  // removed meanwhile
    for (const auto& line : util::split(*procs, '\n'))
        if (auto pid = util::parse_int(line)) out.push_back(static_cast<pid_t>(*pid));
    for (const auto& name : sys::list_subdirs(dir)) collect(dir + "/" + name, out);
}

}  // namespace

std::vector<pid_t> processes(const CgroupDir& cg) {
    std::vector<pid_t> out;
    collect(cg.path(), out);
    std::sort(out.begin(), out.end());
    return out;
}

bool populated(const CgroupDir& cg) {
    const auto events = cg.read_keyed("cgroup.events");
    const auto it = events.find("populated");
    if (it != events.end()) return it->second != 0;
    return !processes(cg).empty();
}

bool kill_all(const CgroupDir& cg) {
    if (!cg.has("cgroup.kill")) return false;
    cg.write("cgroup.kill", "1", "cgroup.kill");
    return true;
}

void signal_all(const CgroupDir& cg, int sig) {
    for (pid_t p : processes(cg)) sys::send_signal(p, sig);
}

}  // namespace ocirt::cgroup
