#include "ocirt/ns/namespaces.hpp"

#include <fcntl.h>
#include <sched.h>

#include <algorithm>

#include "ocirt/sys/files.hpp"
#include "ocirt/sys/namespaces.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/util/error.hpp"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

namespace ocirt::ns {

using spec::NamespaceType;

int clone_flag(NamespaceType t) {
    switch (t) {
        case NamespaceType::user: return CLONE_NEWUSER;
        case NamespaceType::pid: return CLONE_NEWPID;
        case NamespaceType::network: return CLONE_NEWNET;
        case NamespaceType::ipc: return CLONE_NEWIPC;
        case NamespaceType::uts: return CLONE_NEWUTS;
        case NamespaceType::mount: return CLONE_NEWNS;
        case NamespaceType::cgroup: return CLONE_NEWCGROUP;
        case NamespaceType::time: return CLONE_NEWTIME;
    }
    return 0;
}

namespace {
const char* proc_name(NamespaceType t) {
    switch (t) {
        case NamespaceType::user: return "user";
        case NamespaceType::pid: return "pid";
        case NamespaceType::network: return "net";
        case NamespaceType::ipc: return "ipc";
        case NamespaceType::uts: return "uts";
        case NamespaceType::mount: return "mnt";
        case NamespaceType::cgroup: return "cgroup";
        case NamespaceType::time: return "time";
    }
    return "?";
}
}  // namespace

bool NamespacePlan::has(NamespaceType t) const {
    if (creates(t)) return true;
    return std::any_of(joins.begin(), joins.end(), [t](const Join& j) { return j.type == t; });
}

bool NamespacePlan::creates(NamespaceType t) const { return (new_flags & clone_flag(t)) != 0; }

bool NamespacePlan::needs_fork() const { return has(NamespaceType::pid) || has(NamespaceType::time); }

NamespacePlan plan_namespaces(const std::vector<spec::Namespace>& namespaces) {
    NamespacePlan plan;
    int seen = 0;
    for (size_t i = 0; i < namespaces.size(); ++i) {
        const auto& n = namespaces[i];
        const int flag = clone_flag(n.type);
        if (seen & flag)
            fail("/linux/namespaces/{}: namespace type \"{}\" is listed twice", i, spec::namespace_type_name(n.type));
        seen |= flag;
        if (n.path && !n.path->empty())
            plan.joins.push_back(Join{n.type, *n.path});
        else
            plan.new_flags |= flag;
    }
    std::stable_sort(plan.joins.begin(), plan.joins.end(), [](const Join& a, const Join& b) {
        return a.type == NamespaceType::user && b.type != NamespaceType::user;
    });
    return plan;
}

std::vector<sys::Fd> open_joins(const NamespacePlan& plan) {
    std::vector<sys::Fd> fds;
    for (const auto& j : plan.joins) {
        fds.push_back(with_context(fmt::format("linux.namespaces: {} namespace path", spec::namespace_type_name(j.type)),
                                   [&] { return sys::open_namespace(j.path, clone_flag(j.type)); }));
    }
    return fds;
}

void join_all(const NamespacePlan& plan, const std::vector<sys::Fd>& fds) {
    if (fds.size() != plan.joins.size()) fail("namespace fds do not match the plan");
    for (size_t i = 0; i < fds.size(); ++i) {
        const auto& j = plan.joins[i];
        sys::join_namespace(fds[i].get(), clone_flag(j.type),
                            fmt::format("{} namespace {}", spec::namespace_type_name(j.type), j.path));
    }
}

void write_time_offsets(const std::map<std::string, spec::TimeOffset>& offsets) {
    if (offsets.empty()) return;
    std::string text;
    for (const auto& [clock, off] : offsets) {
        if (clock != "monotonic" && clock != "boottime") fail("/linux/timeOffsets/{}: unknown clock", clock);
        text += fmt::format("{} {} {}\n", clock, off.secs, off.nanosecs);
    }
    sys::Fd fd = sys::open_at(AT_FDCWD, "/proc/self/timens_offsets", O_WRONLY);
    with_context("write linux.timeOffsets", [&] { sys::write_all(fd.get(), text); });
}

bool joins_runtime_namespace(const NamespacePlan& plan, NamespaceType t) {
    for (const auto& j : plan.joins) {
        if (j.type != t) continue;
        const auto theirs = sys::stat_path(j.path);
        const auto ours = sys::stat_path(proc_ns_path(sys::self_pid(), t));
        return theirs && ours && theirs->st_ino == ours->st_ino && theirs->st_dev == ours->st_dev;
    }
    return false;
}

std::string proc_ns_path(int pid, NamespaceType t) { return fmt::format("/proc/{}/ns/{}", pid, proc_name(t)); }

std::map<NamespaceType, std::string> namespace_identities(int pid) {
    std::map<NamespaceType, std::string> out;
    for (auto t : {NamespaceType::user, NamespaceType::pid, NamespaceType::network, NamespaceType::ipc,
                   NamespaceType::uts, NamespaceType::mount, NamespaceType::cgroup, NamespaceType::time})
        out[t] = sys::namespace_identity(proc_ns_path(pid, t));
    return out;
}

}  // namespace ocirt::ns
