#pragma once
/// Which namespaces a container gets (new or joined by path), and entering them in the init stage.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ocirt/spec/config.hpp"
#include "ocirt/sys/fd.hpp"

namespace ocirt::ns {

/// The CLONE_NEW* flag of a namespace type.
int clone_flag(spec::NamespaceType t);

/// One namespace to join: its type and the path given in config.json.
struct Join {
    spec::NamespaceType type;
    std::string path;
};

/// The namespaces of a container, decided from linux.namespaces.
struct NamespacePlan {
    int new_flags = 0;        ///< CLONE_NEW* of every namespace to create
    std::vector<Join> joins;  ///< namespaces to join, user first
    /// True if the type is created or joined (not shared with the runtime).
    bool has(spec::NamespaceType t) const;
    /// True if the type is created new.
    bool creates(spec::NamespaceType t) const;
    /// True if the init stage must fork so that the container process lands in the pid or time
    /// namespace (both apply to children only).
    bool needs_fork() const;
};

/// Builds the plan; throws naming /linux/namespaces/N on a duplicate type.
NamespacePlan plan_namespaces(const std::vector<spec::Namespace>& namespaces);

/// True if the plan joins, by path, the namespace of type `t` that the runtime itself is in
/// (same nsfs inode): changing it would change the host.
bool joins_runtime_namespace(const NamespacePlan& plan, spec::NamespaceType t);

/// Opens every namespace to join (checking each is a namespace of the right kind), in plan order.
std::vector<sys::Fd> open_joins(const NamespacePlan& plan);

/// Joins the namespaces (fds in the order of plan.joins). The user namespace is joined first
/// because joining it grants the capabilities that joining the others needs.
void join_all(const NamespacePlan& plan, const std::vector<sys::Fd>& fds);

/// Writes linux.timeOffsets to /proc/self/timens_offsets (after unshare(CLONE_NEWTIME), before
/// any process enters the new time namespace).
void write_time_offsets(const std::map<std::string, spec::TimeOffset>& offsets);

/// The identity of each of a process's namespaces, keyed by type ("net:[4026531840]").
std::map<spec::NamespaceType, std::string> namespace_identities(int pid);

/// The /proc path of a process's namespace of a type ("/proc/42/ns/net").
std::string proc_ns_path(int pid, spec::NamespaceType t);

}  // namespace ocirt::ns
