#include "ocirt/runtime/process_list.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <string>

#include "ocirt/sys/files.hpp"
#include "ocirt/sys/namespaces.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::runtime {
namespace {

std::vector<pid_t> all_pids() {
    std::vector<pid_t> out;
    for (const auto& name : sys::list_dir("/proc"))
        if (auto n = util::parse_int(name)) out.push_back(static_cast<pid_t>(*n));
    return out;
}

}  // namespace

std::vector<pid_t> processes_of(pid_t init_pid) {
    const std::string init_ns = sys::namespace_identity("/proc/" + std::to_string(init_pid) + "/ns/pid");
    if (init_ns.empty()) return {};
    std::vector<pid_t> out;
    if (init_ns != sys::namespace_identity("/proc/self/ns/pid")) {
        for (pid_t p : all_pids())
            if (sys::namespace_identity("/proc/" + std::to_string(p) + "/ns/pid") == init_ns) out.push_back(p);
        std::sort(out.begin(), out.end());
        return out;
    }
    std::map<pid_t, pid_t> parents;
    for (pid_t p : all_pids())
        if (auto pp = sys::process_parent(p)) parents[p] = *pp;
    out.push_back(init_pid);
    for (size_t i = 0; i < out.size(); ++i)
        for (const auto& [child, parent] : parents)
            if (parent == out[i] && child != init_pid) out.push_back(child);
    std::sort(out.begin(), out.end());
    return out;
}

bool owns_pid_namespace(pid_t init_pid) {
    const std::string init_ns = sys::namespace_identity("/proc/" + std::to_string(init_pid) + "/ns/pid");
    return !init_ns.empty() && init_ns != sys::namespace_identity("/proc/self/ns/pid");
}

}  // namespace ocirt::runtime
