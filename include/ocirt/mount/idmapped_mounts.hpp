#pragma once
/// Id-mapped bind mounts ("idmap"/"ridmap", or uidMappings/gidMappings on a mount): the source
/// is cloned into a detached mount tree and given the mapping with mount_setattr(MOUNT_ATTR_IDMAP).
/// That needs CAP_SYS_ADMIN in the user namespace owning the source filesystem (the host's), so
/// the init stage does it before it enters the container's user namespace; the trees are
/// attached at their place in the mount order later (mounts.cpp).

#include <cstddef>
#include <map>

#include "ocirt/spec/config.hpp"
#include "ocirt/sys/fd.hpp"

namespace ocirt::mount {

/// Detached, id-mapped mount trees keyed by the index of their entry in config.mounts.
using IdmappedTrees = std::map<size_t, sys::Fd>;

/// True if mounts[index] asks for an id-mapped mount.
bool is_idmapped(const spec::Mount& m);
/// Checks every id-mapped mount of the config (bind only, both mappings or a user namespace
/// to take them from); throws naming /mounts/N.
void check_idmapped_mounts(const spec::Config& config);
/// Clones and id-maps the source of every id-mapped mount; `bundle` resolves relative sources.
IdmappedTrees prepare_idmapped_trees(const spec::Config& config, const std::string& bundle);

}  // namespace ocirt::mount
