#include "ocirt/ns/sysctl.hpp"

#include <fcntl.h>
#include <sys/mount.h>

#include <array>

#include "ocirt/sys/files.hpp"
#include "ocirt/sys/mount_api.hpp"
#include "ocirt/sys/procfs.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::ns {
namespace {

using spec::NamespaceType;

constexpr std::array<const char*, 8> kIpcKeys{{"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                                               "kernel.shmall", "kernel.shmmax", "kernel.shmmni",
                                               "kernel.shm_rmid_forced"}};

/// A procfs root the container cannot have replaced: a fresh detached instance (nothing can be
/// mounted over a part of it), or the container's /proc if it is the root of a real procfs.
sys::ProcFs open_trusted_proc() {
    try {
        return sys::ProcFs::adopt(sys::new_detached_fs("proc", "", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
                                                       "procfs for /linux/sysctl"),
                                  "a new procfs instance");
    } catch (const Error& e) {
        if (e.code() != EPERM) throw;
        // A user namespace without its own pid namespace may not create a procfs instance.
    }
    return with_context("/linux/sysctl", [] { return sys::ProcFs::open("/proc"); });
}

}  // namespace

std::optional<NamespaceType> sysctl_namespace(const std::string& key) {
    if (util::starts_with(key, "net.") || util::starts_with(key, "net/")) return NamespaceType::network;
    if (util::starts_with(key, "fs.mqueue.") || util::starts_with(key, "fs/mqueue/")) return NamespaceType::ipc;
    std::string dotted = key;
    for (char& c : dotted)
        if (c == '/') c = '.';
    for (const char* k : kIpcKeys)
        if (dotted == k) return NamespaceType::ipc;
    if (dotted == "kernel.hostname" || dotted == "kernel.domainname") return NamespaceType::uts;
    return std::nullopt;
}

std::string sysctl_path(const std::string& key) {
    std::string path = key;
    if (key.find('/') == std::string::npos)
        for (char& c : path)
            if (c == '.') c = '/';
    return path;
}

void check_sysctls(const std::map<std::string, std::string>& sysctl, const NamespacePlan& plan) {
    for (const auto& [key, value] : sysctl) {
        const std::string field = "/linux/sysctl/" + key;
        for (const auto& part : util::split(sysctl_path(key), '/'))
            if (part.empty() || part == "." || part == "..") fail("{}: malformed key", field);
        const auto ns = sysctl_namespace(key);
        if (!ns) fail("{}: not a namespaced sysctl; setting it would change the host", field);
        if (!plan.has(*ns))
            fail("{}: needs a {} namespace of the container's own, and the config shares the host's", field,
                 spec::namespace_type_name(*ns));
        if (joins_runtime_namespace(plan, *ns))
            fail("{}: the {} namespace joined by path is the runtime's own; setting it would change the host", field,
                 spec::namespace_type_name(*ns));
        if (value.find('\n') != std::string::npos) fail("{}: the value must be one line", field);
    }
}

void apply_sysctls(const std::map<std::string, std::string>& sysctl) {
    if (sysctl.empty()) return;
    const sys::ProcFs proc = open_trusted_proc();
    for (const auto& [key, value] : sysctl)
        with_context("/linux/sysctl/" + key, [&] { proc.write_entry("sys/" + sysctl_path(key), value); });
}

}  // namespace ocirt::ns
