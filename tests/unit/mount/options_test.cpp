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

TEST_CASE("options ocirt does not apply yet are reported, not passed on") {
    const auto o = parse_mount_options({"rro", "idmap", "nosuid"});
    CHECK(o.unsupported == std::vector<std::string>{"rro", "idmap"});
    CHECK(o.data.empty());
}

TEST_CASE("rootfsPropagation values") {
    CHECK(parse_propagation("rslave") == (MS_SLAVE | MS_REC));
    CHECK(parse_propagation("private") == MS_PRIVATE);
    CHECK(parse_propagation("bogus") == 0);
}
