#pragma once
/// linux.devices[].fileMode as engines write it. podman copies the host node's whole st_mode,
/// file-type bits included (S_IFCHR|0666 = 8630); runc strips those bits and crun ORs them into
/// mknod's mode, so a type that disagrees would make crun create another kind of node. ocirt
/// takes bits that agree with `type` and refuses bits that do not.

#include <cstdint>
#include <optional>
#include <string>

namespace ocirt::spec {

/// The S_IFMT bits of a device type: S_IFCHR for "c" and "u", S_IFBLK for "b", S_IFIFO for "p";
/// 0 for anything else.
uint32_t device_file_type(const std::string& type);

/// What is wrong with `file_mode` for a device of `type`, or nullopt: file-type bits that are
/// not the type's, or bits outside S_IFMT and the permission bits (07777).
std::optional<std::string> device_file_mode_problem(uint32_t file_mode, const std::string& type);

/// The permission bits of a fileMode whose type bits (if any) agree with the device's type.
inline uint32_t device_permissions(uint32_t file_mode) { return file_mode & 07777u; }

}  // namespace ocirt::spec
