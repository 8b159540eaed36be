#include "ocirt/ns/sysctl.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>

#include <array>

#include "ocirt/sys/files.hpp"
#include "ocirt/sys/mount_api.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::ns {
namespace {

using spec::NamespaceType;

constexpr std::array<const char*, 8> kIpcKeys{{"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                                               "kernel.shmall", "kernel.shmmax", "kernel.shmmni",
                                               "kernel.shm_rmid_forced"}};

constexpr uint64_t kProcRootInode = 1;

/// True if the namespace the plan joins for `t` is the runtime's own (same nsfs inode).
bool joins_runtime_namespace(const NamespacePlan& plan, NamespaceType t) {
    for (const auto& j : plan.joins) {
        if (j.type != t) continue;
        const auto theirs = sys::stat_path(j.path);
        const auto ours = sys::stat_path(proc_ns_path(sys::self_pid(), t));
        return theirs && ours && theirs->st_ino == ours->st_ino && theirs->st_dev == ours->st_dev;
    }
    return false;
}

const char* namespace_name(NamespaceType t) {
    return t == NamespaceType::network ? "network" : t == NamespaceType::ipc ? "ipc" : "uts";
}

/// A procfs root the container cannot have replaced: a fresh detached instance, or the
/// container's /proc if it is the root of a real procfs.
sys::Fd open_trusted_proc() {
    try {
        return sys::new_detached_fs("proc", "", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
                                    "procfs for /linux/sysctl");
    } catch (const Error& e) {
        if (e.code() != EPERM) throw;
        // A user namespace without its own pid namespace may not create a procfs instance.
    }
    sys::Fd proc = sys::open_at(AT_FDCWD, "/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW);
    if (sys::statfs_fd(proc.get()).f_type != PROC_SUPER_MAGIC || sys::stat_fd(proc.get()).st_ino != kProcRootInode)
        fail("/linux/sysctl: the container's /proc is not a procfs mount; refusing to write sysctls through it");
    return proc;
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
                 namespace_name(*ns));
        if (joins_runtime_namespace(plan, *ns))
            fail("{}: the {} namespace joined by path is the runtime's own; setting it would change the host", field,
                 namespace_name(*ns));
        if (value.find('\n') != std::string::npos) fail("{}: the value must be one line", field);
    }
}

void apply_sysctls(const std::map<std::string, std::string>& sysctl) {
    if (sysctl.empty()) return;
    sys::Fd proc = open_trusted_proc();
    for (const auto& [key, value] : sysctl) {
        const std::string field = "/linux/sysctl/" + key;
        with_context(field, [&] {
            sys::Fd f = sys::open_beneath_strict(proc.get(), "sys/" + sysctl_path(key), O_WRONLY);
            if (!f) throw_error_code(ENOENT, "no such kernel parameter");
            sys::write_all(f.get(), value);
        });
    }
}

}  // namespace ocirt::ns
