#include <catch2/catch.hpp>

#include "error_of.hpp"

#include <linux/capability.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "ocirt/security/capabilities.hpp"
#include "ocirt/util/error.hpp"
#include "proc_test_util.hpp"

using namespace ocirt::security;
using proc_test::bit;
using proc_test::cap_mask;

TEST_CASE("capability names map to their numbers") {
    CHECK(capability_from_name("CAP_CHOWN") == 0);
    CHECK(capability_from_name("CAP_KILL") == CAP_KILL);
    CHECK(capability_from_name("CAP_SYS_ADMIN") == 21);
    CHECK(capability_from_name("CAP_NET_BIND_SERVICE") == CAP_NET_BIND_SERVICE);
    CHECK(capability_from_name("CAP_BPF") == 39);
    CHECK(capability_name(21) == std::optional<std::string>("CAP_SYS_ADMIN"));
    CHECK(capability_name(0) == std::optional<std::string>("CAP_CHOWN"));
    CHECK_FALSE(capability_name(-1).has_value());
}

TEST_CASE("capability names must be spelled as runtime-spec spells them") {
    // libcap alone would accept all of these.
    for (const char* bad : {"SYS_ADMIN", "sys_admin", "cap_sys_admin", "Cap_Sys_Admin", "CAP_sys_admin", "21",
                            "CAP_21", "CAP_", "", " CAP_CHOWN", "CAP_CHOWN ", "CAP_FOO", "CAP_ALL", "all"}) {
        INFO(bad);
        CHECK_FALSE(capability_from_name(bad).has_value());
    }
}

TEST_CASE("known capability names cover the kernel's list in number order") {
    const auto names = known_capability_names();
    REQUIRE(names.size() > 37);
    CHECK(names.front() == "CAP_CHOWN");
    CHECK(std::find(names.begin(), names.end(), "CAP_SYS_ADMIN") != names.end());
    CHECK(std::find(names.begin(), names.end(), "CAP_BPF") != names.end());
    CHECK(static_cast<int>(names.size()) <= last_capability() + 1);
    for (size_t i = 0; i < names.size(); ++i) {
        INFO(names[i]);
        CHECK(names[i].rfind("CAP_", 0) == 0);
        CHECK(capability_from_name(names[i]) == static_cast<int>(i));
    }
}

TEST_CASE("check_capabilities names the JSON path of an unknown capability") {
    ocirt::spec::Capabilities caps;
    caps.bounding = std::vector<std::string>{"CAP_CHOWN", "CAP_KILL", "CAP_SYS_ADMIN", "CAP_FOO"};
    CHECK(error_of([&] { check_capabilities(caps); }) ==
          "/process/capabilities/bounding/3: unknown capability \"CAP_FOO\"");

    ocirt::spec::Capabilities amb;
    amb.effective = std::vector<std::string>{"CAP_KILL"};
    amb.ambient = std::vector<std::string>{"net_raw"};
    CHECK(error_of([&] { check_capabilities(amb); }) ==
          "/process/capabilities/ambient/0: unknown capability \"net_raw\"");

    ocirt::spec::Capabilities good;
    good.bounding = good.effective = good.permitted = std::vector<std::string>{"CAP_KILL", "CAP_CHOWN"};
    good.inheritable = std::vector<std::string>{};
    CHECK_NOTHROW(check_capabilities(good));
    CHECK_NOTHROW(check_capabilities(ocirt::spec::Capabilities{}));
}

TEST_CASE("check_capabilities with the warn policy does not fail") {
    ocirt::spec::Capabilities caps;
    caps.permitted = std::vector<std::string>{"CAP_UNKNOWN", "UNKNOWN_CAP"};
    CHECK_NOTHROW(check_capabilities(caps, UnknownCapability::warn));
}

TEST_CASE("apply functions refuse unknown names before changing anything") {
    // In a child: were the check missing, the sets of this process would change.
    const int rc = proc_test::in_child([] {
        const uint64_t before = cap_mask("CapEff");
        ocirt::spec::Capabilities caps;
        caps.effective = std::vector<std::string>{"CAP_KILL", "CAP_NOPE"};
        const std::string msg = error_of([&] { apply_capability_sets(caps); });
        if (msg != "/process/capabilities/effective/1: unknown capability \"CAP_NOPE\"") return 1;
        ocirt::spec::Capabilities bnd;
        bnd.bounding = std::vector<std::string>{"NOPE"};
        if (error_of([&] { drop_bounding_set(bnd); }) != "/process/capabilities/bounding/0: unknown capability \"NOPE\"")
            return 2;
        return cap_mask("CapEff") == before ? 0 : 3;
    });
    CHECK(rc == 0);
}

TEST_CASE("apply_capability_sets sets exactly the listed sets (root only, in a child)") {
    if (::geteuid() != 0) {
        WARN("skipped: needs root to hold capabilities");
        return;
    }
    const int rc = proc_test::in_child([] {
        ocirt::spec::Capabilities caps;
        caps.effective = std::vector<std::string>{"CAP_CHOWN"};
        caps.permitted = std::vector<std::string>{"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
        caps.inheritable = std::vector<std::string>{"CAP_NET_BIND_SERVICE"};
        caps.ambient = std::vector<std::string>{"CAP_NET_BIND_SERVICE"};
        apply_capability_sets(caps);
        if (cap_mask("CapEff") != bit(CAP_CHOWN)) return 1;
        if (cap_mask("CapPrm") != (bit(CAP_CHOWN) | bit(CAP_KILL) | bit(CAP_NET_BIND_SERVICE))) return 2;
        if (cap_mask("CapInh") != bit(CAP_NET_BIND_SERVICE)) return 3;
        if (cap_mask("CapAmb") != bit(CAP_NET_BIND_SERVICE)) return 4;
        return 0;
    });
    CHECK(rc == 0);
}

TEST_CASE("repeated capability names count once (root only, in a child)") {
    if (::geteuid() != 0) {
        WARN("skipped: needs root to hold capabilities");
        return;
    }
    const int rc = proc_test::in_child([] {
        // 100 copies: more than libcap's cap_set_flag takes in one call (64) unless deduplicated.
        std::vector<std::string> many(100, "CAP_KILL");
        many.push_back("CAP_CHOWN");
        ocirt::spec::Capabilities caps;
        caps.bounding = caps.effective = caps.permitted = caps.inheritable = caps.ambient = many;
        try {
            apply_capability_sets(caps);
        } catch (const ocirt::Error&) {
            return 1;
        }
        const auto both = bit(CAP_KILL) | bit(CAP_CHOWN);
        if (cap_mask("CapEff") != both || cap_mask("CapPrm") != both || cap_mask("CapInh") != both) return 2;
        return cap_mask("CapAmb") == both ? 0 : 3;
    });
    CHECK(rc == 0);
}

TEST_CASE("absent sets are empty, inheritable included (CVE-2022-29162; root only, in a child)") {
    if (::geteuid() != 0) {
        WARN("skipped: needs root to hold capabilities");
        return;
    }
    const int rc = proc_test::in_child([] {
        // Give the process an inheritable and ambient capability first; they must not survive.
        ocirt::spec::Capabilities before;
        before.effective = before.permitted = before.inheritable = before.ambient =
            std::vector<std::string>{"CAP_KILL"};
        apply_capability_sets(before);
        if (cap_mask("CapInh") != bit(CAP_KILL) || cap_mask("CapAmb") != bit(CAP_KILL)) return 1;
        ocirt::spec::Capabilities caps;
        caps.effective = caps.permitted = std::vector<std::string>{"CAP_KILL"};
        apply_capability_sets(caps);
        if (cap_mask("CapInh") != 0) return 2;
        if (cap_mask("CapAmb") != 0) return 3;
        return cap_mask("CapEff") == bit(CAP_KILL) ? 0 : 4;
    });
    CHECK(rc == 0);
}

TEST_CASE("an ambient capability that is not inheritable fails with its name (root only, in a child)") {
    if (::geteuid() != 0) {
        WARN("skipped: needs root to hold capabilities");
        return;
    }
    const int rc = proc_test::in_child([] {
        ocirt::spec::Capabilities caps;
        caps.effective = caps.permitted = std::vector<std::string>{"CAP_KILL"};
        caps.ambient = std::vector<std::string>{"CAP_KILL"};
        const std::string msg = error_of([&] { apply_capability_sets(caps); });
        if (msg.rfind("raise ambient capability CAP_KILL: ", 0) != 0) return 1;
        // With warn, the rest still applies.
        apply_capability_sets(caps, UnknownCapability::warn);
        return cap_mask("CapAmb") == 0 && cap_mask("CapEff") == bit(CAP_KILL) ? 0 : 2;
    });
    CHECK(rc == 0);
}

TEST_CASE("drop_bounding_set keeps only the listed capabilities (root only, in a child)") {
    if (::geteuid() != 0) {
        WARN("skipped: needs CAP_SETPCAP");
        return;
    }
    CHECK(proc_test::in_child([] {
              ocirt::spec::Capabilities caps;
              caps.bounding = std::vector<std::string>{"CAP_CHOWN", "CAP_KILL"};
              drop_bounding_set(caps);
              return cap_mask("CapBnd") == (bit(CAP_CHOWN) | bit(CAP_KILL)) ? 0 : 1;
          }) == 0);
    CHECK(proc_test::in_child([] {
              drop_bounding_set(ocirt::spec::Capabilities{});
              return cap_mask("CapBnd") == 0 ? 0 : 1;
          }) == 0);
}
