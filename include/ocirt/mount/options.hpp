#pragma once
/// Mount options of config.json ("ro", "nosuid", "rbind", "size=64m", ...) turned into
/// mount(2) flags, propagation flags and the filesystem data string. Pure: no syscalls.

#include <cstdint>
#include <string>
#include <vector>

namespace ocirt::mount {

/// The parsed form of one mount's options.
struct MountOptions {
    unsigned long flags = 0;              ///< MS_* flags for the mount itself
    unsigned long clear_flags = 0;        ///< MS_* flags explicitly turned off ("rw", "suid"...)
    std::vector<unsigned long> propagation;  ///< MS_SHARED/MS_SLAVE/... (with MS_REC), in order
    std::string data;                     ///< comma-joined options the filesystem interprets
    bool bind = false;                    ///< "bind" or "rbind"
    bool recursive_bind = false;          ///< "rbind"
    uint64_t recursive_set = 0;           ///< MOUNT_ATTR_* of "rro", "rnosuid"... for the whole tree
    uint64_t recursive_clear = 0;         ///< MOUNT_ATTR_* of "rrw", "rsuid"...
    bool idmap = false;                   ///< "idmap" or "ridmap": an id-mapped bind mount
    bool recursive_idmap = false;         ///< "ridmap": every mount of the tree id-mapped
    bool tmpcopyup = false;               ///< "tmpcopyup": a tmpfs starts with the covered directory's content
};

/// Parses a mount's options in order (later options win, as with mount(8)).
MountOptions parse_mount_options(const std::vector<std::string>& options);
/// Every option name the parser understands and applies (for `ocirt features`).
std::vector<std::string> known_mount_options();
/// `data` with linux.mountLabel added as SELinux's context="LABEL" for a filesystem of `type`
/// that takes it (not proc, sysfs or cgroup, which label themselves); `data` as is when the
/// label is empty.
std::string with_mount_label(const std::string& type, const std::string& data, const std::string& label);
/// Parses a rootfsPropagation value ("rslave") into MS_* flags; 0 if unknown.
unsigned long parse_propagation(const std::string& name);

/// True if mount data holds a uid= or gid= option.
bool has_id_option(const std::string& data);
/// Mount data without its uid= and gid= options (devpts in a user namespace that does not map them).
std::string without_id_options(const std::string& data);

}  // namespace ocirt::mount
