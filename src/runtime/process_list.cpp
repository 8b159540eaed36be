#include "ocirt/runtime/process_list.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <string>

#include "ocirt/sys/files.hpp"
#include "ocirt/sys/namespaces.hpp"
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

std::optional<pid_t> parent_of(pid_t pid) {
    try {
        const std::string text = sys::read_file("/proc/" + std::to_string(pid) + "/stat", 4096);
        const auto close = text.rfind(')');
        if (close == std::string::npos) return std::nullopt;
        const auto fields = util::split(text.substr(close + 2), ' ');
        if (fields.size() < 2) return std::nullopt;
        if (auto p = util::parse_int(fields[1])) return static_cast<pid_t>(*p);
    } catch (const Error&) {
        // The process is gone.
    }
    return std::nullopt;
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
        if (auto pp = parent_of(p)) parents[p] = *pp;
    out.push_back(init_pid);
    for (size_t i = 0; i < out.size(); ++i)
        for (const auto& [child, parent] : parents)
            if (parent == out[i] && child != init_pid) out.push_back(child);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace ocirt::runtime
