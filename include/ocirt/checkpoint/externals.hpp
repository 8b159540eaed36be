#pragma once
/// The resources of a container that live outside what CRIU dumps, declared so that CRIU can
/// put them back: bind mounts (their host sources), masked files (/dev/null), a network
/// namespace joined by path, and stdio that is not the container's own (descriptors.json).

#include <sys/types.h>

#include <string>
#include <vector>

#include "ocirt/checkpoint/criu_args.hpp"
#include "ocirt/spec/config.hpp"

namespace ocirt::checkpoint {

/// CRIU's key for the network namespace the container joined (runc's extRootNetNS).
inline constexpr const char* kExternalNetNs = "extRootNetNS";

/// Dump: mnt[DEST]:DEST for each bind mount, mnt[PATH]:/dev/null for each masked path that is
/// a file in the running container `pid` (masked directories are tmpfs, which CRIU dumps).
std::vector<External> dump_mounts(const spec::Config& c, pid_t pid);
/// Restore: mnt[DEST]:SOURCE for each bind mount (a relative source is relative to `bundle`)
/// and mnt[/dev/null]:/dev/null when paths are masked.
std::vector<External> restore_mounts(const spec::Config& c, const std::string& bundle);

/// The path of the network namespace the config joins, or "".
std::string joined_network_namespace(const spec::Config& c);
/// Dump: net[INODE]:extRootNetNS for the joined network namespace of `pid`, or "".
std::string dump_network_namespace(const spec::Config& c, pid_t pid);

/// One stdio descriptor of the container process at dump time.
struct StdioDescriptor {
    int fd = 0;
    std::string link;          ///< readlink /proc/PID/fd/N: "pipe:[123]", "/dev/null" ...
    std::string external_key;  ///< file[mnt_id:inode] when it lives on a mount outside the container; else ""
};

/// Fds 0..2 of `pid` (those that are open).
std::vector<StdioDescriptor> stdio_descriptors(pid_t pid);
/// Writes <image>/descriptors.json (runc's: the three links, "" for a closed fd) and
/// <image>/ocirt-stdio.json (the external keys ocirt needs at restore).
void save_descriptors(const std::string& image_path, const std::vector<StdioDescriptor>& d);
/// Reads them back (descriptors.json alone, as runc wrote it, works too).
std::vector<StdioDescriptor> load_descriptors(const std::string& image_path);
/// Restore: fd[N]:KEY for each pipe (runc's rule) and each external file, N being the
/// restoring ocirt's own fd N.
std::vector<std::pair<int, std::string>> inherit_stdio(const std::vector<StdioDescriptor>& d);

}  // namespace ocirt::checkpoint
