#pragma once
/// User namespace id maps: the kernel's uid_map/gid_map format, the subordinate id files
/// (/etc/subuid, /etc/subgid), and writing a new namespace's maps — directly when the writer may
/// (root, or an unprivileged caller mapping only its own id), else through the setuid helpers
/// newuidmap/newgidmap as runc does.

#include <cstdint>
#include <string>
#include <vector>

#include "ocirt/spec/config.hpp"

namespace ocirt::ns {

/// One line of a uid_map/gid_map: `count` ids from `inside` map to `outside` and on.
struct IdRange {
    uint64_t inside = 0;
    uint64_t outside = 0;
    uint64_t count = 0;
};

/// Parses uid_map/gid_map text ("inside outside count" per line); throws on a malformed line.
std::vector<IdRange> parse_id_map(const std::string& text);
/// True for the initial user namespace's map ("0 0 4294967295").
bool is_initial_map(const std::vector<IdRange>& map);
/// This process's /proc/self/uid_map (the initial map on a kernel without user namespaces).
std::vector<IdRange> own_uid_map();
/// This process is in a user namespace other than the initial one (runc's
/// userns.RunningInUserNS): e.g. rootless podman's, where the runtime runs as its uid 0.
bool running_in_user_namespace();
/// True if some line maps outside id 0 (the parent namespace's root).
bool maps_outside_root(const std::vector<IdRange>& map);

/// One subordinate range: `count` ids from `start`.
struct SubRange {
    uint64_t start = 0;
    uint64_t count = 0;
};
/// The ranges /etc/subuid (or subgid) text grants to the user `name` or numeric `id`.
std::vector<SubRange> subordinate_ranges(const std::string& text, const std::string& name, uint32_t id);
/// The first host id of `maps` that is neither in `ranges` nor the caller's own `own_id` mapped
/// alone; nullopt when newuidmap/newgidmap will accept them all.
std::optional<spec::IdMapping> first_unallowed(const std::vector<spec::IdMapping>& maps,
                                               const std::vector<SubRange>& ranges, uint32_t own_id);
/// True when `maps` is the single mapping of `own_id` (size 1) an unprivileged caller may write.
bool is_own_id_only(const std::vector<spec::IdMapping>& maps, uint32_t own_id);

/// Writes uid_map and gid_map of `pid` (parent side; the init stage has unshared its user ns).
/// As root, directly. Unprivileged: a single mapping of the caller's own id directly (setgroups
/// set to "deny" first for gid_map, as the kernel requires), anything else through
/// newuidmap/newgidmap after checking the ranges against /etc/subuid and /etc/subgid.
void write_id_maps(int pid, const std::vector<spec::IdMapping>& uids, const std::vector<spec::IdMapping>& gids);

}  // namespace ocirt::ns
