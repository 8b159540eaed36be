#include <sys/mount.h>

#include <catch2/catch.hpp>

#include "ocirt/mount/options.hpp"

using namespace ocirt::mount;

TEST_CASE("flag options set and clear MS_* bits, later ones winning") {
    const auto o = parse_mount_options({"nosuid", "ro", "nodev", "rw", "noexec", "exec", "strictatime"});
    CHECK(o.flags == (MS_NOSUID | MS_NODEV | MS_STRICTATIME));
    CHECK((o.clear_flags & MS_RDONLY) != 0);
    CHECK((o.clear_flags & MS_NOEXEC) != 0);
    CHECK(o.data.empty());
    CHECK_FALSE(o.bind);
}

TEST_CASE("filesystem options become the data string, in order") {
    const auto o = parse_mount_options({"nosuid", "mode=755", "size=65536k", "newinstance"});
    CHECK(o.flags == MS_NOSUID);
    CHECK(o.data == "mode=755,size=65536k,newinstance");
}

TEST_CASE("bind, rbind and propagation") {
    auto o = parse_mount_options({"bind", "ro", "rslave"});
    CHECK(o.bind);
    CHECK_FALSE(o.recursive_bind);
    CHECK(o.flags == MS_RDONLY);
    REQUIRE(o.propagation.size() == 1);
    CHECK(o.propagation[0] == (MS_SLAVE | MS_REC));
    o = parse_mount_options({"rbind", "private", "shared"});
    CHECK(o.recursive_bind);
    CHECK(o.propagation == std::vector<unsigned long>{MS_PRIVATE, MS_SHARED});
}

TEST_CASE("tmpcopyup is an option of ocirt's, not tmpfs data") {
    const auto o = parse_mount_options({"tmpcopyup", "nosuid", "size=1m"});
    CHECK(o.tmpcopyup);
    CHECK(o.data == "size=1m");
    CHECK_FALSE(parse_mount_options({"nosuid"}).tmpcopyup);
}

TEST_CASE("recursive attributes set and clear MOUNT_ATTR_* bits, later ones winning") {
    auto o = parse_mount_options({"rro", "rnosuid", "rnoexec", "rexec", "rnosymfollow"});
    CHECK(o.recursive_set == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOSYMFOLLOW));
    CHECK(o.recursive_clear == MOUNT_ATTR_NOEXEC);
    CHECK(o.data.empty());
    // An atime mode replaces the whole atime field, as mount_setattr requires.
    o = parse_mount_options({"rnoatime", "rstrictatime"});
    CHECK(o.recursive_set == MOUNT_ATTR_STRICTATIME);
    CHECK(o.recursive_clear == MOUNT_ATTR__ATIME);
}

TEST_CASE("idmap and ridmap mark an id-mapped mount") {
    auto o = parse_mount_options({"rbind", "idmap"});
    CHECK(o.idmap);
    CHECK_FALSE(o.recursive_idmap);
    CHECK(o.recursive_set == 0);
    o = parse_mount_options({"bind", "ridmap"});
    CHECK(o.idmap);
    CHECK(o.recursive_idmap);
}

TEST_CASE("every option the parser lists is one it applies") {
    for (const auto& name : known_mount_options()) {
        const auto o = parse_mount_options({name});
        CHECK(o.data.empty());  // none is passed through as filesystem data
    }
}

TEST_CASE("rootfsPropagation values") {
    CHECK(parse_propagation("rslave") == (MS_SLAVE | MS_REC));
    CHECK(parse_propagation("private") == MS_PRIVATE);
    CHECK(parse_propagation("bogus") == 0);
}

TEST_CASE("mountLabel becomes a context= option where the filesystem takes one") {
    CHECK(with_mount_label("tmpfs", "size=64m", "system_u:object_r:container_file_t:s0") ==
          "size=64m,context=\"system_u:object_r:container_file_t:s0\"");
    CHECK(with_mount_label("devpts", "", "l") == "context=\"l\"");
    CHECK(with_mount_label("mqueue", "", "l") == "context=\"l\"");
    CHECK(with_mount_label("proc", "", "l").empty());
    CHECK(with_mount_label("sysfs", "x", "l") == "x");
    CHECK(with_mount_label("tmpfs", "size=1m", "") == "size=1m");
}
