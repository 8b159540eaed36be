#include "ocirt/mount/options.hpp"

#include <sys/mount.h>

#include <array>

#include "ocirt/util/strings.hpp"

namespace ocirt::mount {
namespace {

struct FlagOption {
    const char* name;
    bool clear;  // true: the option turns the flag off
    unsigned long flag;
};

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

#ifndef MS_LAZYTIME
#define MS_LAZYTIME (1 << 25)
#endif

constexpr std::array<FlagOption, 30> kFlagOptions{{
    {"defaults", false, 0},
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"nosuid", false, MS_NOSUID},
    {"suid", true, MS_NOSUID},
    {"nodev", false, MS_NODEV},
    {"dev", true, MS_NODEV},
    {"noexec", false, MS_NOEXEC},
    {"exec", true, MS_NOEXEC},
    {"sync", false, MS_SYNCHRONOUS},
    {"async", true, MS_SYNCHRONOUS},
    {"dirsync", false, MS_DIRSYNC},
    {"remount", false, MS_REMOUNT},
    {"mand", false, MS_MANDLOCK},
    {"nomand", true, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},
    {"atime", true, MS_NOATIME},
    {"nodiratime", false, MS_NODIRATIME},
    {"diratime", true, MS_NODIRATIME},
    {"relatime", false, MS_RELATIME},
    {"norelatime", true, MS_RELATIME},
    {"strictatime", false, MS_STRICTATIME},
    {"nostrictatime", true, MS_STRICTATIME},
    {"silent", false, MS_SILENT},
    {"loud", true, MS_SILENT},
    {"nosymfollow", false, MS_NOSYMFOLLOW},
    {"lazytime", false, MS_LAZYTIME},
    {"nolazytime", true, MS_LAZYTIME},
    {"iversion", false, MS_I_VERSION},
    {"noiversion", true, MS_I_VERSION},
}};

struct PropagationOption {
    const char* name;
    unsigned long flags;
};

constexpr std::array<PropagationOption, 8> kPropagation{{
    {"private", MS_PRIVATE},
    {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},
    {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},
    {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE},
    {"runbindable", MS_UNBINDABLE | MS_REC},
}};

/// A recursive attribute ("rro", "rnosuid"...): MOUNT_ATTR_* bits to set and to clear on the
/// whole mount tree with mount_setattr(AT_RECURSIVE). The atime options replace the whole atime
/// mode, as the kernel requires.
struct RecursiveOption {
    const char* name;
    uint64_t set;
    uint64_t clear;
};

constexpr std::array<RecursiveOption, 20> kRecursiveOptions{{
    {"rro", MOUNT_ATTR_RDONLY, 0},
    {"rrw", 0, MOUNT_ATTR_RDONLY},
    {"rnosuid", MOUNT_ATTR_NOSUID, 0},
    {"rsuid", 0, MOUNT_ATTR_NOSUID},
    {"rnodev", MOUNT_ATTR_NODEV, 0},
    {"rdev", 0, MOUNT_ATTR_NODEV},
    {"rnoexec", MOUNT_ATTR_NOEXEC, 0},
    {"rexec", 0, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", MOUNT_ATTR_NODIRATIME, 0},
    {"rdiratime", 0, MOUNT_ATTR_NODIRATIME},
    {"rrelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    {"rnorelatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
    {"rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME},
    {"ratime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    {"rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
    {"rnostrictatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    {"rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0},
    {"rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW},
    // Handled separately (they need a user namespace), listed here for known_mount_options.
    {"idmap", 0, 0},
    {"ridmap", 0, 0},
}};

}  // namespace

MountOptions parse_mount_options(const std::vector<std::string>& options) {
    MountOptions out;
    for (const auto& opt : options) {
        bool matched = false;
        for (const auto& f : kFlagOptions) {
            if (opt == f.name) {
                if (f.clear) {
                    out.flags &= ~f.flag;
                    out.clear_flags |= f.flag;
                } else {
                    out.flags |= f.flag;
                    out.clear_flags &= ~f.flag;
                }
                matched = true;
                break;
            }
        }
        if (matched) continue;
        for (const auto& p : kPropagation) {
            if (opt == p.name) {
                out.propagation.push_back(p.flags);
                matched = true;
                break;
            }
        }
        if (matched) continue;
        if (opt == "bind" || opt == "rbind") {
            out.bind = true;
            out.recursive_bind = out.recursive_bind || opt == "rbind";
            continue;
        }
        for (const auto& r : kRecursiveOptions) {
            if (opt != r.name) continue;
            out.recursive_set = (out.recursive_set & ~r.clear) | r.set;
            out.recursive_clear = (out.recursive_clear & ~r.set) | r.clear;
            if (opt == "idmap" || opt == "ridmap") {
                out.idmap = true;
                out.recursive_idmap = out.recursive_idmap || opt == "ridmap";
            }
            matched = true;
            break;
        }
        if (matched) continue;
        // The runc and crun extension: copy the covered directory's content into a new tmpfs.
        if (opt == "tmpcopyup") {
            out.tmpcopyup = true;
            continue;
        }
        if (!out.data.empty()) out.data += ',';
        out.data += opt;
    }
    return out;
}

std::vector<std::string> known_mount_options() {
    std::vector<std::string> out;
    for (const auto& f : kFlagOptions) out.emplace_back(f.name);
    for (const auto& p : kPropagation) out.emplace_back(p.name);
    for (const auto& r : kRecursiveOptions) out.emplace_back(r.name);
    out.emplace_back("bind");
    out.emplace_back("rbind");
    out.emplace_back("tmpcopyup");
    return out;
}

unsigned long parse_propagation(const std::string& name) {
    for (const auto& p : kPropagation)
        if (name == p.name) return p.flags;
    return 0;
}

std::string with_mount_label(const std::string& type, const std::string& data, const std::string& label) {
    if (label.empty() || type == "proc" || type == "sysfs" || type == "cgroup" || type == "cgroup2") return data;
    const std::string context = "context=\"" + label + "\"";
    return data.empty() ? context : data + "," + context;
}

namespace {
bool is_id_option(const std::string& o) { return util::starts_with(o, "uid=") || util::starts_with(o, "gid="); }
}  // namespace

bool has_id_option(const std::string& data) {
    for (const auto& o : util::split(data, ','))
        if (is_id_option(o)) return true;
    return false;
}

std::string without_id_options(const std::string& data) {
    std::string out;
    for (const auto& o : util::split(data, ','))
        if (!o.empty() && !is_id_option(o)) out += (out.empty() ? "" : ",") + o;
    return out;
}

}  // namespace ocirt::mount
