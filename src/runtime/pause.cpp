#include "ocirt/cgroup/manager.hpp"
#include "ocirt/runtime/container.hpp"
#include "ocirt/runtime/state_dir.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::runtime {
namespace {

/// The cgroup of a container; an error if it has none.
cgroup::ContainerCgroup cgroup_of(const std::optional<ContainerRecord>& rec) {
    if (!rec || rec->cgroup_path.empty()) fail("the container has no cgroup to freeze (rootless, it has one only when a cgroup is delegated to the user)");
    return locate_cgroup(*rec);
}

}  // namespace

void pause_container(const GlobalOptions& g, const std::string& id) {
    with_context("pause " + id, [&] {
        ContainerDir dir = ContainerDir::open(g.root, id);
        const auto rec = dir.load();
        const spec::Status st = compute_status(dir, rec);
        if (st == spec::Status::paused) fail("container is already paused");
        if (st != spec::Status::running && st != spec::Status::created) fail("container not running");
        cgroup::freeze(cgroup_of(rec));
    });
}

void resume_container(const GlobalOptions& g, const std::string& id) {
    with_context("resume " + id, [&] {
        ContainerDir dir = ContainerDir::open(g.root, id);
        const auto rec = dir.load();
        if (compute_status(dir, rec) != spec::Status::paused) fail("container not paused");
        cgroup::thaw(cgroup_of(rec));
    });
}

}  // namespace ocirt::runtime
