#pragma once
/// Namespaces: unshare and setns, with the CLONE_* flag of each kind.

#include <string>

#include "ocirt/sys/fd.hpp"

namespace ocirt::sys {

/// unshare(flags).
void unshare_namespaces(int clone_flags, const std::string& what);
/// setns(fd, nstype).
void join_namespace(int fd, int clone_flag, const std::string& what);
/// Opens a namespace file (O_RDONLY) and checks that it is a namespace of the expected kind
/// (ioctl NS_GET_NSTYPE), so a config cannot hand in some other file.
Fd open_namespace(const std::string& path, int clone_flag);
/// The inode identity of a namespace file ("net:[4026531840]"), or empty if unreadable.
std::string namespace_identity(const std::string& ns_link);
/// A new user namespace holding only the given mappings (uid_map / gid_map text, "inside
/// outside count" lines), kept alive by the returned fd; for id-mapped mounts. A short-lived
/// child creates it; the caller must be privileged over the ids it maps.
Fd new_user_namespace(const std::string& uid_map, const std::string& gid_map);

}  // namespace ocirt::sys
