#include <catch2/catch.hpp>

#include "error_of.hpp"

#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "ocirt/security/process_attrs.hpp"
#include "ocirt/sys/identity.hpp"
#include "ocirt/util/error.hpp"
#include "proc_test_util.hpp"

using namespace ocirt;
using proc_test::bit;
using proc_test::cap_mask;
using proc_test::in_child;

namespace {

spec::Rlimit rl(const char* type, uint64_t soft, uint64_t hard) { return spec::Rlimit{type, soft, hard}; }

}  // namespace

TEST_CASE("rlimit names map to RLIMIT_ numbers") {
    CHECK(security::rlimit_from_name("RLIMIT_NOFILE") == RLIMIT_NOFILE);
    CHECK(security::rlimit_from_name("RLIMIT_CORE") == RLIMIT_CORE);
    CHECK(security::rlimit_from_name("RLIMIT_RTTIME") == RLIMIT_RTTIME);
    CHECK_FALSE(security::rlimit_from_name("NOFILE").has_value());
    CHECK_FALSE(security::rlimit_from_name("rlimit_nofile").has_value());
    CHECK_FALSE(security::rlimit_from_name("RLIMIT_TEST").has_value());
}

TEST_CASE("check_rlimits names the JSON path at fault") {
    CHECK(error_of([] { security::check_rlimits({rl("RLIMIT_CORE", 0, 0), rl("RLIMIT_FOO", 1, 1)}); }) ==
          "/process/rlimits/1/type: unknown rlimit \"RLIMIT_FOO\"");
    CHECK(error_of([] { security::check_rlimits({rl("RLIMIT_CORE", 0, 0), rl("RLIMIT_CORE", 1, 1)}); }) ==
          "/process/rlimits/1/type: \"RLIMIT_CORE\" is already set by /process/rlimits/0");
    CHECK(error_of([] { security::check_rlimits({rl("RLIMIT_NOFILE", 2048, 1024)}); }) ==
          "/process/rlimits/0: soft limit 2048 of RLIMIT_NOFILE is above its hard limit 1024");
    CHECK_NOTHROW(security::check_rlimits({rl("RLIMIT_NOFILE", 1024, 1024), rl("RLIMIT_CORE", 0, UINT64_MAX)}));
}

TEST_CASE("apply_rlimits lowers a soft limit of this process") {
    const auto [soft, hard] = sys::get_rlimit(RLIMIT_CORE);
    const uint64_t lower = soft == 0 ? 0 : (soft == UINT64_MAX ? 4096 : soft / 2);
    security::apply_rlimits({rl("RLIMIT_CORE", lower, hard)});
    CHECK(sys::get_rlimit(RLIMIT_CORE) == std::make_pair(lower, hard));
    sys::set_rlimit(RLIMIT_CORE, soft, hard);  // raising back up to the hard limit is allowed
    CHECK(sys::get_rlimit(RLIMIT_CORE) == std::make_pair(soft, hard));
}

TEST_CASE("apply_rlimits sets soft and hard, infinity included (in a child)") {
    CHECK(in_child([] {
              security::apply_rlimits({rl("RLIMIT_NOFILE", 100, 200), rl("RLIMIT_CORE", 0, 0)});
              if (sys::get_rlimit(RLIMIT_NOFILE) != std::make_pair(uint64_t{100}, uint64_t{200})) return 1;
              rlimit raw{};
              ::getrlimit(RLIMIT_CORE, &raw);
              return raw.rlim_cur == 0 && raw.rlim_max == 0 ? 0 : 2;
          }) == 0);
    if (!proc_test::has_cap(CAP_SYS_RESOURCE)) {
        WARN("skipped: raising a hard limit needs CAP_SYS_RESOURCE");
    } else {
        CHECK(in_child([] {
                  security::apply_rlimits({rl("RLIMIT_MEMLOCK", UINT64_MAX, UINT64_MAX)});
                  rlimit raw{};
                  ::getrlimit(RLIMIT_MEMLOCK, &raw);
                  return raw.rlim_cur == RLIM_INFINITY && raw.rlim_max == RLIM_INFINITY ? 0 : 1;
              }) == 0);
    }
}

TEST_CASE("a hard limit that cannot be raised fails naming the entry (in a child)") {
    CHECK(in_child([] {
              sys::set_rlimit(RLIMIT_NOFILE, 64, 128);
              // Without CAP_SYS_RESOURCE (emptying every set is always allowed) the hard limit
              // can only go down.
              security::apply_capability_sets(spec::Capabilities{});
              const std::string msg = error_of([] { security::apply_rlimits({rl("RLIMIT_NOFILE", 64, 4096)}); });
              if (msg != "/process/rlimits/0 (RLIMIT_NOFILE): setrlimit(7, soft 64, hard 4096): Operation not permitted")
                  return 1;
              return sys::get_rlimit(RLIMIT_NOFILE) == std::make_pair(uint64_t{64}, uint64_t{128}) ? 0 : 2;
          }) == 0);
}

TEST_CASE("apply_umask sets the mask, 0022 when absent") {
    const mode_t old = ::umask(0);
    security::apply_umask(0027u);
    CHECK(::umask(0) == 0027);
    security::apply_umask(std::nullopt);
    CHECK(::umask(0) == 0022);
    CHECK(error_of([] { security::apply_umask(01777u); }) ==
          "/process/user/umask: 01777 is not a file mode mask (at most 0777)");
    ::umask(old);
}

TEST_CASE("apply_oom_score_adj writes /proc/self/oom_score_adj (in a child)") {
    CHECK(in_child([] {
              const int before = sys::get_oom_score_adj();
              security::apply_oom_score_adj(std::nullopt);
              if (sys::get_oom_score_adj() != before) return 1;
              security::apply_oom_score_adj(std::max(before, 500));  // raising needs no privilege
              return sys::get_oom_score_adj() == std::max(before, 500) ? 0 : 2;
          }) == 0);
    CHECK(error_of([] { security::apply_oom_score_adj(1001); }) == "/process/oomScoreAdj: 1001 is outside -1000..1000");
}

TEST_CASE("apply_no_new_privileges sets PR_SET_NO_NEW_PRIVS only when asked (in a child)") {
    CHECK(in_child([] {
              security::apply_no_new_privileges(false);
              if (sys::get_no_new_privs()) return 1;
              security::apply_no_new_privileges(true);
              return sys::get_no_new_privs() && proc_test::status_field("NoNewPrivs") == "1" ? 0 : 2;
          }) == 0);
}

TEST_CASE("prctl switches round-trip (in a child)") {
    CHECK(in_child([] {
              sys::set_keep_caps(true);
              if (!sys::get_keep_caps()) return 1;
              sys::set_keep_caps(false);
              if (sys::get_keep_caps()) return 2;
              sys::set_dumpable(false);
              if (sys::get_dumpable()) return 3;
              sys::set_dumpable(true);
              if (!sys::get_dumpable()) return 4;
              if (sys::bounding_has_cap(1000)) return 5;       // unknown: false, not an error
              if (proc_test::has_cap(CAP_SETPCAP) && sys::drop_bounding_cap(1000)) return 6;  // unknown: false
              sys::clear_ambient_caps();
              return sys::ambient_has_cap(CAP_KILL) ? 7 : 0;
          }) == 0);
}

TEST_CASE("hostname and domainname are set in a new UTS namespace (in a child)") {
    const int rc = in_child([] {
        if (::unshare(CLONE_NEWUTS) < 0 && ::unshare(CLONE_NEWUSER | CLONE_NEWUTS) < 0) return proc_test::kSkip;
        sys::set_hostname("ocirt-test-host");
        sys::set_domainname("ocirt.example");
        char buf[256] = {};
        if (::gethostname(buf, sizeof buf) < 0 || std::string(buf) != "ocirt-test-host") return 1;
        if (::getdomainname(buf, sizeof buf) < 0 || std::string(buf) != "ocirt.example") return 2;
        return 0;
    });
    if (rc == proc_test::kSkip) {
        WARN("skipped: cannot create a UTS namespace here");
    } else {
        CHECK(rc == 0);
    }
}

TEST_CASE("apply_user sets groups, then gid, then uid (root only, in a child)") {
    if (::geteuid() != 0) {
        WARN("skipped: needs root to change uid");
        return;
    }
    CHECK(in_child([] {
              spec::User u;
              u.uid = 1234;
              u.gid = 2345;
              u.additional_gids = {10, 20, 30};
              security::apply_user(u);
              uid_t r, e, s;
              ::getresuid(&r, &e, &s);
              if (r != 1234 || e != 1234 || s != 1234) return 1;
              gid_t gr, ge, gs;
              ::getresgid(&gr, &ge, &gs);
              if (gr != 2345 || ge != 2345 || gs != 2345) return 2;
              return sys::get_groups() == std::vector<gid_t>{10, 20, 30} ? 0 : 3;
          }) == 0);
    // An empty additionalGids clears the groups the runtime had.
    CHECK(in_child([] {
              sys::set_groups({4, 5});
              spec::User u;
              u.uid = 1234;
              u.gid = 1234;
              security::apply_user(u);
              return sys::get_groups().empty() ? 0 : 1;
          }) == 0);
}

TEST_CASE("finalize_identity applies user and capabilities in runc's order (root only, in a child)") {
    if (::geteuid() != 0) {
        WARN("skipped: needs root");
        return;
    }
    CHECK(in_child([] {
              spec::Process p;
              p.user.uid = 1000;
              p.user.gid = 1000;
              p.user.additional_gids = {1001};
              spec::Capabilities caps;
              caps.bounding = std::vector<std::string>{"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
              caps.effective = std::vector<std::string>{"CAP_KILL", "CAP_NET_BIND_SERVICE"};
              caps.permitted = std::vector<std::string>{"CAP_KILL", "CAP_NET_BIND_SERVICE"};
              caps.inheritable = std::vector<std::string>{"CAP_NET_BIND_SERVICE"};
              caps.ambient = std::vector<std::string>{"CAP_NET_BIND_SERVICE"};
              p.capabilities = caps;
              p.no_new_privileges = true;
              security::finalize_identity(p);
              // A non-root user kept its capabilities: KEEPCAPS was on across setresuid.
              if (cap_mask("CapBnd") != (bit(CAP_CHOWN) | bit(CAP_KILL) | bit(CAP_NET_BIND_SERVICE))) return 1;
              if (cap_mask("CapEff") != (bit(CAP_KILL) | bit(CAP_NET_BIND_SERVICE))) return 2;
              if (cap_mask("CapPrm") != (bit(CAP_KILL) | bit(CAP_NET_BIND_SERVICE))) return 3;
              if (cap_mask("CapInh") != bit(CAP_NET_BIND_SERVICE)) return 4;
              if (cap_mask("CapAmb") != bit(CAP_NET_BIND_SERVICE)) return 5;
              if (proc_test::status_field("NoNewPrivs") != "1") return 6;
              if (proc_test::status_field("Uid") != "1000\t1000\t1000\t1000") return 7;
              if (proc_test::status_field("Gid") != "1000\t1000\t1000\t1000") return 8;
              if (sys::get_groups() != std::vector<gid_t>{1001}) return 9;
              if (sys::get_keep_caps()) return 10;  // switched back off
              return 0;
          }) == 0);
}

TEST_CASE("finalize_identity without capabilities drops them all, even for root (root only, in a child)") {
    if (::geteuid() != 0) {
        WARN("skipped: needs root");
        return;
    }
    CHECK(in_child([] {
              spec::Process p;  // uid 0, no capabilities object
              security::finalize_identity(p);
              for (const char* set : {"CapBnd", "CapEff", "CapPrm", "CapInh", "CapAmb"})
                  if (cap_mask(set) != 0) return 1;
              return proc_test::status_field("NoNewPrivs") == "0" ? 0 : 2;
          }) == 0);
}
