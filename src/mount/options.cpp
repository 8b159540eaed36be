#include "ocirt/mount/options.hpp"

#include <sys/mount.h>

#include <array>

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

constexpr std::array<FlagOption, 26> kFlagOptions{{
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

// Recognised by runtime-spec v1.3 (recursive attributes, id-mapped mounts, lazytime, iversion,
// crun's tmpcopyup) but not applied yet: a config asking for them fails rather than running
// with weaker isolation than it asked for.
constexpr std::array<const char*, 13> kNotYetApplied{{
    "rro", "rrw", "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec", "rexec", "rnodiratime",
    "rdiratime", "rrelatime", "rnorelatime", "rnoatime",
}};
constexpr std::array<const char*, 7> kNotYetApplied2{{
    "ratime", "rstrictatime", "rnostrictatime", "rnosymfollow", "rsymfollow", "idmap", "ridmap",
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
        for (const char* n : kNotYetApplied)
            if (opt == n) matched = true;
        for (const char* n : kNotYetApplied2)
            if (opt == n) matched = true;
        if (opt == "lazytime" || opt == "nolazytime" || opt == "iversion" || opt == "noiversion" ||
            opt == "tmpcopyup")
            matched = true;
        if (matched) {
            out.unsupported.push_back(opt);
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
    out.emplace_back("bind");
    out.emplace_back("rbind");
    return out;
}

unsigned long parse_propagation(const std::string& name) {
    for (const auto& p : kPropagation)
        if (name == p.name) return p.flags;
    return 0;
}

}  // namespace ocirt::mount
