#include <catch2/catch.hpp>

#include "ocirt/ns/idmap.hpp"
#include "ocirt/runtime/default_spec.hpp"
#include "ocirt/mount/options.hpp"

using namespace ocirt;

TEST_CASE("uid_map text parses; the initial namespace's map is recognised") {
    const auto m = ns::parse_id_map("         0          0 4294967295\n");
    REQUIRE(m.size() == 1);
    CHECK(ns::is_initial_map(m));
    CHECK(ns::maps_outside_root(m));
    const auto user = ns::parse_id_map("0 1000 1\n1 100000 65536\n");
    CHECK_FALSE(ns::is_initial_map(user));
    CHECK_FALSE(ns::maps_outside_root(user));
    CHECK_THROWS(ns::parse_id_map("0 1000\n"));
}

TEST_CASE("subordinate ranges are found by name or uid; others ignored") {
    const std::string text = "alice:100000:65536\n# comment\n1001:200000:10\nbob:300000:5\nbad line\n";
    auto r = ns::subordinate_ranges(text, "alice", 1001);
    REQUIRE(r.size() == 2);
    CHECK(r[0].start == 100000);
    CHECK(r[1].start == 200000);
    CHECK(ns::subordinate_ranges(text, "carol", 7).empty());
}

TEST_CASE("newuidmap's rule: subordinate ranges, or the caller's own id alone") {
    const std::vector<ns::SubRange> ranges{{100000, 65536}};
    using M = spec::IdMapping;
    CHECK_FALSE(ns::first_unallowed({M{0, 1000, 1}, M{1, 100000, 65536}}, ranges, 1000));
    const auto bad = ns::first_unallowed({M{0, 1000, 1}, M{1, 100000, 65537}}, ranges, 1000);
    REQUIRE(bad);
    CHECK(bad->host_id == 100000);
    CHECK(ns::first_unallowed({M{0, 999, 1}}, ranges, 1000));
    CHECK(ns::is_own_id_only({M{0, 1000, 1}}, 1000));
    CHECK_FALSE(ns::is_own_id_only({M{0, 1000, 2}}, 1000));
}

TEST_CASE("spec --rootless: user namespace of the caller, no network namespace, /sys bound, no resources") {
    spec::Config c = runtime::default_config();
    runtime::make_rootless(c, 1000, 1001);
    const auto& l = *c.linux_;
    REQUIRE(l.uid_mappings.size() == 1);
    CHECK(l.uid_mappings[0].host_id == 1000);
    CHECK(l.gid_mappings[0].host_id == 1001);
    bool user = false;
    for (const auto& n : l.namespaces) {
        CHECK(n.type != spec::NamespaceType::network);
        user = user || n.type == spec::NamespaceType::user;
    }
    CHECK(user);
    CHECK_FALSE(l.resources);
    for (const auto& m : c.mounts) {
        if (m.destination == "/sys") CHECK(m.options.front() == "rbind");
        for (const auto& o : m.options) CHECK(o.rfind("gid=", 0) != 0);
    }
}

TEST_CASE("devpts data without uid=/gid=") {
    CHECK(mount::has_id_option("mode=620,gid=5"));
    CHECK_FALSE(mount::has_id_option("mode=620,ptmxmode=666"));
    CHECK(mount::without_id_options("newinstance,gid=5,mode=620,uid=0") == "newinstance,mode=620");
}
