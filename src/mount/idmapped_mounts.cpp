#include "ocirt/mount/idmapped_mounts.hpp"

#include <fcntl.h>
#include <sys/mount.h>

#include <fmt/format.h>

#include "ocirt/mount/options.hpp"
#include "ocirt/sys/mount_api.hpp"
#include "ocirt/sys/namespaces.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::mount {
namespace {

bool creates_user_namespace(const spec::Config& c) {
    if (!c.linux_) return false;
    for (const auto& ns : c.linux_->namespaces)
        if (ns.type == spec::NamespaceType::user && (!ns.path || ns.path->empty())) return true;
    return false;
}

std::string map_text(const std::vector<spec::IdMapping>& maps) {
    std::string text;
    for (const auto& m : maps) text += fmt::format("{} {} {}\n", m.container_id, m.host_id, m.size);
    return text;
}

}  // namespace

bool is_idmapped(const spec::Mount& m) {
    return parse_mount_options(m.options).idmap || !m.uid_mappings.empty() || !m.gid_mappings.empty();
}

void check_idmapped_mounts(const spec::Config& c) {
    for (size_t i = 0; i < c.mounts.size(); ++i) {
        const auto& m = c.mounts[i];
        if (!is_idmapped(m)) continue;
        const MountOptions o = parse_mount_options(m.options);
        if (!o.bind && !(m.type && *m.type == "bind"))
            fail("/mounts/{}/options: id-mapped mounts must be bind mounts", i);
        if (m.uid_mappings.empty() != m.gid_mappings.empty())
            fail("/mounts/{}/uidMappings: an id-mapped mount needs both uidMappings and gidMappings", i);
        if (m.uid_mappings.empty() && !creates_user_namespace(c))
            fail("/mounts/{}/options: \"idmap\" without mount mappings takes the container's, but the container "
                 "has no new user namespace",
                 i);
    }
}

IdmappedTrees prepare_idmapped_trees(const spec::Config& c, const std::string& bundle) {
    IdmappedTrees trees;
    for (size_t i = 0; i < c.mounts.size(); ++i) {
        const auto& m = c.mounts[i];
        if (!is_idmapped(m)) continue;
        const MountOptions o = parse_mount_options(m.options);
        const std::string what = fmt::format("mounts[{}] (id-mapped {} on {})", i, m.source.value_or(""), m.destination);
        std::string source = m.source.value_or("");
        if (!source.empty() && source[0] != '/') source = bundle + "/" + source;
        // Mappings of the mount itself, or else the container's own (runc's rule).
        const auto& uids = m.uid_mappings.empty() ? c.linux_->uid_mappings : m.uid_mappings;
        const auto& gids = m.gid_mappings.empty() ? c.linux_->gid_mappings : m.gid_mappings;
        sys::Fd userns = with_context(what, [&] { return sys::new_user_namespace(map_text(uids), map_text(gids)); });
        sys::Fd tree = sys::clone_mount_tree(AT_FDCWD, source, o.recursive_bind, what);
        sys::MountAttributes attr;
        attr.set = MOUNT_ATTR_IDMAP;
        attr.userns_fd = userns.get();
        // "idmap" maps the top mount only; "ridmap" (or mappings on an rbind) every mount below.
        const bool recursive = o.recursive_idmap || (!o.idmap && o.recursive_bind);
        sys::set_mount_attributes(tree.get(), recursive, attr, what);
        trees.emplace(i, std::move(tree));
    }
    return trees;
}

}  // namespace ocirt::mount
