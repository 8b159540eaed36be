#include <catch2/catch.hpp>

#include "ocirt/mount/mounts.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt;

namespace {
spec::Config chroot_only() {
    spec::Config c;
    c.root = spec::Root{};
    c.root->path = "rootfs";
    c.linux_ = spec::Linux{};
    return c;
}
}  // namespace

TEST_CASE("without a mount namespace of its own, every field that needs a mount is refused by name") {
    CHECK_NOTHROW(mount::check_without_own_mount_namespace(chroot_only(), false));
    CHECK_NOTHROW(mount::check_without_own_mount_namespace(chroot_only(), true));

    auto c = chroot_only();
    c.mounts.push_back(spec::Mount{});
    CHECK_THROWS_WITH(mount::check_without_own_mount_namespace(c, false),
                      Catch::StartsWith("/mounts: the container has no mount namespace of its own"));
    CHECK_THROWS_WITH(mount::check_without_own_mount_namespace(c, true),
                      Catch::StartsWith("/mounts: the mount namespace is joined by path"));
    c = chroot_only();
    c.root->readonly = true;
    CHECK_THROWS_WITH(mount::check_without_own_mount_namespace(c, false), Catch::StartsWith("/root/readonly: "));
    c = chroot_only();
    c.linux_->masked_paths = {"/proc/kcore"};
    CHECK_THROWS_WITH(mount::check_without_own_mount_namespace(c, false), Catch::StartsWith("/linux/maskedPaths: "));
    c = chroot_only();
    c.linux_->readonly_paths = {"/proc/sys"};
    CHECK_THROWS_WITH(mount::check_without_own_mount_namespace(c, false), Catch::StartsWith("/linux/readonlyPaths: "));
    c = chroot_only();
    c.linux_->devices.push_back(spec::Device{});
    CHECK_THROWS_WITH(mount::check_without_own_mount_namespace(c, false), Catch::StartsWith("/linux/devices: "));
    c = chroot_only();
    c.linux_->rootfs_propagation = "private";
    CHECK_THROWS_WITH(mount::check_without_own_mount_namespace(c, false),
                      Catch::StartsWith("/linux/rootfsPropagation: "));
}
