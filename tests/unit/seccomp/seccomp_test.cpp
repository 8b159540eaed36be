#include <catch2/catch.hpp>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <algorithm>

#include "ocirt/seccomp/cache.hpp"
#include "ocirt/seccomp/compile.hpp"
#include "ocirt/seccomp/filter.hpp"
#include "ocirt/seccomp/names.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/sha256.hpp"

using namespace ocirt;

namespace {

spec::Seccomp deny_mkdir() {
    spec::Seccomp s;
    s.default_action = "SCMP_ACT_ALLOW";
    s.architectures = {"SCMP_ARCH_X86_64"};
    s.syscalls.push_back(spec::SeccompSyscall{{"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO", std::nullopt, {}});
    return s;
}

bool contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

}  // namespace

TEST_CASE("sha256 matches the FIPS 180-4 test vectors") {
    CHECK(util::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(util::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(util::sha256_hex(std::string(1000, 'a')) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
    std::string back;
    CHECK(util::from_hex(util::to_hex(std::string("\x00\xff\x10", 3)), back));
    CHECK(back == std::string("\x00\xff\x10", 3));
    CHECK_FALSE(util::from_hex("abc", back));
    CHECK_FALSE(util::from_hex("zz", back));
}

TEST_CASE("the name tables are what features reports") {
    CHECK(seccomp::supported_actions().size() == 9);
    CHECK(contains(seccomp::supported_actions(), "SCMP_ACT_NOTIFY"));
    CHECK(contains(seccomp::supported_operators(), "SCMP_CMP_MASKED_EQ"));
    CHECK(contains(seccomp::supported_architectures(), "SCMP_ARCH_X86_64"));
    CHECK(seccomp::known_flags().size() == 4);
    for (const auto& f : seccomp::supported_flags()) CHECK(contains(seccomp::known_flags(), f));
    CHECK(seccomp::find_action("SCMP_ACT_KILL")->scmp_action == seccomp::find_action("SCMP_ACT_KILL_THREAD")->scmp_action);
    CHECK_FALSE(seccomp::find_operator("SCMP_CMP_XX"));
}

TEST_CASE("check_seccomp names the field at fault") {
    auto s = deny_mkdir();
    CHECK_NOTHROW(seccomp::check_seccomp(s));
    s.syscalls[0].args.push_back(spec::SeccompArg{6, 1, std::nullopt, "SCMP_CMP_EQ"});
    CHECK_THROWS_WITH(seccomp::check_seccomp(s), Catch::Contains("/linux/seccomp/syscalls/0/args/0/index"));
    s = deny_mkdir();
    s.default_action = "SCMP_ACT_ALLOW";
    s.default_errno_ret = 5;
    CHECK_THROWS_WITH(seccomp::check_seccomp(s), Catch::Contains("/linux/seccomp/defaultAction"));
    s = deny_mkdir();
    s.syscalls[0] = spec::SeccompSyscall{{"write"}, "SCMP_ACT_NOTIFY", std::nullopt, {}};
    s.listener_path = "/run/agent.sock";
    CHECK_THROWS_WITH(seccomp::check_seccomp(s), Catch::Contains("cannot be used for write"));
    s = deny_mkdir();
    s.flags = {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
    CHECK_THROWS_WITH(seccomp::check_seccomp(s), Catch::Contains("/linux/seccomp/flags/0"));
}

TEST_CASE("filter flags add NEW_LISTENER for notify and TSYNC_ESRCH with TSYNC") {
    auto s = deny_mkdir();
    s.flags = {"SECCOMP_FILTER_FLAG_TSYNC"};
    CHECK(seccomp::filter_flags(s) == SECCOMP_FILTER_FLAG_TSYNC);
    s.syscalls.push_back(spec::SeccompSyscall{{"mount"}, "SCMP_ACT_NOTIFY", std::nullopt, {}});
    CHECK(seccomp::filter_flags(s) ==
          (SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_TSYNC_ESRCH));
}

TEST_CASE("compile_program exports whole BPF instructions and skips unknown names") {
    auto s = deny_mkdir();
    const std::string a = seccomp::compile_program(s);
    REQUIRE(!a.empty());
    CHECK(a.size() % sizeof(sock_filter) == 0);
    s.syscalls[0].names.push_back("no_such_syscall_xyz");
    CHECK(seccomp::compile_program(s) == a);
    // A rule equal to the default action changes nothing (libseccomp would refuse it).
    s.syscalls.push_back(spec::SeccompSyscall{{"getpid"}, "SCMP_ACT_ALLOW", std::nullopt, {}});
    CHECK(seccomp::compile_program(s) == a);
}

TEST_CASE("cache keys differ with every field; entries are checked on load") {
    const auto base = deny_mkdir();
    auto other = base;
    other.syscalls[0].errno_ret = 1;  // EPERM written out: same filter, different section
    CHECK(seccomp::cache_key(base) != seccomp::cache_key(other));
    other = base;
    other.syscalls[0].names = {"mkdirat", "mkdir"};
    CHECK(seccomp::cache_key(base) != seccomp::cache_key(other));
    other = base;
    other.listener_metadata = "x";  // not part of the program
    CHECK(seccomp::cache_key(base) == seccomp::cache_key(other));

    const std::string key = seccomp::cache_key(base);
    const std::string program(16, 'x');
    const std::string entry = seccomp::encode_entry(key, program);
    CHECK(seccomp::decode_entry(key, entry) == program);
    CHECK_FALSE(seccomp::decode_entry(seccomp::cache_key(other) + "0", entry));
    std::string flipped = entry;
    flipped.back() ^= 1;
    CHECK_FALSE(seccomp::decode_entry(key, flipped));
    CHECK_FALSE(seccomp::decode_entry(key, entry.substr(0, entry.size() - 8)));
    CHECK_FALSE(seccomp::decode_entry(key, entry + std::string(BPF_MAXINSNS * 8, 'x')));
}
